package githubfake

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/bradleyfalzon/ghinstallation/v2"
	"github.com/google/go-github/v66/github"
)

const testAppID = 4242

var (
	keyOnce sync.Once
	testKey *rsa.PrivateKey
)

// appKey is the test app's RSA key, generated once per test binary.
func appKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	keyOnce.Do(func() {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		testKey = k
	})
	return testKey
}

func keyPEM(k *rsa.PrivateKey) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)})
}

// world is a fake seeded with an org, a repository, an installation and an
// issue, as most tests need.
type world struct {
	f     *Fake
	inst  Installation
	repo  Repo
	issue Issue
	token string
}

// newWorld starts a fake that does not fail the test on violations (tests
// that expect none call CheckNoViolations themselves).
func newWorld(t *testing.T, opts Options) *world {
	t.Helper()
	if opts.AppID == 0 {
		opts.AppID = testAppID
	}
	if opts.PublicKey == nil {
		opts.PublicKey = &appKey(t).PublicKey
	}
	f, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	f.server = httptest.NewServer(f)
	t.Cleanup(f.server.Close)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err = f.AddOrg(Org{Login: "acme", Name: "Acme"})
	must(err)
	w := &world{f: f}
	w.repo, err = f.AddRepo(Repo{Owner: "acme", Name: "widgets", Description: "Widgets", Files: map[string]string{
		"README.md":          "# Widgets\n",
		"LICENSE":            "Apache License\nVersion 2.0, January 2004\n",
		"docs/guide.md":      "guide\n",
		"docs/api/index.md":  "api\n",
		".github/CODEOWNERS": "* @acme/ospo\n",
	}})
	must(err)
	w.inst, err = f.AddInstallation(Installation{Account: "acme"})
	must(err)
	w.issue, err = f.AddIssue("acme", "widgets", Issue{Title: "Bug", User: "alice"})
	must(err)
	w.token, err = f.InstallationToken(w.inst.ID)
	must(err)
	return w
}

// client is a go-github client authenticated the production way:
// ghinstallation signs a JWT and fetches an installation token.
func (w *world) client(t *testing.T) *github.Client {
	t.Helper()
	itr, err := ghinstallation.New(http.DefaultTransport, testAppID, w.inst.ID, keyPEM(appKey(t)))
	if err != nil {
		t.Fatal(err)
	}
	itr.BaseURL = w.f.URL()
	c := github.NewClient(&http.Client{Transport: itr})
	c.BaseURL, _ = url.Parse(w.f.URL() + "/")
	return c
}

// do sends a raw request with the world's installation token.
func (w *world) do(t *testing.T, method, path, body string, header ...string) (*http.Response, []byte) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, w.f.URL()+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "token "+w.token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp, data
}

func decodeJSON(t *testing.T, data []byte, v any) {
	t.Helper()
	if err := json.NewDecoder(bytes.NewReader(data)).Decode(v); err != nil {
		t.Fatalf("decoding %s: %v", data, err)
	}
}

// recordingTB collects what CheckNoViolations reports.
type recordingTB struct{ errors []string }

func (r *recordingTB) Helper() {}
func (r *recordingTB) Errorf(format string, args ...any) {
	r.errors = append(r.errors, format)
}

func lastRequest(f *Fake) Request {
	reqs := f.Requests()
	return reqs[len(reqs)-1]
}
