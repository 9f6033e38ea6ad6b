package githubfake

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// GitHub's manifest flow, as the fake plays it: a form posted to
// github.com's "new App" page (a web page, not the REST API) creates the App
// from the manifest and redirects to its redirect_url with a one-time code,
// which POST /app-manifests/{code}/conversions exchanges for the App's ID,
// private key and webhook secret. The fake has one App: registering from a
// manifest gives it the manifest's name, permissions and events and a new
// private key, the only one it then trusts.

// appManifest is the manifest GitHub's form takes, as JSON.
type appManifest struct {
	Name           string `json:"name"`
	URL            string `json:"url"`
	Description    string `json:"description"`
	HookAttributes *struct {
		URL    string `json:"url"`
		Active *bool  `json:"active"`
	} `json:"hook_attributes"`
	RedirectURL           string            `json:"redirect_url"`
	CallbackURLs          []string          `json:"callback_urls"`
	SetupURL              string            `json:"setup_url"`
	Public                bool              `json:"public"`
	DefaultPermissions    map[string]string `json:"default_permissions"`
	DefaultEvents         []string          `json:"default_events"`
	RequestOAuthOnInstall bool              `json:"request_oauth_on_install"`
	SetupOnUpdate         bool              `json:"setup_on_update"`
}

type manifestCode struct {
	owner    string
	manifest appManifest
	expires  time.Time
}

// appConversionJSON is the answer to a manifest conversion.
type appConversionJSON struct {
	appJSON
	ClientSecret  string `json:"client_secret"`
	WebhookSecret string `json:"webhook_secret"`
	PEM           string `json:"pem"`
}

var (
	manifestFormPath = regexp.MustCompile(`^/(?:organizations/([^/]+)/)?settings/apps/new$`)
	notSlug          = regexp.MustCompile(`[^a-z0-9]+`)
)

// ManifestFormURL is where a browser posts a manifest to register an App
// on owner (an organization; empty: the signed-in user).
func (f *Fake) ManifestFormURL(owner string) string {
	if owner == "" {
		return f.URL() + "/settings/apps/new"
	}
	return f.URL() + "/organizations/" + url.PathEscape(owner) + "/settings/apps/new"
}

// serveManifestForm plays github.com's "new App" page receiving a manifest
// and its user pressing "Create GitHub App". It reports whether the request
// was for that page.
func (f *Fake) serveManifestForm(w http.ResponseWriter, r *http.Request) bool {
	m := manifestFormPath.FindStringSubmatch(r.URL.Path)
	if m == nil || r.Method != http.MethodPost {
		return false
	}
	r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "cannot read the form: "+err.Error(), http.StatusBadRequest)
		return true
	}
	var man appManifest
	dec := json.NewDecoder(strings.NewReader(r.PostForm.Get("manifest")))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&man); err != nil {
		http.Error(w, "Invalid GitHub App manifest: "+err.Error(), http.StatusUnprocessableEntity)
		return true
	}
	if problems := man.problems(); len(problems) > 0 {
		http.Error(w, "Invalid GitHub App manifest: "+strings.Join(problems, "; "), http.StatusUnprocessableEntity)
		return true
	}
	f.mu.Lock()
	if m[1] != "" && f.st.account(m[1]) == nil {
		f.mu.Unlock()
		http.NotFound(w, r)
		return true
	}
	code := randomHex(10)
	if f.manifests == nil {
		f.manifests = map[string]manifestCode{}
	}
	f.manifests[code] = manifestCode{owner: m[1], manifest: man, expires: f.now().Add(time.Hour)}
	f.mu.Unlock()

	to, _ := url.Parse(man.RedirectURL)
	q := to.Query()
	q.Set("code", code)
	if s := r.URL.Query().Get("state"); s != "" {
		q.Set("state", s)
	}
	to.RawQuery = q.Encode()
	http.Redirect(w, r, to.String(), http.StatusFound)
	return true
}

// problems lists what GitHub would refuse in the manifest.
func (m appManifest) problems() []string {
	var out []string
	if m.Name == "" || len(m.Name) > 34 {
		out = append(out, fmt.Sprintf("name %q must be 1 to 34 characters", m.Name))
	}
	if !absoluteURL(m.URL) {
		out = append(out, "url must be an absolute URL")
	}
	if m.RedirectURL != "" && !absoluteURL(m.RedirectURL) {
		out = append(out, "redirect_url must be an absolute URL")
	}
	if m.HookAttributes == nil || !absoluteURL(m.HookAttributes.URL) {
		out = append(out, "hook_attributes.url must be an absolute URL")
	}
	for p, v := range m.DefaultPermissions {
		if v != "read" && v != "write" && v != "admin" {
			out = append(out, fmt.Sprintf("default_permissions.%s: %q is not read, write or admin", p, v))
		}
	}
	for _, e := range m.DefaultEvents {
		if e == "installation" || e == "installation_repositories" {
			out = append(out, fmt.Sprintf("default_events: %q is sent to every App and cannot be chosen", e))
		}
	}
	// GitHub refuses an event whose permission the App does not ask for.
	return append(out, eventProblems(m.DefaultPermissions, m.DefaultEvents)...)
}

func absoluteURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

// convertManifest answers POST /app-manifests/{code}/conversions.
func (f *Fake) convertManifest(c *call) reply {
	mc, found := f.manifests[c.param("code")]
	delete(f.manifests, c.param("code")) // a code is good once
	if !found || !f.now().Before(mc.expires) {
		return notFound()
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return errReply(http.StatusInternalServerError, err.Error())
	}
	man := mc.manifest
	f.opts.PublicKey = &key.PublicKey
	f.opts.AppName = man.Name
	f.opts.AppSlug = strings.Trim(notSlug.ReplaceAllString(strings.ToLower(man.Name), "-"), "-")
	f.appPermissions = man.DefaultPermissions
	f.appEvents = man.DefaultEvents
	info := f.appInfo(c)
	info.Description = man.Description
	info.ExternalURL = man.URL
	if a := f.st.account(mc.owner); a != nil {
		info.Owner = f.userJSON(c, a)
	}
	// The registered App signs users in with the secret returned here,
	// at the manifest's first callback URL.
	f.opts.ClientSecret = randomHex(20)
	if len(man.CallbackURLs) > 0 {
		f.opts.CallbackURL = man.CallbackURLs[0]
	}
	return created(appConversionJSON{
		appJSON:       info,
		ClientSecret:  f.opts.ClientSecret,
		WebhookSecret: randomHex(20),
		PEM:           string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})),
	})
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on Linux
	}
	return hex.EncodeToString(b)
}
