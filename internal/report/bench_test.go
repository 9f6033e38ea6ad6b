package report_test

import (
	"context"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ospo-bot/ospo-bot/internal/report"
	"github.com/ospo-bot/ospo-bot/internal/store/storetest"
)

// BenchmarkReport builds and writes the generated org's report over its
// whole year (every pull request row is read) on SQLite and Postgres.
// Reported: ms per report (Build and Write as JSON to io.Discard) and
// peak-heap-MB, the largest Go heap in use (runtime.MemStats.HeapInuse,
// sampled every 5 ms) while it ran. The org is generated once per process
// (storetest.BigOrgStore, minutes); set OSPO_BENCH_SQLITE /
// OSPO_BENCH_POSTGRES to a database URL to generate it there and keep it
// (for `ospo-bot report`).
//
//	go test -run '^$' -bench Report -benchtime 1x -count 3 ./internal/report/
func BenchmarkReport(b *testing.B) {
	for _, d := range storetest.Dialects(b) {
		b.Run(string(d), func(b *testing.B) {
			s := storetest.BigOrgStore(b, d)
			for _, format := range []string{"json"} {
				o := report.Options{Org: storetest.BigOrg, Since: time.Unix(storetest.BigOrgEnd-storetest.BigOrgYear, 0).UTC(),
					Until: storetest.BigOrgEndTime(), Now: storetest.BigOrgEndTime()}
				runtime.GC()
				var peak atomic.Uint64
				stop := make(chan struct{})
				done := make(chan struct{})
				go func() {
					defer close(done)
					var m runtime.MemStats
					t := time.NewTicker(5 * time.Millisecond)
					defer t.Stop()
					for {
						runtime.ReadMemStats(&m)
						if m.HeapInuse > peak.Load() {
							peak.Store(m.HeapInuse)
						}
						select {
						case <-stop:
							return
						case <-t.C:
						}
					}
				}()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					r, err := report.Build(context.Background(), s, o)
					if err != nil {
						b.Fatal(err)
					}
					if err := report.Write(discard{}, r, format); err != nil {
						b.Fatal(err)
					}
					if r.KPIs.ChangeRequestClosure.Den < storetest.BigOrgPulls/2 || len(r.Repositories) != storetest.BigOrgRepos {
						b.Fatalf("the report read %d pull requests opened and %d repositories", r.KPIs.ChangeRequestClosure.Den, len(r.Repositories))
					}
				}
				b.StopTimer()
				close(stop)
				<-done
				b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/report")
				b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MB")
			}
		})
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
