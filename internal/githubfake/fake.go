// Package githubfake is a stateful in-memory fake of the GitHub REST API that checks every request against GitHub's API description.
package githubfake

import (
	"cmp"
	"crypto/rsa"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Options configure a Fake.
type Options struct {
	// AppID is the GitHub App's ID; the JWT's "iss" claim must equal it.
	AppID int64
	// PublicKey verifies the app's JWTs (RS256).
	PublicKey *rsa.PublicKey
	// AppSlug names the app; its bot user is "<slug>[bot]". Default "ospo-bot".
	AppSlug string
	// AppName is the app's display name. Default: AppSlug.
	AppName string
	// WebURL is GitHub's web root in html_url fields, without a trailing
	// slash: https://HOST for GitHub Enterprise Server. Default
	// https://github.com.
	WebURL string

	// SpecPath is GitHub's REST API description the requests are checked
	// against (.json or .json.gz). Default: DefaultSpec under the module's
	// testdata directory, found with FindTestdata.
	SpecPath string
	// DisableValidation turns off checking requests against the API
	// description, for the demo, which runs without the testdata directory.
	DisableValidation bool

	// Now is the fake's clock. Default time.Now.
	Now func() time.Time
	// TokenLifetime is how long installation tokens live. Default one hour.
	TokenLifetime time.Duration
	// RateLimit is the primary rate limit per installation and hour.
	// Default 5000.
	RateLimit int
	// ContentPerMinute and ContentPerHour are the secondary limits on
	// content-generating requests per installation (secondary.go) in
	// ContentMinute and ContentHour. Defaults 80 and 500 in a minute and
	// an hour; a simulation may shorten the windows to compress time.
	ContentPerMinute int
	ContentPerHour   int
	ContentMinute    time.Duration
	ContentHour      time.Duration
	// ConcurrentRequests is how many requests an installation may have in
	// flight at once; past it the fake answers a secondary rate limit
	// (concurrency.go). 0 means DefaultConcurrentRequests (GitHub's 100),
	// a negative value no limit.
	ConcurrentRequests int
	// RateWindow is how long a primary rate limit window lasts: GitHub's
	// is an hour, the default. Only simulations that compress time (a
	// large installation's first pass, in seconds) set it shorter.
	RateWindow time.Duration

	// ClientID and ClientSecret are the app's OAuth credentials for the
	// web application flow (oauth.go). Defaults "Iv1.<app ID in hex>" and
	// DefaultClientSecret.
	ClientID     string
	ClientSecret string
	// CallbackURL is the app's user authorization callback URL. Default
	// DefaultCallbackURL.
	CallbackURL string
	// ExpiringUserTokens makes user access tokens expire after eight
	// hours, with a refresh token, as the app setting of that name does.
	ExpiringUserTokens bool
}

// DefaultSpec is the API description the fake loads by default, relative to
// the module's testdata directory.
const DefaultSpec = "github/openapi/githubfake.json.gz"

// Fake is the fake GitHub API. It is an http.Handler; NewServer starts it
// on a local httptest server. All methods are safe for concurrent use.
type Fake struct {
	opts   Options
	spec   *spec // nil when validation is disabled
	routes *router

	mu sync.Mutex
	st state

	conc concurrency // requests in flight per installation

	skew atomic.Int64 // nanoseconds Advance moved the clock on

	log        []Request
	violations []string
	faults     []*Fault
	plan       *FaultPlan
	content    contentLimits

	// The App as registered from a manifest (manifest.go); nil until then.
	manifests      map[string]manifestCode
	appPermissions map[string]string
	appEvents      []string

	oauth oauthState // the web application flow (oauth.go)

	server *httptest.Server
}

// TB is the part of testing.TB that CheckNoViolations needs.
type TB interface {
	Helper()
	Errorf(format string, args ...any)
}

// ServerTB is the part of testing.TB that NewServer needs.
type ServerTB interface {
	TB
	Fatalf(format string, args ...any)
	Cleanup(func())
}

// New returns a fake that is not listening anywhere: serve it with
// net/http, or use NewServer.
func New(opts Options) (*Fake, error) {
	if opts.AppID <= 0 {
		return nil, errors.New("githubfake: Options.AppID is required")
	}
	if opts.PublicKey == nil {
		return nil, errors.New("githubfake: Options.PublicKey is required")
	}
	if opts.AppSlug == "" {
		opts.AppSlug = "ospo-bot"
	}
	if opts.AppName == "" {
		opts.AppName = opts.AppSlug
	}
	if opts.WebURL == "" {
		opts.WebURL = "https://github.com"
	}
	opts.WebURL = strings.TrimSuffix(opts.WebURL, "/")
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.TokenLifetime <= 0 {
		opts.TokenLifetime = time.Hour
	}
	if opts.RateLimit <= 0 {
		opts.RateLimit = 5000
	}
	opts.ContentPerMinute = cmp.Or(max(opts.ContentPerMinute, 0), DefaultContentPerMinute)
	opts.ContentPerHour = cmp.Or(max(opts.ContentPerHour, 0), DefaultContentPerHour)
	opts.ContentMinute = cmp.Or(max(opts.ContentMinute, 0), time.Minute)
	opts.ContentHour = cmp.Or(max(opts.ContentHour, 0), time.Hour)
	if opts.ConcurrentRequests == 0 {
		opts.ConcurrentRequests = DefaultConcurrentRequests
	}
	if opts.RateWindow <= 0 {
		opts.RateWindow = time.Hour
	}
	opts.oauthDefaults()
	f := &Fake{opts: opts, routes: newRouter()}
	if !opts.DisableValidation {
		path := opts.SpecPath
		if path == "" {
			p, err := FindTestdata(DefaultSpec)
			if err != nil {
				return nil, fmt.Errorf("githubfake: finding the API description: %w", err)
			}
			path = p
		}
		s, err := loadSpec(path)
		if err != nil {
			return nil, err
		}
		f.spec = s
	}
	f.st.init(f.opts.Now())
	f.st.rateWindow = opts.RateWindow
	f.st.bot = f.st.addAccount(0, opts.AppSlug+"[bot]", "Bot", f.opts.Now())
	return f, nil
}

// NewServer starts a fake on a local httptest server. On cleanup it closes
// the server and reports every request that GitHub would not have accepted.
func NewServer(t ServerTB, opts Options) *Fake {
	t.Helper()
	f, err := New(opts)
	if err != nil {
		t.Fatalf("%v", err)
		return nil
	}
	f.server = httptest.NewServer(f)
	t.Cleanup(func() {
		f.server.Close()
		f.CheckNoViolations(t)
	})
	return f
}

// Start serves the fake on a local port until Close, for use outside
// tests (the demo).
func (f *Fake) Start() {
	f.server = httptest.NewServer(f)
}

// URL is the base URL of the server started by NewServer, without a trailing
// slash ("http://127.0.0.1:PORT"). go-github wants it with one.
func (f *Fake) URL() string {
	if f.server == nil {
		return ""
	}
	return f.server.URL
}

// Close stops the server started by NewServer.
func (f *Fake) Close() {
	if f.server != nil {
		f.server.Close()
	}
}

// AppID is the app's ID.
func (f *Fake) AppID() int64 { return f.opts.AppID }

// BotUser is the app's bot account, the author of everything the app writes.
func (f *Fake) BotUser() User {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.st.bot.user()
}

func (f *Fake) now() time.Time { return f.opts.Now().Add(time.Duration(f.skew.Load())).UTC() }

// Advance moves the fake's clock on by d, so that what happens next (a
// push, a comment) is at a later time, to the second, than what came
// before. Keep it to seconds: the app's JWTs live two minutes, with a
// minute of skew.
func (f *Fake) Advance(d time.Duration) { f.skew.Add(int64(d)) }

// ServeHTTP answers one API request: route, check against the API
// description, inject faults, authenticate, handle, cache-validate, record.
func (f *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if f.serveManifestForm(w, r) || f.serveOAuthWeb(w, r) {
		return
	}
	c, early := f.begin(r)
	if early == nil {
		var done func()
		early, done = f.admit(c)
		defer done()
	}
	if early == nil {
		early = f.applyFaults(c)
	}
	out := f.respond(c, early)
	// What a handler answered must be what GitHub could answer; an early
	// reply (a request violation, an injected fault) is not the handler's.
	if early == nil && f.spec != nil {
		if v := f.spec.checkResponse(r, c.route, c.params, out); v != "" {
			f.addViolation(v)
		}
	}
	if c.lost {
		// The write is applied and recorded; the client never hears of
		// it. ErrAbortHandler makes net/http close the connection
		// without a response (and without logging a panic).
		panic(http.ErrAbortHandler)
	}
	out.write(w)
}

// respond computes the response under f.mu. A panic is a bug in the fake:
// it is answered 500 and recorded as a violation, so the test fails
// instead of the fake deadlocking.
func (f *Fake) respond(c *call, early *reply) (out output) {
	f.mu.Lock()
	defer f.mu.Unlock()
	defer func() {
		if p := recover(); p != nil {
			f.violations = append(f.violations, fmt.Sprintf("%s %s: githubfake panicked: %v", c.req.Method, c.req.URL.RequestURI(), p))
			c.header = http.Header{}
			c.reply = errReply(http.StatusInternalServerError, "githubfake: internal error")
			out = f.finish(c)
		}
	}()
	if early != nil {
		c.reply = *early
	} else {
		c.reply = f.handle(c)
	}
	return f.finish(c)
}

// handle authenticates the request and runs its handler; f.mu is held.
func (f *Fake) handle(c *call) reply {
	if rep := f.authenticate(c); rep != nil {
		return *rep
	}
	if rep := f.checkRateLimit(c); rep != nil {
		return *rep
	}
	if rep := f.checkContentLimit(c); rep != nil {
		return *rep
	}
	if rep := f.checkPermissions(c); rep != nil {
		return *rep
	}
	return c.route.handle(f, c)
}
