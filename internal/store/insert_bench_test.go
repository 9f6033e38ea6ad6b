package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ospo-bot/ospo-bot/internal/store"
	"github.com/ospo-bot/ospo-bot/internal/store/storetest"
)

// BenchmarkInsertDeliveries: one intake commit of 8 deliveries (about
// the group size at 64 concurrent senders) with GitHub's 28 KB
// pull_request.opened payload, as InsertDeliveries does it, without the
// fsync (synchronous=OFF) so that it measures the statements' CPU cost,
// which the end-to-end BenchmarkIntake (internal/webhook) drowns in noise:
//
//	go test -run '^$' -bench InsertDeliveries -benchtime 4000x ./internal/store/
func BenchmarkInsertDeliveries(b *testing.B) {
	ctx := context.Background()
	body, err := os.ReadFile(filepath.Join("..", "..", "testdata", "github", "webhooks", "pull_request", "opened.json"))
	if err != nil {
		b.Fatal(err)
	}
	packed := store.Pack(body)
	s, err := store.Open(ctx, storetest.URL(b, store.SQLite)+"?_pragma=synchronous(OFF)")
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	b.ResetTimer()
	for i := range b.N {
		ds := make([]store.Delivery, 8)
		for j := range ds {
			ds[j] = store.Delivery{ID: fmt.Sprintf("%d-%d", i, j), Event: "pull_request", Action: "opened", InstallationID: 1, Repository: "o/r", ReceivedAt: now, Payload: packed}
		}
		if err := s.InTx(ctx, func(tx *sql.Tx) error { _, err := s.InsertDeliveries(ctx, tx, ds); return err }); err != nil {
			b.Fatal(err)
		}
	}
}
