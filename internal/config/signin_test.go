package config

import (
	"strings"
	"testing"
)

// TestDashboardSignIn: without a client ID the dashboard is off and
// nothing else is asked for; with one, the secret and the public URL are
// required, the URLs must be absolute (https, or http on this machine
// only, where browsers keep Secure cookies), the secret is never listed,
// and the callback URL is {public}/dashboard/auth/callback.
func TestDashboardSignIn(t *testing.T) {
	base := func() Config {
		c := Default()
		c.GitHubAppID, c.GitHubPrivateKey, c.GitHubWebhookSecret = 1, testKey(t), "s"
		return c
	}
	c := base()
	if c.DashboardEnabled() || c.GitHubWebURL != "https://github.com" {
		t.Fatalf("default: enabled %v, web URL %q", c.DashboardEnabled(), c.GitHubWebURL)
	}
	if err := c.Validate(); err != nil {
		t.Fatalf("the dashboard off needs nothing: %v", err)
	}
	loaded, err := Load("", env(map[string]string{"OSPO_GITHUB_CLIENT_ID": "Iv1.abc", "OSPO_GITHUB_CLIENT_SECRET": "hunter2-client",
		"OSPO_PUBLIC_URL": "https://ospo.example.com/", "OSPO_GITHUB_WEB_URL": "https://ghe.example.com"}))
	if err != nil || loaded.GitHubClientID != "Iv1.abc" || loaded.GitHubClientSecret != "hunter2-client" || loaded.GitHubWebURL != "https://ghe.example.com" {
		t.Fatalf("Load = %+v, %v", loaded, err)
	}
	for k, v := range loaded.Redacted() {
		if strings.Contains(v, "hunter2") {
			t.Errorf("%s leaks the client secret: %q", k, v)
		}
	}
	c = base()
	c.GitHubClientID, c.GitHubClientSecret, c.PublicURL = "Iv1.abc", "x", "https://ospo.example.com/"
	if err := c.Validate(); err != nil || !c.DashboardEnabled() || c.CallbackURL() != "https://ospo.example.com/dashboard/auth/callback" {
		t.Fatalf("enabled: %v, callback %q", err, c.CallbackURL())
	}
	for _, tc := range []struct {
		name    string
		tweak   func(c *Config)
		wantErr string
	}{
		{"no secret", func(c *Config) { c.GitHubClientSecret = "" }, "github_client_secret (OSPO_GITHUB_CLIENT_SECRET) is not set"},
		{"secret without ID", func(c *Config) { c.GitHubClientID = "" }, "github_client_id (OSPO_GITHUB_CLIENT_ID) is not set"},
		{"no public URL", func(c *Config) { c.PublicURL = "" }, "public_url (OSPO_PUBLIC_URL) is not set"},
		{"public URL not absolute", func(c *Config) { c.PublicURL = "ospo.example.com" }, "public_url (OSPO_PUBLIC_URL) \"ospo.example.com\" is not"},
		{"public URL with a path", func(c *Config) { c.PublicURL = "https://x.example/ospo" }, "without a path"},
		{"public URL http elsewhere", func(c *Config) { c.PublicURL = "http://ospo.example.com" }, "https"},
		{"web URL not absolute", func(c *Config) { c.GitHubWebURL = "github.com" }, "github_web_url (OSPO_GITHUB_WEB_URL)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := base()
			c.GitHubClientID, c.GitHubClientSecret, c.PublicURL = "Iv1.abc", "x", "https://ospo.example.com"
			tc.tweak(&c)
			if err := c.Validate(); err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("Validate() = %v, want %q", err, tc.wantErr)
			}
		})
	}
	c = base()
	c.GitHubClientID, c.GitHubClientSecret, c.PublicURL = "Iv1.abc", "x", "http://127.0.0.1:8080"
	if err := c.Validate(); err != nil {
		t.Fatalf("http on the loopback (the demo, a laptop): %v", err)
	}
}

// deps.dev's address defaults to the public API, may be set (a fake, a
// mirror), and must be an http(s) URL.
func TestDepsDevURL(t *testing.T) {
	if c := Default(); c.DepsDevURL != "https://api.deps.dev" {
		t.Fatalf("default deps.dev URL %q", c.DepsDevURL)
	}
	loaded, err := Load("", env(map[string]string{"OSPO_DEPSDEV_URL": "http://127.0.0.1:9/"}))
	if err != nil || loaded.DepsDevURL != "http://127.0.0.1:9/" {
		t.Fatalf("Load = %q, %v", loaded.DepsDevURL, err)
	}
	c := Default()
	c.GitHubAppID, c.GitHubPrivateKey, c.GitHubWebhookSecret = 1, testKey(t), "s"
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	c.DepsDevURL = "api.deps.dev"
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "depsdev_url (OSPO_DEPSDEV_URL)") {
		t.Fatalf("Validate = %v", err)
	}
}
