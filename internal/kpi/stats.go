package kpi

import (
	"math"
	"slices"
	"time"
)

// Of summarises ds by the nearest-rank method: the p-th percentile is the
// smallest value at least p % of the values are less than or equal to,
// ds sorted ascending, index ceil(p/100 × N) − 1. ds is sorted in place.
func Of(ds []time.Duration) Durations {
	if len(ds) == 0 {
		return Durations{}
	}
	slices.Sort(ds)
	return Durations{N: len(ds), P50: nearestRank(ds, 50), P90: nearestRank(ds, 90)}
}

func nearestRank(sorted []time.Duration, p float64) time.Duration {
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	return sorted[max(rank, 1)-1]
}

// Share is Num/Den, and false when there is no data.
func (r Ratio) Share() (float64, bool) {
	if r.Den == 0 {
		return 0, false
	}
	return float64(r.Num) / float64(r.Den), true
}

// in reports whether t is in [since, until).
func in(t, since, until time.Time) bool {
	return !t.IsZero() && !t.Before(since) && t.Before(until)
}
