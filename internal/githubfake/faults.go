package githubfake

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Fault makes the fake misbehave for the next Times requests that match
// Method and Route.
type Fault struct {
	Method string // HTTP method; empty matches any
	// Route is a route template ("/repos/{owner}/{repo}/check-runs") or a
	// path prefix ("/repos/acme/widgets/"); empty matches any.
	Route string
	Times int // how many matching requests it applies to; 0 means 1
	Kind  FaultKind
}

// FaultKind is what a fault does: Status, SecondaryRateLimit,
// PrimaryRateLimit or Delay.
type FaultKind struct {
	name       string
	status     int
	retryAfter time.Duration
	reset      time.Time
	delay      time.Duration
	lost       bool
}

// Status answers with an HTTP status and a GitHub-like error body.
func Status(code int) FaultKind { return FaultKind{name: "status " + strconv.Itoa(code), status: code} }

// SecondaryRateLimit answers 403 with Retry-After, as GitHub does when a
// client makes too many requests too quickly.
func SecondaryRateLimit(retryAfter time.Duration) FaultKind {
	return FaultKind{name: "secondary rate limit", status: http.StatusForbidden, retryAfter: retryAfter}
}

// PrimaryRateLimit answers 403 with X-RateLimit-Remaining 0 until reset.
func PrimaryRateLimit(reset time.Time) FaultKind {
	return FaultKind{name: "primary rate limit", status: http.StatusForbidden, reset: reset}
}

// LostResponse lets the request through (a write is applied and stays
// applied) and then closes the connection without an answer, as when
// GitHub commits a write and the client's request times out or the
// connection drops before the response arrives. The client sees a
// transport error (EOF), never a status.
func LostResponse() FaultKind { return FaultKind{name: "lost response", lost: true} }

// Delay waits before answering normally.
func Delay(d time.Duration) FaultKind { return FaultKind{name: "delay " + d.String(), delay: d} }

func (k FaultKind) String() string { return k.name }

// InjectFault arms a fault. Faults are consumed in the order they were
// injected, one per matching request.
func (f *Fake) InjectFault(ft Fault) {
	if ft.Times <= 0 {
		ft.Times = 1
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults = append(f.faults, &ft)
}

// ClearFaults disarms every fault.
func (f *Fake) ClearFaults() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults = nil
}

func (ft *Fault) matches(c *call) bool {
	if ft.Method != "" && !strings.EqualFold(ft.Method, c.req.Method) {
		return false
	}
	return ft.Route == "" || ft.Route == c.route.template || strings.HasPrefix(c.req.URL.Path, ft.Route)
}

// takeFault consumes the first armed fault that matches the request.
func (f *Fake) takeFault(c *call) *Fault {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, ft := range f.faults {
		if ft.matches(c) {
			ft.Times--
			if ft.Times == 0 {
				f.faults = append(f.faults[:i:i], f.faults[i+1:]...)
			}
			return ft
		}
	}
	return nil
}

// applyFaults waits out a delay, or returns the reply of a failing fault.
// An armed fault (InjectFault) comes first, then the fault plan
// (SetFaultPlan). A lost response returns nil and marks the call: its
// answer is computed, then dropped (ServeHTTP).
func (f *Fake) applyFaults(c *call) *reply {
	var k FaultKind
	if ft := f.takeFault(c); ft != nil {
		k = ft.Kind
	} else if kind, ok := f.planned(c); ok {
		k = kind
	} else {
		return nil
	}
	c.fault = k.name
	switch {
	case k.lost:
		c.lost = true
		return nil
	case k.delay > 0:
		sleep(c.req.Context(), k.delay)
		return nil
	case !k.reset.IsZero():
		c.header.Set("X-RateLimit-Limit", strconv.Itoa(f.opts.RateLimit))
		c.header.Set("X-RateLimit-Remaining", "0")
		c.header.Set("X-RateLimit-Used", strconv.Itoa(f.opts.RateLimit))
		c.header.Set("X-RateLimit-Reset", strconv.FormatInt(k.reset.Unix(), 10))
		c.header.Set("X-RateLimit-Resource", "core")
		rep := jsonReply(http.StatusForbidden, ghError{
			Message:          "API rate limit exceeded for installation. If you reach out to GitHub Support for help, please include the request ID FAKE.",
			DocumentationURL: "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-primary-rate-limits",
			Status:           "403",
		})
		return &rep
	case k.retryAfter > 0 || k.name == "secondary rate limit":
		c.header.Set("Retry-After", strconv.Itoa(int(math.Ceil(k.retryAfter.Seconds()))))
		rep := jsonReply(http.StatusForbidden, ghError{
			Message:          "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID FAKE.",
			DocumentationURL: "https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
			Status:           "403",
		})
		return &rep
	default:
		rep := errReply(k.status, fmt.Sprintf("%d %s (injected by githubfake)", k.status, http.StatusText(k.status)))
		if k.status == http.StatusBadGateway || k.status == http.StatusServiceUnavailable || k.status == http.StatusGatewayTimeout {
			rep = errReply(k.status, "Server Error")
		}
		return &rep
	}
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}
