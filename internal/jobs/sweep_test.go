package jobs

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/ospo-bot/ospo-bot/internal/store"
	"github.com/ospo-bot/ospo-bot/internal/store/storetest"
)

// The hourly maintenance prunes side effects older than their retention,
// and deliveries and their payloads older than the configured retention,
// and a second run finds nothing to do.
func TestMaintenancePrunes(t *testing.T) {
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			st := storetest.Open(t, d)
			for _, k := range []string{"old", "new"} {
				if err := st.CompleteSideEffect(ctx, k, 1); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := st.DB.ExecContext(ctx, `UPDATE side_effects SET at = $1 WHERE effect_key = 'old'`, time.Now().UTC().Add(-exactlyOnceRetention-time.Hour)); err != nil {
				t.Fatal(err)
			}
			retention := store.Retention{Payloads: 2 * time.Hour, Deliveries: 5 * time.Hour}
			now := time.Now()
			ages := map[string]time.Duration{"fresh": time.Hour, "past-payload": 3 * time.Hour, "past-row": 6 * time.Hour, "queued": 6 * time.Hour}
			var ds []store.Delivery
			for id, age := range ages {
				ds = append(ds, store.Delivery{ID: id, Event: "push", ReceivedAt: now.Add(-age), Payload: store.Pack([]byte(`{}`))})
			}
			if err := st.InTx(ctx, func(tx *sql.Tx) error { _, err := st.InsertDeliveries(ctx, tx, ds); return err }); err != nil {
				t.Fatal(err)
			}
			for id := range ages {
				if id != "queued" {
					if err := st.FinishDelivery(ctx, id, store.OutcomeProcessed, ""); err != nil {
						t.Fatal(err)
					}
				}
			}
			w := &maintenanceWorker{deps: Deps{Store: st}, retention: retention}
			for run := range 2 { // the second run changes nothing
				if err := w.Work(ctx, nil); err != nil {
					t.Fatalf("run %d: %v", run, err)
				}
				for k, want := range map[string]bool{"old": false, "new": true} {
					if _, found, err := st.SideEffectOf(ctx, k); err != nil || found != want {
						t.Errorf("side effect %s: found %v (%v), want %v", k, found, err, want)
					}
				}
				for id, want := range map[string][2]bool{"fresh": {true, true}, "past-payload": {true, false}, "past-row": {false, false}, "queued": {true, true}} {
					rec, err := st.Delivery(ctx, id)
					row := !errors.Is(err, sql.ErrNoRows)
					if row && err != nil {
						t.Fatal(err)
					}
					if got := [2]bool{row, rec.Payload != nil}; got != want {
						t.Errorf("run %d: delivery %s: row, payload = %v, want %v", run, id, got, want)
					}
				}
			}
		})
	}
}
