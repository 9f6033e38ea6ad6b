package githubfake

import (
	"cmp"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// oauthWorld is the test world with a callback URL on the test host, the
// user "mona" signed in, an active admin of acme, and "otto" a member of
// acme's ospo team.
func oauthWorld(t *testing.T, opts Options) *world {
	t.Helper()
	if opts.CallbackURL == "" {
		opts.CallbackURL = "https://dash.example.com/auth/callback"
	}
	w := newWorld(t, opts)
	for _, login := range []string{"mona", "otto", "pia"} {
		if _, err := w.f.AddUser(User{Login: login, Name: strings.ToUpper(login)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.f.SetOrgMembership("acme", Membership{Login: "mona", Role: "admin"}); err != nil {
		t.Fatal(err)
	}
	if err := w.f.SetOrgMembership("acme", Membership{Login: "otto"}); err != nil {
		t.Fatal(err)
	}
	if err := w.f.SetOrgMembership("acme", Membership{Login: "pia", State: "pending"}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.f.AddTeam(Team{Org: "acme", Slug: "ospo"}); err != nil {
		t.Fatal(err)
	}
	if err := w.f.SetTeamMembership("acme", "ospo", Membership{Login: "otto"}); err != nil {
		t.Fatal(err)
	}
	if err := w.f.SignIn("mona"); err != nil {
		t.Fatal(err)
	}
	return w
}

var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// authorize sends GET /login/oauth/authorize and returns the status and
// the Location header.
func authorize(t *testing.T, f *Fake, q url.Values) (int, *url.URL) {
	t.Helper()
	resp, err := noRedirect.Get(f.URL() + "/login/oauth/authorize?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := resp.Location()
	return resp.StatusCode, loc
}

// exchangeCode posts to /login/oauth/access_token and decodes the JSON.
func exchangeCode(t *testing.T, f *Fake, form url.Values) map[string]any {
	t.Helper()
	req, _ := http.NewRequest("POST", f.URL()+"/login/oauth/access_token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("access_token: %d, want 200 (GitHub answers errors 200 too)", resp.StatusCode)
	}
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

// signIn runs the flow and returns the code.
func signIn(t *testing.T, f *Fake, extra ...string) string {
	t.Helper()
	q := url.Values{"client_id": {f.ClientID()}, "state": {"s1"}}
	for i := 0; i+1 < len(extra); i += 2 {
		q.Set(extra[i], extra[i+1])
	}
	status, loc := authorize(t, f, q)
	if status != http.StatusFound || loc == nil || loc.Query().Get("code") == "" {
		t.Fatalf("authorize: %d %v, want a 302 with a code", status, loc)
	}
	return loc.Query().Get("code")
}

func creds(f *Fake, code string) url.Values {
	return url.Values{"client_id": {f.ClientID()}, "client_secret": {f.ClientSecret()}, "code": {code}}
}

func userGet(t *testing.T, f *Fake, token, path string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest("GET", f.URL()+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, data
}

func TestOAuthWebFlow(t *testing.T) {
	w := oauthWorld(t, Options{})
	f := w.f
	status, loc := authorize(t, f, url.Values{"client_id": {f.ClientID()}, "state": {"a b&c=d"},
		"redirect_uri": {"https://dash.example.com/auth/callback/github?next=%2Frepos"}})
	if status != http.StatusFound {
		t.Fatalf("authorize: %d", status)
	}
	if got := loc.Query().Get("state"); got != "a b&c=d" {
		t.Errorf("state came back %q", got)
	}
	if loc.Host != "dash.example.com" || loc.Path != "/auth/callback/github" || loc.Query().Get("next") != "/repos" {
		t.Errorf("redirected to %v, want the redirect_uri with its own query kept", loc)
	}
	out := exchangeCode(t, f, creds(f, loc.Query().Get("code")))
	tok, _ := out["access_token"].(string)
	if !strings.HasPrefix(tok, "ghu_") || out["token_type"] != "bearer" || out["scope"] != "" {
		t.Fatalf("access_token answered %v", out)
	}
	if _, ok := out["expires_in"]; ok {
		t.Errorf("non-expiring token has expires_in: %v", out)
	}
	req, _ := http.NewRequest("GET", f.URL()+"/user", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get("X-RateLimit-Remaining") != "4999" {
		t.Errorf("a user token's first request left %q of its own rate limit", resp.Header.Get("X-RateLimit-Remaining"))
	}
	code, data := userGet(t, f, tok, "/user")
	var u struct{ Login string }
	_ = json.Unmarshal(data, &u)
	if code != http.StatusOK || u.Login != "mona" {
		t.Errorf("GET /user: %d %s", code, data)
	}
	f.CheckNoViolations(t)
}

func TestOAuthAuthorizeRefusals(t *testing.T) {
	w := oauthWorld(t, Options{})
	f := w.f
	for _, tc := range []struct {
		name, clientID, redirect, login string
		status                          int
		wantErr                         string // the error= of the redirect
	}{
		{name: "unknown client", clientID: "Iv1.nope", status: http.StatusNotFound},
		{name: "other host", redirect: "https://evil.example.com/auth/callback", status: http.StatusFound, wantErr: "redirect_uri_mismatch"},
		{name: "subdomain", redirect: "https://x.dash.example.com/auth/callback", status: http.StatusFound, wantErr: "redirect_uri_mismatch"},
		{name: "other port", redirect: "https://dash.example.com:8443/auth/callback", status: http.StatusFound, wantErr: "redirect_uri_mismatch"},
		{name: "other scheme", redirect: "http://dash.example.com/auth/callback", status: http.StatusFound, wantErr: "redirect_uri_mismatch"},
		{name: "path not under", redirect: "https://dash.example.com/auth/callbackx", status: http.StatusFound, wantErr: "redirect_uri_mismatch"},
		{name: "path escapes", redirect: "https://dash.example.com/auth/callback/../../admin", status: http.StatusFound, wantErr: "redirect_uri_mismatch"},
		{name: "sub path", redirect: "https://dash.example.com/auth/callback/x", status: http.StatusFound},
		{name: "default callback", status: http.StatusFound},
		{name: "login param", login: "otto", status: http.StatusFound},
		{name: "unknown login", login: "nobody", status: http.StatusUnauthorized},
		{name: "an org cannot sign in", login: "acme", status: http.StatusUnauthorized},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := url.Values{"client_id": {cmp.Or(tc.clientID, f.ClientID())}, "state": {"st"}}
			if tc.redirect != "" {
				q.Set("redirect_uri", tc.redirect)
			}
			if tc.login != "" {
				q.Set("login", tc.login)
			}
			status, loc := authorize(t, f, q)
			if status != tc.status {
				t.Fatalf("status %d, want %d", status, tc.status)
			}
			if status != http.StatusFound {
				return
			}
			if got := loc.Query().Get("error"); got != tc.wantErr {
				t.Errorf("error=%q, want %q (%v)", got, tc.wantErr, loc)
			}
			if tc.wantErr != "" && (loc.String() != withQuery(f.CallbackURL(), "error", "redirect_uri_mismatch",
				"error_description", "The redirect_uri MUST match the registered callback URL for this application.",
				"error_uri", authorizeErrorsURI, "state", "st") || loc.Query().Get("code") != "") {
				t.Errorf("mismatch redirected to %v, want the registered callback with the error and no code", loc)
			}
		})
	}
	// Nobody signed in and no login: GitHub would ask for a password.
	if err := f.SignIn(""); err != nil {
		t.Fatal(err)
	}
	if status, _ := authorize(t, f, url.Values{"client_id": {f.ClientID()}}); status != http.StatusUnauthorized {
		t.Errorf("nobody signed in: %d", status)
	}
	if err := f.SignIn("acme"); err == nil {
		t.Errorf("SignIn of an organization succeeded")
	}
}

func TestOAuthLoopbackCallbackAnyPort(t *testing.T) {
	for _, tc := range []struct {
		callback, redirect string
		want               bool
	}{
		{"http://127.0.0.1/cb", "http://127.0.0.1:51004/cb", true},
		{"http://localhost:3000/cb", "http://localhost:4000/cb/x", true},
		{"http://127.0.0.1/cb", "http://localhost:51004/cb", false},
		{"https://app.example.com/cb", "https://app.example.com:444/cb", false},
		{"https://app.example.com/cb/", "https://app.example.com/cb/done", true},
		{"https://app.example.com/cb", "https://user@app.example.com/cb", false},
	} {
		if got := callbackMatches(tc.callback, tc.redirect); got != tc.want {
			t.Errorf("callbackMatches(%q, %q) = %v, want %v", tc.callback, tc.redirect, got, tc.want)
		}
	}
}

func TestOAuthAccessTokenRefusals(t *testing.T) {
	w := oauthWorld(t, Options{})
	f := w.f
	for _, tc := range []struct {
		name    string
		form    func(code string) url.Values
		advance time.Duration
		want    string
	}{
		{name: "wrong secret", want: "incorrect_client_credentials", form: func(code string) url.Values {
			v := creds(f, code)
			v.Set("client_secret", "nope")
			return v
		}},
		{name: "wrong client", want: "incorrect_client_credentials", form: func(code string) url.Values {
			v := creds(f, code)
			v.Set("client_id", "Iv1.other")
			return v
		}},
		{name: "unknown code", want: "bad_verification_code", form: func(string) url.Values { return creds(f, "0123456789abcdef0123") }},
		{name: "redirect mismatch", want: "redirect_uri_mismatch", form: func(code string) url.Values {
			v := creds(f, code)
			v.Set("redirect_uri", "https://evil.example.com/auth/callback")
			return v
		}},
		{name: "expired", advance: 10 * time.Minute, want: "bad_verification_code", form: func(code string) url.Values { return creds(f, code) }},
		{name: "just in time", advance: 9*time.Minute + 59*time.Second, form: func(code string) url.Values { return creds(f, code) }},
		{name: "matching redirect", form: func(code string) url.Values {
			v := creds(f, code)
			v.Set("redirect_uri", f.CallbackURL())
			return v
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code := signIn(t, f)
			f.Advance(tc.advance)
			out := exchangeCode(t, f, tc.form(code))
			if out["error"] != nilIfEmpty(tc.want) {
				t.Errorf("answered %v, want error %q", out, tc.want)
			}
			if tc.want != "" && (out["error_description"] == "" || out["access_token"] != nil) {
				t.Errorf("error answer %v lacks a description or carries a token", out)
			}
		})
	}
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func TestOAuthCodeIsSingleUse(t *testing.T) {
	w := oauthWorld(t, Options{})
	f := w.f
	code := signIn(t, f)
	if out := exchangeCode(t, f, creds(f, code)); out["access_token"] == nil {
		t.Fatalf("first exchange: %v", out)
	}
	if out := exchangeCode(t, f, creds(f, code)); out["error"] != "bad_verification_code" {
		t.Errorf("second exchange: %v, want bad_verification_code", out)
	}
}

func TestOAuthFormEncodedAnswer(t *testing.T) {
	w := oauthWorld(t, Options{})
	f := w.f
	resp, err := http.PostForm(f.URL()+"/login/oauth/access_token", creds(f, signIn(t, f)))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	v, err := url.ParseQuery(string(data))
	if err != nil || !strings.HasPrefix(v.Get("access_token"), "ghu_") || v.Get("token_type") != "bearer" {
		t.Errorf("without Accept: JSON: %s", data)
	}
}

func TestOAuthExpiringTokensAndRefresh(t *testing.T) {
	w := oauthWorld(t, Options{ExpiringUserTokens: true})
	f := w.f
	out := exchangeCode(t, f, creds(f, signIn(t, f)))
	tok, _ := out["access_token"].(string)
	refresh, _ := out["refresh_token"].(string)
	if out["expires_in"] != float64(28800) || !strings.HasPrefix(refresh, "ghr_") {
		t.Fatalf("expiring token answer %v", out)
	}
	f.Advance(8 * time.Hour)
	if code, _ := userGet(t, f, tok, "/user"); code != http.StatusUnauthorized {
		t.Errorf("expired token: %d, want 401", code)
	}
	form := url.Values{"client_id": {f.ClientID()}, "client_secret": {f.ClientSecret()}, "grant_type": {"refresh_token"}, "refresh_token": {refresh}}
	out = exchangeCode(t, f, form)
	tok2, _ := out["access_token"].(string)
	if code, _ := userGet(t, f, tok2, "/user"); code != http.StatusOK {
		t.Errorf("refreshed token: %d (%v)", code, out)
	}
	if out := exchangeCode(t, f, form); out["error"] != "bad_refresh_token" {
		t.Errorf("refresh token used twice: %v", out)
	}
}

func TestOAuthUserTokenSeesWhatTheUserSees(t *testing.T) {
	w := oauthWorld(t, Options{})
	f := w.f
	if err := f.SetOrgMembership("acme", Membership{Login: "mona", Role: "admin"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.AddOrg(Org{Login: "other"}); err != nil {
		t.Fatal(err)
	}
	if err := f.SetOrgMembership("other", Membership{Login: "mona"}); err != nil {
		t.Fatal(err)
	}
	tokens := map[string]string{}
	for _, login := range []string{"mona", "otto", "pia"} {
		tok, err := f.UserToken(login)
		if err != nil {
			t.Fatal(err)
		}
		tokens[login] = tok
	}
	for _, tc := range []struct {
		user, path string
		status     int
		want       string // a fragment of the body
	}{
		{"mona", "/user/memberships/orgs/acme", 200, `"role":"admin"`},
		{"otto", "/user/memberships/orgs/acme", 200, `"role":"member"`},
		{"pia", "/user/memberships/orgs/acme", 200, `"state":"pending"`},
		{"otto", "/user/memberships/orgs/nope", 404, ""},
		{"mona", "/user/memberships/orgs/other", 403, "Resource not accessible by integration"}, // the app is not installed there
		{"mona", "/orgs/acme/teams/ospo/memberships/otto", 200, `"state":"active"`},
		{"otto", "/orgs/acme/teams/ospo/memberships/otto", 200, `"role":"member"`},
		{"otto", "/orgs/acme/teams/ospo/memberships/mona", 404, ""},
		{"pia", "/orgs/acme/teams/ospo/memberships/otto", 404, ""}, // not yet an active member
		{"mona", "/orgs/acme/memberships/otto", 200, `"role":"member"`},
		{"otto", "/repos/acme/widgets", 401, "Bad credentials"}, // not a route the fake lets user tokens on
	} {
		code, data := userGet(t, f, tokens[tc.user], tc.path)
		if code != tc.status || !strings.Contains(string(data), tc.want) {
			t.Errorf("%s GET %s: %d %s, want %d with %s", tc.user, tc.path, code, data, tc.status, tc.want)
		}
	}
	// An installation token is not a user's.
	if resp, data := w.do(t, "GET", "/user", ""); resp.StatusCode != http.StatusForbidden {
		t.Errorf("GET /user with an installation token: %d %s", resp.StatusCode, data)
	}
	f.CheckNoViolations(t)
}

func TestOAuthRevocation(t *testing.T) {
	w := oauthWorld(t, Options{})
	f := w.f
	out := exchangeCode(t, f, creds(f, signIn(t, f)))
	tok, _ := out["access_token"].(string)
	revoke := func(id, secret, token string) int {
		req, _ := http.NewRequest("DELETE", f.URL()+"/applications/"+f.ClientID()+"/token", strings.NewReader(`{"access_token":"`+token+`"}`))
		req.Header.Set("Content-Type", "application/json")
		if id != "" {
			req.SetBasicAuth(id, secret)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for _, tc := range []struct {
		name, id, secret, token string
		want                    int
	}{
		{"no credentials", "", "", tok, http.StatusUnauthorized},
		{"wrong secret", f.ClientID(), "nope", tok, http.StatusNotFound},
		{"unknown token", f.ClientID(), f.ClientSecret(), "ghu_nope", http.StatusNotFound},
		{"revoked", f.ClientID(), f.ClientSecret(), tok, http.StatusNoContent},
		{"already revoked", f.ClientID(), f.ClientSecret(), tok, http.StatusNotFound},
	} {
		if got := revoke(tc.id, tc.secret, tc.token); got != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, got, tc.want)
		}
		if tc.name == "wrong secret" {
			if code, _ := userGet(t, f, tok, "/user"); code != http.StatusOK {
				t.Errorf("token before revocation: %d", code)
			}
		}
	}
	if code, _ := userGet(t, f, tok, "/user"); code != http.StatusUnauthorized {
		t.Errorf("revoked token: %d, want 401", code)
	}
}

func TestOAuthDefaults(t *testing.T) {
	w := newWorld(t, Options{})
	if !strings.HasPrefix(w.f.ClientID(), "Iv1.") || w.f.ClientSecret() != DefaultClientSecret || w.f.CallbackURL() != DefaultCallbackURL {
		t.Errorf("defaults %q %q %q", w.f.ClientID(), w.f.ClientSecret(), w.f.CallbackURL())
	}
	w = newWorld(t, Options{ClientID: "Iv23liX", ClientSecret: "s", CallbackURL: "https://x/cb"})
	if w.f.ClientID() != "Iv23liX" || w.f.ClientSecret() != "s" || w.f.CallbackURL() != "https://x/cb" {
		t.Errorf("options not kept")
	}
}
