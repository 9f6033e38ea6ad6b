// Package ghclient builds ospo-bot's one GitHub client stack, through which every GitHub API call of the product goes: ghinstallation (app JWT and installation tokens) → ETag cache → rate-limit-aware retry → logging and metrics.
package ghclient

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/die-net/lrucache"
	"github.com/golang-jwt/jwt/v4"
	"github.com/google/go-github/v66/github"
	"github.com/gregjones/httpcache"
	"github.com/palantir/go-githubapp/githubapp"
	"github.com/rs/zerolog"

	"github.com/ospo-bot/ospo-bot/internal/metrics"
)

// Defaults for the zero values of Config.
const (
	DefaultAPIURL     = "https://api.github.com/"
	DefaultUserAgent  = "ospo-bot/dev"
	DefaultCacheSize  = 32 << 20 // bytes
	DefaultMaxRetries = 2
	DefaultRetryWait  = 250 * time.Millisecond
	DefaultTimeout    = 30 * time.Second
)

// installationClients is how many installation clients (each with its token
// and its view of the ETag cache) the creator keeps.
const installationClients = 256

// Config configures the GitHub client stack.
type Config struct {
	// APIURL is the REST API's base URL, e.g. https://api.github.com/ or
	// https://ghe.example.com/api/v3/; it is used by app and installation
	// clients and for the installation token endpoint. Default api.github.com.
	APIURL     string
	AppID      int64
	PrivateKey []byte // the app's private key, PEM (PKCS#1 or PKCS#8 RSA)
	// UserAgent is the base user agent, e.g. "ospo-bot/1.2.3"; go-githubapp
	// appends " (installation: N)" or " (application)".
	UserAgent string
	// CacheSize bounds, in bytes, the ETag cache shared by all clients;
	// 0 means 32 MiB.
	CacheSize int64
	// MaxRetries is how often an idempotent request (GET, HEAD, and the
	// installation token request) is retried after a 502, 503, 504 or a
	// connection error; 0 means 2, a negative value disables retries.
	MaxRetries int
	// RetryWait is the base of the exponential backoff between those
	// retries; 0 means 250ms.
	RetryWait time.Duration
	// Timeout bounds each API call, retries and token refresh included;
	// 0 means 30s.
	Timeout time.Duration
	// Budget, when set, gives each content-generating request of an
	// installation a slot first (budget.go); nil sends them unchecked.
	Budget Budget
	// Concurrency bounds each installation's requests in flight in this
	// process (concurrency.go); 0 means DefaultConcurrency.
	Concurrency int
	// TokenFailureWait is how long an installation whose token GitHub
	// failed to mint is not asked for one again (tokenwait.go); 0 means
	// DefaultTokenFailureWait.
	TokenFailureWait time.Duration
}

// NewClientCreator returns the ClientCreator every part of ospo-bot uses
// to talk to GitHub. Installation clients are cached per installation, so
// tokens and ETags are reused. m may be nil (no metrics). It fails, without
// touching the network, on a bad API URL, app id or private key.
func NewClientCreator(cfg Config, m *metrics.Metrics) (githubapp.ClientCreator, error) {
	cfg, apiURL, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if _, err := jwt.ParseRSAPrivateKeyFromPEM(cfg.PrivateKey); err != nil {
		return nil, fmt.Errorf("github private key is not a valid RSA PEM key: %w", err)
	}
	routes, err := parseRoutes(routesTxt)
	if err != nil {
		return nil, fmt.Errorf("github route templates: %w", err)
	}
	obs := &observer{
		metrics: m,
		routes:  routes,
		prefix:  strings.TrimSuffix(apiURL.EscapedPath(), "/"),
		rates:   NewRateLimits(),
	}

	// The ETag cache. httpcache keys entries by URL alone, but a response
	// depends on who asks: installations see different repositories, and
	// an entry stored for one installation must never answer another.
	// go-githubapp calls the cache function once per client it builds (one
	// per installation, one for the app), so each client gets its
	// own namespace (a unique key prefix) in ONE byte-bounded LRU. That
	// keeps the memory bound global (CacheSize in total, however many
	// installations there are) while busy installations get the room that
	// idle ones do not use; entries of evicted clients simply age out of
	// the LRU. One response may take at most an eighth of the cache, so a
	// single large file cannot flush everyone else's ETags.
	shared := lrucache.New(cfg.CacheSize, 0)
	namespaces := &namespaceSeq{}
	cacheFunc := func() httpcache.Cache {
		return &namespacedCache{
			shared:   shared,
			prefix:   namespaces.next(),
			maxEntry: cfg.CacheSize / 8,
		}
	}

	base := newBaseTransport()
	inner := &innerTransport{
		next: &retryTransport{
			next:       base,
			maxRetries: cfg.MaxRetries,
			wait:       cfg.RetryWait,
		},
		obs:       obs,
		userAgent: cfg.UserAgent,
	}

	delegate := githubapp.NewClientCreator(
		apiURL.String(),
		v4URL(apiURL),
		cfg.AppID,
		cfg.PrivateKey,
		githubapp.WithClientUserAgent(cfg.UserAgent),
		githubapp.WithClientTimeout(cfg.Timeout),
		// alwaysValidate=true: every cached GET is revalidated with
		// If-None-Match instead of being served for up to max-age=60s.
		// A 304 costs no rate limit, and the bot never acts on a view of
		// GitHub that is older than its last write (a stale list of
		// comments would mean a duplicate sticky comment).
		githubapp.WithClientCaching(true, cacheFunc),
		githubapp.WithClientMiddleware(
			obs.middleware, // outermost: sees X-From-Cache and the final status
			githubapp.ClientLogging(zerolog.DebugLevel),
		),
		githubapp.WithTransport(inner),
	)
	// Each installation client, wrapped once under the caching creator:
	// a content-generating request first takes a slot of the budget
	// (budget.go), then a place among the installation's requests in
	// flight (concurrency.go), so a wait for a slot holds no place.
	limits := newLimiter(cfg.Concurrency, cfg.TokenFailureWait)
	delegate = &wrappingCreator{ClientCreator: delegate, wrap: func(id int64, next http.RoundTripper) http.RoundTripper {
		next = limits.transport(id, next)
		if cfg.Budget != nil {
			next = &budgetTransport{next: next, budget: cfg.Budget, id: id, routes: routes, prefix: obs.prefix}
		}
		return next
	}}
	cc, err := githubapp.NewCachingClientCreator(delegate, installationClients)
	if err != nil {
		return nil, fmt.Errorf("github client cache: %w", err)
	}
	return &creator{ClientCreator: cc, rates: obs.rates}, nil
}

// wrappingCreator wraps the transport of every installation client it
// makes.
type wrappingCreator struct {
	githubapp.ClientCreator
	wrap func(installationID int64, next http.RoundTripper) http.RoundTripper
}

func (c *wrappingCreator) NewInstallationClient(installationID int64) (*github.Client, error) {
	inner, err := c.ClientCreator.NewInstallationClient(installationID)
	if err != nil {
		return nil, err
	}
	hc := inner.Client() // a copy: inner stays as it is
	hc.Transport = c.wrap(installationID, hc.Transport)
	out := github.NewClient(hc)
	out.BaseURL, out.UploadURL, out.UserAgent = inner.BaseURL, inner.UploadURL, inner.UserAgent
	return out, nil
}

// creator also keeps the app client: go-githubapp builds a new one, with a
// new cache namespace, on every call. The app client signs a fresh JWT for
// each request, so one client serves for the life of the process.
type creator struct {
	githubapp.ClientCreator

	mu  sync.Mutex
	app *github.Client

	rates *RateLimits // what the responses reported (ratelimit.go)
}

func (c *creator) NewAppClient() (*github.Client, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.app == nil {
		app, err := c.ClientCreator.NewAppClient()
		if err != nil {
			return nil, err
		}
		c.app = app
	}
	return c.app, nil
}

// withDefaults validates cfg and fills in its zero values.
func (cfg Config) withDefaults() (Config, *url.URL, error) {
	if cfg.APIURL == "" {
		cfg.APIURL = DefaultAPIURL
	}
	u, err := url.Parse(cfg.APIURL)
	if err != nil {
		return cfg, nil, fmt.Errorf("github API URL %q is malformed: %w", cfg.APIURL, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return cfg, nil, fmt.Errorf("github API URL %q must be an absolute http or https URL", cfg.APIURL)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return cfg, nil, fmt.Errorf("github API URL %q must not have a query, fragment or user info", cfg.APIURL)
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
		if u.RawPath != "" {
			u.RawPath += "/"
		}
	}
	if cfg.AppID <= 0 {
		return cfg, nil, errors.New("github app id must be a positive number")
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = DefaultUserAgent
	}
	switch {
	case cfg.CacheSize < 0:
		return cfg, nil, errors.New("github cache size must not be negative")
	case cfg.CacheSize == 0:
		cfg.CacheSize = DefaultCacheSize
	}
	switch {
	case cfg.MaxRetries < 0:
		cfg.MaxRetries = 0
	case cfg.MaxRetries == 0:
		cfg.MaxRetries = DefaultMaxRetries
	}
	for _, d := range []struct {
		name string
		v    *time.Duration
		def  time.Duration
	}{{"retry wait", &cfg.RetryWait, DefaultRetryWait}, {"timeout", &cfg.Timeout, DefaultTimeout}, {"token failure wait", &cfg.TokenFailureWait, DefaultTokenFailureWait}} {
		if *d.v < 0 {
			return cfg, nil, fmt.Errorf("github %s must not be negative", d.name)
		}
		*d.v = cmp.Or(*d.v, d.def)
	}
	if cfg.Concurrency < 0 {
		return cfg, nil, errors.New("github concurrency must not be negative")
	}
	cfg.Concurrency = cmp.Or(cfg.Concurrency, DefaultConcurrency)
	return cfg, u, nil
}

// v4URL derives the GraphQL endpoint from the REST base URL:
// https://api.github.com/graphql, https://ghe.example.com/api/graphql for
// GitHub Enterprise Server (/api/v3/), and <base>graphql otherwise.
func v4URL(rest *url.URL) string {
	u := *rest
	u.RawPath = ""
	switch {
	case strings.HasSuffix(u.Path, "/api/v3/"):
		u.Path = strings.TrimSuffix(u.Path, "v3/") + "graphql"
	default:
		u.Path += "graphql"
	}
	return u.String()
}

// newBaseTransport returns the HTTP transport under the whole stack, with
// more idle connections per host than Go's default of 2: the bot talks to
// one host, often concurrently.
func newBaseTransport() http.RoundTripper {
	dt, ok := http.DefaultTransport.(*http.Transport)
	if !ok {
		return http.DefaultTransport
	}
	t := dt.Clone()
	t.MaxIdleConnsPerHost = 16
	return t
}
