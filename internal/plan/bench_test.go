package plan_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ospo-bot/ospo-bot/internal/fit"
	"github.com/ospo-bot/ospo-bot/internal/plan"
	"github.com/ospo-bot/ospo-bot/internal/policy"
	"github.com/ospo-bot/ospo-bot/internal/rules"
	"github.com/ospo-bot/ospo-bot/internal/store"
	"github.com/ospo-bot/ospo-bot/internal/store/storetest"
)

// benchRepositories is the generated org's size.
const benchRepositories = 10_000

const benchBefore = `review:
  repository: acme/ospo
repository:
  license: {mode: enforce, allowed: [Apache-2.0, MIT]}
  codeowners: {mode: warn}
  files: {mode: warn, required: [README, CONTRIBUTING]}
`

const benchAfter = `review:
  repository: acme/ospo
repository:
  license: {mode: enforce, allowed: [Apache-2.0, BSD-3-Clause]}
  codeowners: {mode: enforce}
  files: {mode: enforce, required: [README, CONTRIBUTING, SECURITY]}
  topics: {mode: warn, one_of: [oss, inner-source]}
  labels: {mode: warn, required: [{name: bug, color: d73a4a}]}
`

// generatedOrg stores the snapshots of an org of benchRepositories
// repositories, as their checks under benchBefore keep them: a third MIT,
// a third Apache-2.0, a sixth BSD-3-Clause (shared texts), a sixth no
// LICENSE; most with a CODEOWNERS of their own (a text each), README,
// CONTRIBUTING, a few docs/ and .github/ files; a fifth public; topics on
// half. OSPO_PLAN_BENCH_DB keeps the SQLite database at that path, and
// OSPO_PLAN_BENCH_POSTGRES names an empty Postgres database to fill and
// keep (for /usr/bin/time -v ospo-bot policy plan).
func generatedOrg(b *testing.B, d store.Dialect) *store.Store {
	ctx := context.Background()
	var url string
	if keep := os.Getenv("OSPO_PLAN_BENCH_POSTGRES"); d == store.Postgres && keep != "" {
		url = keep // an empty database, kept
	} else {
		url = storetest.URL(b, d)
	}
	if d == store.SQLite {
		path := filepath.Join(os.TempDir(), fmt.Sprintf("ospo-plan-bench-%d.db", os.Getpid()))
		if keep := os.Getenv("OSPO_PLAN_BENCH_DB"); keep != "" {
			path = keep
		} else {
			b.Cleanup(func() { os.Remove(path); os.Remove(path + "-wal"); os.Remove(path + "-shm") })
		}
		os.Remove(path)
		url = "sqlite://" + path + "?_pragma=synchronous(OFF)" // filling only: the plan reads
	}
	st, err := store.Open(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	org, err := policy.ParseDocument("ospo.yml", []byte(benchBefore), true)
	if err != nil {
		b.Fatal(err)
	}
	org.Source.Repo = "acme/.github"
	eff := policy.Resolve(org, nil)
	texts := map[string]string{}
	for _, l := range []string{"MIT", "Apache-2.0", "BSD-3-Clause"} {
		t, err := os.ReadFile(filepath.Join("..", "..", "testdata", "licenses", l+".txt"))
		if err != nil {
			b.Fatal(err)
		}
		texts[l] = string(t)
	}
	start := time.Now()
	at := time.Unix(1_764_000_000, 0)
	for i := range benchRepositories {
		s := &rules.Snapshot{Owner: "acme", Name: fmt.Sprintf("repo-%05d", i), ID: int64(100_000 + i), Private: i%5 != 0,
			DefaultBranch: "main", HTMLURL: fmt.Sprintf("https://github.com/acme/repo-%05d", i), Contents: map[string]string{},
			Paths: []string{"README.md", "CONTRIBUTING.md", ".gitignore", "go.mod", "go.sum", "main.go", "Makefile", ".github/", "docs/",
				".github/workflows/", ".github/dependabot.yml", "docs/index.md", "docs/design.md"}}
		if i%2 == 0 {
			s.Topics = []string{"oss", "go"}
		}
		switch i % 6 {
		case 0, 1:
			s.Paths, s.Contents["LICENSE"] = append(s.Paths, "LICENSE"), texts["MIT"]
		case 2, 3:
			s.Paths, s.Contents["LICENSE"] = append(s.Paths, "LICENSE"), texts["Apache-2.0"]
		case 4:
			s.Paths, s.Contents["LICENSE"] = append(s.Paths, "LICENSE"), texts["BSD-3-Clause"]
		}
		if i%7 != 0 {
			s.Paths = append(s.Paths, ".github/CODEOWNERS")
			s.Contents[".github/CODEOWNERS"] = fmt.Sprintf("* @acme/team-%d\n/docs/ @acme/docs\n", i%500)
		}
		if i%10 == 0 {
			s.Paths = append(s.Paths, "SECURITY.md")
		}
		if err := plan.Record(ctx, st, plan.Keep{InstallationID: 1, Snapshot: s, Policy: eff, At: at.Add(time.Duration(i) * time.Second)}); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("%s: %d snapshots stored in %s", d, benchRepositories, time.Since(start).Round(time.Millisecond))
	return st
}

// BenchmarkPolicyPlan is `ospo-bot policy plan` on a generated org of
// 10,000 stored repositories: the plan built from the database
// (plan.Build) and written as text and as the check run's Markdown. The
// SQLite database is read as the server opens it (WAL). Reported besides
// ns/op and B/op (TotalAlloc):
//
//	peak-heap-MB  the largest HeapInuse sampled every millisecond during the runs
//	newly-flagged repositories the plan finds newly flagged (a sanity check)
//
// Run: go test -run '^$' -bench PolicyPlan -benchtime 3x ./internal/plan/
func BenchmarkPolicyPlan(b *testing.B) {
	newDoc, err := policy.ParseDocument("new.yml", []byte(benchAfter), true)
	if err != nil {
		b.Fatal(err)
	}
	for _, d := range storetest.Dialects(b) {
		st := generatedOrg(b, d) // once: b.Run calls the function again for each b.N
		b.Run(string(d), func(b *testing.B) {
			ctx := context.Background()
			runtime.GC()
			var peak atomic.Uint64
			stop := make(chan struct{})
			done := make(chan struct{})
			go func() {
				defer close(done)
				var m runtime.MemStats
				for {
					runtime.ReadMemStats(&m)
					if m.HeapInuse > peak.Load() {
						peak.Store(m.HeapInuse)
					}
					select {
					case <-stop:
						return
					case <-time.After(time.Millisecond):
					}
				}
			}()
			b.ReportAllocs()
			b.ResetTimer()
			var p *plan.Plan
			for range b.N {
				if p, err = plan.Build(ctx, st, "acme", newDoc); err != nil {
					b.Fatal(err)
				}
				if txt, md := p.Text(), p.Markdown(fit.CheckOutput.Max, ""); !strings.Contains(txt, "repo-") || len(md) > fit.CheckOutput.Max {
					b.Fatalf("text %d bytes, Markdown %d bytes", len(txt), len(md))
				}
			}
			b.StopTimer()
			close(stop)
			<-done
			if p.Repositories != benchRepositories {
				b.Fatalf("%d repositories planned", p.Repositories)
			}
			b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MB")
			b.ReportMetric(float64(len(p.NewlyFlagged)), "newly-flagged")
		})
	}
}
