package githubfake

import (
	"net/http"
	"strings"
	"sync"
)

// DefaultConcurrentRequests is GitHub's limit of requests in flight at
// once: "Make too many concurrent requests. No more than 100 concurrent
// requests are allowed. This limit is shared across the REST API and
// GraphQL API." A request past it gets a secondary rate limit: "you will
// receive a 403 or 429 response and an error message that indicates that
// you exceeded a secondary rate limit", with a retry-after header or, if
// none, "wait for at least one minute before retrying"
// (https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits).
const DefaultConcurrentRequests = 100

// ConcurrencyRefusal is the Fault of a request refused for the number of
// requests in flight (Request.Fault).
const ConcurrencyRefusal = "secondary rate limit: concurrent requests"

// concurrency counts each installation's requests in flight. It has its own
// lock: a request holds its place while it waits out a Delay fault, outside
// f.mu.
type concurrency struct {
	mu       sync.Mutex
	inflight map[int64]int
	peak     map[int64]int
	refused  map[int64]int
}

// admit counts an installation token's request among its installation's
// requests in flight, or refuses it as GitHub does past the limit. done
// ends its place; app and unauthenticated requests are not counted.
func (f *Fake) admit(c *call) (rep *reply, done func()) {
	done = func() {}
	limit := f.opts.ConcurrentRequests
	if limit < 0 {
		return nil, done
	}
	_, cred, _ := strings.Cut(strings.TrimSpace(c.req.Header.Get("Authorization")), " ")
	f.mu.Lock()
	tok := f.st.tokens[strings.TrimSpace(cred)]
	f.mu.Unlock()
	if tok == nil {
		return nil, done
	}
	id := tok.inst.id
	cc := &f.conc
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if cc.inflight == nil {
		cc.inflight, cc.peak, cc.refused = map[int64]int{}, map[int64]int{}, map[int64]int{}
	}
	if cc.inflight[id] >= limit {
		cc.refused[id]++
		c.fault = ConcurrencyRefusal
		c.header.Set("Retry-After", "60")
		r := jsonReply(http.StatusForbidden, ghError{
			Message:          "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID FAKE.",
			DocumentationURL: "https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
			Status:           "403",
		})
		return &r, done
	}
	cc.inflight[id]++
	cc.peak[id] = max(cc.peak[id], cc.inflight[id])
	return nil, func() {
		cc.mu.Lock()
		defer cc.mu.Unlock()
		cc.inflight[id]--
	}
}

// PeakConcurrency is the most requests the installation had in flight at
// once, and how many it had refused for having too many.
func (f *Fake) PeakConcurrency(installationID int64) (peak, refused int) {
	f.conc.mu.Lock()
	defer f.conc.mu.Unlock()
	return f.conc.peak[installationID], f.conc.refused[installationID]
}
