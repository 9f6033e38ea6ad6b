package jobs

import (
	"testing"
	"time"
)

// TestPacingStaysWithinTheRateLimit: a 1,000-repository installation's
// first pass never plans more requests in any hour than the limit allows.
func TestPacingStaysWithinTheRateLimit(t *testing.T) {
	for _, tc := range []struct{ limit, remaining, repos int }{
		{5000, 5000, 1000},
		{5000, 200, 1000},
		{15000, 15000, 1000},
		{5000, 5000, 10},
	} {
		p := pace(tc.limit, tc.remaining)
		now := time.Unix(0, 0)
		// Requests planned in each sliding hour, from the start.
		var starts []time.Time
		for i := range tc.repos {
			starts = append(starts, p.schedule(now, i))
		}
		worst := 0
		for i, s := range starts {
			n := 0
			for _, u := range starts[i:] {
				if u.Sub(s) < time.Hour {
					n++
				}
			}
			worst = max(worst, n)
		}
		if worst*callsPerCheck > tc.limit {
			t.Errorf("limit %d remaining %d: %d checks (%d requests) planned in one hour", tc.limit, tc.remaining, worst, worst*callsPerCheck)
		}
		if tc.repos <= 10 && !starts[tc.repos-1].Equal(now) {
			t.Errorf("a small installation waits: last check at %s", starts[tc.repos-1].Sub(now))
		}
		t.Logf("limit %d remaining %d, %d repos: burst %d, then one every %s; last at %s", tc.limit, tc.remaining, tc.repos, p.burst, p.spacing, starts[len(starts)-1].Sub(now))
	}
}
