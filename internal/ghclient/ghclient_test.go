package ghclient

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-github/v66/github"
	"github.com/rs/zerolog"
)

func TestClientsUnderAPIURL(t *testing.T) {
	for _, tc := range []struct {
		name, prefix string
	}{
		{"github.com", ""},
		{"enterprise server", "/api/v3"},
		{"nested prefix", "/github/api/v3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeGitHub(t, tc.prefix, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("X-RateLimit-Remaining", "4321")
				switch r.URL.Path {
				case "/repos/o/r":
					fmt.Fprint(w, `{"full_name":"o/r"}`)
				case "/app":
					fmt.Fprint(w, `{"slug":"ospo-bot"}`)
				default:
					http.NotFound(w, r)
				}
			})
			m := newMetrics()
			cc, err := NewClientCreator(testConfig(f), m)
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()

			for i := 0; i < 2; i++ { // the second client comes from the creator's cache
				client, err := cc.NewInstallationClient(42)
				if err != nil {
					t.Fatal(err)
				}
				repo, _, err := client.Repositories.Get(ctx, "o", "r")
				if err != nil {
					t.Fatalf("Repositories.Get: %v", err)
				}
				if repo.GetFullName() != "o/r" {
					t.Errorf("full name = %q", repo.GetFullName())
				}
			}
			app, err := cc.NewAppClient()
			if err != nil {
				t.Fatal(err)
			}
			if again, _ := cc.NewAppClient(); again != app {
				t.Errorf("NewAppClient built a second client")
			}
			if a, _, err := app.Apps.Get(ctx, ""); err != nil || a.GetSlug() != "ospo-bot" {
				t.Fatalf("Apps.Get = %v, %v", a, err)
			}

			tokenPath := tc.prefix + "/app/installations/42/access_tokens"
			if n := f.count(http.MethodPost, tokenPath); n != 1 {
				t.Errorf("token requests to %s = %d, want 1 (tokens are reused)", tokenPath, n)
			}
			if n := f.count(http.MethodGet, tc.prefix+"/repos/o/r"); n != 2 {
				t.Errorf("API requests to %s/repos/o/r = %d, want 2", tc.prefix, n)
			}
			if n := f.count(http.MethodGet, tc.prefix+"/app"); n != 1 {
				t.Errorf("app requests = %d, want 1", n)
			}
			if len(f.seenJWTs()) != 2 { // the token request and GET /app
				t.Errorf("valid JWTs seen = %d, want 2", len(f.seenJWTs()))
			}
			for _, r := range f.requests() {
				if ua := r.Header.Get("User-Agent"); !strings.HasPrefix(ua, "ospo-bot/") {
					t.Errorf("%s %s: user agent %q does not start with ospo-bot/", r.Method, r.Path, ua)
				}
				if r.Path == tc.prefix+"/repos/o/r" && r.Header.Get("Authorization") != "token "+tokenFor(42) {
					t.Errorf("API request authorization = %q", r.Header.Get("Authorization"))
				}
			}

			for _, c := range []struct {
				labels []string
				want   float64
			}{
				{[]string{"GET", "/repos/{owner}/{repo}", "200", "miss"}, 2},
				{[]string{"POST", "/app/installations/{installation_id}/access_tokens", "201", "miss"}, 1},
				{[]string{"GET", "/app", "200", "miss"}, 1},
			} {
				if got := counterValue(t, m.GitHubRequests, c.labels...); got != c.want {
					t.Errorf("requests%v = %v, want %v", c.labels, got, c.want)
				}
			}
			if got := gaugeValue(t, m.GitHubRateRemaining, "42"); got != 4321 {
				t.Errorf("rate remaining{installation=42} = %v, want 4321", got)
			}
			if got := gaugeValue(t, m.GitHubRateRemaining, "0"); got != 4321 {
				t.Errorf("rate remaining{installation=0} = %v, want 4321", got)
			}
		})
	}
}

func TestETagRevalidation(t *testing.T) {
	var notModified atomic.Int32
	f := newFakeGitHub(t, "/api/v3", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/repos/o/r/contents/docs/README.md" {
			http.NotFound(w, r)
			return
		}
		// Each installation sees its own content, with its own ETag.
		inst := strings.TrimSuffix(strings.TrimPrefix(r.Header.Get("Authorization"), "token ghs_test"), "secret")
		etag := `"v` + inst + `"`
		w.Header().Set("ETag", etag)
		// GitHub's header: without revalidation, httpcache would serve
		// this for a minute without asking.
		w.Header().Set("Cache-Control", "private, max-age=60, s-maxage=60")
		w.Header().Set("Vary", "Accept, Authorization, Cookie, X-GitHub-OTP")
		if r.Header.Get("If-None-Match") == etag {
			w.Header().Set("X-RateLimit-Remaining", "4999")
			notModified.Add(1)
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("X-RateLimit-Remaining", "4998")
		fmt.Fprintf(w, `{"type":"file","name":"README.md","path":"docs/README.md","sha":"sha-%s"}`, inst)
	})
	m := newMetrics()
	cc, err := NewClientCreator(testConfig(f), m)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	get := func(installation int64) (*github.RepositoryContent, *github.Response) {
		t.Helper()
		client, err := cc.NewInstallationClient(installation)
		if err != nil {
			t.Fatal(err)
		}
		file, _, resp, err := client.Repositories.GetContents(ctx, "o", "r", "docs/README.md", nil)
		if err != nil {
			t.Fatalf("GetContents: %v", err)
		}
		return file, resp
	}

	first, _ := get(1)
	second, resp := get(1)
	if first.GetSHA() != second.GetSHA() || second.GetSHA() != "sha-1" {
		t.Errorf("cached body = %q, first = %q", second.GetSHA(), first.GetSHA())
	}
	if notModified.Load() != 1 {
		t.Errorf("server answered 304 %d times, want 1", notModified.Load())
	}
	const path = "/api/v3/repos/o/r/contents/docs/README.md"
	var conditional []string
	for _, r := range f.requests() {
		if r.Path == path {
			conditional = append(conditional, r.Header.Get("If-None-Match"))
		}
	}
	if len(conditional) != 2 || conditional[0] != "" || conditional[1] != `"v1"` {
		t.Errorf("If-None-Match sent = %q, want [\"\" \"v1\"]", conditional)
	}

	// What the caller holds carries no credential.
	for k, vs := range resp.Header {
		for _, v := range vs {
			if strings.Contains(v, "ghs_") {
				t.Errorf("response header %s leaks the token: %q", k, v)
			}
		}
	}
	if resp.Request != nil && resp.Request.Header.Get("Authorization") != "" {
		t.Errorf("response request carries Authorization")
	}

	route := "/repos/{owner}/{repo}/contents/{path}"
	for _, c := range []struct {
		cache string
		want  float64
	}{{"miss", 1}, {"hit", 1}} {
		if got := counterValue(t, m.GitHubRequests, "GET", route, "200", c.cache); got != c.want {
			t.Errorf("requests{cache=%s} = %v, want %v", c.cache, got, c.want)
		}
	}
}

func TestNewClientCreatorRejectsBadConfig(t *testing.T) {
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ecDER, err := x509.MarshalECPrivateKey(ecKey)
	if err != nil {
		t.Fatal(err)
	}
	ecPEM := pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: ecDER})
	good := Config{APIURL: "https://ghe.example.com/api/v3", AppID: 1, PrivateKey: testKeyPEM()}

	for _, tc := range []struct {
		name    string
		edit    func(*Config)
		wantErr string // "" = valid
	}{
		{"valid", func(*Config) {}, ""},
		{"default URL", func(c *Config) { c.APIURL = "" }, ""},
		{"no key", func(c *Config) { c.PrivateKey = nil }, "github private key is not a valid RSA PEM key: "},
		{"not PEM", func(c *Config) { c.PrivateKey = []byte("ghp_not_a_key") }, "github private key is not a valid RSA PEM key: "},
		{"truncated PEM", func(c *Config) { c.PrivateKey = testKeyPEM()[:200] }, "github private key is not a valid RSA PEM key: "},
		{"EC key", func(c *Config) { c.PrivateKey = ecPEM }, "github private key is not a valid RSA PEM key: "},
		{"URL with bad escape", func(c *Config) { c.APIURL = "https://ghe.example.com/%zz" }, "github API URL"},
		{"relative URL", func(c *Config) { c.APIURL = "api/v3/" }, "must be an absolute http or https URL"},
		{"no host", func(c *Config) { c.APIURL = "https:///api/v3/" }, "must be an absolute http or https URL"},
		{"other scheme", func(c *Config) { c.APIURL = "ftp://ghe.example.com/" }, "must be an absolute http or https URL"},
		{"query", func(c *Config) { c.APIURL = "https://ghe.example.com/?x=1" }, "must not have a query"},
		{"no app id", func(c *Config) { c.AppID = 0 }, "github app id must be a positive number"},
		{"negative cache", func(c *Config) { c.CacheSize = -1 }, "cache size must not be negative"},
		{"negative timeout", func(c *Config) { c.Timeout = -1 }, "timeout must not be negative"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := good
			tc.edit(&cfg)
			cc, err := NewClientCreator(cfg, nil)
			if tc.wantErr == "" {
				if err != nil || cc == nil {
					t.Fatalf("NewClientCreator = %v, %v; want a creator", cc, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("NewClientCreator succeeded, want error containing %q", tc.wantErr)
			}
			if !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("error = %q, want it to contain %q", err, tc.wantErr)
			}
			if strings.Contains(err.Error(), "PRIVATE KEY") {
				t.Errorf("error quotes the key: %q", err)
			}
		})
	}
}

func TestV4URL(t *testing.T) {
	for in, want := range map[string]string{
		"https://api.github.com/":          "https://api.github.com/graphql",
		"https://ghe.example.com/api/v3/":  "https://ghe.example.com/api/graphql",
		"http://127.0.0.1:8080/":           "http://127.0.0.1:8080/graphql",
		"http://127.0.0.1:8080/fake/api/":  "http://127.0.0.1:8080/fake/api/graphql",
		"https://ghe.example.com/x/api/v3": "https://ghe.example.com/x/api/graphql",
	} {
		cfg, u, err := Config{APIURL: in, AppID: 1}.withDefaults()
		if err != nil {
			t.Fatalf("%s: %v (%+v)", in, err, cfg)
		}
		if got := v4URL(u); got != want {
			t.Errorf("v4URL(%s) = %s, want %s", in, got, want)
		}
	}
}

// TestNoSecretsInLogs runs requests at debug level, a retry and a failed
// token request included, logs their errors as a job would, and checks
// that neither the installation token nor the app's JWT is in the output.
func TestNoSecretsInLogs(t *testing.T) {
	var flaky atomic.Int32
	f := newFakeGitHub(t, "/api/v3", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Vary", "Accept, Authorization")
		w.Header().Set("ETag", `"e"`)
		switch {
		case r.URL.Path == "/repos/o/r" && flaky.Add(1) == 1:
			w.WriteHeader(http.StatusBadGateway)
		case r.URL.Path == "/repos/o/r" && r.Header.Get("If-None-Match") == `"e"`:
			w.WriteHeader(http.StatusNotModified)
		case r.URL.Path == "/repos/o/r":
			fmt.Fprint(w, `{"full_name":"o/r"}`)
		default:
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprint(w, `{"message":"Resource not accessible by integration"}`)
		}
	})
	f.failTokens([]int{http.StatusUnauthorized}) // installation 9 fails once
	cc, err := NewClientCreator(testConfig(f), newMetrics())
	if err != nil {
		t.Fatal(err)
	}

	var buf bytes.Buffer
	logger := zerolog.New(&buf).Level(zerolog.DebugLevel)
	ctx := logger.WithContext(context.Background())

	bad, err := cc.NewInstallationClient(9)
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = bad.Repositories.Get(ctx, "o", "r")
	if err == nil {
		t.Fatal("want a token error")
	}
	logger.Error().Err(err).Msg("job failed")

	client, err := cc.NewInstallationClient(42)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if _, _, err := client.Repositories.Get(ctx, "o", "r"); err != nil {
			t.Fatalf("Repositories.Get: %v", err)
		}
	}
	_, _, err = client.Issues.CreateComment(ctx, "o", "r", 1, &github.IssueComment{Body: github.String("hi")})
	logger.Error().Err(err).Msg("job failed")
	logger.Error().Interface("error", err).Msg("job failed, as a struct")

	out := buf.String()
	for _, want := range []string{"github_request", "github_request_retry", "could not refresh installation id 9"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q; the test does not exercise what it should:\n%s", want, out)
		}
	}
	secrets := append([]string{tokenFor(9), tokenFor(42), "ghs_", "Bearer", "Authorization"}, f.seenJWTs()...)
	if len(f.seenJWTs()) < 2 {
		t.Fatalf("want JWTs from two token requests, got %d", len(f.seenJWTs()))
	}
	for _, s := range secrets {
		if strings.Contains(out, s) {
			t.Errorf("log contains secret %q:\n%s", s, out)
		}
	}
}

// TestTokenFailureResponse checks that a refused token request does
// not hand the caller an open body or the JWT-signed request.
func TestTokenFailureResponse(t *testing.T) {
	f := newFakeGitHub(t, "", nil)
	f.failTokens([]int{http.StatusNotFound})
	cc, err := NewClientCreator(testConfig(f), nil)
	if err != nil {
		t.Fatal(err)
	}
	client, err := cc.NewInstallationClient(5)
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = client.Repositories.Get(context.Background(), "o", "r")
	resp := errorHTTPResponse(err)
	if resp == nil {
		t.Fatalf("error %v carries no token response", err)
	}
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("status = %d", resp.StatusCode)
	}
	body, _ := io.ReadAll(resp.Body)
	if !strings.Contains(string(body), "Not Found") {
		t.Errorf("body = %q, want GitHub's message kept for inspection", body)
	}
	if resp.Request != nil && resp.Request.Header.Get("Authorization") != "" {
		t.Errorf("token response's request still carries the JWT")
	}
}
