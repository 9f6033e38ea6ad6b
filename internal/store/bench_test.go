package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/ospo-bot/ospo-bot/internal/store"
	"github.com/ospo-bot/ospo-bot/internal/store/storetest"
)

// BenchmarkDeliveryStorage measures what b.N processed deliveries leave on
// disk in SQLite. Each delivery carries GitHub's 28 KB pull_request.opened
// example (stored zstd-packed, as the webhook handler stores it), is
// recorded through Store.InsertDeliveries in groups of 64 (as intake's
// group commit does) and finished with FinishDelivery (as its job does).
// Then the clock moves past the payload retention, PruneDeliveries and
// ReclaimSpace run, and a writer keeps recording one delivery at a time
// meanwhile, as intake would. Reported:
//
//	MB-before    database file (WAL checkpointed) with every payload kept
//	MB-after     database file + WAL after pruning and reclaiming
//	heap-MB-max  the largest live Go heap seen (after GC) while writing and pruning
//	heap-MB-end  the live Go heap at the end
//	prune-s      the time PruneDeliveries and ReclaimSpace took
//	stall-ms     the longest a one-delivery write waited during them
//	live-writes  how many such writes ran (tiny payloads: they hardly count in MB-after)
//
// Run (100,000 deliveries, about two minutes):
//
//	go test -run '^$' -bench DeliveryStorage -benchtime 100000x ./internal/store/
//
// The database runs with synchronous=NORMAL instead of the server's FULL:
// 100,000 single-row commits with an fsync each would only make this slow;
// the file's size is the same.
func BenchmarkDeliveryStorage(b *testing.B) {
	ctx := context.Background()
	body, err := os.ReadFile(filepath.Join("..", "..", "testdata", "github", "webhooks", "pull_request", "opened.json"))
	if err != nil {
		b.Fatal(err)
	}
	packed := store.Pack(body)
	s, err := store.Open(ctx, storetest.URL(b, store.SQLite)+"?_pragma=synchronous(NORMAL)")
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	var heapMax uint64
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		heapMax = max(heapMax, m.HeapAlloc)
		return m.HeapAlloc
	}
	heap()
	b.ResetTimer()
	now := time.Now()
	const group = 64
	batch := make([]store.Delivery, 0, group)
	flush := func() {
		if err := s.InTx(ctx, func(tx *sql.Tx) error { _, err := s.InsertDeliveries(ctx, tx, batch); return err }); err != nil {
			b.Fatal(err)
		}
		for _, d := range batch {
			if err := s.FinishDelivery(ctx, d.ID, store.OutcomeProcessed, ""); err != nil {
				b.Fatal(err)
			}
		}
		batch = batch[:0]
	}
	for i := range b.N {
		batch = append(batch, store.Delivery{
			ID: fmt.Sprintf("%08x-0000-4000-8000-%012x", i, i), Event: "pull_request", Action: "opened",
			InstallationID: 12345678, Repository: "octo-org/octo-repo", ReceivedAt: now, Payload: packed,
		})
		if len(batch) == group {
			flush()
		}
		if i%10000 == 0 {
			heap()
		}
	}
	if len(batch) > 0 {
		flush()
	}
	heap()
	if _, err := s.DB.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		b.Fatal(err)
	}
	before := sqliteBytes(b, s.SQLitePath())

	// Prune 15 days later, with intake writing beside it.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var stalls []time.Duration
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			case <-time.After(2 * time.Millisecond):
			}
			t0 := time.Now()
			err := s.InTx(ctx, func(tx *sql.Tx) error {
				_, err := s.InsertDeliveries(ctx, tx, []store.Delivery{{ID: fmt.Sprintf("live-%d", i), Event: "push", ReceivedAt: now.Add(15 * 24 * time.Hour), Payload: store.Pack([]byte(`{}`))}})
				return err
			})
			if err != nil {
				b.Error(err)
				return
			}
			stalls = append(stalls, time.Since(t0))
		}
	}()
	t0 := time.Now()
	pruned, err := s.PruneDeliveries(ctx, now.Add(15*24*time.Hour), store.DefaultRetention)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := s.ReclaimSpace(ctx); err != nil {
		b.Fatal(err)
	}
	pruneTime := time.Since(t0)
	heap()
	close(stop)
	wg.Wait()
	b.StopTimer()
	if pruned.Payloads != int64(b.N) || pruned.Deliveries != 0 {
		b.Fatalf("pruned %+v, want %d payloads and no rows (within the delivery retention)", pruned, b.N)
	}
	// A checkpoint for the writes made after ReclaimSpace's own.
	if _, err := s.DB.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		b.Fatal(err)
	}
	after := sqliteBytes(b, s.SQLitePath())
	b.ReportMetric(float64(before)/1e6, "MB-before")
	b.ReportMetric(float64(after)/1e6, "MB-after")
	b.ReportMetric(float64(heapMax)/1e6, "heap-MB-max")
	b.ReportMetric(float64(heap())/1e6, "heap-MB-end")
	b.ReportMetric(pruneTime.Seconds(), "prune-s")
	b.ReportMetric(float64(slices.Max(append(stalls, 0)).Microseconds())/1000, "stall-ms")
	b.ReportMetric(float64(len(stalls)), "live-writes")
}

// sqliteBytes is the size of a SQLite database on disk: its file and WAL.
func sqliteBytes(b *testing.B, path string) int64 {
	var n int64
	for _, p := range []string{path, path + "-wal"} {
		if fi, err := os.Stat(p); err == nil {
			n += fi.Size()
		}
	}
	return n
}
