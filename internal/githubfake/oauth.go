package githubfake

// The GitHub App's web application flow, for "Sign in with GitHub": the
// pages on github.com that authorize a user and exchange the code for a
// user access token, and the API routes that take that token. It follows
// "Generating a user access token for a GitHub App" (the web application
// flow), "About the user authorization callback URL", "Authorizing OAuth
// apps" (the redirect_uri rules) and the two troubleshooting pages for
// authorization request errors and access token request errors.

import (
	"cmp"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

const (
	// oauthCodeLifetime: "The code expires after 10 minutes."
	oauthCodeLifetime = 10 * time.Minute
	// userTokenLifetime and refreshTokenLifetime are GitHub's for
	// expiring user access tokens: eight hours and six months.
	userTokenLifetime    = 8 * time.Hour
	refreshTokenLifetime = 184 * 24 * time.Hour

	// authUser routes take a user access token ("Bearer ghu_..."); authClient
	// routes take the app's client ID and secret as basic authentication.
	authUser   authKind = 100
	authClient authKind = 101

	accessTokenErrorsURI = "https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors"
	authorizeErrorsURI   = "/apps/managing-oauth-apps/troubleshooting-authorization-request-errors/#redirect-uri-mismatch"
)

// Default OAuth settings of the fake's app; tests set their own callback.
const (
	DefaultClientSecret = "githubfake-client-secret"
	DefaultCallbackURL  = "http://127.0.0.1/auth/callback"
)

// oauthState is the web flow's state, guarded by Fake.mu.
type oauthState struct {
	signedIn string                // login of the user "signed in to github.com"
	codes    map[string]*oauthCode // by code
	tokens   map[string]*userToken // by value
	refresh  map[string]*userToken // by refresh token
}

type oauthCode struct {
	user     *account
	redirect string // the redirect_uri of the authorization, "" if none
	expires  time.Time
}

type userToken struct {
	value   string
	user    *account
	expires time.Time // zero: does not expire
	refresh string
}

// userTokenRoutes are installation routes that also take a user access
// token, answering what the user can see.
var userTokenRoutes = map[string]bool{
	"GET /orgs/{org}/teams/{team_slug}/memberships/{username}": true,
	"GET /orgs/{org}/memberships/{username}":                   true,
}

func (o *Options) oauthDefaults() {
	if o.ClientID == "" {
		o.ClientID = fmt.Sprintf("Iv1.%016x", o.AppID)
	}
	if o.ClientSecret == "" {
		o.ClientSecret = DefaultClientSecret
	}
	if o.CallbackURL == "" {
		o.CallbackURL = DefaultCallbackURL
	}
}

// ClientID is the app's OAuth client ID.
func (f *Fake) ClientID() string { return f.opts.ClientID }

// ClientSecret is the app's OAuth client secret.
func (f *Fake) ClientSecret() string { return f.opts.ClientSecret }

// CallbackURL is the app's registered user authorization callback URL.
func (f *Fake) CallbackURL() string { return f.opts.CallbackURL }

// SignIn makes login the user signed in to the fake github.com, whom
// GET /login/oauth/authorize authorizes (the fake has no login form). The
// user must be a seeded User account. An empty login signs out.
func (f *Fake) SignIn(login string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if login != "" {
		if a := f.st.account(login); a == nil || a.typ != "User" {
			return fmt.Errorf("githubfake: no user %q to sign in", login)
		}
	}
	f.oauth.signedIn = login
	return nil
}

// UserToken issues a user access token for login as the web flow would,
// for tests that do not need the flow itself.
func (f *Fake) UserToken(login string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	a := f.st.account(login)
	if a == nil || a.typ != "User" {
		return "", fmt.Errorf("githubfake: no user %q", login)
	}
	t, err := f.issueUserToken(a)
	if err != nil {
		return "", err
	}
	return t.value, nil
}

// serveOAuthWeb answers github.com's /login/oauth/ pages. It reports
// whether the request was for one of them.
func (f *Fake) serveOAuthWeb(w http.ResponseWriter, r *http.Request) bool {
	switch {
	case r.URL.Path == "/login/oauth/authorize" && r.Method == http.MethodGet:
		f.authorize(w, r)
	case r.URL.Path == "/login/oauth/access_token" && r.Method == http.MethodPost:
		f.accessToken(w, r)
	default:
		return false
	}
	return true
}

// callbackMatches applies GitHub's redirect_uri rules: the host and port
// must be the callback URL's exactly (except that a loopback callback
// allows any port), and the path must be the callback's or under it.
func callbackMatches(callback, redirect string) bool {
	cb, err1 := url.Parse(callback)
	ru, err2 := url.Parse(redirect)
	if err1 != nil || err2 != nil || ru.Scheme != cb.Scheme || !strings.EqualFold(ru.Hostname(), cb.Hostname()) || ru.User != nil {
		return false
	}
	if ru.Port() != cb.Port() && !isLoopback(cb.Hostname()) {
		return false
	}
	cbPath := strings.TrimSuffix(cb.EscapedPath(), "/")
	p := ru.EscapedPath()
	if p != cbPath && !strings.HasPrefix(p, cbPath+"/") {
		return false
	}
	for _, seg := range strings.Split(p, "/") {
		if seg == ".." || seg == "." {
			return false
		}
	}
	return true
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func withQuery(base string, kv ...string) string {
	u, err := url.Parse(base)
	if err != nil {
		return base
	}
	q := u.Query()
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" || kv[i] == "code" {
			q.Set(kv[i], kv[i+1])
		}
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// authorize plays GET /login/oauth/authorize with the signed-in user
// pressing "Authorize": it redirects to the redirect_uri (by default the
// callback URL) with a code and the state unchanged.
func (f *Fake) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("client_id") != f.opts.ClientID {
		// GitHub shows its 404 page for an unknown client_id.
		http.Error(w, "Not Found: no application with client_id "+strconv.Quote(q.Get("client_id")), http.StatusNotFound)
		return
	}
	state := q.Get("state")
	redirect := q.Get("redirect_uri")
	if redirect != "" && !callbackMatches(f.opts.CallbackURL, redirect) {
		// GitHub redirects to the registered callback URL with the error.
		http.Redirect(w, r, withQuery(f.opts.CallbackURL,
			"error", "redirect_uri_mismatch",
			"error_description", "The redirect_uri MUST match the registered callback URL for this application.",
			"error_uri", authorizeErrorsURI, "state", state), http.StatusFound)
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	login := f.oauth.signedIn
	if l := q.Get("login"); l != "" {
		login = l
	}
	user := f.st.account(login)
	if login == "" || user == nil || user.typ != "User" {
		// GitHub would show its sign-in form.
		http.Error(w, "githubfake: nobody is signed in as "+strconv.Quote(login)+": call Fake.SignIn with a seeded user, or pass login=", http.StatusUnauthorized)
		return
	}
	code := randomHex(10)
	if f.oauth.codes == nil {
		f.oauth.codes = map[string]*oauthCode{}
	}
	f.oauth.codes[code] = &oauthCode{user: user, redirect: redirect, expires: f.now().Add(oauthCodeLifetime)}
	http.Redirect(w, r, withQuery(cmp.Or(redirect, f.opts.CallbackURL), "code", code, "state", state), http.StatusFound)
}

// accessToken answers POST /login/oauth/access_token. Errors are HTTP 200
// with an "error" field, as GitHub answers them.
func (f *Fake) accessToken(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "cannot read the form: "+err.Error(), http.StatusBadRequest)
		return
	}
	form := r.Form
	if strings.Contains(r.Header.Get("Content-Type"), "application/json") {
		var body map[string]string
		if err := json.NewDecoder(r.Body).Decode(&body); err == nil {
			for k, v := range body {
				form.Set(k, v)
			}
		}
	}
	f.mu.Lock()
	out := f.exchange(form)
	f.mu.Unlock()
	if strings.Contains(r.Header.Get("Accept"), "application/json") {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_ = json.NewEncoder(w).Encode(out)
		return
	}
	v := url.Values{}
	for k, val := range out {
		v.Set(k, fmt.Sprint(val))
	}
	w.Header().Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	_, _ = w.Write([]byte(v.Encode()))
}

func oauthError(code, description, anchor string) map[string]any {
	return map[string]any{"error": code, "error_description": description, "error_uri": accessTokenErrorsURI + "#" + anchor}
}

// exchange trades a code (or a refresh token) for a user access token.
// f.mu is held.
func (f *Fake) exchange(form url.Values) map[string]any {
	if form.Get("client_id") != f.opts.ClientID ||
		subtle.ConstantTimeCompare([]byte(form.Get("client_secret")), []byte(f.opts.ClientSecret)) != 1 {
		return oauthError("incorrect_client_credentials", "The client_id and/or client_secret passed are incorrect.", "incorrect-client-credentials")
	}
	if form.Get("grant_type") == "refresh_token" {
		return f.refreshGrant(form.Get("refresh_token"))
	}
	if ru := form.Get("redirect_uri"); ru != "" && !callbackMatches(f.opts.CallbackURL, ru) {
		return oauthError("redirect_uri_mismatch", "The redirect_uri MUST match the registered callback URL for this application.", "redirect-uri-mismatch2")
	}
	code := f.oauth.codes[form.Get("code")]
	// A code is good once: used, unknown or expired all read the same.
	delete(f.oauth.codes, form.Get("code"))
	if code == nil || !f.now().Before(code.expires) {
		return oauthError("bad_verification_code", "The code passed is incorrect or expired.", "bad-verification-code")
	}
	t, err := f.issueUserToken(code.user)
	if err != nil {
		return oauthError("server_error", err.Error(), "")
	}
	return f.tokenResponse(t)
}

func (f *Fake) refreshGrant(refresh string) map[string]any {
	old := f.oauth.refresh[refresh]
	if refresh == "" || old == nil || !f.now().Before(old.expires.Add(refreshTokenLifetime-userTokenLifetime)) {
		return oauthError("bad_refresh_token", "The refresh token passed is incorrect or expired.", "bad-refresh-token")
	}
	// Refreshing retires the old pair.
	delete(f.oauth.refresh, refresh)
	delete(f.oauth.tokens, old.value)
	t, err := f.issueUserToken(old.user)
	if err != nil {
		return oauthError("server_error", err.Error(), "")
	}
	return f.tokenResponse(t)
}

func (f *Fake) tokenResponse(t *userToken) map[string]any {
	out := map[string]any{"access_token": t.value, "token_type": "bearer", "scope": ""}
	if !t.expires.IsZero() {
		out["expires_in"] = int(userTokenLifetime.Seconds())
		out["refresh_token"] = t.refresh
		out["refresh_token_expires_in"] = int(refreshTokenLifetime.Seconds())
	}
	return out
}

// issueUserToken makes a "ghu_" token for the user; f.mu is held.
func (f *Fake) issueUserToken(user *account) (*userToken, error) {
	v, err := newToken()
	if err != nil {
		return nil, err
	}
	t := &userToken{value: "ghu_" + strings.TrimPrefix(v, "ghs_"), user: user}
	if f.opts.ExpiringUserTokens {
		t.expires = f.now().Add(userTokenLifetime).Truncate(time.Second)
		r, err := newToken()
		if err != nil {
			return nil, err
		}
		t.refresh = "ghr_" + strings.TrimPrefix(r, "ghs_")
		if f.oauth.refresh == nil {
			f.oauth.refresh = map[string]*userToken{}
		}
		f.oauth.refresh[t.refresh] = t
	}
	if f.oauth.tokens == nil {
		f.oauth.tokens = map[string]*userToken{}
	}
	f.oauth.tokens[t.value] = t
	return t, nil
}

// authenticateOAuth authenticates the routes that take a user access token
// or the client's credentials. It reports whether it handled the request;
// f.mu is held.
func (f *Fake) authenticateOAuth(c *call, scheme, cred string) (*reply, bool) {
	switch c.route.auth {
	case authClient:
		id, secret, okBasic := c.req.BasicAuth()
		if !okBasic {
			rep := errReply(http.StatusUnauthorized, "Requires authentication")
			return &rep, true
		}
		if id != f.opts.ClientID || subtle.ConstantTimeCompare([]byte(secret), []byte(f.opts.ClientSecret)) != 1 {
			rep := notFound()
			return &rep, true
		}
		return nil, true
	case authUser:
	case authInstallation:
		if !userTokenRoutes[c.route.method+" "+c.route.template] || f.oauth.tokens[cred] == nil {
			return nil, false
		}
	default:
		return nil, false
	}
	if !strings.EqualFold(scheme, "token") && !strings.EqualFold(scheme, "Bearer") || cred == "" {
		rep := errReply(http.StatusUnauthorized, "Requires authentication")
		return &rep, true
	}
	t := f.oauth.tokens[cred]
	if it := f.st.tokens[cred]; t == nil && it != nil && f.now().Before(it.expires) {
		// An installation token acts for no user.
		rep := forbidden("Resource not accessible by integration")
		return &rep, true
	}
	if t == nil || !t.expires.IsZero() && !f.now().Before(t.expires) {
		rep := errReply(http.StatusUnauthorized, "Bad credentials")
		return &rep, true
	}
	c.user = t.user
	c.bucket = -t.user.id // a user's own rate limit
	c.rateLimited = !c.route.noCharge
	return nil, true
}

// userOrg is the organization of the route as the user of c sees it: the
// app must be installed on it with the members permission, and the user
// must be a member. f.mu is held.
func (f *Fake) userOrg(c *call) (*account, *member, *reply) {
	o := f.st.account(c.param("org"))
	if o == nil || !o.isOrg() {
		rep := notFound()
		return nil, nil, &rep
	}
	var in *installation
	for _, i := range f.st.installs {
		if i.account == o {
			in = i
		}
	}
	if in == nil || !permits(in.permissions["members"], "read") {
		rep := forbidden("Resource not accessible by integration")
		return nil, nil, &rep
	}
	m := o.members[strings.ToLower(c.user.login)]
	if m == nil {
		rep := notFound()
		return nil, nil, &rep
	}
	return o, m, nil
}

// userSeesOrg is orgFor's check for a user access token: only an active
// member sees an organization's private data.
func (f *Fake) userSeesOrg(c *call) *reply {
	_, m, rep := f.userOrg(c)
	if rep != nil {
		return rep
	}
	if m.state != "active" {
		r := notFound()
		return &r
	}
	return nil
}

// getAuthenticatedUser answers GET /user.
func (f *Fake) getAuthenticatedUser(c *call) reply {
	return ok(privateUserJSON{publicUserJSON: publicUserJSON{User: f.userDetailJSON(c, c.user), UserViewType: "private"}})
}

// privateUserJSON is the signed-in user as GET /user answers: the public
// profile with the counts only the user sees (the fake keeps none).
type privateUserJSON struct {
	publicUserJSON
	Collaborators           int  `json:"collaborators"`
	DiskUsage               int  `json:"disk_usage"`
	OwnedPrivateRepos       int  `json:"owned_private_repos"`
	PrivateGists            int  `json:"private_gists"`
	TotalPrivateRepos       int  `json:"total_private_repos"`
	TwoFactorAuthentication bool `json:"two_factor_authentication"`
}

// getMyOrgMembership answers GET /user/memberships/orgs/{org}.
func (f *Fake) getMyOrgMembership(c *call) reply {
	o, m, rep := f.userOrg(c)
	if rep != nil {
		return *rep
	}
	return ok(map[string]any{
		"url":              c.base + "/orgs/" + o.login + "/memberships/" + m.user.login,
		"state":            m.state,
		"role":             m.role,
		"organization_url": c.base + "/orgs/" + o.login,
		"organization":     f.orgJSON(c, o),
		"user":             f.userJSON(c, m.user),
	})
}

// revokeUserToken answers DELETE /applications/{client_id}/token.
func (f *Fake) revokeUserToken(c *call) reply {
	if c.param("client_id") != f.opts.ClientID {
		return notFound()
	}
	var body struct {
		AccessToken string `json:"access_token"`
	}
	if rep := c.decode(&body); rep != nil {
		return *rep
	}
	t := f.oauth.tokens[body.AccessToken]
	if t == nil {
		return notFound()
	}
	delete(f.oauth.tokens, t.value)
	if t.refresh != "" {
		delete(f.oauth.refresh, t.refresh)
	}
	return noContent()
}
