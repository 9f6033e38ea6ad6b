package githubfake

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-github/v66/github"
)

func TestFaults(t *testing.T) {
	ctx := context.Background()
	t.Run("status", func(t *testing.T) {
		w := newWorld(t, Options{})
		gh := w.client(t)
		w.f.InjectFault(Fault{Method: "GET", Route: "/repos/{owner}/{repo}", Kind: Status(502)})
		_, resp, err := gh.Repositories.Get(ctx, "acme", "widgets")
		if err == nil || resp.StatusCode != 502 {
			t.Fatalf("first GET: %v %v, want 502", resp, err)
		}
		if r := lastRequest(w.f); r.Fault != "status 502" || r.Status != 502 {
			t.Errorf("recorded %+v", r)
		}
		if _, _, err := gh.Repositories.Get(ctx, "acme", "widgets"); err != nil {
			t.Errorf("second GET: %v (the fault is used up)", err)
		}
	})
	t.Run("times, method and path prefix", func(t *testing.T) {
		w := newWorld(t, Options{})
		w.f.InjectFault(Fault{Method: "POST", Route: "/repos/acme/widgets/labels", Times: 2, Kind: Status(500)})
		var codes []int
		for _, req := range []struct{ method, body string }{{"GET", ""}, {"POST", `{"name":"a"}`}, {"POST", `{"name":"a"}`}, {"POST", `{"name":"a"}`}} {
			resp, _ := w.do(t, req.method, "/repos/acme/widgets/labels", req.body)
			codes = append(codes, resp.StatusCode)
		}
		if want := []int{200, 500, 500, 201}; !equalInts(codes, want) {
			t.Errorf("statuses %v, want %v", codes, want)
		}
	})
	t.Run("secondary rate limit", func(t *testing.T) {
		w := newWorld(t, Options{})
		gh := w.client(t)
		w.f.InjectFault(Fault{Route: "/repos/{owner}/{repo}/issues", Kind: SecondaryRateLimit(90 * time.Second)})
		_, resp, err := gh.Issues.ListByRepo(ctx, "acme", "widgets", nil)
		var abuse *github.AbuseRateLimitError
		if !errors.As(err, &abuse) || abuse.RetryAfter == nil || *abuse.RetryAfter != 90*time.Second {
			t.Fatalf("err %v, want a secondary rate limit error with Retry-After 90s", err)
		}
		if resp.StatusCode != 403 || resp.Header.Get("Retry-After") != "90" {
			t.Errorf("status %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
		}
	})
	t.Run("primary rate limit", func(t *testing.T) {
		w := newWorld(t, Options{})
		gh := w.client(t)
		reset := time.Now().Add(10 * time.Minute).Truncate(time.Second)
		w.f.InjectFault(Fault{Route: "/repos/{owner}/{repo}", Kind: PrimaryRateLimit(reset)})
		_, _, err := gh.Repositories.Get(ctx, "acme", "widgets")
		var rl *github.RateLimitError
		if !errors.As(err, &rl) || rl.Rate.Remaining != 0 || !rl.Rate.Reset.Time.Equal(reset) {
			t.Fatalf("err %v, want a rate limit error resetting at %v", err, reset)
		}
	})
	t.Run("delay", func(t *testing.T) {
		w := newWorld(t, Options{})
		w.f.InjectFault(Fault{Kind: Delay(300 * time.Millisecond)})
		start := time.Now()
		resp, _ := w.do(t, "GET", "/repos/acme/widgets", "")
		if elapsed := time.Since(start); resp.StatusCode != 200 || elapsed < 300*time.Millisecond {
			t.Errorf("status %d after %v, want 200 after at least 300ms", resp.StatusCode, elapsed)
		}
		start = time.Now()
		w.do(t, "GET", "/repos/acme/widgets", "")
		if elapsed := time.Since(start); elapsed > 250*time.Millisecond {
			t.Errorf("second request took %v: the delay was not used up", elapsed)
		}
	})
	t.Run("clear", func(t *testing.T) {
		w := newWorld(t, Options{})
		w.f.InjectFault(Fault{Kind: Status(503)})
		w.f.ClearFaults()
		if resp, _ := w.do(t, "GET", "/repos/acme/widgets", ""); resp.StatusCode != 200 {
			t.Errorf("status %d after ClearFaults", resp.StatusCode)
		}
	})
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
