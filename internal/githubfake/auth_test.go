package githubfake

import (
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v4"
)

func signJWT(t *testing.T, key *rsa.PrivateKey, method jwt.SigningMethod, claims jwt.MapClaims) string {
	t.Helper()
	var signKey any = key
	if method == jwt.SigningMethodHS256 {
		signKey = []byte("secret")
	}
	s, err := jwt.NewWithClaims(method, claims).SignedString(signKey)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestAccessTokenJWT(t *testing.T) {
	w := newWorld(t, Options{})
	key := appKey(t)
	otherKey, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	good := func() jwt.MapClaims {
		return jwt.MapClaims{"iat": now.Add(-30 * time.Second).Unix(), "exp": now.Add(2 * time.Minute).Unix(), "iss": strconv.Itoa(testAppID)}
	}
	with := func(k string, v any) jwt.MapClaims {
		c := good()
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
		return c
	}
	tests := []struct {
		name     string
		header   string
		inst     int64
		want     int
		wantText string
	}{
		{"valid string iss", "Bearer " + signJWT(t, key, jwt.SigningMethodRS256, good()), w.inst.ID, 201, ""},
		{"valid numeric iss", "Bearer " + signJWT(t, key, jwt.SigningMethodRS256, with("iss", testAppID)), w.inst.ID, 201, ""},
		{"iat within skew", "Bearer " + signJWT(t, key, jwt.SigningMethodRS256, with("iat", now.Add(50*time.Second).Unix())), w.inst.ID, 201, ""},
		{"unknown installation", "Bearer " + signJWT(t, key, jwt.SigningMethodRS256, good()), 999999, 404, "Not Found"},
		{"wrong key", "Bearer " + signJWT(t, otherKey, jwt.SigningMethodRS256, good()), w.inst.ID, 401, "could not be decoded"},
		{"HS256", "Bearer " + signJWT(t, key, jwt.SigningMethodHS256, good()), w.inst.ID, 401, "could not be decoded"},
		{"expired", "Bearer " + signJWT(t, key, jwt.SigningMethodRS256, with("exp", now.Add(-2*time.Minute).Unix())), w.inst.ID, 401, "'Expiration time'"},
		{"no exp", "Bearer " + signJWT(t, key, jwt.SigningMethodRS256, with("exp", nil)), w.inst.ID, 401, "'Expiration time'"},
		{"exp too far", "Bearer " + signJWT(t, key, jwt.SigningMethodRS256, with("exp", now.Add(time.Hour).Unix())), w.inst.ID, 401, "too far"},
		{"iat in the future", "Bearer " + signJWT(t, key, jwt.SigningMethodRS256, with("iat", now.Add(5*time.Minute).Unix())), w.inst.ID, 401, "'Issued at'"},
		{"wrong iss", "Bearer " + signJWT(t, key, jwt.SigningMethodRS256, with("iss", "4243")), w.inst.ID, 401, "'Issuer'"},
		{"no iss", "Bearer " + signJWT(t, key, jwt.SigningMethodRS256, with("iss", nil)), w.inst.ID, 401, "'Issuer'"},
		{"garbage", "Bearer not.a.jwt", w.inst.ID, 401, "could not be decoded"},
		{"installation token instead", "token " + w.token, w.inst.ID, 401, "could not be decoded"},
		{"no header", "", w.inst.ID, 401, "could not be decoded"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest("POST", fmt.Sprintf("%s/app/installations/%d/access_tokens", w.f.URL(), tt.inst), nil)
			if tt.header != "" {
				req.Header.Set("Authorization", tt.header)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body map[string]any
			decodeJSON(t, readAll(t, resp), &body)
			if resp.StatusCode != tt.want {
				t.Fatalf("status %d, want %d: %v", resp.StatusCode, tt.want, body)
			}
			if tt.want == 201 {
				tok, _ := body["token"].(string)
				if !strings.HasPrefix(tok, "ghs_") || len(tok) < 40 {
					t.Errorf("token %q", tok)
				}
				exp, err := time.Parse(time.RFC3339, body["expires_at"].(string))
				if err != nil || exp.Sub(now) < 59*time.Minute || exp.Sub(now) > 61*time.Minute {
					t.Errorf("expires_at %v (%v), want an hour ahead", body["expires_at"], err)
				}
				if body["repository_selection"] != "all" || body["permissions"].(map[string]any)["checks"] != "write" {
					t.Errorf("body %v", body)
				}
				return
			}
			msg, _ := body["message"].(string)
			if !strings.Contains(msg, tt.wantText) || body["documentation_url"] == nil {
				t.Errorf("error body %v, want message containing %q and a documentation_url", body, tt.wantText)
			}
		})
	}
	w.f.CheckNoViolations(t)
}

func readAll(t *testing.T, resp *http.Response) []byte {
	t.Helper()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestInstallationTokenAuth(t *testing.T) {
	clock := time.Now()
	w := newWorld(t, Options{Now: func() time.Time { return clock }})
	tests := []struct {
		name   string
		header string
		want   int
	}{
		{"token scheme", "token " + w.token, 200},
		{"bearer scheme", "Bearer " + w.token, 200},
		{"unknown token", "token ghs_nope", 401},
		{"none", "", 401},
		{"app JWT on an installation route", "Bearer " + signJWT(t, appKey(t), jwt.SigningMethodRS256, jwt.MapClaims{
			"iat": clock.Unix(), "exp": clock.Add(time.Minute).Unix(), "iss": strconv.Itoa(testAppID)}), 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest("GET", w.f.URL()+"/repos/acme/widgets", nil)
			if tt.header != "" {
				req.Header.Set("Authorization", tt.header)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Errorf("status %d, want %d", resp.StatusCode, tt.want)
			}
		})
	}
	// Tokens expire after an hour.
	clock = clock.Add(61 * time.Minute)
	if resp, _ := w.do(t, "GET", "/repos/acme/widgets", ""); resp.StatusCode != 401 {
		t.Errorf("expired token: status %d, want 401", resp.StatusCode)
	}
	w.f.CheckNoViolations(t)
}

func TestAppEndpoints(t *testing.T) {
	w := newWorld(t, Options{AppSlug: "policy-bot"})
	jwtHeader := "Bearer " + signJWT(t, appKey(t), jwt.SigningMethodRS256, jwt.MapClaims{
		"iat": time.Now().Unix(), "exp": time.Now().Add(time.Minute).Unix(), "iss": strconv.Itoa(testAppID)})
	for _, tt := range []struct {
		path string
		want int
	}{
		{"/app", 200},
		{"/app/installations", 200},
		{fmt.Sprintf("/app/installations/%d", w.inst.ID), 200},
		{"/app/installations/1", 404},
	} {
		resp, data := w.do(t, "GET", tt.path, "", "Authorization", jwtHeader)
		if resp.StatusCode != tt.want {
			t.Errorf("GET %s: %d, want %d: %s", tt.path, resp.StatusCode, tt.want, data)
		}
		if tt.path == "/app" && !strings.Contains(string(data), `"slug":"policy-bot"`) {
			t.Errorf("GET /app: %s", data)
		}
	}
	if resp, _ := w.do(t, "GET", "/app", ""); resp.StatusCode != 401 {
		t.Errorf("GET /app with an installation token: %d, want 401", resp.StatusCode)
	}
	if w.f.BotUser().Login != "policy-bot[bot]" || w.f.BotUser().Type != "Bot" {
		t.Errorf("bot user %+v", w.f.BotUser())
	}
	w.f.CheckNoViolations(t)
}
