package jobs

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/ospo-bot/ospo-bot/internal/metrics"
	"github.com/ospo-bot/ospo-bot/internal/store"
	"github.com/ospo-bot/ospo-bot/internal/store/storetest"
)

// BenchmarkIntakeCommit measures the serial part of durable intake: one
// group commit (Queue.commit) of 1, 8 or 32 deliveries of GitHub's 28 KB
// pull_request.opened example (packed), their rows, payloads and jobs. On
// SQLite it runs without the fsync (synchronous=OFF) so that it measures
// the statements' CPU, which the end-to-end BenchmarkIntake
// (internal/webhook) shares with the HTTP side and other processes. Run:
//
//	go test -run '^$' -bench IntakeCommit -benchtime 2000x ./internal/jobs/
func BenchmarkIntakeCommit(b *testing.B) {
	body, err := os.ReadFile(filepath.Join("..", "..", "testdata", "github", "webhooks", "pull_request", "opened.json"))
	if err != nil {
		b.Fatal(err)
	}
	packed := store.Pack(body)
	for _, dialect := range storetest.Dialects(b) {
		for _, n := range []int{1, 8, 32} {
			b.Run(fmt.Sprintf("%s/group-%d", dialect, n), func(b *testing.B) {
				ctx := context.Background()
				url := storetest.URL(b, dialect)
				if dialect == store.SQLite {
					url += "?_pragma=synchronous(OFF)"
				}
				st, err := store.Open(ctx, url)
				if err != nil {
					b.Fatal(err)
				}
				defer st.Close()
				if _, err := st.Migrate(ctx); err != nil {
					b.Fatal(err)
				}
				q, err := New(Deps{Store: st, Metrics: metrics.New(), Logger: zerolog.Nop()}, Options{InsertOnly: true})
				if err != nil {
					b.Fatal(err)
				}
				now := time.Now()
				b.ReportAllocs()
				b.ResetTimer()
				for i := range b.N {
					batch := make([]*pending, n)
					for j := range batch {
						batch[j] = &pending{delivery: store.Delivery{ID: fmt.Sprintf("%d-%d", i, j), Event: "pull_request", Action: "opened",
							InstallationID: 1, Repository: "acme/widget", ReceivedAt: now, Payload: packed}}
					}
					if err := q.commit(batch); err != nil {
						b.Fatal(err)
					}
				}
				b.StopTimer()
				b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*n), "µs/delivery")
			})
		}
	}
}
