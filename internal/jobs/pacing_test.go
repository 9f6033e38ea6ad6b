package jobs

import (
	"context"
	"testing"
	"time"

	"github.com/ospo-bot/ospo-bot/internal/ghclient"
)

// TestDecide: a fan-out check runs when what is left of the window, less
// the checks in flight and the reserve for pull requests and commands,
// pays for its estimated cost; else it waits for the reset. An unknown or
// ended window runs it (its responses report the new one).
func TestDecide(t *testing.T) {
	now := time.Unix(1_000_000, 0)
	reset := now.Add(20 * time.Minute)
	l := func(limit, remaining int) ghclient.RateLimit {
		return ghclient.RateLimit{Limit: limit, Remaining: remaining, Reset: reset}
	}
	for _, tc := range []struct {
		name     string
		l        ghclient.RateLimit
		known    bool
		inFlight float64
		estimate float64
		run      bool
	}{
		{"unknown", ghclient.RateLimit{}, false, 0, 4, true},
		{"window ended", ghclient.RateLimit{Limit: 5000, Remaining: 0, Reset: now}, true, 0, 4, true},
		{"plenty", l(5000, 4000), true, 0, 4, true},
		{"just enough above the reserve", l(5000, 754), true, 0, 4, true},
		{"into the reserve", l(5000, 753), true, 0, 4, false},
		{"in flight takes it", l(5000, 800), true, 47, 4, false},
		{"in flight leaves room", l(5000, 800), true, 46, 4, true},
		{"a costly estimate", l(5000, 760), true, 0, 17, false},
		{"12,500 an hour", l(12500, 1880), true, 0, 4, true},
		{"used up", l(5000, 0), true, 0, 4, false},
		{"a small limit", l(100, 20), true, 0, 4, true}, // reserve 15
		{"a small limit, reserve reached", l(100, 18), true, 0, 4, false},
	} {
		d := decide(tc.l, tc.known, tc.inFlight, tc.estimate, now)
		if d.run != tc.run {
			t.Errorf("%s: run = %v, want %v", tc.name, d.run, tc.run)
		}
		if !d.run && d.wait != 20*time.Minute {
			t.Errorf("%s: waits %s, want until the reset (20m)", tc.name, d.wait)
		}
	}
}

// TestEstimate: before any measurement a check is assumed to cost the
// declared most; measurements move the estimate to what checks cost, per
// installation.
func TestEstimate(t *testing.T) {
	p := newPacer(Deps{})
	if got := p.estimate(1); got != priorCost || priorCost < 8 {
		t.Fatalf("prior %v, want the declared most (%v)", got, priorCost)
	}
	for range 30 {
		p.measured(1, 4)
	}
	if got := p.estimate(1); got < 4 || got > 4.1 {
		t.Fatalf("after 30 checks of 4 requests: estimate %v", got)
	}
	p.measured(1, 14)
	if got := p.estimate(1); got < 5.5 || got > 6.5 {
		t.Fatalf("one check of 14 moves the estimate to %v, want about 6", got)
	}
	if got := p.estimate(2); got != priorCost {
		t.Fatalf("installation 2's estimate %v, want the prior", got)
	}
}

// TestJitter: checks waiting for one reset wake within a twentieth of the
// wait after it (a minute at most), not all at once.
func TestJitter(t *testing.T) {
	seen := map[time.Duration]bool{}
	for range 100 {
		j := jitter(20 * time.Second)
		if j < 20*time.Second || j >= 21*time.Second {
			t.Fatalf("jittered wait %s", j)
		}
		seen[j] = true
		if h := jitter(time.Hour); h < time.Hour || h >= time.Hour+maxJitter {
			t.Fatalf("jittered hour %s", h)
		}
	}
	if len(seen) < 50 {
		t.Fatalf("%d distinct waits of 100", len(seen))
	}
}

// TestAdmitCountsChecksInFlight: admitted checks hold their estimate until
// they end, so that checks starting together do not all spend the same
// remainder; the one that does not fit snoozes until the reset.
func TestAdmitCountsChecksInFlight(t *testing.T) {
	now := time.Unix(1_000_000, 0)
	p := newPacer(Deps{})
	p.now = func() time.Time { return now }
	p.cost[7] = 4
	p.rates.Record(7, ghclient.RateLimit{Limit: 100, Remaining: 30, Reset: now.Add(10 * time.Second)}) // 15 above the reserve
	ctx := context.Background()
	var done []func(bool)
	for i := range 4 {
		_, d, wait := p.admit(ctx, 7)
		if i < 3 {
			if wait != 0 {
				t.Fatalf("check %d waits %s", i, wait)
			}
			done = append(done, d)
			continue
		}
		if wait < 10*time.Second || wait > 10500*time.Millisecond {
			t.Fatalf("the 4th check (16 requests in flight, 15 to spend) waits %s, want until the reset", wait)
		}
	}
	done[0](true) // it cost nothing: room again, and the estimate moves
	if _, _, wait := p.admit(ctx, 7); wait != 0 {
		t.Fatalf("after one ended, waits %s", wait)
	}
	if got := p.estimate(7); got >= 4 {
		t.Fatalf("estimate %v after a check that cost 0", got)
	}
}
