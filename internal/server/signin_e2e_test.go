package server_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ospo-bot/ospo-bot/internal/config"
	"github.com/ospo-bot/ospo-bot/internal/githubfake"
	"github.com/ospo-bot/ospo-bot/internal/server"
	"github.com/ospo-bot/ospo-bot/internal/signin"
	"github.com/ospo-bot/ospo-bot/internal/store"
	"github.com/ospo-bot/ospo-bot/internal/store/storetest"
)

// clock is a settable clock for the server's sessions.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// dash is a server with sign-in on, against a fake GitHub where acme's
// approvers are @acme/ospo-leads (lead) and its owner is boss, globex has
// no policy (its owners decide; boss is one), and dev is a plain member
// of acme.
type dash struct {
	*harness
	clock *clock
}

const orgMembershipRoute = "/orgs/{org}/memberships/{username}"

func startDash(t *testing.T, d store.Dialect) *dash {
	t.Helper()
	fake := newFakeWith(t, githubfake.Options{CallbackURL: "http://127.0.0.1/dashboard/auth/callback"})
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, org := range []string{"acme", "globex"} {
		_, err := fake.AddOrg(githubfake.Org{Login: org})
		must(err)
		must(fake.SetOrgMembership(org, githubfake.Membership{Login: "boss", Role: "admin"}))
	}
	_, err := fake.AddRepo(githubfake.Repo{Owner: "acme", Name: ".github", Files: map[string]string{
		"ospo.yml": "review:\n  repository: acme/ospo\n  approvers: [\"@acme/ospo-leads\"]\n"}})
	must(err)
	_, err = fake.AddTeam(githubfake.Team{Org: "acme", Slug: "ospo-leads"})
	must(err)
	must(fake.SetOrgMembership("acme", githubfake.Membership{Login: "lead"}))
	must(fake.SetTeamMembership("acme", "ospo-leads", githubfake.Membership{Login: "lead"}))
	must(fake.SetOrgMembership("acme", githubfake.Membership{Login: "dev"}))
	c := &clock{t: time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)}
	h := startWith(t, d, fake, func(cfg *config.Config, o *server.Options) {
		cfg.GitHubClientID, cfg.GitHubClientSecret, cfg.GitHubWebURL = fake.ClientID(), fake.ClientSecret(), fake.URL()
		o.Now = c.Now
	})
	for _, org := range []string{"acme", "globex"} {
		in, err := fake.AddInstallation(githubfake.Installation{Account: org})
		must(err)
		must(h.App.Store.UpsertInstallation(context.Background(), store.Installation{ID: in.ID, Account: org, AccountType: "Organization",
			RepositorySelection: "all", State: store.InstallationActive}))
	}
	return &dash{harness: h, clock: c}
}

// browser is a client with a cookie jar that follows redirects, like a
// browser, between the server and the fake GitHub.
func browser(t *testing.T) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar}
}

// noFollow is browser without following redirects.
func noFollow(c *http.Client) *http.Client {
	return &http.Client{Jar: c.Jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

type answer struct {
	status int
	body   string
	header http.Header
	url    *url.URL
}

func do(t *testing.T, c *http.Client, method, u string, form url.Values) answer {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return answer{status: resp.StatusCode, body: string(b), header: resp.Header, url: resp.Request.URL}
}

// signIn signs login in with a fresh browser from /dashboard/ and returns
// the browser and the last answer.
func (d *dash) signIn(t *testing.T, login string) (*http.Client, answer) {
	t.Helper()
	if err := d.GitHub.SignIn(login); err != nil {
		t.Fatal(err)
	}
	b := browser(t)
	return b, do(t, b, "GET", d.URL+"/dashboard/", nil)
}

// sessionCookie is the browser's session cookie for the server, or "".
func (d *dash) sessionCookie(c *http.Client) string {
	u, _ := url.Parse(d.URL)
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == signin.SessionCookie {
			return ck.Value
		}
	}
	return ""
}

func wantPage(t *testing.T, a answer, status int, words ...string) {
	t.Helper()
	if a.status != status {
		t.Fatalf("%s: %d, want %d:\n%s", a.url, a.status, status, a.body)
	}
	for _, w := range words {
		if !strings.Contains(a.body, w) {
			t.Fatalf("%s: the page does not say %q:\n%s", a.url, w, a.body)
		}
	}
	wantSecurityHeaders(t, a.header, a.url.String())
}

func wantSecurityHeaders(t *testing.T, h http.Header, what string) {
	t.Helper()
	csp := h.Get("Content-Security-Policy")
	if !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "script-src") ||
		h.Get("X-Content-Type-Options") != "nosniff" || h.Get("X-Frame-Options") != "DENY" {
		t.Fatalf("%s: security headers missing: %v", what, h)
	}
}

// An owner of both orgs signs in through GitHub and sees the list of
// orgs; an approver (a member of the team review.approvers names) of acme
// alone goes to acme's dashboard; a member who is neither gets the 403
// page that says who may, and no session. The user token is revoked at
// once.
func TestSignInOwnerApproverAndRefusal(t *testing.T) {
	for _, dl := range storetest.Dialects(t) {
		t.Run(string(dl), func(t *testing.T) {
			d := startDash(t, dl)
			b, a := d.signIn(t, "boss")
			wantPage(t, a, http.StatusOK, "Signed in as", "boss", "/dashboard/acme/", "/dashboard/globex/", `name="csrf"`)
			if a.url.Path != "/dashboard/" {
				t.Fatalf("ended at %s", a.url)
			}
			if d.sessionCookie(b) == "" {
				t.Fatal("no session cookie")
			}
			// Signed in: no trip to GitHub any more.
			if a := do(t, noFollow(b), "GET", d.URL+"/dashboard/", nil); a.status != http.StatusOK {
				t.Fatalf("second visit: %d", a.status)
			}
			var revoked bool
			for _, r := range d.GitHub.Requests() {
				revoked = revoked || r.Method == "DELETE" && strings.HasPrefix(r.Path, "/applications/")
			}
			if !revoked {
				t.Error("the user token was not revoked after sign-in")
			}

			// acme's pages land with the other helpers' work; the index
			// sends a viewer of one org there.
			_, a = d.signIn(t, "lead")
			if a.url.Path != "/dashboard/acme/" {
				t.Fatalf("lead ended at %s (%d):\n%s", a.url, a.status, a.body)
			}
			wantSecurityHeaders(t, a.header, "lead's page")
			leads := 0
			list, _ := d.App.Store.Sessions(context.Background())
			for _, s := range list {
				if s.Login == "lead" && len(s.Orgs) == 1 && s.Orgs[0] == "acme" {
					leads++
				}
			}
			if leads != 1 {
				t.Fatalf("lead's session: %+v", list)
			}

			b, a = d.signIn(t, "dev")
			wantPage(t, a, http.StatusForbidden, "dev", "owners", "review.approvers", "ospo.yml")
			if d.sessionCookie(b) != "" {
				t.Fatal("a refused user got a session cookie")
			}
			list, err := d.App.Store.Sessions(context.Background())
			if err != nil || len(list) != 2 {
				t.Fatalf("sessions: %d %v, want boss's and lead's", len(list), err)
			}
		})
	}
}

// The sign-in's cookies are Secure, HttpOnly, SameSite=Lax, Path=/ and
// __Host- (no Domain); the redirect to GitHub carries the client ID, the
// callback and a state.
func TestSignInCookieAttributes(t *testing.T) {
	d := startDash(t, store.SQLite)
	d.GitHub.SignIn("boss")
	b := noFollow(browser(t))
	a := do(t, b, "GET", d.URL+"/dashboard/login", nil)
	if a.status != http.StatusFound {
		t.Fatalf("login: %d", a.status)
	}
	wantSecurityHeaders(t, a.header, "login")
	loc, _ := url.Parse(a.header.Get("Location"))
	if !strings.HasPrefix(loc.String(), d.GitHub.URL()+"/login/oauth/authorize?") || loc.Query().Get("client_id") != d.GitHub.ClientID() ||
		loc.Query().Get("redirect_uri") != d.URL+"/dashboard/auth/callback" || len(loc.Query().Get("state")) < 32 {
		t.Fatalf("login redirects to %s", loc)
	}
	checkCookie := func(h http.Header, name string) {
		t.Helper()
		for _, line := range h.Values("Set-Cookie") {
			if !strings.HasPrefix(line, name+"=") {
				continue
			}
			for _, attr := range []string{"Path=/", "HttpOnly", "Secure", "SameSite=Lax"} {
				if !strings.Contains(line, "; "+attr) {
					t.Errorf("%s lacks %s: %s", name, attr, line)
				}
			}
			if strings.Contains(strings.ToLower(line), "domain=") {
				t.Errorf("%s has a Domain: %s", name, line)
			}
			return
		}
		t.Fatalf("no %s cookie set: %v", name, h.Values("Set-Cookie"))
	}
	checkCookie(a.header, signin.StateCookie)
	gh := do(t, b, "GET", loc.String(), nil)
	cb := do(t, b, "GET", gh.header.Get("Location"), nil)
	if cb.status != http.StatusFound || cb.header.Get("Location") != "/dashboard/" {
		t.Fatalf("callback: %d %s\n%s", cb.status, cb.header.Get("Location"), cb.body)
	}
	wantSecurityHeaders(t, cb.header, "callback")
	checkCookie(cb.header, signin.SessionCookie)
	if !strings.HasPrefix(signin.SessionCookie, "__Host-") || !strings.HasPrefix(signin.StateCookie, "__Host-") {
		t.Error("the cookies are not __Host- cookies")
	}
}

// The callback refuses a state that does not match the cookie's, a
// callback without the state cookie, a state older than 10 minutes, and a
// code used before (replayed with a fresh state); each is a 400 page that
// says to sign in again, with no session.
func TestSignInRefusesBadStateAndReplayedCode(t *testing.T) {
	d := startDash(t, store.SQLite)
	d.GitHub.SignIn("boss")
	// start returns a browser that went to GitHub and the callback URL
	// GitHub sent it back to (not yet followed).
	start := func() (*http.Client, *url.URL) {
		b := noFollow(browser(t))
		a := do(t, b, "GET", d.URL+"/dashboard/login", nil)
		gh := do(t, b, "GET", a.header.Get("Location"), nil)
		cb, err := url.Parse(gh.header.Get("Location"))
		if err != nil || cb.Query().Get("code") == "" {
			t.Fatalf("GitHub answered %d %s", gh.status, gh.header.Get("Location"))
		}
		return b, cb
	}
	noSession := func(b *http.Client) {
		t.Helper()
		if d.sessionCookie(b) != "" {
			t.Fatal("a session cookie was set")
		}
	}

	b, cb := start()
	q := cb.Query()
	q.Set("state", "forged")
	cb.RawQuery = q.Encode()
	wantPage(t, do(t, b, "GET", cb.String(), nil), http.StatusBadRequest, "Sign in again", "state does not match")
	noSession(b)

	_, cb = start()
	other := noFollow(browser(t)) // not the browser that started it
	wantPage(t, do(t, other, "GET", cb.String(), nil), http.StatusBadRequest, "not started in this browser")
	noSession(other)

	b, cb = start()
	d.clock.Advance(signin.StateLifetime + time.Second)
	wantPage(t, do(t, b, "GET", cb.String(), nil), http.StatusBadRequest, "more than 10 minutes ago")
	noSession(b)

	b, cb = start()
	if a := do(t, b, "GET", cb.String(), nil); a.status != http.StatusFound {
		t.Fatalf("first use of the code: %d\n%s", a.status, a.body)
	}
	// The same code again, with a state of a new sign-in of another browser.
	b2, cb2 := start()
	q = cb2.Query()
	q.Set("code", cb.Query().Get("code"))
	cb2.RawQuery = q.Encode()
	wantPage(t, do(t, b2, "GET", cb2.String(), nil), http.StatusBadRequest, "already used or has expired", "bad_verification_code")
	noSession(b2)
	// And the first browser's state cookie is good once.
	wantPage(t, do(t, b, "GET", cb.String(), nil), http.StatusBadRequest, "Sign in again")

	// GitHub's own refusal on the callback.
	b, cb = start()
	q = url.Values{"error": {"access_denied"}, "error_description": {"The user has denied your application access."}, "state": {cb.Query().Get("state")}}
	wantPage(t, do(t, b, "GET", d.URL+"/dashboard/auth/callback?"+q.Encode(), nil), http.StatusForbidden, "did not authorize", "access_denied")
}

// A session cookie that was tampered with, or one of another name's
// value, opens nothing: the browser is sent to sign in.
func TestTamperedSessionCookieRefused(t *testing.T) {
	d := startDash(t, store.SQLite)
	b, _ := d.signIn(t, "boss")
	val := d.sessionCookie(b)
	u, _ := url.Parse(d.URL)
	for name, v := range map[string]string{
		"flipped":   val[:len(val)-2] + string(rune('A'+(val[len(val)-2]+1)%26)) + val[len(val)-1:],
		"truncated": val[:len(val)/2],
		"empty":     "",
	} {
		t.Run(name, func(t *testing.T) {
			jar, _ := cookiejar.New(nil)
			jar.SetCookies(u, []*http.Cookie{{Name: signin.SessionCookie, Value: v, Path: "/"}})
			a := do(t, noFollow(&http.Client{Jar: jar}), "GET", d.URL+"/dashboard/", nil)
			if a.status != http.StatusFound || !strings.HasPrefix(a.header.Get("Location"), "/dashboard/login?return=") {
				t.Fatalf("%d %s, want a redirect to sign in", a.status, a.header.Get("Location"))
			}
			wantSecurityHeaders(t, a.header, "redirect to sign in")
		})
	}
	// The state cookie's value (same keys, other name) is no session.
	st := noFollow(browser(t))
	a := do(t, st, "GET", d.URL+"/dashboard/login", nil)
	var stateVal string
	for _, c := range st.Jar.Cookies(u) {
		if c.Name == signin.StateCookie {
			stateVal = c.Value
		}
	}
	jar, _ := cookiejar.New(nil)
	jar.SetCookies(u, []*http.Cookie{{Name: signin.SessionCookie, Value: stateVal, Path: "/"}})
	if a = do(t, noFollow(&http.Client{Jar: jar}), "GET", d.URL+"/dashboard/", nil); a.status != http.StatusFound {
		t.Fatalf("the state cookie opened a session: %d", a.status)
	}
}

// Sign-out needs the session's CSRF token; with it the session is gone
// and the old cookie, replayed, no longer works.
func TestLogout(t *testing.T) {
	d := startDash(t, store.SQLite)
	b, a := d.signIn(t, "boss")
	csrf := between(a.body, `name="csrf" value="`, `"`)
	if csrf == "" {
		t.Fatalf("no CSRF token on the page:\n%s", a.body)
	}
	old := d.sessionCookie(b)
	wantPage(t, do(t, b, "POST", d.URL+"/dashboard/logout", url.Values{}), http.StatusForbidden, "still signed in")
	wantPage(t, do(t, b, "POST", d.URL+"/dashboard/logout", url.Values{"csrf": {"wrong"}}), http.StatusForbidden, "CSRF")
	if a := do(t, noFollow(b), "GET", d.URL+"/dashboard/", nil); a.status != http.StatusOK {
		t.Fatalf("a refused sign-out ended the session: %d", a.status)
	}
	wantPage(t, do(t, b, "POST", d.URL+"/dashboard/logout", url.Values{"csrf": {csrf}}), http.StatusOK, "signed out")
	u, _ := url.Parse(d.URL)
	jar, _ := cookiejar.New(nil)
	jar.SetCookies(u, []*http.Cookie{{Name: signin.SessionCookie, Value: old, Path: "/"}})
	a = do(t, noFollow(&http.Client{Jar: jar}), "GET", d.URL+"/dashboard/", nil)
	if a.status != http.StatusFound || !strings.HasPrefix(a.header.Get("Location"), "/dashboard/login") {
		t.Fatalf("the old cookie still works: %d %s", a.status, a.header.Get("Location"))
	}
}

func between(s, from, to string) string {
	_, rest, ok := strings.Cut(s, from)
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(rest, to)
	return v
}

// Someone removed from the approvers' team keeps the session until the
// 15-minute re-check, and loses it there (the session is revoked).
func TestRecheckRemovesAccess(t *testing.T) {
	d := startDash(t, store.SQLite)
	b, a := d.signIn(t, "lead")
	if a.url.Path != "/dashboard/acme/" {
		t.Fatalf("lead ended at %s", a.url)
	}
	if err := d.GitHub.RemoveTeamMembership("acme", "ospo-leads", "lead"); err != nil {
		t.Fatal(err)
	}
	d.clock.Advance(signin.RecheckAfter - time.Second)
	if a := do(t, noFollow(b), "GET", d.URL+"/dashboard/", nil); a.status != http.StatusFound || a.header.Get("Location") != "/dashboard/acme/" {
		t.Fatalf("before the re-check: %d %s", a.status, a.header.Get("Location"))
	}
	d.clock.Advance(time.Second)
	wantPage(t, do(t, noFollow(b), "GET", d.URL+"/dashboard/", nil), http.StatusForbidden, "review.approvers")
	if list, _ := d.App.Store.Sessions(context.Background()); len(list) != 0 {
		t.Fatalf("the session was kept: %+v", list)
	}
	if a := do(t, noFollow(b), "GET", d.URL+"/dashboard/", nil); a.status != http.StatusFound || !strings.HasPrefix(a.header.Get("Location"), "/dashboard/login") {
		t.Fatalf("after the re-check: %d %s", a.status, a.header.Get("Location"))
	}
}

// A GitHub error while checking access is not a "no": at sign-in and at
// the re-check it is a 503 that says access could not be confirmed; the
// session survives it and works once GitHub answers.
func TestGitHubErrorIsNotAccess(t *testing.T) {
	d := startDash(t, store.SQLite)
	d.GitHub.InjectFault(githubfake.Fault{Route: orgMembershipRoute, Kind: githubfake.Status(502), Times: 100})
	b, a := d.signIn(t, "boss")
	wantPage(t, a, http.StatusServiceUnavailable, "could not be confirmed")
	if d.sessionCookie(b) != "" {
		t.Fatal("a session without confirmed access")
	}
	d.GitHub.ClearFaults()
	b, a = d.signIn(t, "boss")
	if a.status != http.StatusOK {
		t.Fatalf("sign-in: %d", a.status)
	}
	d.GitHub.InjectFault(githubfake.Fault{Route: orgMembershipRoute, Kind: githubfake.Status(503), Times: 100})
	d.clock.Advance(signin.RecheckAfter)
	wantPage(t, do(t, noFollow(b), "GET", d.URL+"/dashboard/", nil), http.StatusServiceUnavailable, "could not be confirmed", "Try again")
	d.GitHub.ClearFaults()
	if a := do(t, noFollow(b), "GET", d.URL+"/dashboard/", nil); a.status != http.StatusOK {
		t.Fatalf("once GitHub answers: %d\n%s", a.status, a.body)
	}
}

// The return path survives the trip to GitHub, and only a page of the
// dashboard is one: another host is refused.
func TestReturnPathStaysOnTheDashboard(t *testing.T) {
	d := startDash(t, store.SQLite)
	d.GitHub.SignIn("boss")
	b := browser(t)
	a := do(t, b, "GET", d.URL+"/dashboard/globex/reviews?since=2026-01-01", nil)
	if a.url.Path != "/dashboard/globex/reviews" || a.url.Query().Get("since") != "2026-01-01" {
		t.Fatalf("returned to %s", a.url)
	}
	for _, ret := range []string{"//evil.example/", "https://evil.example/dashboard/", "/\\evil.example", "/dashboard/..//evil.example",
		"http:/evil.example", "/%2F%2Fevil.example", "/dashboard/login"} {
		a := do(t, noFollow(browser(t)), "GET", d.URL+"/dashboard/login?"+url.Values{"return": {ret}}.Encode(), nil)
		wantPage(t, a, http.StatusBadRequest, "only returns to a /dashboard/ page")
	}
}

// Every answer under /dashboard carries the security headers, signed in
// or not: redirects, error pages, the stylesheet, the sign-out.
func TestSecurityHeadersEverywhere(t *testing.T) {
	d := startDash(t, store.SQLite)
	c := noFollow(browser(t))
	for _, tc := range []struct{ method, path string }{
		{"GET", "/dashboard"}, {"GET", "/dashboard/"}, {"GET", "/dashboard/acme/"}, {"GET", "/dashboard/login"},
		{"GET", "/dashboard/login?return=//x"}, {"GET", "/dashboard/auth/callback"}, {"GET", "/dashboard/auth/callback?error=access_denied"},
		{"POST", "/dashboard/logout"}, {"POST", "/dashboard/acme/"}, {"GET", "/dashboard/-/static/style.css"}, {"GET", "/dashboard/nope/x/y"},
	} {
		a := do(t, c, tc.method, d.URL+tc.path, url.Values{})
		wantSecurityHeaders(t, a.header, tc.method+" "+tc.path)
	}
	// The stylesheet of the sign-in pages needs no session.
	if a := do(t, c, "GET", d.URL+"/dashboard/-/static/style.css", nil); a.status != http.StatusOK || !strings.HasPrefix(a.header.Get("Content-Type"), "text/css") {
		t.Fatalf("stylesheet: %d %s", a.status, a.header.Get("Content-Type"))
	}
}

// Without a client ID the dashboard is off, and says how to turn it on.
func TestDashboardOff(t *testing.T) {
	h := start(t, store.SQLite)
	a := do(t, noFollow(browser(t)), "GET", h.URL+"/dashboard/", nil)
	wantPage(t, a, http.StatusServiceUnavailable, "The dashboard is off", "OSPO_GITHUB_CLIENT_ID", "OSPO_GITHUB_CLIENT_SECRET", "/dashboard/auth/callback")
	if a := do(t, noFollow(browser(t)), "GET", h.URL+"/dashboard/login", nil); a.status != http.StatusServiceUnavailable {
		t.Fatalf("login with the dashboard off: %d", a.status)
	}
}

// A user who revokes the App's authorization on GitHub (the
// github_app_authorization webhook, action revoked) loses every dashboard
// session at once; others keep theirs.
func TestAuthorizationRevokedEndsSessions(t *testing.T) {
	d := startDash(t, store.SQLite)
	boss, _ := d.signIn(t, "boss")
	lead, _ := d.signIn(t, "lead")
	body := []byte(strings.ReplaceAll(string(example(t, "github_app_authorization", "revoked.json")), `"octocat"`, `"BOSS"`))
	d.wait(d.send("github_app_authorization", body))
	if a := do(t, noFollow(boss), "GET", d.URL+"/dashboard/", nil); a.status != http.StatusFound || !strings.HasPrefix(a.header.Get("Location"), "/dashboard/login") {
		t.Fatalf("boss after revoking: %d %s", a.status, a.header.Get("Location"))
	}
	if a := do(t, noFollow(lead), "GET", d.URL+"/dashboard/", nil); a.status != http.StatusFound || a.header.Get("Location") != "/dashboard/acme/" {
		t.Fatalf("lead lost the session too: %d %s", a.status, a.header.Get("Location"))
	}
}
