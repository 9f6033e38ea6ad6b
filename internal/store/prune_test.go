package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/ospo-bot/ospo-bot/internal/store"
	"github.com/ospo-bot/ospo-bot/internal/store/storetest"
)

// Pruning keeps every payload a job may still need, deletes processed
// deliveries' payloads after the payload retention and finished rows
// after the delivery retention, in batches, and is a no-op the second
// time.
func TestPruneDeliveries(t *testing.T) {
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) { testPruneDeliveries(t, storetest.Open(t, d)) })
	}
}

func testPruneDeliveries(t *testing.T, s *store.Store) {
	ctx := context.Background()
	now := time.Now()
	r := store.Retention{Payloads: 14 * 24 * time.Hour, Deliveries: 90 * 24 * time.Hour}
	day := 24 * time.Hour
	type want struct{ row, payload bool }
	cases := []struct {
		id      string
		age     time.Duration
		outcome string
		want    want
	}{
		{"queued-new", time.Hour, store.OutcomeQueued, want{true, true}},
		{"queued-old", 200 * day, store.OutcomeQueued, want{true, true}}, // still retrying, or waiting: never touched
		{"processed-new", 13 * day, store.OutcomeProcessed, want{true, true}},
		{"processed-past-payload", 15 * day, store.OutcomeProcessed, want{true, false}},
		{"processed-past-row", 91 * day, store.OutcomeProcessed, want{false, false}},
		{"failed-past-payload", 15 * day, store.OutcomeFailed, want{true, true}}, // kept to replay
		{"failed-past-row", 91 * day, store.OutcomeFailed, want{false, false}},
	}
	var ds []store.Delivery
	for _, c := range cases {
		ds = append(ds, store.Delivery{ID: c.id, Event: "pull_request", ReceivedAt: now.Add(-c.age), Payload: store.Pack([]byte(`{"x":1}`))})
	}
	// More than a batch of each kind, to go through several batches.
	const bulk = store.PruneBatch + 7
	for i := range bulk {
		ds = append(ds,
			store.Delivery{ID: fmt.Sprintf("bulk-payload-%d", i), Event: "push", ReceivedAt: now.Add(-20 * day), Payload: store.Pack([]byte(`{}`))},
			store.Delivery{ID: fmt.Sprintf("bulk-row-%d", i), Event: "push", ReceivedAt: now.Add(-100 * day), Payload: store.Pack([]byte(`{}`))})
	}
	if err := s.InTx(ctx, func(tx *sql.Tx) error { _, err := s.InsertDeliveries(ctx, tx, ds); return err }); err != nil {
		t.Fatal(err)
	}
	for _, d := range ds[len(cases):] {
		if err := s.FinishDelivery(ctx, d.ID, store.OutcomeProcessed, ""); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range cases {
		if c.outcome != store.OutcomeQueued {
			if err := s.FinishDelivery(ctx, c.id, c.outcome, ""); err != nil {
				t.Fatal(err)
			}
		}
	}

	got, err := s.PruneDeliveries(ctx, now, r)
	if err != nil {
		t.Fatal(err)
	}
	// Payloads: processed-past-payload, processed-past-row and both bulks
	// (a processed row past the delivery retention is past the payload
	// one too); rows: the two past-row cases and bulk-row.
	if want := (store.Pruned{Payloads: 2 + 2*bulk, Deliveries: 2 + bulk}); got != want {
		t.Errorf("pruned %+v, want %+v", got, want)
	}
	for _, c := range cases {
		d, err := s.Delivery(ctx, c.id)
		row := !errors.Is(err, sql.ErrNoRows)
		if row && err != nil {
			t.Fatal(err)
		}
		if g := (want{row, d.Payload != nil}); g != c.want {
			t.Errorf("%s: row %v payload %v, want %+v", c.id, g.row, g.payload, c.want)
		}
		if c.want.payload {
			if p, err := d.Payload.Unpack(); err != nil || string(p) != `{"x":1}` {
				t.Errorf("%s: payload %q (%v)", c.id, p, err)
			}
		}
	}
	// A redelivery of a processed delivery whose payload was pruned is
	// still recognised: its row is there.
	var fresh map[string]bool
	if err := s.InTx(ctx, func(tx *sql.Tx) (err error) {
		fresh, err = s.InsertDeliveries(ctx, tx, []store.Delivery{{ID: "processed-past-payload", Event: "pull_request", ReceivedAt: now}})
		return err
	}); err != nil || len(fresh) != 0 {
		t.Fatalf("redelivery within the delivery retention recorded as new: %v (%v)", fresh, err)
	}
	if d, _ := s.Delivery(ctx, "processed-past-payload"); d.Payload != nil {
		t.Error("a redelivery stored the payload of a delivery it did not record")
	}

	// Idempotent: a second run (another replica, the next period) finds nothing.
	if again, err := s.PruneDeliveries(ctx, now, r); err != nil || again != (store.Pruned{}) {
		t.Errorf("second prune = %+v, %v; want nothing", again, err)
	}
	var payloads, rows int
	if err := s.DB.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM delivery_payloads), (SELECT COUNT(*) FROM deliveries)`).Scan(&payloads, &rows); err != nil {
		t.Fatal(err)
	}
	if payloads != 4 || rows != 5+bulk {
		t.Errorf("left %d payloads and %d rows, want 4 and %d", payloads, rows, 5+bulk)
	}
	if _, err := s.ReclaimSpace(ctx); err != nil {
		t.Fatal(err)
	}
}

// Two prunes at once (two replicas, or a sweep beside a manual run) both
// succeed and together delete each row once.
func TestPruneDeliveriesConcurrently(t *testing.T) {
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			s := storetest.Open(t, d)
			now := time.Now()
			const n = 3 * store.PruneBatch
			ds := make([]store.Delivery, n)
			for i := range ds {
				ds[i] = store.Delivery{ID: fmt.Sprintf("d-%04d", i), Event: "push", ReceivedAt: now.Add(-100 * 24 * time.Hour), Payload: store.Pack([]byte(`{}`))}
			}
			if err := s.InTx(ctx, func(tx *sql.Tx) error { _, err := s.InsertDeliveries(ctx, tx, ds); return err }); err != nil {
				t.Fatal(err)
			}
			if _, err := s.DB.ExecContext(ctx, `UPDATE deliveries SET outcome = 'processed'`); err != nil {
				t.Fatal(err)
			}
			results := make(chan store.Pruned, 2)
			errs := make(chan error, 2)
			for range 2 {
				go func() {
					p, err := s.PruneDeliveries(ctx, now, store.DefaultRetention)
					results <- p
					errs <- err
				}()
			}
			var total store.Pruned
			for range 2 {
				if err := <-errs; err != nil {
					t.Fatal(err)
				}
				p := <-results
				total.Payloads += p.Payloads
				total.Deliveries += p.Deliveries
			}
			if total.Payloads+total.Deliveries < n || total.Deliveries > n {
				t.Errorf("pruned %+v in all, want %d rows each once", total, n)
			}
			var left int
			if err := s.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM deliveries`).Scan(&left); err != nil || left != 0 {
				t.Errorf("%d rows left (%v)", left, err)
			}
		})
	}
}

// A new SQLite database is made in auto_vacuum=INCREMENTAL mode, an
// existing one is converted once by Migrate, and ReclaimSpace then gives
// the pages of pruned payloads back: the file shrinks.
func TestReclaimSpaceSQLite(t *testing.T) {
	ctx := context.Background()
	s := storetest.Open(t, store.SQLite)
	var mode int
	if err := s.DB.QueryRowContext(ctx, `PRAGMA auto_vacuum`).Scan(&mode); err != nil || mode != 2 {
		t.Fatalf("auto_vacuum = %d (%v), want 2 (INCREMENTAL)", mode, err)
	}
	now := time.Now()
	big := make([]byte, 64<<10) // incompressible enough: a distinct byte pattern
	for i := range big {
		big[i] = byte(i * 7919 >> 3)
	}
	ds := make([]store.Delivery, 200)
	for i := range ds {
		ds[i] = store.Delivery{ID: fmt.Sprintf("d-%d", i), Event: "push", ReceivedAt: now.Add(-30 * 24 * time.Hour), Payload: store.Packed(big)}
	}
	if err := s.InTx(ctx, func(tx *sql.Tx) error { _, err := s.InsertDeliveries(ctx, tx, ds); return err }); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DB.ExecContext(ctx, `UPDATE deliveries SET outcome = 'processed'`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DB.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		t.Fatal(err)
	}
	before := fileSize(t, s.SQLitePath())
	if p, err := s.PruneDeliveries(ctx, now, store.DefaultRetention); err != nil || p.Payloads != int64(len(ds)) {
		t.Fatalf("pruned %+v (%v)", p, err)
	}
	freed, err := s.ReclaimSpace(ctx)
	if err != nil {
		t.Fatal(err)
	}
	after := fileSize(t, s.SQLitePath())
	if after > before/4 || freed < int64(len(ds))*int64(len(big))/2 {
		t.Errorf("file %d → %d bytes, %d reported freed: the payloads' pages were not given back", before, after, freed)
	}
	if _, err := os.Stat(s.SQLitePath() + "-wal"); err == nil && fileSize(t, s.SQLitePath()+"-wal") != 0 {
		t.Errorf("the WAL keeps %d bytes after ReclaimSpace", fileSize(t, s.SQLitePath()+"-wal"))
	}
}

// A database made before auto_vacuum was set (every database before
// migration 009) is converted by Migrate, once, keeping its data.
func TestMigrateConvertsExistingSQLiteToIncrementalVacuum(t *testing.T) {
	ctx := context.Background()
	url := storetest.URL(t, store.SQLite)
	s, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	// What an old version made: tables in auto_vacuum=NONE.
	if _, err := s.DB.ExecContext(ctx, `CREATE TABLE old_data (x TEXT)`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DB.ExecContext(ctx, `INSERT INTO old_data VALUES ('kept')`); err != nil {
		t.Fatal(err)
	}
	applied, err := s.Migrate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(applied) == 0 || applied[len(applied)-1] != "sqlite auto_vacuum=INCREMENTAL (one-time VACUUM)" {
		t.Errorf("applied = %q, want the conversion last", applied)
	}
	var mode int
	var x string
	if err := s.DB.QueryRowContext(ctx, `SELECT x FROM old_data`).Scan(&x); err != nil || x != "kept" {
		t.Fatalf("data after the conversion: %q (%v)", x, err)
	}
	if err := s.DB.QueryRowContext(ctx, `PRAGMA auto_vacuum`).Scan(&mode); err != nil || mode != 2 {
		t.Fatalf("auto_vacuum = %d (%v), want 2", mode, err)
	}
	if applied, err := s.Migrate(ctx); err != nil || len(applied) != 0 {
		t.Errorf("second Migrate = %q, %v; want nothing to do", applied, err)
	}
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}
