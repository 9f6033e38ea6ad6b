package signin

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/gorilla/securecookie"
	"github.com/rs/zerolog"

	"github.com/ospo-bot/ospo-bot/internal/store"
)

// The session's rules.
const (
	// RecheckAfter: a request after this long since GitHub last confirmed
	// the viewer's access asks GitHub again; someone who lost access
	// (left the approvers' team, no longer an owner) loses the session.
	RecheckAfter = 15 * time.Minute
	// Lifetime is a session's absolute lifetime: sign in again after it.
	Lifetime = 12 * time.Hour
	// IdleTimeout ends a session unused for this long.
	IdleTimeout = 2 * time.Hour
	// StateLifetime is how long a sign-in started at /dashboard/login may
	// take to come back from GitHub.
	StateLifetime = 10 * time.Minute
	// touchEvery bounds the writes that record a session's use (for
	// IdleTimeout) to one a minute.
	touchEvery = time.Minute
)

// Cookie names. The __Host- prefix makes browsers refuse them unless they
// are Secure, for the whole host (Path=/) and set by it (no Domain), so no
// other host under the same domain can plant or overwrite them. Browsers
// treat http://localhost and http://127.0.0.1 as secure, so the demo's
// plain-HTTP server keeps them too.
const (
	SessionCookie = "__Host-ospo-session"
	StateCookie   = "__Host-ospo-signin"
)

// keysName names the cookie keys kept in the store.
const keysName = "dashboard-cookies"

//go:embed templates
var files embed.FS

var pageTmpl = template.Must(template.ParseFS(files, "templates/page.html"))

// Checker says which orgs' dashboards a user may see (Access).
type Checker interface {
	Orgs(ctx context.Context, login string) ([]string, error)
}

// Options configure sign-in.
type Options struct {
	// ClientID and ClientSecret are the GitHub App's OAuth credentials.
	ClientID, ClientSecret string
	// CallbackURL is PublicURL/dashboard/auth/callback, as registered on
	// the App.
	CallbackURL string
	// WebURL is GitHub's web address (https://github.com), APIURL its REST
	// API (https://api.github.com/).
	WebURL, APIURL string
	Store          *store.Store
	// Access says who may see which org (an *Access in production).
	Access Checker
	// HTTPClient talks to GitHub as the signing-in user; default a client
	// with a 30 s timeout.
	HTTPClient *http.Client
	// Now is the sessions' clock; nil: time.Now.
	Now func() time.Time
}

// Service signs viewers in and out and guards the dashboard.
type Service struct {
	o              Options
	session, state *securecookie.SecureCookie
	web, api       *url.URL
}

// New checks o and reads (or, the first time, makes) the keys of the
// cookies from the store, so every replica shares them.
func New(ctx context.Context, o Options) (*Service, error) {
	if o.ClientID == "" || o.ClientSecret == "" || o.Store == nil || o.Access == nil {
		return nil, errors.New("signin: a client ID, client secret, store and access checker are required")
	}
	web, err := url.Parse(strings.TrimSuffix(o.WebURL, "/"))
	if err != nil || web.Host == "" {
		return nil, fmt.Errorf("signin: GitHub's web URL %q is not absolute", o.WebURL)
	}
	api, err := url.Parse(strings.TrimSuffix(o.APIURL, "/") + "/")
	if err != nil || api.Host == "" {
		return nil, fmt.Errorf("signin: GitHub's API URL %q is not absolute", o.APIURL)
	}
	if _, err := url.Parse(o.CallbackURL); err != nil || o.CallbackURL == "" {
		return nil, fmt.Errorf("signin: the callback URL %q is not a URL", o.CallbackURL)
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	hashKey, blockKey, err := o.Store.CookieKeys(ctx, keysName, func() ([]byte, []byte, error) {
		h, b := securecookie.GenerateRandomKey(64), securecookie.GenerateRandomKey(32)
		if h == nil || b == nil {
			return nil, nil, errors.New("signin: no randomness for the cookie keys")
		}
		return h, b, nil
	})
	if err != nil {
		return nil, err
	}
	s := &Service{o: o, web: web, api: api}
	// One pair of keys; each cookie's name is part of what is signed, so
	// the one cannot pass for the other.
	s.session = securecookie.New(hashKey, blockKey).MaxAge(int(Lifetime.Seconds()))
	s.state = securecookie.New(hashKey, blockKey).MaxAge(int(StateLifetime.Seconds()))
	return s, nil
}

// Handler serves sign-in, its callback and sign-out, and puts the viewer
// in the context of every other request before next (the dashboard's
// pages). The stylesheet is served without a session. Wrap it in
// web.SecurityHeaders.
func (s *Service) Handler(next http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /dashboard/login", s.login)
	mux.HandleFunc("GET /dashboard/auth/callback", s.callback)
	mux.HandleFunc("POST /dashboard/logout", s.logout)
	mux.Handle("/dashboard/-/static/", next)
	mux.Handle("/", s.require(next))
	return mux
}

// Off serves the dashboard when sign-in is not configured: a page that
// says how to turn it on, for every path but the stylesheet.
func Off(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/dashboard/-/static/") {
			next.ServeHTTP(w, r)
			return
		}
		writePage(w, r, http.StatusServiceUnavailable, "The dashboard is off", nil,
			"Sign-in with GitHub is not configured, so nobody can see the dashboard.",
			"An admin turns it on: register https://HOST/dashboard/auth/callback as a callback URL on the GitHub App's settings page, generate a client secret there, "+
				"and start ospo-bot with OSPO_GITHUB_CLIENT_ID (the App's client ID), OSPO_GITHUB_CLIENT_SECRET and OSPO_PUBLIC_URL=https://HOST (README, \"Dashboard\").")
	})
}

func (s *Service) now() time.Time { return s.o.Now().UTC() }

// require finds the request's session and its viewer, re-asks GitHub once
// RecheckAfter has passed, and calls next with the viewer in the context.
func (s *Service) require(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		log := zerolog.Ctx(ctx)
		id, sess, err := s.current(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if sess == nil {
			if _, err := r.Cookie(SessionCookie); err == nil {
				clearCookie(w, SessionCookie)
			}
			s.toLogin(w, r)
			return
		}
		now := s.now()
		if now.Sub(sess.ConfirmedAt) >= RecheckAfter {
			orgs, err := s.o.Access.Orgs(ctx, sess.Login)
			if err != nil {
				log.Warn().Err(err).Str("login", sess.Login).Msg("dashboard: access could not be confirmed with GitHub")
				s.unconfirmed(w, r)
				return
			}
			if len(orgs) == 0 {
				if _, err := s.o.Store.DeleteSession(ctx, id); err != nil {
					s.fail(w, r, err)
					return
				}
				log.Info().Str("login", sess.Login).Msg("dashboard: access withdrawn at the re-check, session ended")
				clearCookie(w, SessionCookie)
				s.forbidden(w, r, sess.Login)
				return
			}
			alive, err := s.o.Store.ConfirmSession(ctx, id, orgs, now)
			if err != nil {
				s.fail(w, r, err)
				return
			}
			if !alive { // revoked while GitHub was asked
				clearCookie(w, SessionCookie)
				s.toLogin(w, r)
				return
			}
			sess.Orgs = orgs
		} else if now.Sub(sess.SeenAt) >= touchEvery {
			if err := s.o.Store.TouchSession(ctx, id, now); err != nil {
				log.Warn().Err(err).Msg("dashboard: record a session's use")
			}
		}
		v := Viewer{Login: sess.Login, Orgs: sess.Orgs, CSRF: sess.CSRF}
		next.ServeHTTP(w, r.WithContext(WithViewer(ctx, v)))
	})
}

// current returns the request's live session and its ID, or nil: no
// cookie, a cookie we did not make (tampered, or of old keys), a session
// ended, expired or idle too long (then forgotten).
func (s *Service) current(r *http.Request) (string, *store.Session, error) {
	c, err := r.Cookie(SessionCookie)
	if err != nil {
		return "", nil, nil
	}
	var id string
	if err := s.session.Decode(SessionCookie, c.Value, &id); err != nil || id == "" {
		return "", nil, nil
	}
	sess, err := s.o.Store.Session(r.Context(), id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil, nil
	}
	if err != nil {
		return "", nil, err
	}
	now := s.now()
	if !now.Before(sess.ExpiresAt) || now.Sub(sess.SeenAt) >= IdleTimeout {
		if _, err := s.o.Store.DeleteSession(r.Context(), id); err != nil {
			return "", nil, err
		}
		return "", nil, nil
	}
	return id, &sess, nil
}

// toLogin sends a GET to sign-in, to come back to the same page; any
// other method is told to sign in (its body cannot be replayed).
func (s *Service) toLogin(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		writePage(w, r, http.StatusUnauthorized, "Not signed in", &link{"/dashboard/login", "Sign in with GitHub"},
			"You are not signed in, or your session has ended. Sign in again.")
		return
	}
	ret, ok := localPath(r.URL.RequestURI())
	if !ok {
		ret = "/dashboard/"
	}
	http.Redirect(w, r, "/dashboard/login?"+url.Values{"return": {ret}}.Encode(), http.StatusFound)
}

// localPath accepts a return path only if it is a page of the dashboard
// on this host: never another host ("//evil.example", "https://…",
// "/\evil.example"), never the sign-in pages themselves.
func localPath(v string) (string, bool) {
	if v == "" || len(v) > 2048 || !strings.HasPrefix(v, "/dashboard/") || strings.ContainsAny(v, "\\\x00\r\n\t") {
		return "", false
	}
	u, err := url.Parse(v)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return "", false
	}
	p := path.Clean(u.Path)
	if p != "/dashboard" && !strings.HasPrefix(p, "/dashboard/") || p == "/dashboard/login" || p == "/dashboard/auth/callback" || p == "/dashboard/logout" {
		return "", false
	}
	u.Fragment = ""
	return u.RequestURI(), true
}

// logout ends the session named by the cookie, if the form carries its
// CSRF token (so another site cannot sign the viewer out).
func (s *Service) logout(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	if err := r.ParseForm(); err != nil {
		writePage(w, r, http.StatusBadRequest, "Sign-out failed", &link{"/dashboard/", "Back to the dashboard"}, "The sign-out form could not be read: "+err.Error())
		return
	}
	id, sess, err := s.current(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if sess == nil {
		clearCookie(w, SessionCookie)
		writePage(w, r, http.StatusOK, "Signed out", &link{"/dashboard/login", "Sign in with GitHub"}, "You are not signed in.")
		return
	}
	if subtle.ConstantTimeCompare([]byte(r.PostForm.Get("csrf")), []byte(sess.CSRF)) != 1 {
		writePage(w, r, http.StatusForbidden, "Sign-out refused", &link{"/dashboard/", "Back to the dashboard"},
			"This sign-out did not come from the dashboard's own form (its CSRF token is missing or wrong), so you are still signed in. Use the Sign out button on a dashboard page.")
		return
	}
	if _, err := s.o.Store.DeleteSession(r.Context(), id); err != nil {
		s.fail(w, r, err)
		return
	}
	zerolog.Ctx(r.Context()).Info().Str("login", sess.Login).Msg("dashboard: signed out")
	clearCookie(w, SessionCookie)
	writePage(w, r, http.StatusOK, "Signed out", &link{"/dashboard/login", "Sign in again"},
		"You are signed out of the ospo-bot dashboard. You are still signed in to GitHub.")
}

// forbidden is the 403 of someone who may see no org's dashboard.
func (s *Service) forbidden(w http.ResponseWriter, r *http.Request, login string) {
	writePage(w, r, http.StatusForbidden, "You may not see the dashboard", &link{"/dashboard/login", "Sign in again"},
		"GitHub says "+login+" is neither an owner nor a review approver of any organisation ospo-bot is installed on.",
		"An organisation's dashboard is shown to its owners and to the review approvers named by review.approvers in its ospo.yml (in the organisation's .github repository): the users listed there and the members of the teams listed there. Access is checked with GitHub at sign-in and again every 15 minutes.",
		"If you were added since, sign in again.")
}

// unconfirmed is the 503 of a check GitHub did not answer: not a no.
func (s *Service) unconfirmed(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Retry-After", "30")
	writePage(w, r, http.StatusServiceUnavailable, "Access could not be confirmed", &link{r.URL.RequestURI(), "Try again"},
		"GitHub did not answer whether you may see the dashboard (it may be busy or rate-limited), so access could not be confirmed. Try again in a moment.")
}

func (s *Service) fail(w http.ResponseWriter, r *http.Request, err error) {
	zerolog.Ctx(r.Context()).Error().Err(err).Str("path", r.URL.Path).Msg("dashboard sign-in failed")
	writePage(w, r, http.StatusInternalServerError, "Something went wrong", &link{"/dashboard/", "Back to the dashboard"},
		"Something went wrong on our side; it has been logged. Try again in a moment.")
}

type link struct{ Href, Text string }

// writePage writes one of sign-in's pages; html/template escapes every
// text (logins and GitHub's error descriptions included).
func writePage(w http.ResponseWriter, r *http.Request, status int, title string, l *link, paragraphs ...string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if r.Method == http.MethodHead {
		return
	}
	if err := pageTmpl.ExecuteTemplate(w, "page.html", map[string]any{"Title": title, "Paragraphs": paragraphs, "Link": l}); err != nil {
		zerolog.Ctx(r.Context()).Warn().Err(err).Msg("dashboard sign-in page: write")
	}
}

func setCookie(w http.ResponseWriter, name, value string, maxAge time.Duration) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: int(maxAge.Seconds()),
		Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode})
}

func clearCookie(w http.ResponseWriter, name string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: "/", MaxAge: -1, Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode})
}

// random is 32 random bytes, URL-safe.
func random() string { return rand.Text() + rand.Text() }
