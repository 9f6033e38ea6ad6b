package githubfake

import (
	"crypto/rand"
	"fmt"
	"maps"
	"math/big"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v4"
)

const (
	jwtSkew      = 60 * time.Second
	jwtMaxExpiry = 10 * time.Minute
)

// authenticate checks the Authorization header against the route's kind of
// credentials. f.mu is held.
func (f *Fake) authenticate(c *call) *reply {
	scheme, cred, _ := strings.Cut(strings.TrimSpace(c.req.Header.Get("Authorization")), " ")
	cred = strings.TrimSpace(cred)
	if rep, handled := f.authenticateOAuth(c, scheme, cred); handled {
		return rep
	}
	if c.route.auth == authNone {
		return nil
	}
	if c.route.auth == authApp {
		if !strings.EqualFold(scheme, "Bearer") || cred == "" {
			rep := errReply(http.StatusUnauthorized, "A JSON web token could not be decoded")
			return &rep
		}
		if err := f.verifyJWT(cred); err != nil {
			rep := errReply(http.StatusUnauthorized, err.Error())
			return &rep
		}
		c.appJWT = true
		c.bucket = 0
		c.rateLimited = !c.route.noCharge
		return nil
	}
	if !strings.EqualFold(scheme, "token") && !strings.EqualFold(scheme, "Bearer") || cred == "" {
		rep := errReply(http.StatusUnauthorized, "Requires authentication")
		return &rep
	}
	tok := f.st.tokens[cred]
	if tok == nil || !f.now().Before(tok.expires) {
		rep := errReply(http.StatusUnauthorized, "Bad credentials")
		return &rep
	}
	c.tok = tok
	c.bucket = tok.inst.id
	c.rateLimited = !c.route.noCharge
	return nil
}

// checkRateLimit answers 403 once the caller's primary rate limit is used up.
func (f *Fake) checkRateLimit(c *call) *reply {
	if !c.rateLimited {
		return nil
	}
	b := f.st.bucket(c.bucket, f.now())
	if b.used < f.opts.RateLimit {
		return nil
	}
	msg := "API rate limit exceeded for installation ID " + strconv.FormatInt(c.bucket, 10) + "."
	if c.appJWT {
		msg = "API rate limit exceeded for app ID " + strconv.FormatInt(f.opts.AppID, 10) + "."
	}
	rep := jsonReply(http.StatusForbidden, ghError{Message: msg,
		DocumentationURL: "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-primary-rate-limits",
		Status:           "403"})
	c.rateLimited = false // a rejected request is not charged again
	return &rep
}

// verifyJWT checks an app JWT the way GitHub does: RS256 signed by the
// app's key, iss the app ID, exp in the future but at most ten minutes
// ahead, iat not in the future (each with a minute of clock skew).
func (f *Fake) verifyJWT(raw string) error {
	claims := jwt.MapClaims{}
	parser := jwt.Parser{ValidMethods: []string{jwt.SigningMethodRS256.Alg()}, SkipClaimsValidation: true}
	_, err := parser.ParseWithClaims(raw, claims, func(*jwt.Token) (any, error) { return f.opts.PublicKey, nil })
	if err != nil {
		return fmt.Errorf("A JSON web token could not be decoded")
	}
	now := f.now()
	exp, okExp := numericClaim(claims["exp"])
	if !okExp {
		return fmt.Errorf("'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires")
	}
	if !now.Before(exp.Add(jwtSkew)) {
		return fmt.Errorf("'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires")
	}
	if exp.After(now.Add(jwtMaxExpiry + jwtSkew)) {
		return fmt.Errorf("'Expiration time' claim ('exp') is too far in the future")
	}
	iat, okIat := numericClaim(claims["iat"])
	if !okIat || iat.After(now.Add(jwtSkew)) {
		return fmt.Errorf("'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued")
	}
	if !issuerIs(claims["iss"], f.opts.AppID) {
		return fmt.Errorf("'Issuer' claim ('iss') must be the ID of the GitHub App (%v is not)", claims["iss"])
	}
	return nil
}

func numericClaim(v any) (time.Time, bool) {
	n, ok := v.(float64)
	if !ok {
		return time.Time{}, false
	}
	return time.Unix(int64(n), 0), true
}

// issuerIs accepts the app ID as a string (as ghinstallation sends it) or a
// number.
func issuerIs(v any, appID int64) bool {
	switch iss := v.(type) {
	case string:
		return iss == strconv.FormatInt(appID, 10)
	case float64:
		return int64(iss) == appID
	}
	return false
}

// newToken returns a fresh "ghs_" installation token.
func newToken() (string, error) {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 36)
	for i := range b {
		n, err := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
		if err != nil {
			return "", err
		}
		b[i] = alphabet[n.Int64()]
	}
	return "ghs_" + string(b), nil
}

// Responses of the app endpoints.

type appJSON struct {
	ID                 int64             `json:"id"`
	Slug               string            `json:"slug"`
	NodeID             string            `json:"node_id"`
	ClientID           string            `json:"client_id"`
	Owner              any               `json:"owner"`
	Name               string            `json:"name"`
	Description        string            `json:"description"`
	ExternalURL        string            `json:"external_url"`
	HTMLURL            string            `json:"html_url"`
	CreatedAt          time.Time         `json:"created_at"`
	UpdatedAt          time.Time         `json:"updated_at"`
	Permissions        map[string]string `json:"permissions"`
	Events             []string          `json:"events"`
	InstallationsCount int               `json:"installations_count"`
}

type installationJSON struct {
	ID                  int64             `json:"id"`
	Account             any               `json:"account"`
	RepositorySelection string            `json:"repository_selection"`
	AccessTokensURL     string            `json:"access_tokens_url"`
	RepositoriesURL     string            `json:"repositories_url"`
	HTMLURL             string            `json:"html_url"`
	AppID               int64             `json:"app_id"`
	AppSlug             string            `json:"app_slug"`
	TargetID            int64             `json:"target_id"`
	TargetType          string            `json:"target_type"`
	Permissions         map[string]string `json:"permissions"`
	Events              []string          `json:"events"`
	CreatedAt           time.Time         `json:"created_at"`
	UpdatedAt           time.Time         `json:"updated_at"`
	SingleFileName      *string           `json:"single_file_name"`
	SuspendedAt         *time.Time        `json:"suspended_at"`
	SuspendedBy         any               `json:"suspended_by"`
}

type tokenJSON struct {
	Token               string            `json:"token"`
	ExpiresAt           time.Time         `json:"expires_at"`
	Permissions         map[string]string `json:"permissions"`
	RepositorySelection string            `json:"repository_selection"`
	Repositories        []any             `json:"repositories,omitempty"`
}

func (f *Fake) appInfo(c *call) appJSON {
	perms, events := defaultPermissions(), defaultEvents()
	if f.appPermissions != nil {
		perms, events = f.appPermissions, f.appEvents
	}
	return appJSON{
		Owner: f.appOwner(c),
		ID:    f.opts.AppID, Slug: f.opts.AppSlug, NodeID: nodeID("A_", f.opts.AppID),
		ClientID: f.opts.ClientID, Name: f.opts.AppName,
		Description: "", ExternalURL: f.opts.WebURL + "/apps/" + f.opts.AppSlug,
		HTMLURL: f.opts.WebURL + "/apps/" + f.opts.AppSlug, CreatedAt: f.st.created, UpdatedAt: f.st.created,
		Permissions: perms, Events: events,
		InstallationsCount: len(f.st.installs),
	}
}

func (f *Fake) installationJSON(c *call, in *installation) installationJSON {
	base := c.base + "/app/installations/" + strconv.FormatInt(in.id, 10)
	events := in.events
	if events == nil {
		events = []string{}
	}
	return installationJSON{
		ID: in.id, Account: f.userJSON(c, in.account), RepositorySelection: in.selection,
		AccessTokensURL: base + "/access_tokens", RepositoriesURL: c.base + "/installation/repositories",
		HTMLURL: fmt.Sprintf("%s/organizations/%s/settings/installations/%d", f.opts.WebURL, in.account.login, in.id),
		AppID:   f.opts.AppID, AppSlug: f.opts.AppSlug, TargetID: in.account.id, TargetType: in.account.typ,
		Permissions: in.permissions, Events: events, CreatedAt: in.created, UpdatedAt: in.created,
	}
}

func (f *Fake) getApp(c *call) reply { return ok(f.appInfo(c)) }

func (f *Fake) listAppInstallations(c *call) reply {
	var ids []int64
	for id := range f.st.installs {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	out := []installationJSON{}
	for _, id := range ids {
		out = append(out, f.installationJSON(c, f.st.installs[id]))
	}
	return ok(paginate(c, out))
}

func (f *Fake) installationParam(c *call) *installation {
	id, err := strconv.ParseInt(c.param("installation_id"), 10, 64)
	if err != nil {
		return nil
	}
	return f.st.installs[id]
}

func (f *Fake) getAppInstallation(c *call) reply {
	in := f.installationParam(c)
	if in == nil {
		return notFound()
	}
	return ok(f.installationJSON(c, in))
}

// createAccessToken issues an installation token, optionally narrowed to
// some repositories and permissions.
func (f *Fake) createAccessToken(c *call) reply {
	in := f.installationParam(c)
	if in == nil {
		return notFound()
	}
	var body struct {
		Repositories  []string          `json:"repositories"`
		RepositoryIDs []int64           `json:"repository_ids"`
		Permissions   map[string]string `json:"permissions"`
	}
	if rep := c.decode(&body); rep != nil {
		return *rep
	}
	tok := &token{inst: in, expires: f.now().Add(f.opts.TokenLifetime).Truncate(time.Second), permissions: in.permissions}
	var repos []*repo
	for _, name := range body.Repositories {
		r := f.st.repo(in.account.login, name)
		if r == nil || !in.covers(r) {
			return unprocessable("There is at least one repository that does not exist or is not accessible to the parent installation.")
		}
		repos = append(repos, r)
	}
	for _, id := range body.RepositoryIDs {
		r := f.st.reposByID[id]
		if r == nil || !in.covers(r) {
			return unprocessable("There is at least one repository that does not exist or is not accessible to the parent installation.")
		}
		repos = append(repos, r)
	}
	for _, r := range repos {
		if !slices.Contains(tok.repoIDs, r.id) {
			tok.repoIDs = append(tok.repoIDs, r.id)
		}
	}
	if len(body.Permissions) > 0 {
		for k, v := range body.Permissions {
			if !permits(in.permissions[k], v) {
				return unprocessable(fmt.Sprintf("The permissions requested are not granted to this installation (%s: %s).", k, v))
			}
		}
		tok.permissions = maps.Clone(body.Permissions)
		// Every token that reaches repositories reads their metadata.
		if _, set := tok.permissions["metadata"]; !set && in.permissions["metadata"] != "" {
			tok.permissions["metadata"] = "read"
		}
	}
	value, err := newToken()
	if err != nil {
		return errReply(http.StatusInternalServerError, "githubfake: "+err.Error())
	}
	tok.value = value
	f.st.tokens[value] = tok
	out := tokenJSON{Token: value, ExpiresAt: tok.expires.UTC(), Permissions: tok.permissions, RepositorySelection: in.selection}
	if tok.repoIDs != nil {
		out.RepositorySelection = "selected"
		for _, r := range repos {
			out.Repositories = append(out.Repositories, f.repoJSON(c, r))
		}
	}
	return created(out)
}

func nodeID(prefix string, id int64) string {
	return prefix + strconv.FormatInt(id, 36)
}

// InstallationToken issues an installation token, as POST
// /app/installations/{installation_id}/access_tokens does, for clients that
// do not sign JWTs (curl, tests, the demo).
func (f *Fake) InstallationToken(installationID int64) (string, error) {
	return f.issueToken(installationID, func(in *installation) map[string]string { return in.permissions })
}

// issueToken issues a token on the installation with the permissions perms
// gives it.
func (f *Fake) issueToken(installationID int64, perms func(*installation) map[string]string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	in := f.st.installs[installationID]
	if in == nil {
		return "", fmt.Errorf("githubfake: no installation %d", installationID)
	}
	value, err := newToken()
	if err != nil {
		return "", err
	}
	f.st.tokens[value] = &token{value: value, inst: in, expires: f.now().Add(f.opts.TokenLifetime), permissions: perms(in)}
	return value, nil
}
