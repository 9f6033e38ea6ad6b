package ghclient

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"sync/atomic"
	"testing"
	"time"
)

// TestRateLimitsKeepTheLatestWindow: within a window the lowest remaining
// count wins (responses may arrive out of order); a later reset is a new
// window; another resource's headers (search) are not the core limit.
func TestRateLimitsKeepTheLatestWindow(t *testing.T) {
	r := NewRateLimits()
	reset := time.Unix(1_000_000, 0)
	for _, l := range []RateLimit{
		{Limit: 5000, Remaining: 4000, Reset: reset},
		{Limit: 5000, Remaining: 3990, Reset: reset},
		{Limit: 5000, Remaining: 3995, Reset: reset},               // crossed on the way: older
		{Limit: 5000, Remaining: 10, Reset: reset.Add(-time.Hour)}, // the window before
	} {
		r.Record(1, l)
	}
	if got, ok := r.Latest(1); !ok || got.Remaining != 3990 || !got.Reset.Equal(reset) {
		t.Fatalf("latest %+v (%v), want 3990 left until %s", got, ok, reset)
	}
	r.Record(1, RateLimit{Limit: 5000, Remaining: 4999, Reset: reset.Add(time.Hour)})
	if got, _ := r.Latest(1); got.Remaining != 4999 {
		t.Fatalf("a new window: %+v", got)
	}
	if _, ok := r.Latest(2); ok {
		t.Fatal("installation 2 never reported")
	}
	h := http.Header{}
	for k, v := range map[string]string{"X-RateLimit-Limit": "30", "X-RateLimit-Remaining": "29", "X-RateLimit-Reset": "1000060", "X-RateLimit-Resource": "search"} {
		h.Set(k, v)
	}
	if _, ok := rateLimitOf(h); ok {
		t.Fatal("the search limit read as the core limit")
	}
}

// TestRateLimitsAndCostThroughTheStack: every installation response's
// X-RateLimit-* headers are recorded for its installation, and a context
// from CountRequests counts what GitHub charged: a 200, not a 304 (the
// ETag cache revalidated), not GET /rate_limit, not the token request.
func TestRateLimitsAndCostThroughTheStack(t *testing.T) {
	var used atomic.Int64
	reset := time.Now().Add(time.Hour).Unix()
	f := newFakeGitHub(t, "", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/rate_limit" && r.Header.Get("If-None-Match") != `"v1"` {
			used.Add(1)
		}
		w.Header().Set("X-RateLimit-Limit", "5000")
		w.Header().Set("X-RateLimit-Remaining", strconv.FormatInt(5000-used.Load(), 10))
		w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(reset, 10))
		w.Header().Set("X-RateLimit-Resource", "core")
		if r.URL.Path == "/rate_limit" {
			fmt.Fprintf(w, `{"resources":{"core":{"limit":5000,"remaining":%d,"reset":%d}}}`, 5000-used.Load(), reset)
			return
		}
		w.Header().Set("ETag", `"v1"`)
		if r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		fmt.Fprint(w, `{"full_name":"o/r"}`)
	})
	cc, err := NewClientCreator(testConfig(f), nil)
	if err != nil {
		t.Fatal(err)
	}
	client, err := cc.NewInstallationClient(42)
	if err != nil {
		t.Fatal(err)
	}
	ctx, count := CountRequests(context.Background())
	for range 3 { // a 200, then two 304s
		if _, _, err := client.Repositories.Get(ctx, "o", "r"); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := client.Issues.Get(ctx, "o", "r", 1); err != nil {
		t.Fatal(err)
	}
	if _, _, err := client.RateLimit.Get(ctx); err != nil {
		t.Fatal(err)
	}
	if got := count.Counted(); got != 2 {
		t.Errorf("counted %d requests, want 2 (two 200s; 304s, the token and GET /rate_limit are free)", got)
	}
	l, ok := RateLimitsOf(cc).Latest(42)
	if !ok || l.Limit != 5000 || l.Remaining != 4998 || l.Reset.Unix() != reset {
		t.Errorf("installation 42's rate limit %+v (%v), want 4998 of 5000 left", l, ok)
	}
	if _, ok := RateLimitsOf(cc).Latest(0); ok {
		t.Error("the app's own requests recorded as an installation's")
	}
}
