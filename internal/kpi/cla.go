package kpi

import (
	"slices"
	"time"
)

// CLAEvent is a signature or a revocation.
type CLAEvent struct {
	UserID int64
	Kind   string // signed | revoked
	At     time.Time
}

// CLASigners returns the signers in force at until (whose latest event
// before until is a signature) and, for each calendar month (UTC) from
// since's to the one before until, the users whose first signature falls in
// it within [since, until).
func CLASigners(evs []CLAEvent, since, until time.Time) (total int, perMonth []MonthCount) {
	evs = slices.Clone(evs)
	slices.SortStableFunc(evs, func(a, b CLAEvent) int { return a.At.Compare(b.At) })
	latest := map[int64]string{}
	first := map[int64]time.Time{}
	for _, e := range evs {
		if !e.At.Before(until) {
			break
		}
		latest[e.UserID] = e.Kind
		if _, ok := first[e.UserID]; !ok && e.Kind == "signed" {
			first[e.UserID] = e.At
		}
	}
	for _, k := range latest {
		if k == "signed" {
			total++
		}
	}
	idx := map[string]int{}
	s := since.UTC()
	for m := time.Date(s.Year(), s.Month(), 1, 0, 0, 0, 0, time.UTC); m.Before(until); m = m.AddDate(0, 1, 0) {
		idx[m.Format("2006-01")] = len(perMonth)
		perMonth = append(perMonth, MonthCount{Month: m.Format("2006-01")})
	}
	for _, at := range first {
		if in(at, since, until) {
			perMonth[idx[at.UTC().Format("2006-01")]].Count++
		}
	}
	return total, perMonth
}
