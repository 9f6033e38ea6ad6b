package jobs

import (
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// TestBackoffScalesRiversDefault: at a base of one second Backoff waits as
// River's default policy does; at a base of 10 ms, a hundredth of that.
func TestBackoffScalesRiversDefault(t *testing.T) {
	for errs := range 6 {
		job := &rivertype.JobRow{Errors: make([]rivertype.AttemptError, errs)}
		n := float64(errs + 1)
		want := time.Duration(n * n * n * n * float64(time.Second))
		for _, tc := range []struct {
			p    river.ClientRetryPolicy
			want time.Duration
		}{
			{&river.DefaultClientRetryPolicy{}, want},
			{Backoff{Base: time.Second}, want},
			{Backoff{Base: 10 * time.Millisecond}, want / 100},
		} {
			start := time.Now()
			got := tc.p.NextRetry(job).Sub(start)
			if lo, hi := tc.want*89/100, tc.want*111/100+time.Second/100; got < lo || got > hi {
				t.Errorf("%T%+v after %d errors: waits %s, want %s ±10%%", tc.p, tc.p, errs, got, tc.want)
			}
		}
	}
}
