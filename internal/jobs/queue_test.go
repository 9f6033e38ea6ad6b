package jobs

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/ospo-bot/ospo-bot/internal/metrics"
	"github.com/ospo-bot/ospo-bot/internal/store"
	"github.com/ospo-bot/ospo-bot/internal/store/storetest"
)

func newQueue(t *testing.T, st *store.Store, opts Options) *Queue {
	t.Helper()
	q, err := New(Deps{Store: st, Metrics: metrics.New(), Logger: zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.WarnLevel)}, opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := q.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { q.Stop(context.Background()) })
	return q
}

// eventually retries check until it returns nil or 30 s pass.
func eventually(t *testing.T, check func() error) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		err := check()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func ping(id string) store.Delivery {
	return store.Delivery{ID: id, Event: "ping", ReceivedAt: time.Now(),
		Payload: store.Pack([]byte(`{"zen":"Keep it logically awesome.","hook_id":1}`))}
}

// waitProcessed waits until n deliveries are processed.
func waitProcessed(t *testing.T, st *store.Store, n int) {
	t.Helper()
	eventually(t, func() error {
		counts, err := st.DeliveryOutcomes(context.Background())
		if err == nil && counts[store.OutcomeProcessed] != n {
			err = fmt.Errorf("outcomes %v, want %d processed", counts, n)
		}
		return err
	})
}

func TestQueue(t *testing.T) {
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			t.Run("each delivery runs once", func(t *testing.T) { testOnce(t, storetest.Open(t, d)) })
			t.Run("committed deliveries survive a restart", func(t *testing.T) { testRestart(t, storetest.Open(t, d)) })
		})
	}
}

func testOnce(t *testing.T, st *store.Store) {
	ctx := context.Background()
	q := newQueue(t, st, Options{})
	const n = 200
	var wg sync.WaitGroup
	var mu sync.Mutex
	fresh := map[string]int{}
	// Every delivery sent three times, concurrently: GitHub's redeliveries
	// and a proxy's retries.
	for i := range 3 * n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := fmt.Sprintf("d-%d", i%n)
			ok, err := q.Enqueue(ctx, ping(id))
			if err != nil {
				t.Error(err)
				return
			}
			if ok {
				mu.Lock()
				fresh[id]++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(fresh) != n {
		t.Fatalf("%d deliveries accepted as new, want %d", len(fresh), n)
	}
	for id, c := range fresh {
		if c != 1 {
			t.Fatalf("delivery %s accepted as new %d times", id, c)
		}
	}
	waitProcessed(t, st, n)
	// River marks jobs completed in batches, a moment after they ran.
	eventually(t, func() error {
		var jobs, distinct int
		err := st.DB.QueryRow(`SELECT COUNT(*), COUNT(DISTINCT args) FROM river_job WHERE kind = 'webhook_delivery' AND state = 'completed'`).Scan(&jobs, &distinct)
		if err == nil && (jobs != n || distinct != n) {
			err = fmt.Errorf("%d completed delivery jobs (%d distinct), want %d", jobs, distinct, n)
		}
		return err
	})
	if err := q.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := q.Enqueue(ctx, ping("late")); err != ErrStopped {
		t.Fatalf("Enqueue after Stop = %v, want ErrStopped", err)
	}
	// A processed delivery is recorded as such; its payload stays until
	// the payload retention prunes it (store.PruneDeliveries).
	d, err := st.Delivery(ctx, "d-7")
	if err != nil || d.Payload == nil || d.Outcome != store.OutcomeProcessed || d.FinishedAt == nil {
		t.Fatalf("delivery record = %+v, %v", d, err)
	}
}

func testRestart(t *testing.T, st *store.Store) {
	ctx := context.Background()
	// A process that commits but dies before working anything.
	intakeOnly := newQueue(t, st, Options{InsertOnly: true})
	for i := range 50 {
		if _, err := intakeOnly.Enqueue(ctx, ping(fmt.Sprintf("r-%d", i))); err != nil {
			t.Fatal(err)
		}
	}
	if err := intakeOnly.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	// The next process works them all.
	newQueue(t, st, Options{})
	waitProcessed(t, st, 50)
}

// TestRerunOfAProcessedDeliveryDoesNothing: River completes a job shortly
// after it returns, so a crash in between runs it again; the second run
// must see the recorded outcome and stop.
func TestRerunOfAProcessedDeliveryDoesNothing(t *testing.T) {
	ctx := context.Background()
	st := storetest.Open(t, store.SQLite)
	q := newQueue(t, st, Options{})
	if _, err := q.Enqueue(ctx, ping("once")); err != nil {
		t.Fatal(err)
	}
	waitProcessed(t, st, 1)
	before, _ := st.Delivery(ctx, "once")
	res, err := q.Client().Insert(ctx, DeliveryArgs{DeliveryID: "once", Event: "ping"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, func() error {
		var state string
		if err := st.DB.QueryRow(`SELECT state FROM river_job WHERE id = $1`, res.Job.ID).Scan(&state); err != nil {
			return err
		}
		if state != "completed" {
			return fmt.Errorf("rerun job is %s", state)
		}
		return nil
	})
	after, _ := st.Delivery(ctx, "once")
	if !after.FinishedAt.Equal(*before.FinishedAt) || after.Outcome != store.OutcomeProcessed {
		t.Fatalf("the rerun touched the record: %+v -> %+v", before, after)
	}
}
