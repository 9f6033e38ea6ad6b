package report_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ospo-bot/ospo-bot/internal/report"
	"github.com/ospo-bot/ospo-bot/internal/store"
	"github.com/ospo-bot/ospo-bot/internal/store/storetest"
)

// The generated org of the benchmark: 10,000 repositories with ten days of
// checks each, 1,000,000 pull requests (rows of pull_request_facts) over a
// year, 20,000 authors, a review issue for every tenth repository, CLA and
// audit history.
const (
	benchRepos    = 10_000
	benchPulls    = 1_000_000
	benchAuthors  = 20_000
	benchDays     = 10
	benchEnd      = 1_767_225_600 // 2026-01-01 UTC
	benchYear     = 365 * 24 * 3600
	benchOrg      = "bench"
	benchRowBatch = 500
)

var benchRules = []string{"repository.license", "repository.codeowners", "repository.files", "repository.security",
	"repository.visibility", "repository.branch_protection", "repository.description", "repository.topics"}

// hash is a deterministic pseudo-random value of row i (0 to 2^26), the
// k-th of several, computed by the database so that a million rows are
// generated there (in seconds) rather than sent from Go (in tens of
// minutes on SQLite).
func hash(k int) string {
	mult := []int64{2654435761, 2246822519, 3266489917, 668265263, 374761393, 1103515245, 2862933555, 3572445317, 1597334677, 2891336453, 1181783497}
	return fmt.Sprintf("(((i * %d) %% 4294967296) / 64)", mult[k])
}

// series is "WITH n(i) AS (0 .. count-1)" for the dialect.
func series(d store.Dialect, count int) string {
	if d == store.Postgres {
		return fmt.Sprintf("WITH n(i) AS (SELECT generate_series(0::bigint, %d)) ", count-1)
	}
	return fmt.Sprintf("WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < %d) ", count-1)
}

// generate fills a migrated store with the generated org.
func generate(ctx context.Context, s *store.Store) error {
	rng := rand.New(rand.NewPCG(13, 13))
	exec := func(q string, args ...any) error {
		if _, err := s.DB.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("%.80s: %w", q, err)
		}
		return nil
	}
	if err := exec(`INSERT INTO installations (id, account, account_type, state, updated_at)
		VALUES (1, 'bench', 'Organization', 'active', $1)`, time.Unix(benchEnd, 0).UTC()); err != nil {
		return err
	}
	// Repository days: repository 1 + i/10, day i%10 before the end; each
	// rule fails one time in twenty.
	var results, failing []string
	for k, rule := range benchRules {
		bad := fmt.Sprintf("%s %% 20 = 0", hash(k))
		results = append(results, fmt.Sprintf(`'"%s":"enforce/' || CASE WHEN %s THEN 'fail' ELSE 'pass' END || '"'`, rule, bad))
		failing = append(failing, fmt.Sprintf(`CASE WHEN %s THEN ',%s' ELSE '' END`, bad, rule))
	}
	fail := "ltrim(" + strings.Join(failing, " || ") + ", ',')"
	day := fmt.Sprintf("(%d - (i %% %d + 1) * 86400)", benchEnd, benchDays)
	repo := fmt.Sprintf("(1 + i / %d)", benchDays)
	if err := exec(series(s.Dialect, benchRepos*benchDays) + `INSERT INTO repository_days (repository_id, day, installation_id, org,
		repository, private, in_scope, flagged, failing, results, license, policy_version, checked_at)
		SELECT ` + repo + `, ` + day + `, 1, 'bench', 'bench/repo-' || ` + repo + `, ` + repo + ` % 3 = 0, ` + repo + ` % 50 <> 0,
			` + fail + ` <> '', ` + fail + `, '{' || ` + strings.Join(results, " || ',' || ") + ` || '}',
			CASE ` + repo + ` % 7 WHEN 0 THEN 'Apache-2.0' WHEN 1 THEN 'MIT' WHEN 2 THEN 'BSD-3-Clause' WHEN 3 THEN ''
				WHEN 4 THEN 'NOASSERTION' WHEN 5 THEN 'BUSL-1.1' ELSE 'MPL-2.0' END, 'v1', ` + day + ` + 3600 FROM n`); err != nil {
		return err
	}
	// Pull requests: repository 1 + i%10000; authors skewed towards low
	// numbers, every twentieth a bot; opened over the year; four in five
	// answered within a week; 70 % merged within two weeks, 20 % closed
	// within a month, 10 % open; one in twenty blocked by the CLA, half of
	// those unblocked within three days. Rows are inserted in the order the
	// pull requests opened, as webhooks record them.
	author := fmt.Sprintf("(1 + (%s %% %d) * (%s %% %d) / %d)", hash(0), benchAuthors, hash(1), benchAuthors, benchAuthors)
	opened := fmt.Sprintf("(%d - %s %% %d)", benchEnd, hash(2), benchYear)
	state := hash(3) + " % 10"
	blocked := hash(4) + " % 20 = 0"
	pr := fmt.Sprintf("(1 + i %% %d)", benchRepos)
	if err := exec(series(s.Dialect, benchPulls) + `INSERT INTO pull_request_facts (repository, number, installation_id, org,
		repository_id, author, author_id, author_association, author_bot, opened_at, first_response_at, first_responder, closed_at,
		merged, reopened, cla_blocked_at, cla_unblocked_at, updated_at)
		SELECT 'bench/repo-' || ` + pr + `, 1 + i / ` + fmt.Sprint(benchRepos) + `, 1, 'bench', ` + pr + `,
			CASE WHEN ` + author + ` % 20 = 0 THEN 'dependabot[bot]' ELSE 'user' || ` + author + ` END, ` + author + `,
			CASE ` + author + ` % 8 WHEN 0 THEN 'OWNER' WHEN 1 THEN 'MEMBER' WHEN 2 THEN 'MEMBER' WHEN 3 THEN 'COLLABORATOR'
				WHEN 4 THEN 'CONTRIBUTOR' WHEN 5 THEN 'FIRST_TIME_CONTRIBUTOR' WHEN 6 THEN 'NONE' ELSE 'CONTRIBUTOR' END,
			` + author + ` % 20 = 0, ` + opened + `,
			CASE WHEN ` + hash(5) + ` % 5 <> 0 THEN ` + opened + ` + ` + hash(6) + ` % 604800 ELSE 0 END,
			CASE WHEN ` + hash(5) + ` % 5 <> 0 THEN 'user' || (1 + ` + hash(7) + ` % 100) ELSE '' END,
			CASE WHEN ` + state + ` = 0 THEN 0 WHEN ` + state + ` < 3 THEN ` + opened + ` + ` + hash(8) + ` % 2592000
				ELSE ` + opened + ` + ` + hash(8) + ` % 1209600 END,
			` + state + ` >= 3, 0,
			CASE WHEN ` + blocked + ` THEN ` + opened + ` + 60 ELSE 0 END,
			CASE WHEN ` + blocked + ` AND ` + hash(9) + ` % 2 = 0 THEN ` + opened + ` + 60 + ` + hash(10) + ` % 259200 ELSE 0 END,
			` + opened + ` FROM n ORDER BY 10`); err != nil { // in the order they opened, as webhooks record them
		return err
	}
	// The rest is small: sent from Go.
	ins := newInserter(ctx, s)
	for r := 1; r <= benchRepos; r++ {
		name := fmt.Sprintf("bench/repo-%d", r)
		ins.add(`repositories (id, installation_id, full_name, private, archived, fork, default_branch, updated_at)`,
			r, 1, name, r%3 == 0, false, r%50 == 0, "main", time.Unix(benchEnd, 0).UTC())
	}
	for r := 10; r <= benchRepos; r += 10 {
		name := fmt.Sprintf("bench/repo-%d", r)
		opened := int64(benchEnd - rng.IntN(benchYear))
		ins.add(`review_issues (repository_id, installation_id, repository, review_repo, issue_number, notified, updated_at)`,
			r, 1, name, "bench/ospo", r/10, "", time.Unix(opened, 0).UTC())
		for k, kind := range []string{"opened", "responded", "decided", "decided"} {
			verb := map[int]string{2: "exempt", 3: "approve"}[k]
			ins.add(`review_events (event_key, repository_id, installation_id, org, repository, kind, actor, verb, rule, at)`,
				fmt.Sprintf("r%d-%d", r, k), r, 1, benchOrg, name, kind, "lead", verb, "", opened+int64(k*3600))
			if verb != "" {
				ins.add(`review_decisions (comment_id, seq, repository_id, actor, verb, rule, reason, url, failing, at)`,
					r*10+k, 0, r, "lead", verb, map[bool]string{true: "repository.files"}[verb == "exempt"], "reason", "", "",
					time.Unix(opened+int64(k*3600), 0).UTC())
			}
		}
		ins.add(`audit_log (at, installation_id, actor, action, subject, reason, url, policy_version)`,
			time.Unix(opened, 0).UTC(), 1, "lead", "approve", name, "ok", "", "v1")
	}
	for u := 2; u <= benchAuthors; u += 2 {
		ins.add(`cla_events (event_key, org, user_id, login, kind, version, at)`,
			fmt.Sprintf("c%d", u), benchOrg, u, fmt.Sprintf("user%d", u), "signed", "1", int64(benchEnd-rng.IntN(benchYear)))
	}
	return ins.flush()
}

// inserter writes rows in multi-row INSERTs of benchRowBatch rows, one
// table at a time, in transactions.
type inserter struct {
	ctx   context.Context
	s     *store.Store
	table string
	rows  [][]any
	err   error
}

func newInserter(ctx context.Context, s *store.Store) *inserter { return &inserter{ctx: ctx, s: s} }

func (in *inserter) add(table string, values ...any) {
	if in.table != table || len(in.rows) == benchRowBatch {
		in.flush()
		in.table = table
	}
	in.rows = append(in.rows, values)
}

func (in *inserter) flush() error {
	if in.err != nil || len(in.rows) == 0 {
		return in.err
	}
	var q strings.Builder
	q.WriteString("INSERT INTO " + in.table + " VALUES ")
	var args []any
	for i, r := range in.rows {
		if i > 0 {
			q.WriteString(",")
		}
		q.WriteString("(")
		for j := range r {
			if j > 0 {
				q.WriteString(",")
			}
			fmt.Fprintf(&q, "$%d", len(args)+j+1)
		}
		q.WriteString(")")
		args = append(args, r...)
	}
	if _, err := in.s.DB.ExecContext(in.ctx, q.String(), args...); err != nil {
		in.err = fmt.Errorf("insert into %s: %w", in.table, err)
	}
	in.rows = in.rows[:0]
	return in.err
}

var generated sync.Map // dialect → *store.Store

// benchStore returns the generated org of a dialect, generating it once
// per process (SQLite in a temporary file, Postgres in a throwaway
// database, both removed at the end).
func benchStore(b *testing.B, d store.Dialect) *store.Store {
	if s, ok := generated.Load(d); ok {
		return s.(*store.Store)
	}
	ctx := context.Background()
	url := os.Getenv("OSPO_REPORT_BENCH_" + strings.ToUpper(string(d)))
	keep := url != ""
	if !keep {
		url = benchURL(b, d)
	}
	s, err := store.Open(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := s.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	var n int
	if err := s.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM pull_request_facts`).Scan(&n); err != nil {
		b.Fatal(err)
	}
	if n == 0 {
		start := time.Now()
		if err := generate(ctx, s); err != nil {
			b.Fatal(err)
		}
		if d == store.Postgres {
			s.DB.ExecContext(ctx, `ANALYZE`)
		}
		b.Logf("%s: generated %d repositories and %d pull requests in %s", d, benchRepos, benchPulls, time.Since(start).Round(time.Second))
	}
	generated.Store(d, s)
	return s
}

// BenchmarkReport builds and writes the generated org's report over its
// whole year (every pull request row is read) on SQLite and Postgres.
// Reported: ms per report (Build and Write as JSON to io.Discard) and
// peak-heap-MB, the largest Go heap in use (runtime.MemStats.HeapInuse,
// sampled every 5 ms) while it ran. The org is generated once per process
// (minutes); set OSPO_REPORT_BENCH_SQLITE / OSPO_REPORT_BENCH_POSTGRES to
// a database URL to generate it there and keep it (for `ospo-bot report`).
//
//	go test -run '^$' -bench Report -benchtime 1x -count 3 ./internal/report/
func BenchmarkReport(b *testing.B) {
	for _, d := range storetest.Dialects(b) {
		b.Run(string(d), func(b *testing.B) {
			s := benchStore(b, d)
			for _, format := range []string{"json"} {
				o := report.Options{Org: benchOrg, Since: time.Unix(benchEnd-benchYear, 0).UTC(), Until: time.Unix(benchEnd, 0).UTC(),
					Now: time.Unix(benchEnd, 0).UTC()}
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
					if r.KPIs.ChangeRequestClosure.Den < benchPulls/2 || len(r.Repositories) != benchRepos {
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

// benchURL is a throwaway database that outlives the benchmark function
// (it runs several times per process) and is removed when the process
// ends (TestMain).
func benchURL(b *testing.B, d store.Dialect) string {
	if d == store.SQLite {
		dir, err := os.MkdirTemp("", "ospo-report-bench-")
		if err != nil {
			b.Fatal(err)
		}
		atExit = append(atExit, func() { os.RemoveAll(dir) })
		return "sqlite://" + dir + "/bench.db?_pragma=synchronous(OFF)"
	}
	return benchPostgresURL(b)
}
