package ghclient

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/palantir/go-githubapp/githubapp"
)

// RateLimit is an installation's primary rate limit as GitHub last
// reported it, in the X-RateLimit-* headers of a response.
type RateLimit struct {
	Limit     int       // requests per window (X-RateLimit-Limit)
	Remaining int       // left in this window (X-RateLimit-Remaining)
	Reset     time.Time // when the window ends (X-RateLimit-Reset)
}

// RateLimits keeps the latest primary rate limit each installation's
// responses reported. GitHub counts an installation's requests wherever
// they come from, so the latest view of any replica is the shared truth,
// less what is in flight; each process keeps its own, fed by every
// response of its own clients (a replica learns the others' use from its
// next response). Safe for concurrent use.
type RateLimits struct {
	mu sync.Mutex
	m  map[int64]RateLimit
}

// NewRateLimits returns an empty record.
func NewRateLimits() *RateLimits { return &RateLimits{m: map[int64]RateLimit{}} }

// RateLimitsOf returns what a client creator built by NewClientCreator
// observed; nil for any other creator.
func RateLimitsOf(cc githubapp.ClientCreator) *RateLimits {
	if c, ok := cc.(*creator); ok {
		return c.rates
	}
	return nil
}

// Latest returns the installation's latest reported rate limit, and
// whether there is one.
func (r *RateLimits) Latest(installationID int64) (RateLimit, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	l, ok := r.m[installationID]
	return l, ok
}

// Record keeps l as the installation's rate limit unless it is older than
// what is known: within one window the remaining count only goes down
// (responses that cross on the way keep the lowest), and a later reset
// starts a new window.
func (r *RateLimits) Record(installationID int64, l RateLimit) {
	if installationID == 0 || l.Limit <= 0 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	cur, ok := r.m[installationID]
	switch {
	case !ok || l.Reset.After(cur.Reset):
		r.m[installationID] = l
	case l.Reset.Equal(cur.Reset) && l.Remaining < cur.Remaining:
		cur.Remaining = l.Remaining
		cur.Limit = l.Limit
		r.m[installationID] = cur
	}
}

// rateLimitOf reads the primary rate limit from a response's headers.
func rateLimitOf(h http.Header) (RateLimit, bool) {
	if res := h.Get("X-RateLimit-Resource"); res != "" && res != "core" {
		return RateLimit{}, false // another resource (search, graphql) has its own window
	}
	limit, err1 := strconv.Atoi(h.Get("X-RateLimit-Limit"))
	remaining, err2 := strconv.Atoi(h.Get("X-RateLimit-Remaining"))
	reset, err3 := strconv.ParseInt(h.Get("X-RateLimit-Reset"), 10, 64)
	if err1 != nil || err2 != nil || err3 != nil || limit <= 0 {
		return RateLimit{}, false
	}
	return RateLimit{Limit: limit, Remaining: remaining, Reset: time.Unix(reset, 0)}, true
}

// RequestCount counts the requests GitHub charged to the rate limit that
// were made with a context from CountRequests.
type RequestCount struct{ n atomic.Int64 }

// Counted is how many charged requests were made so far.
func (c *RequestCount) Counted() int { return int(c.n.Load()) }

type requestCountKey struct{}

// CountRequests returns a context whose GitHub requests are counted in
// the returned RequestCount (and still in any count of ctx).
func CountRequests(ctx context.Context) (context.Context, *RequestCount) {
	c := &RequestCount{}
	counts := append([]*RequestCount{c}, requestCounts(ctx)...)
	return context.WithValue(ctx, requestCountKey{}, counts), c
}

func requestCounts(ctx context.Context) []*RequestCount {
	c, _ := ctx.Value(requestCountKey{}).([]*RequestCount)
	return c
}

// charged reports whether GitHub counts a request against the
// installation's primary rate limit: a 304 Not Modified does not count
// ("Making a conditional request does not count against your primary rate
// limit if a 304 response is returned",
// https://docs.github.com/en/rest/using-the-rest-api/best-practices-for-using-the-rest-api#use-conditional-requests-if-appropriate),
// nor does GET /rate_limit ("Accessing this endpoint does not count
// against your REST API rate limit",
// https://docs.github.com/en/rest/rate-limit/rate-limit). The installation token request is the app's, not the
// installation's.
func charged(req *http.Request, resp *http.Response) bool {
	if resp.StatusCode == http.StatusNotModified || isTokenRequest(req) {
		return false
	}
	return !(req.Method == http.MethodGet && strings.HasSuffix(strings.TrimSuffix(req.URL.Path, "/"), "/rate_limit"))
}

// rateObserved records, for a response straight from GitHub (under the
// ETag cache, so a 304 is seen as such), the installation's rate limit and
// the charged request in the counts of the request's context.
func (o *observer) rateObserved(req *http.Request, resp *http.Response) {
	id := installationID(req)
	if id == 0 || isTokenRequest(req) {
		return
	}
	if l, ok := rateLimitOf(resp.Header); ok && o.rates != nil {
		o.rates.Record(id, l)
	}
	if charged(req, resp) {
		for _, c := range requestCounts(req.Context()) {
			c.n.Add(1)
		}
	}
}
