package ghclient

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v4"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/ospo-bot/ospo-bot/internal/metrics"
)

const testAppID = 7

// testKey is the app's RSA key, made once for the whole test binary.
var testKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})

func testKeyPEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(testKey())})
}

func tokenFor(installation int64) string {
	return "ghs_test" + strconv.FormatInt(installation, 10) + "secret"
}

// seenRequest is what the fake recorded of one request.
type seenRequest struct {
	Method, Path string
	Header       http.Header
}

// fakeGitHub is a minimal GitHub: the installation token endpoint (which
// verifies the app's JWT) and whatever API handler a test gives it, under
// an optional path prefix such as /api/v3.
type fakeGitHub struct {
	t      *testing.T
	srv    *httptest.Server
	prefix string
	api    http.Handler

	mu            sync.Mutex
	seen          []seenRequest
	jwts          []string
	tokenStatuses []int // answered in turn before the token is issued
	tokenHeaders  []string
}

// failTokens makes the token endpoint answer these statuses, in turn,
// with these headers (name, value, ...), before it issues a token.
func (f *fakeGitHub) failTokens(statuses []int, headers ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tokenStatuses = append([]int(nil), statuses...)
	f.tokenHeaders = headers
}

func newFakeGitHub(t *testing.T, prefix string, api http.HandlerFunc) *fakeGitHub {
	t.Helper()
	f := &fakeGitHub{t: t, prefix: prefix, api: api}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// url is the API URL to configure: server URL, prefix, trailing slash.
func (f *fakeGitHub) url() string { return f.srv.URL + f.prefix + "/" }

func (f *fakeGitHub) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.seen = append(f.seen, seenRequest{Method: r.Method, Path: r.URL.EscapedPath(), Header: r.Header.Clone()})
	f.mu.Unlock()

	path, ok := strings.CutPrefix(r.URL.EscapedPath(), f.prefix)
	if !ok {
		http.Error(w, `{"message":"Not Found"}`, http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "application/json")

	var id int64
	if n, _ := fmt.Sscanf(path, "/app/installations/%d/access_tokens", &id); n == 1 && strings.HasSuffix(path, "/access_tokens") {
		if r.Method != http.MethodPost {
			http.Error(w, `{"message":"Not Found"}`, http.StatusNotFound)
			return
		}
		if !f.checkJWT(w, r) {
			return
		}
		f.mu.Lock()
		var status int
		if len(f.tokenStatuses) > 0 {
			status, f.tokenStatuses = f.tokenStatuses[0], f.tokenStatuses[1:]
		}
		headers := f.tokenHeaders
		f.mu.Unlock()
		if status != 0 {
			for i := 0; i+1 < len(headers); i += 2 {
				w.Header().Set(headers[i], headers[i+1])
			}
			w.WriteHeader(status)
			fmt.Fprintf(w, `{"message":"%s"}`, http.StatusText(status))
			return
		}
		w.WriteHeader(http.StatusCreated)
		_ = json.NewEncoder(w).Encode(map[string]string{
			"token":      tokenFor(id),
			"expires_at": time.Now().Add(time.Hour).UTC().Format(time.RFC3339),
		})
		return
	}

	if strings.HasPrefix(path, "/app") {
		if !f.checkJWT(w, r) {
			return
		}
	} else if !strings.HasPrefix(r.Header.Get("Authorization"), "token ghs_") {
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"message":"Bad credentials"}`)
		return
	}
	r2 := r.Clone(r.Context())
	r2.URL.Path, r2.URL.RawPath = path, ""
	if f.api == nil {
		http.Error(w, `{"message":"Not Found"}`, http.StatusNotFound)
		return
	}
	f.api.ServeHTTP(w, r2)
}

// checkJWT answers 401 unless the request carries a JWT signed with the
// app's key and issued by the app.
func (f *fakeGitHub) checkJWT(w http.ResponseWriter, r *http.Request) bool {
	raw, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	var claims jwt.RegisteredClaims
	if ok {
		_, err := jwt.ParseWithClaims(raw, &claims, func(tok *jwt.Token) (any, error) {
			if _, ok := tok.Method.(*jwt.SigningMethodRSA); !ok {
				return nil, fmt.Errorf("unexpected signing method %v", tok.Header["alg"])
			}
			return &testKey().PublicKey, nil
		})
		ok = err == nil && claims.Issuer == strconv.Itoa(testAppID)
	}
	if !ok {
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"message":"A JSON web token could not be decoded"}`)
		return false
	}
	f.mu.Lock()
	f.jwts = append(f.jwts, raw)
	f.mu.Unlock()
	return true
}

func (f *fakeGitHub) requests() []seenRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]seenRequest(nil), f.seen...)
}

// count returns how many requests had this method and escaped path.
func (f *fakeGitHub) count(method, path string) int {
	n := 0
	for _, r := range f.requests() {
		if r.Method == method && r.Path == path {
			n++
		}
	}
	return n
}

func (f *fakeGitHub) seenJWTs() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.jwts...)
}

// testConfig is a Config for the fake with fast retries.
func testConfig(f *fakeGitHub) Config {
	return Config{
		APIURL:     f.url(),
		AppID:      testAppID,
		PrivateKey: testKeyPEM(),
		UserAgent:  "ospo-bot/1.2.3",
		RetryWait:  time.Millisecond,
		Timeout:    10 * time.Second,
	}
}

// counterValue reads one series of a counter vector.
func counterValue(t *testing.T, v *prometheus.CounterVec, labels ...string) float64 {
	t.Helper()
	var m dto.Metric
	if err := v.WithLabelValues(labels...).Write(&m); err != nil {
		t.Fatal(err)
	}
	return m.GetCounter().GetValue()
}

func gaugeValue(t *testing.T, v *prometheus.GaugeVec, labels ...string) float64 {
	t.Helper()
	var m dto.Metric
	if err := v.WithLabelValues(labels...).Write(&m); err != nil {
		t.Fatal(err)
	}
	return m.GetGauge().GetValue()
}

func newMetrics() *metrics.Metrics { return metrics.New() }
