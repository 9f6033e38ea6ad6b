package register

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	shipped "github.com/ospo-bot/ospo-bot/config"
	"github.com/ospo-bot/ospo-bot/internal/ghclient"
	"github.com/ospo-bot/ospo-bot/internal/githubfake"
	"github.com/ospo-bot/ospo-bot/internal/githubfake/fakeapp"
	"github.com/ospo-bot/ospo-bot/internal/metrics"
)

var (
	formAction    = regexp.MustCompile(`<form method="post" action="([^"]+)">`)
	manifestInput = regexp.MustCompile(`name="manifest" value="([^"]*)"`)
)

// started runs a registration against the fake in the background.
type started struct {
	page string
	dir  string
	out  *bytes.Buffer
	done chan error
}

func start(t *testing.T, fake *githubfake.Fake, o Options) *started {
	t.Helper()
	s := &started{dir: t.TempDir(), out: &bytes.Buffer{}, done: make(chan error, 1)}
	ready := make(chan string, 1)
	if o.Manifest == nil {
		o.Manifest = shipped.AppManifest
	}
	o.WebhookURL, o.Org, o.Dir, o.Out = "https://ospo.acme.example/", "acme", s.dir, s.out
	o.GitHubURL, o.APIURL = fake.URL(), fake.URL()+"/"
	o.Ready = func(u string) { ready <- u }
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	go func() {
		_, err := Run(ctx, o)
		s.done <- err
	}()
	select {
	case s.page = <-ready:
	case err := <-s.done:
		t.Fatalf("Run: %v", err)
	}
	return s
}

// browse plays the browser: open the local page, post its form to GitHub,
// follow GitHub's redirect back.
func (s *started) browse(t *testing.T) (*http.Response, string, map[string]any) {
	t.Helper()
	body := get(t, s.page)
	action, value := formAction.FindStringSubmatch(body), manifestInput.FindStringSubmatch(body)
	if action == nil || value == nil {
		t.Fatalf("the page has no manifest form:\n%s", body)
	}
	manifest := html.UnescapeString(value[1])
	var man map[string]any
	if err := json.Unmarshal([]byte(manifest), &man); err != nil {
		t.Fatalf("the form's manifest is not JSON: %v\n%s", err, manifest)
	}
	resp, err := http.PostForm(html.UnescapeString(action[1]), url.Values{"manifest": {manifest}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(b), man
}

func get(t *testing.T, u string) string {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func TestRegister(t *testing.T) {
	app := fakeapp.New(t)
	if _, err := app.GitHub.AddOrg(githubfake.Org{Login: "acme"}); err != nil {
		t.Fatal(err)
	}
	s := start(t, app.GitHub, Options{Name: "acme-ospo-bot"})
	resp, page, man := s.browse(t)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "acme-ospo-bot is registered") {
		t.Fatalf("after GitHub: %d\n%s", resp.StatusCode, page)
	}
	if err := <-s.done; err != nil {
		t.Fatal(err)
	}

	// What GitHub was sent: the shipped manifest with this installation's URLs.
	hook := man["hook_attributes"].(map[string]any)
	if hook["url"] != "https://ospo.acme.example/api/github/hook" || hook["active"] != true {
		t.Errorf("hook_attributes = %v", hook)
	}
	if r, _ := man["redirect_url"].(string); !strings.HasPrefix(r, strings.TrimSuffix(s.page, "/")+"/registered") {
		t.Errorf("redirect_url = %q, want this registration's page", r)
	}
	// The dashboard's sign-in callback, on the webhook's host.
	if cb, _ := man["callback_urls"].([]any); len(cb) != 1 || cb[0] != "https://ospo.acme.example/dashboard/auth/callback" {
		t.Errorf("callback_urls = %v", man["callback_urls"])
	}
	if man["name"] != "acme-ospo-bot" || man["default_permissions"].(map[string]any)["checks"] != "write" {
		t.Errorf("manifest = %v", man)
	}

	// What was saved: the key and the settings, readable by the owner only.
	keyPath, envPath := filepath.Join(s.dir, KeyFile), filepath.Join(s.dir, EnvFile)
	for _, p := range []string{keyPath, envPath} {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", p, st.Mode().Perm())
		}
	}
	keyPEM, _ := os.ReadFile(keyPath)
	block, _ := pem.Decode(keyPEM)
	if block == nil {
		t.Fatalf("%s is not PEM", keyPath)
	}
	if _, err := x509.ParsePKCS1PrivateKey(block.Bytes); err != nil {
		t.Fatalf("%s: %v", keyPath, err)
	}
	env, _ := os.ReadFile(envPath)
	for _, want := range []string{
		fmt.Sprintf("OSPO_GITHUB_APP_ID=%d\n", fakeapp.ID),
		"OSPO_GITHUB_PRIVATE_KEY_FILE=" + keyPath + "\n",
		"OSPO_GITHUB_API_URL=" + app.GitHub.URL() + "/\n",
	} {
		if !strings.Contains(string(env), want) {
			t.Errorf("%s lacks %q:\n%s", envPath, want, env)
		}
	}
	if !regexp.MustCompile(`(?m)^OSPO_GITHUB_WEBHOOK_SECRET=[0-9a-f]{40}$`).Match(env) {
		t.Errorf("%s has no webhook secret:\n%s", envPath, env)
	}
	// The conversion's client ID and secret turn the dashboard's sign-in on.
	for _, want := range []string{"OSPO_GITHUB_CLIENT_ID=" + app.GitHub.ClientID() + "\n", "OSPO_GITHUB_CLIENT_SECRET=" + app.GitHub.ClientSecret() + "\n",
		"OSPO_PUBLIC_URL=https://ospo.acme.example\n", "OSPO_GITHUB_WEB_URL=" + app.GitHub.URL() + "\n"} {
		if !strings.Contains(string(env), want) {
			t.Errorf("%s lacks %q:\n%s", envPath, want, env)
		}
	}
	if app.GitHub.CallbackURL() != "https://ospo.acme.example/dashboard/auth/callback" {
		t.Errorf("the App's callback URL is %q", app.GitHub.CallbackURL())
	}
	if !strings.Contains(s.out.String(), "/installations/new") {
		t.Errorf("the terminal does not say how to install the App:\n%s", s.out)
	}

	// The saved key is the App's: ospo-bot's client stack authenticates with it.
	cc, err := ghclient.NewClientCreator(ghclient.Config{APIURL: app.GitHub.URL() + "/", AppID: fakeapp.ID, PrivateKey: keyPEM, UserAgent: "test"}, metrics.New())
	if err != nil {
		t.Fatal(err)
	}
	client, err := cc.NewAppClient()
	if err != nil {
		t.Fatal(err)
	}
	got, _, err := client.Apps.Get(context.Background(), "")
	if err != nil {
		t.Fatalf("GET /app with the saved key: %v", err)
	}
	if got.GetName() != "acme-ospo-bot" || got.GetPermissions().GetIssues() != "write" {
		t.Errorf("GET /app = %s %v", got.GetName(), got.GetPermissions())
	}
}

// TestRegisterRefusesWhatItShould: a wrong state, existing files, a manifest
// GitHub rejects, bad options.
func TestRegisterRefusesWhatItShould(t *testing.T) {
	app := fakeapp.New(t)
	app.GitHub.AddOrg(githubfake.Org{Login: "acme"})

	t.Run("state", func(t *testing.T) {
		s := start(t, app.GitHub, Options{})
		resp, err := http.Get(strings.TrimSuffix(s.page, "/") + "/registered?code=x&state=forged")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("forged state: %d, want 400", resp.StatusCode)
		}
		if _, err := os.Stat(filepath.Join(s.dir, KeyFile)); err == nil {
			t.Error("a forged answer wrote a key")
		}
		// The registration still goes through afterwards.
		if resp, page, _ := s.browse(t); resp.StatusCode != http.StatusOK {
			t.Fatalf("%d %s", resp.StatusCode, page)
		}
		if err := <-s.done; err != nil {
			t.Fatal(err)
		}
	})

	t.Run("rejected manifest", func(t *testing.T) {
		bad := append(append([]byte{}, shipped.AppManifest...), "\n  - installation\n"...)
		s := start(t, app.GitHub, Options{Manifest: bad})
		resp, page, _ := s.browse(t)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, `"installation" is sent to every App`) {
			t.Errorf("GitHub's answer: %d %s", resp.StatusCode, page)
		}
	})

	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, KeyFile), []byte("an older key"), 0o600)
	for _, tc := range []struct {
		name string
		o    Options
		want string
	}{
		{"no webhook URL", Options{Manifest: shipped.AppManifest}, "--webhook-url is required"},
		{"relative webhook URL", Options{Manifest: shipped.AppManifest, WebhookURL: "ospo.example"}, "not an absolute http(s) URL"},
		{"existing key", Options{Manifest: shipped.AppManifest, WebhookURL: "https://x.example", Dir: dir}, "already exists"},
		{"long name", Options{Manifest: shipped.AppManifest, WebhookURL: "https://x.example", Dir: t.TempDir(), Name: strings.Repeat("n", 35)}, "34 characters"},
		{"bad manifest", Options{Manifest: []byte("name: [\n"), WebhookURL: "https://x.example", Dir: t.TempDir()}, "App manifest"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Run(context.Background(), tc.o)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Run: %v, want an error containing %q", err, tc.want)
			}
		})
	}
	if b, _ := os.ReadFile(filepath.Join(dir, KeyFile)); string(b) != "an older key" {
		t.Error("an existing key was overwritten")
	}
}
