package ghclient

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/gregjones/httpcache"

	"github.com/ospo-bot/ospo-bot/internal/metrics"
)

// observer records GitHub requests in the metrics.
type observer struct {
	metrics *metrics.Metrics // nil: record nothing
	routes  *routeTable
	prefix  string // the API URL's escaped path without trailing slash, e.g. "/api/v3"
	rates   *RateLimits
}

// observedKey marks, in a request's context, the request that the outermost
// middleware counted, so that the innermost transport can count the
// requests made on its behalf that it never sees (the installation token
// request that ghinstallation sends itself).
type observedKey struct{}

type observedRequest struct{ method, path string }

type roundTripperFunc func(*http.Request) (*http.Response, error)

func (f roundTripperFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// middleware is the outermost layer of every client: it counts each
// request with its route template, final status and cache result, records
// the remaining rate limit, and hands the caller a response that carries
// no credentials.
func (o *observer) middleware(next http.RoundTripper) http.RoundTripper {
	return roundTripperFunc(func(req *http.Request) (*http.Response, error) {
		req = req.WithContext(context.WithValue(req.Context(), observedKey{},
			observedRequest{method: req.Method, path: req.URL.EscapedPath()}))
		resp, err := next.RoundTrip(req)
		if resp == nil {
			o.count(req, "error", "miss")
			return resp, err
		}
		cache := "miss"
		if resp.Header.Get(httpcache.XFromCache) == "1" {
			cache = "hit"
		}
		o.count(req, strconv.Itoa(resp.StatusCode), cache)
		o.rateRemaining(req, resp)
		return sanitized(resp, req), err
	})
}

// sanitized returns a shallow copy of resp for the caller, without what
// lower layers attached that holds a credential:
//   - resp.Request is the request as ghinstallation sent it, with the
//     Authorization header; the caller gets its own request instead.
//   - httpcache copies the request headers named in Vary into
//     X-Varied-* response headers, and GitHub varies on Authorization,
//     so the token would be in X-Varied-Authorization.
//
// resp itself is left alone: httpcache stores it (X-Varied-* included, as it
// needs them) when the caller reaches the end of the shared body. A
// caller may close the body before it read the end: go-github's JSON
// decoder stops after the value, and whether the reader had said EOF
// by then depends on how the bytes arrived, so a response was stored
// only sometimes, and the next request for it was counted in full where
// a 304 would do (issue 12). Closing the body reads it to its end first.
func sanitized(resp *http.Response, req *http.Request) *http.Response {
	out := *resp
	out.Request = req
	if resp.Body != nil {
		out.Body = drainOnClose{resp.Body}
	}
	out.Header = make(http.Header, len(resp.Header))
	for k, v := range resp.Header {
		if strings.HasPrefix(http.CanonicalHeaderKey(k), "X-Varied-") {
			continue
		}
		out.Header[k] = v
	}
	return &out
}

// maxDrain bounds what closing a body reads that its reader left.
const maxDrain = 4 << 20

// drainOnClose reads what is left of a body (up to maxDrain) when it is
// closed, so that httpcache, which stores a response at its body's EOF,
// stores it.
type drainOnClose struct{ io.ReadCloser }

func (d drainOnClose) Close() error {
	_, _ = io.CopyN(io.Discard, d.ReadCloser, maxDrain)
	return d.ReadCloser.Close()
}

func (o *observer) count(req *http.Request, status, cache string) {
	if o.metrics == nil {
		return
	}
	route := o.routes.Match(stripPrefix(req.URL.EscapedPath(), o.prefix))
	o.metrics.GitHubRequests.WithLabelValues(req.Method, route, status, cache).Inc()
}

func (o *observer) rateRemaining(req *http.Request, resp *http.Response) {
	if o.metrics == nil {
		return
	}
	v := resp.Header.Get("X-RateLimit-Remaining")
	if v == "" {
		return
	}
	remaining, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return
	}
	o.metrics.GitHubRateRemaining.WithLabelValues(strconv.FormatInt(installationID(req), 10)).Set(remaining)
}

// installationID returns the installation a request is made for, 0 for
// the app itself. go-githubapp v0.30.0 keeps the id in the request context
// under an unexported key and has no accessor for it, but it names the
// installation in the user agent of every client it builds:
// "<agent> (installation: 42)", "<agent> (application)".
func installationID(req *http.Request) int64 {
	ua := req.Header.Get("User-Agent")
	const marker = "(installation: "
	i := strings.LastIndex(ua, marker)
	if i < 0 {
		return 0
	}
	rest := ua[i+len(marker):]
	j := strings.IndexByte(rest, ')')
	if j < 0 {
		return 0
	}
	id, err := strconv.ParseInt(rest[:j], 10, 64)
	if err != nil {
		return 0
	}
	return id
}

// innerTransport sits directly above the retrying base transport, under
// ghinstallation and the ETag cache. It counts the requests the outermost
// middleware did not see (the installation token request), gives them
// ospo-bot's user agent, and keeps a failed token response from holding a
// connection or a credential (ghinstallation returns it, unclosed, inside
// its HTTPError, with the app's JWT in resp.Request).
type innerTransport struct {
	next      http.RoundTripper
	obs       *observer
	userAgent string
}

func (t *innerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	o, ok := req.Context().Value(observedKey{}).(observedRequest)
	unseen := !ok || o.method != req.Method || o.path != req.URL.EscapedPath()
	if req.Header.Get("User-Agent") == "" {
		req = req.Clone(req.Context())
		req.Header.Set("User-Agent", t.userAgent)
	}

	resp, err := t.next.RoundTrip(req)
	if resp != nil {
		t.obs.rateObserved(req, resp)
	}

	if unseen {
		status := "error"
		if resp != nil {
			status = strconv.Itoa(resp.StatusCode)
		}
		t.obs.count(req, status, "miss")
	}
	if resp != nil && isTokenRequest(req) && resp.StatusCode/100 != 2 {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		_ = resp.Body.Close()
		out := *resp
		out.Body = io.NopCloser(bytes.NewReader(body))
		out.Request = req.Clone(req.Context())
		out.Request.Header.Del("Authorization")
		resp = &out
	}
	return resp, err
}
