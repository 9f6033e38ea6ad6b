package kpi

import (
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"
)

// claSignersByReplay is CLASigners' definition played literally: the
// events in time order (those at the same instant in their given order),
// the latest before until decides whether a user is a signer, the first
// signature is when they became one.
func claSignersByReplay(evs []CLAEvent, since, until time.Time) (int, []MonthCount) {
	evs = slices.Clone(evs)
	slices.SortStableFunc(evs, func(a, b CLAEvent) int { return a.At.Compare(b.At) })
	latest, first := map[int64]string{}, map[int64]time.Time{}
	for _, e := range evs {
		if !e.At.Before(until) {
			break
		}
		latest[e.UserID] = e.Kind
		if _, ok := first[e.UserID]; !ok && e.Kind == "signed" {
			first[e.UserID] = e.At
		}
	}
	total := 0
	for _, k := range latest {
		if k == "signed" {
			total++
		}
	}
	var per []MonthCount
	s := since.UTC()
	for m := time.Date(s.Year(), s.Month(), 1, 0, 0, 0, 0, time.UTC); m.Before(until); m = m.AddDate(0, 1, 0) {
		n := 0
		for _, at := range first {
			if in(at, since, until) && at.UTC().Format("2006-01") == m.Format("2006-01") {
				n++
			}
		}
		per = append(per, MonthCount{Month: m.Format("2006-01"), Count: n})
	}
	return total, per
}

// claEvents are n random events of n/3 users over a year from t0, many at
// the same instant (a signature and a revocation in one second).
func claEvents(n int, seed uint64) []CLAEvent {
	rng := rand.New(rand.NewPCG(seed, seed))
	evs := make([]CLAEvent, n)
	for i := range evs {
		kind := "signed"
		if rng.IntN(4) == 0 {
			kind = "revoked"
		}
		evs[i] = CLAEvent{UserID: int64(rng.IntN(n/3 + 1)), Kind: kind, At: t0.Add(time.Duration(rng.IntN(2000)) * 4 * time.Hour)}
	}
	return evs
}

// TestCLASignersAsReplayed: on random histories with ties, CLASigners
// counts what the replay of the events in order counts.
func TestCLASignersAsReplayed(t *testing.T) {
	for seed := range uint64(50) {
		evs := claEvents(300, seed)
		since, until := t0.AddDate(0, 2, 0), t0.AddDate(0, 8, 15)
		total, per := CLASigners(evs, since, until)
		wantTotal, wantPer := claSignersByReplay(evs, since, until)
		if total != wantTotal || !reflect.DeepEqual(per, wantPer) {
			t.Fatalf("seed %d: CLASigners = %d %v, the replay %d %v", seed, total, per, wantTotal, wantPer)
		}
	}
	// At the same instant, the later event of the input wins.
	at := t0.AddDate(0, 0, 1)
	if total, _ := CLASigners([]CLAEvent{{1, "signed", at}, {1, "revoked", at}}, t0, t0.AddDate(0, 1, 0)); total != 0 {
		t.Errorf("signed then revoked in one instant: %d signers, want 0", total)
	}
	if total, _ := CLASigners([]CLAEvent{{1, "revoked", at}, {1, "signed", at}}, t0, t0.AddDate(0, 1, 0)); total != 1 {
		t.Errorf("revoked then signed in one instant: %d signers, want 1", total)
	}
}

// BenchmarkCLASigners: the dashboard's Overview and Contributors pages
// count the signers of an org of 20,000 people on each request.
func BenchmarkCLASigners(b *testing.B) {
	evs := claEvents(21_000, 1)
	for b.Loop() {
		CLASigners(evs, t0.AddDate(0, 2, 0), t0.AddDate(0, 8, 15))
	}
}
