package jobs

import (
	"context"
	"database/sql"
	"slices"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/ospo-bot/ospo-bot/internal/store"
	"github.com/ospo-bot/ospo-bot/internal/store/storetest"
)

// TestIntakeRunsAheadOfDeliveriesAndChecks: with one worker and a backlog
// committed in the opposite order — a repository check, a delivery, then an
// intake group an earlier version left — the intake group runs first, then
// the deliveries (the one it held back after the one committed before it),
// then the check.
func TestIntakeRunsAheadOfDeliveriesAndChecks(t *testing.T) {
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			st := storetest.Open(t, d)
			backlog := newQueue(t, st, Options{InsertOnly: true})
			if _, err := backlog.Client().Insert(ctx, CheckRepositoryArgs{InstallationID: 1, RepositoryID: 1, Repository: "acme/widget", Reason: "test"},
				&river.InsertOpts{MaxAttempts: 1}); err != nil {
				t.Fatal(err)
			}
			if _, err := backlog.Enqueue(ctx, ping("direct")); err != nil {
				t.Fatal(err)
			}
			held := ping("held")
			if err := st.InTx(ctx, func(tx *sql.Tx) error {
				if _, err := st.InsertDeliveries(ctx, tx, []store.Delivery{held}); err != nil {
					return err
				}
				_, err := backlog.Client().InsertTx(ctx, tx, IntakeArgs{Deliveries: []DeliveryArgs{{DeliveryID: held.ID, Event: held.Event}}}, nil)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			if err := backlog.Stop(ctx); err != nil {
				t.Fatal(err)
			}

			q, err := New(Deps{Store: st, Metrics: backlog.deps.Metrics, Logger: backlog.deps.Logger}, Options{Workers: 1})
			if err != nil {
				t.Fatal(err)
			}
			events, cancel := q.Client().Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed)
			defer cancel()
			if err := q.Start(ctx); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { q.Stop(context.Background()) })
			// Completions are reported in batches, not always in the
			// order the jobs ran: order them by when each started (River
			// keeps milliseconds on SQLite; ties keep the reported order).
			var ran []*rivertype.JobRow
			timeout := time.After(30 * time.Second)
			for len(ran) < 4 {
				select {
				case ev := <-events:
					ran = append(ran, ev.Job)
				case <-timeout:
					t.Fatalf("%d jobs ran", len(ran))
				}
			}
			slices.SortStableFunc(ran, func(a, b *rivertype.JobRow) int { return a.AttemptedAt.Compare(*b.AttemptedAt) })
			var got []string
			for _, j := range ran {
				got = append(got, j.Kind)
			}
			want := []string{"webhook_intake", "webhook_delivery", "webhook_delivery", "check_repository"}
			if !slices.Equal(got, want) {
				t.Fatalf("jobs ran in the order %v, want %v", got, want)
			}
		})
	}
}
