// Package register creates ospo-bot's GitHub App through GitHub's manifest flow and saves its credentials.
package register

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/google/go-github/v66/github"
	"gopkg.in/yaml.v3"
)

// Files the registration writes into Options.Dir.
const (
	KeyFile = "ospo-bot.pem"
	EnvFile = "ospo-bot.env"
)

// Options says which App to register, where, and where its credentials go.
type Options struct {
	// Manifest is the GitHub App manifest (YAML or JSON), config/app.yml.
	Manifest []byte
	// WebhookURL is where GitHub will send webhooks: https://HOST/api/github/hook.
	// A URL without a path gets /api/github/hook.
	WebhookURL string
	// Org is the organisation that owns the App; empty: the signed-in user.
	Org string
	// Name replaces the manifest's name (App names are unique on GitHub).
	Name string
	// GitHubURL is GitHub's web address; default https://github.com.
	GitHubURL string
	// APIURL is GitHub's REST API; default https://api.github.com/, or
	// GitHubURL/api/v3/ for GitHub Enterprise Server.
	APIURL string
	// Dir receives ospo-bot.pem and ospo-bot.env; default ".".
	Dir string
	// Listen is the local address of the page the browser is sent to and
	// back from; default 127.0.0.1:0 (a free port).
	Listen string
	// Out receives what the user should read.
	Out io.Writer
	// Ready, if set, is told the local page's URL once it serves.
	Ready func(pageURL string)
	// HTTPClient talks to GitHub's API; default http.DefaultClient.
	HTTPClient *http.Client
}

// App is what GitHub returned for the registered App.
type App struct {
	ID         int64
	Slug, Name string
	HTMLURL    string
	KeyPath    string
	EnvPath    string
}

// Run serves a local page that posts the manifest to GitHub, waits for
// GitHub to send the browser back with a code, exchanges the code for the
// App's credentials and writes them. It returns when the App is registered
// or ctx ends.
func Run(ctx context.Context, o Options) (*App, error) {
	if err := o.defaults(); err != nil {
		return nil, err
	}
	keyPath, envPath := filepath.Join(o.Dir, KeyFile), filepath.Join(o.Dir, EnvFile)
	for _, p := range []string{keyPath, envPath} {
		if _, err := os.Stat(p); err == nil {
			return nil, fmt.Errorf("%s already exists: move it away or choose another --dir, so no credentials are overwritten", p)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
	}
	ln, err := net.Listen("tcp", o.Listen)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", o.Listen, err)
	}
	base := "http://" + ln.Addr().String()
	manifest, err := buildManifest(o, base+"/registered")
	if err != nil {
		ln.Close()
		return nil, err
	}
	f := &flow{o: o, manifest: manifest, state: rand.Text(), keyPath: keyPath, envPath: envPath, done: make(chan *App, 1)}
	f.formURL = strings.TrimSuffix(o.GitHubURL, "/") + "/settings/apps/new"
	if o.Org != "" {
		f.formURL = strings.TrimSuffix(o.GitHubURL, "/") + "/organizations/" + url.PathEscape(o.Org) + "/settings/apps/new"
	}
	f.formURL += "?state=" + f.state
	f.gh = github.NewClient(o.HTTPClient)
	f.gh.BaseURL = httpURL(o.APIURL) // checked by defaults

	srv := &http.Server{Handler: f, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()

	owner := "your user account"
	if o.Org != "" {
		owner = "the organisation " + o.Org
	}
	fmt.Fprintf(o.Out, "Open %s/ in a browser on this machine, signed in to GitHub as an owner of %s.\n", base, owner)
	fmt.Fprintf(o.Out, "It sends GitHub the App manifest (webhooks to %s); GitHub shows the App and asks you to create it,\nthen sends the browser back here. Waiting (Ctrl-C to give up)...\n", o.WebhookURL)
	if o.Ready != nil {
		o.Ready(base + "/")
	}
	select {
	case app := <-f.done:
		time.Sleep(100 * time.Millisecond) // let the browser get the page that says so
		return app, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("no App was registered: %w", ctx.Err())
	}
}

func (o *Options) defaults() error {
	if len(o.Manifest) == 0 {
		return errors.New("no App manifest")
	}
	if o.WebhookURL == "" {
		return errors.New("--webhook-url is required: the HTTPS address where GitHub can reach ospo-bot, e.g. https://ospo-bot.example.com/api/github/hook")
	}
	u := httpURL(o.WebhookURL)
	if u == nil {
		return fmt.Errorf("--webhook-url %q is not an absolute http(s) URL", o.WebhookURL)
	}
	if u.Path == "" || u.Path == "/" {
		u.Path = "/api/github/hook"
		o.WebhookURL = u.String()
	}
	if o.GitHubURL == "" {
		o.GitHubURL = "https://github.com"
	}
	if httpURL(o.GitHubURL) == nil {
		return fmt.Errorf("--github-url %q is not an absolute http(s) URL", o.GitHubURL)
	}
	if o.APIURL == "" {
		o.APIURL = "https://api.github.com/"
		if g := strings.TrimSuffix(o.GitHubURL, "/"); g != "https://github.com" {
			o.APIURL = g + "/api/v3/"
		}
	}
	if httpURL(o.APIURL) == nil {
		return fmt.Errorf("--github-api-url %q is not an absolute http(s) URL", o.APIURL)
	}
	o.APIURL = strings.TrimSuffix(o.APIURL, "/") + "/"
	if o.Dir == "" {
		o.Dir = "."
	}
	dir, err := filepath.Abs(o.Dir)
	if err != nil {
		return err
	}
	o.Dir = dir
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return fmt.Errorf("--dir %s is not a directory", dir)
	}
	if o.Listen == "" {
		o.Listen = "127.0.0.1:0"
	}
	if o.Out == nil {
		o.Out = io.Discard
	}
	if o.HTTPClient == nil {
		o.HTTPClient = http.DefaultClient
	}
	return nil
}

// buildManifest fills in the manifest's webhook and redirect URLs (and the
// name, if given) and returns it as the JSON GitHub's form takes.
func buildManifest(o Options, redirect string) (string, error) {
	var man map[string]any
	if err := yaml.Unmarshal(o.Manifest, &man); err != nil {
		return "", fmt.Errorf("App manifest: %w", err)
	}
	hook, _ := man["hook_attributes"].(map[string]any)
	if hook == nil {
		hook = map[string]any{"active": true}
	}
	hook["url"] = o.WebhookURL
	man["hook_attributes"] = hook
	// The dashboard's sign-in callback, on the webhook's host.
	man["callback_urls"] = []string{publicURL(o.WebhookURL) + "/dashboard/auth/callback"}
	man["redirect_url"] = redirect
	if o.Name != "" {
		if len(o.Name) > 34 {
			return "", fmt.Errorf("--name %q is longer than GitHub's 34 characters", o.Name)
		}
		man["name"] = o.Name
	}
	b, err := json.Marshal(man)
	return string(b), err
}

// flow serves the local pages of one registration.
type flow struct {
	o        Options
	gh       *github.Client
	manifest string
	state    string
	formURL  string
	keyPath  string
	envPath  string

	mu   sync.Mutex // one conversion at a time
	app  *App
	done chan *App
}

var pages = template.Must(template.New("").Parse(`
{{define "start"}}<!doctype html><html><head><meta charset="utf-8"><title>Register ospo-bot</title></head>
<body style="font-family:sans-serif;max-width:42em;margin:3em auto">
<h1>Register ospo-bot on GitHub</h1>
<p>This sends GitHub the App manifest below. GitHub shows the App and asks you to create it for {{.Owner}}, then sends you back here.</p>
<form method="post" action="{{.FormURL}}">
<input type="hidden" name="manifest" value="{{.Manifest}}">
<button type="submit" style="font-size:1.2em">Create the App on GitHub</button>
</form>
<pre style="background:#f6f8fa;padding:1em;overflow:auto">{{.Pretty}}</pre>
</body></html>{{end}}
{{define "done"}}<!doctype html><html><head><meta charset="utf-8"><title>ospo-bot registered</title></head>
<body style="font-family:sans-serif;max-width:42em;margin:3em auto">
<h1>{{.Name}} is registered</h1>
<p>App ID {{.ID}}. Its private key is in <code>{{.KeyPath}}</code> and the settings for ospo-bot in <code>{{.EnvPath}}</code>; the terminal says what to do next.</p>
<p><a href="{{.HTMLURL}}/installations/new">Install it on the organisation</a> once ospo-bot is running.</p>
</body></html>{{end}}
{{define "error"}}<!doctype html><html><head><meta charset="utf-8"><title>ospo-bot registration failed</title></head>
<body style="font-family:sans-serif;max-width:42em;margin:3em auto">
<h1>The App was not registered</h1><p>{{.}}</p><p><a href="/">Start again</a></p>
</body></html>{{end}}`))

func (f *flow) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	switch r.URL.Path {
	case "/":
		owner := "your user account"
		if f.o.Org != "" {
			owner = "the organisation " + f.o.Org
		}
		var pretty bytes.Buffer
		_ = json.Indent(&pretty, []byte(f.manifest), "", "  ")
		pages.ExecuteTemplate(w, "start", map[string]any{"Owner": owner, "FormURL": template.URL(f.formURL), "Manifest": f.manifest, "Pretty": pretty.String()})
	case "/registered":
		q := r.URL.Query()
		if subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(f.state)) != 1 {
			w.WriteHeader(http.StatusBadRequest)
			pages.ExecuteTemplate(w, "error", "This answer does not belong to this registration (its state does not match). Start again from this page.")
			return
		}
		app, err := f.complete(r.Context(), q.Get("code"))
		if err != nil {
			fmt.Fprintf(f.o.Out, "Registration failed: %v\n", err)
			w.WriteHeader(http.StatusBadGateway)
			pages.ExecuteTemplate(w, "error", err.Error())
			return
		}
		pages.ExecuteTemplate(w, "done", app)
	default:
		http.NotFound(w, r)
	}
}

// complete exchanges the code for the App's credentials and writes them,
// once: a reload of the page shows the same App.
func (f *flow) complete(ctx context.Context, code string) (*App, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.app != nil {
		return f.app, nil
	}
	if code == "" {
		return nil, errors.New("GitHub sent no code: was the App created?")
	}
	cfg, _, err := f.gh.Apps.CompleteAppManifest(ctx, code)
	if err != nil {
		return nil, fmt.Errorf("exchange the code with GitHub (codes are good once, for an hour): %w", err)
	}
	if cfg.GetID() == 0 || cfg.GetPEM() == "" {
		return nil, errors.New("GitHub's answer has no App ID or private key")
	}
	app := &App{ID: cfg.GetID(), Slug: cfg.GetSlug(), Name: cfg.GetName(), HTMLURL: cfg.GetHTMLURL(), KeyPath: f.keyPath, EnvPath: f.envPath}
	if err := writeNew(f.keyPath, []byte(cfg.GetPEM())); err != nil {
		return nil, err
	}
	env := fmt.Sprintf("# ospo-bot's GitHub App %q (%s), registered %s. Keep this file secret.\n",
		app.Name, app.HTMLURL, time.Now().UTC().Format(time.RFC3339))
	env += fmt.Sprintf("OSPO_GITHUB_APP_ID=%d\nOSPO_GITHUB_PRIVATE_KEY_FILE=%s\n", app.ID, f.keyPath)
	// GitHub generates the secret; were it ever missing, serve names the empty setting.
	env += "OSPO_GITHUB_WEBHOOK_SECRET=" + cfg.GetWebhookSecret() + "\n"
	if f.o.APIURL != "https://api.github.com/" {
		env += "OSPO_GITHUB_API_URL=" + f.o.APIURL + "\n"
	}
	// Sign-in to the dashboard, at the callback URL the manifest registered.
	if cfg.GetClientID() != "" && cfg.GetClientSecret() != "" {
		env += "OSPO_GITHUB_CLIENT_ID=" + cfg.GetClientID() + "\nOSPO_GITHUB_CLIENT_SECRET=" + cfg.GetClientSecret() + "\n"
		env += "OSPO_PUBLIC_URL=" + publicURL(f.o.WebhookURL) + "\n"
		if g := strings.TrimSuffix(f.o.GitHubURL, "/"); g != "https://github.com" {
			env += "OSPO_GITHUB_WEB_URL=" + g + "\n"
		}
	}
	if err := writeNew(f.envPath, []byte(env)); err != nil {
		return nil, fmt.Errorf("%w (the private key is already in %s)", err, f.keyPath)
	}
	fmt.Fprintf(f.o.Out, "\nRegistered the GitHub App %q, ID %d.\n", app.Name, app.ID)
	fmt.Fprintf(f.o.Out, "  private key: %s\n  settings:    %s (OSPO_GITHUB_APP_ID, OSPO_GITHUB_PRIVATE_KEY_FILE, OSPO_GITHUB_WEBHOOK_SECRET,\n               and for the dashboard's sign-in OSPO_GITHUB_CLIENT_ID, OSPO_GITHUB_CLIENT_SECRET, OSPO_PUBLIC_URL)\n", f.keyPath, f.envPath)
	fmt.Fprintf(f.o.Out, "Next:\n  1. run ospo-bot where GitHub reaches %s:\n       set -a; . %s; set +a; ospo-bot serve\n", f.o.WebhookURL, f.envPath)
	fmt.Fprintf(f.o.Out, "  2. install the App on the organisation: %s/installations/new\n", app.HTMLURL)
	fmt.Fprintf(f.o.Out, "  3. write the policy: ospo.yml in the organisation's .github repository (start from config/ospo.example.yml)\n")
	f.app = app
	f.done <- app
	return app, nil
}

// writeNew writes a file readable only by its owner, refusing to replace one.
func writeNew(path string, data []byte) error {
	fh, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if _, err := fh.Write(data); err != nil {
		fh.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return fh.Close()
}

// publicURL is where browsers reach ospo-bot: the webhook URL's scheme
// and host.
func publicURL(webhookURL string) string {
	u := httpURL(webhookURL)
	if u == nil {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// httpURL parses an absolute http(s) URL; nil if s is not one.
func httpURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil
	}
	return u
}
