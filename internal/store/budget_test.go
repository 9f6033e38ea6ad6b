package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/ospo-bot/ospo-bot/internal/store"
	"github.com/ospo-bot/ospo-bot/internal/store/storetest"
)

// slack is store.contentSlack: the budget's windows are a second longer
// than GitHub's.
const slack = time.Second

func reserve(t *testing.T, st *store.Store, inst int64, background bool, now time.Time) time.Duration {
	t.Helper()
	wait, err := st.ReserveContent(context.Background(), inst, background, now)
	if err != nil {
		t.Fatal(err)
	}
	return wait
}

func TestContentBudgetMinute(t *testing.T) {
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			st := storetest.Open(t, d)
			t0 := time.Unix(1_800_000_000, 0)
			for i := range store.ContentPerMinute {
				if wait := reserve(t, st, 1, false, t0.Add(time.Duration(i)*time.Millisecond)); wait != 0 {
					t.Fatalf("slot %d: wait %s, want a slot", i+1, wait)
				}
			}
			now := t0.Add(10 * time.Second)
			if wait, want := reserve(t, st, 1, false, now), time.Minute+slack-10*time.Second; wait != want {
				t.Fatalf("81st slot in the minute: wait %s, want %s (until the first leaves)", wait, want)
			}
			if wait := reserve(t, st, 2, false, now); wait != 0 {
				t.Errorf("another installation waits %s: budgets are per installation", wait)
			}
			// Refused reservations took nothing: when the first slot
			// leaves the minute, one frees.
			if wait := reserve(t, st, 1, false, t0.Add(time.Minute+slack)); wait != 0 {
				t.Errorf("a minute later: wait %s, want a slot", wait)
			}
			if wait := reserve(t, st, 1, false, t0.Add(time.Minute+slack)); wait != time.Millisecond {
				t.Errorf("next: wait %s, want 1ms (the second slot leaves then)", wait)
			}
		})
	}
}

func TestContentBudgetBackgroundLeavesRoomForInteractive(t *testing.T) {
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			st := storetest.Open(t, d)
			now := time.Unix(1_800_000_000, 0)
			n := 0
			for reserve(t, st, 7, true, now) == 0 {
				n++
				if n > store.ContentPerMinute {
					t.Fatal("background work is not limited")
				}
			}
			if n != store.BackgroundPerMinute {
				t.Fatalf("background took %d slots in a minute, want %d", n, store.BackgroundPerMinute)
			}
			for i := n; i < store.ContentPerMinute; i++ {
				if wait := reserve(t, st, 7, false, now); wait != 0 {
					t.Fatalf("interactive slot %d after background's %d: wait %s", i+1, n, wait)
				}
			}
			if wait := reserve(t, st, 7, false, now); wait == 0 {
				t.Fatal("interactive work went past GitHub's 80 a minute")
			}
		})
	}
}

func TestContentBudgetHour(t *testing.T) {
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			st := storetest.Open(t, d)
			// Compressed: a "minute" of one second, an "hour" of thirty.
			l := store.DefaultContentLimits
			l.Minute, l.Hour = time.Second, 30*time.Second
			st.SetContentLimits(l)
			t0 := time.Unix(1_800_000_000, 0)
			now, taken := t0, 0
			for taken < store.ContentPerHour {
				wait := reserve(t, st, 3, false, now)
				if wait == 0 {
					taken++
					continue
				}
				if wait > time.Second+slack {
					t.Fatalf("after %d slots: wait %s, longer than a minute", taken, wait)
				}
				now = now.Add(wait)
			}
			wait := reserve(t, st, 3, false, now)
			if want := t0.Add(30*time.Second + slack).Sub(now); wait != want {
				t.Fatalf("501st slot in the hour: wait %s, want %s (until the first leaves the hour)", wait, want)
			}
			if err := pruneAt(st, now.Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
			if wait := reserve(t, st, 3, false, now); wait != 0 {
				t.Errorf("after pruning, slots past the hour still count: wait %s", wait)
			}
		})
	}
}

func pruneAt(st *store.Store, now time.Time) error {
	p, err := st.PruneDeliveries(context.Background(), now, store.DefaultRetention)
	if err == nil && p.ContentSlots != store.ContentPerHour {
		return &prunedError{p}
	}
	return err
}

type prunedError struct{ p store.Pruned }

func (e *prunedError) Error() string { return "pruned wrong content slots" }

// Replicas reserving at once never take more than the limit: on Postgres
// two stores (two replicas' pools) race on one database.
func TestContentBudgetConcurrentReservations(t *testing.T) {
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			replicas := []*store.Store{storetest.Open(t, d)}
			if d == store.Postgres {
				replicas = openReplicas(t, 2)
			}
			now := time.Unix(1_800_000_000, 0)
			const tries = 3 * store.ContentPerMinute
			var mu sync.Mutex
			taken := 0
			var wg sync.WaitGroup
			for i := range tries {
				wg.Add(1)
				go func() {
					defer wg.Done()
					wait, err := replicas[i%len(replicas)].ReserveContent(context.Background(), 42, false, now.Add(time.Duration(i%7)*time.Millisecond))
					if err != nil {
						t.Error(err)
						return
					}
					if wait == 0 {
						mu.Lock()
						taken++
						mu.Unlock()
					}
				}()
			}
			wg.Wait()
			if taken != store.ContentPerMinute {
				t.Errorf("%d concurrent reservations took %d slots, want %d", tries, taken, store.ContentPerMinute)
			}
		})
	}
}

// openReplicas opens n stores (each its own connection pool, as replicas
// have) on one new, migrated Postgres database.
func openReplicas(t *testing.T, n int) []*store.Store {
	t.Helper()
	u := storetest.URL(t, store.Postgres)
	var out []*store.Store
	for range n {
		st, err := store.Open(context.Background(), u)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		if _, err := st.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		out = append(out, st)
	}
	return out
}

// BenchmarkReserveContent is the cost a content-generating request pays
// for its slot: one transaction (on SQLite a commit to disk).
//
//	go test ./internal/store/ -run '^$' -bench ReserveContent -count 3
func BenchmarkReserveContent(b *testing.B) {
	for _, d := range storetest.Dialects(b) {
		b.Run(string(d), func(b *testing.B) {
			st := storetest.Open(b, d)
			ctx, now := context.Background(), time.Now()
			b.ResetTimer()
			for i := range b.N {
				// A new installation every 50 slots: always room, as on a
				// pull request's check.
				if _, err := st.ReserveContent(ctx, int64(i/50), false, now); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
