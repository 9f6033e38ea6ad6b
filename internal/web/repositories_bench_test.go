package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/ospo-bot/ospo-bot/internal/signin"
	"github.com/ospo-bot/ospo-bot/internal/store"
	"github.com/ospo-bot/ospo-bot/internal/store/storetest"
)

// benchPages are the requests measured on the generated org: the
// Repositories page unfiltered, filtered, sorted and deep in its pages, a
// repository's page, and the audit log searched.
var benchPages = []string{
	"repositories",
	"repositories?status=flagged&sort=failing&dir=desc",
	"repositories?rule=license&visibility=public&sort=checked&page=20",
	"repositories?review=open&sort=review",
	"repositories?name=repo-99&sort=status&dir=desc",
	"repositories/repo-5000",
	"audit",
	"audit?actor=lead&since=2025-01-01",
	"audit?repository=repo-10&since=2025-01-01",
	"audit?action=refuse&page=50",
}

// BenchmarkRepositoryPages answers each of benchPages on the generated
// org (10,000 repositories, 1,000,000 pull requests, 100,000 audit
// entries) after one refresh, on SQLite and Postgres, and reports each
// page's p95 and median in ms (every request is timed; b.N rounds).
//
//	go test -run '^$' -bench RepositoryPages -benchtime 20x ./internal/web/
func BenchmarkRepositoryPages(b *testing.B) {
	for _, d := range storetest.Dialects(b) {
		b.Run(string(d), func(b *testing.B) {
			st := storetest.BigOrgStore(b, d)
			now := storetest.BigOrgEndTime()
			start := time.Now()
			if err := Refresh(context.Background(), st, storetest.BigOrg, now); err != nil {
				b.Fatal(err)
			}
			b.Logf("refresh: %s", time.Since(start).Round(time.Millisecond))
			start = time.Now()
			if err := Refresh(context.Background(), st, storetest.BigOrg, now); err != nil {
				b.Fatal(err)
			}
			b.Logf("refresh again, nothing changed: %s", time.Since(start).Round(time.Millisecond))
			if d == store.Postgres { // as autovacuum would after the first refresh's writes
				if _, err := st.DB.Exec(`VACUUM ANALYZE`); err != nil {
					b.Fatal(err)
				}
			}
			h := (&Site{Store: st, Now: func() time.Time { return now }}).Handler()
			for _, page := range benchPages {
				b.Run(page, func(b *testing.B) { benchPage(b, h, "/dashboard/"+storetest.BigOrg+"/"+page) })
			}
		})
	}
}

func benchPage(b *testing.B, h http.Handler, path string) {
	ctx := signin.WithViewer(context.Background(), signin.Viewer{Login: "lead", Orgs: []string{storetest.BigOrg}})
	var took []time.Duration
	for b.Loop() {
		r := httptest.NewRequest("GET", path, nil).WithContext(ctx)
		w := httptest.NewRecorder()
		start := time.Now()
		h.ServeHTTP(w, r)
		took = append(took, time.Since(start))
		if w.Code != 200 {
			b.Fatalf("GET %s: %d %s", path, w.Code, w.Body.String())
		}
	}
	slices.Sort(took)
	ms := func(q float64) float64 {
		return float64(took[min(len(took)-1, int(q*float64(len(took))))].Microseconds()) / 1000
	}
	b.ReportMetric(ms(0.5), "p50-ms")
	b.ReportMetric(ms(0.95), "p95-ms")
}
