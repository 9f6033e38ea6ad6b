package storetest

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ospo-bot/ospo-bot/internal/store"
)

// The generated org of the benchmarks: 10,000 repositories checked every
// third day over 120 days (400,000 rows of repository_days), 1,000,000
// pull requests (rows of pull_request_facts) over the year before
// BigOrgEnd by 20,000 authors, a review issue for every tenth repository
// (a third of them awaiting a decision), 100,000 audit entries, and CLA
// signatures of every second author with some revoked. Its installation
// is 1, its repositories bench/repo-1 … bench/repo-10000 (IDs 1 … 10000).
const (
	BigOrg        = "bench"
	BigOrgRepos   = 10_000
	BigOrgPulls   = 1_000_000
	BigOrgAuthors = 20_000
	BigOrgAudit   = 100_000
	BigOrgEnd     = 1_767_225_600 // Unix seconds: 2026-01-01 UTC, the end of its history
	BigOrgYear    = 365 * 24 * 3600
	// BigOrgDays is how far back repositories' daily check rows go; each
	// repository has a row every BigOrgCheckEvery days, the last within
	// that many days of the end.
	BigOrgDays       = 120
	BigOrgCheckEvery = 3
)

// Approvers of the generated org's reviews.
var BigOrgApprovers = []string{"lead", "alice", "bob", "carol", "dave"}

// BigOrgEndTime is BigOrgEnd as a time: the "now" of the generated org.
func BigOrgEndTime() time.Time { return time.Unix(BigOrgEnd, 0).UTC() }

// Scale is the size of a generated org.
type Scale struct {
	Repos   int // repositories
	Pulls   int // pull requests
	Authors int // their distinct authors
	Audit   int // audit entries
}

// BigScale is the benchmarks' org; TinyScale is the same shape, small
// enough for a normal test (well under a second).
var (
	BigScale  = Scale{Repos: BigOrgRepos, Pulls: BigOrgPulls, Authors: BigOrgAuthors, Audit: BigOrgAudit}
	TinyScale = Scale{Repos: 100, Pulls: 2_000, Authors: 100, Audit: 500}
)

// generatorVersion marks a generated database (installations'
// repository_selection), so that a kept one from an older generator is
// refused rather than measured.
const generatorVersion = "generated-v4"

const genRowBatch = 500

// genRules are the generated org's rules (rules.Registry's repository
// rules) and their modes: a failing enforce rule flags its repository, a
// warn rule is only reported.
var genRules = []struct{ id, mode string }{
	{"license", "enforce"}, {"codeowners", "enforce"}, {"files", "enforce"}, {"security-policy", "enforce"},
	{"labels", "warn"}, {"topics", "warn"},
}

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

// GenerateBigOrg fills a migrated, empty store with the generated org of
// BigScale (a minute or two).
func GenerateBigOrg(ctx context.Context, s *store.Store) error { return GenerateOrg(ctx, s, BigScale) }

// GenerateOrg fills a migrated, empty store with a generated org of the
// scale, named BigOrg and ending at BigOrgEnd, in one transaction.
func GenerateOrg(ctx context.Context, s *store.Store, sc Scale) error {
	tx, err := s.DB.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := generate(ctx, tx, s.Dialect, sc); err != nil {
		return err
	}
	return tx.Commit()
}

func generate(ctx context.Context, tx *sql.Tx, d store.Dialect, sc Scale) error {
	rng := rand.New(rand.NewPCG(13, 13))
	end := time.Unix(BigOrgEnd, 0).UTC()
	exec := func(q string, args ...any) error {
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("%.80s: %w", q, err)
		}
		return nil
	}
	if err := exec(`INSERT INTO installations (id, account, account_type, repository_selection, state, updated_at)
		VALUES (1, $1, 'Organization', $2, 'active', $3)`, BigOrg, generatorVersion, end); err != nil {
		return err
	}
	// Repository days: repository 1 + i/slots has a row every
	// BigOrgCheckEvery days (staggered by repository) over BigOrgDays;
	// each rule fails from 3 % of the time (the last slot) to 12 % (the
	// first), so compliance improves over the period.
	slots := BigOrgDays / BigOrgCheckEvery
	repo := fmt.Sprintf("(1 + i / %d)", slots)
	slot := fmt.Sprintf("(i %% %d)", slots)
	var results, failing []string
	for k, rule := range genRules {
		bad := fmt.Sprintf("%s %% 100 < 3 + %s / 4", hash(k), slot)
		results = append(results, fmt.Sprintf(`'"%s":"%s/' || CASE WHEN %s THEN 'fail' ELSE 'pass' END || '"'`, rule.id, rule.mode, bad))
		if rule.mode == "enforce" {
			failing = append(failing, fmt.Sprintf(`CASE WHEN %s THEN ',%s' ELSE '' END`, bad, rule.id))
		}
	}
	fail := "ltrim(" + strings.Join(failing, " || ") + ", ',')"
	day := fmt.Sprintf("(%d - (%s * %d + %s %% %d + 1) * 86400)", BigOrgEnd, slot, BigOrgCheckEvery, repo, BigOrgCheckEvery)
	if err := exec(series(d, sc.Repos*slots) + `INSERT INTO repository_days (repository_id, day, installation_id, org,
		repository, private, in_scope, flagged, failing, results, license, policy_version, checked_at)
		SELECT ` + repo + `, ` + day + `, 1, 'bench', 'bench/repo-' || ` + repo + `, ` + repo + ` % 3 = 0, ` + repo + ` % 50 <> 0,
			` + fail + ` <> '', ` + fail + `, '{' || ` + strings.Join(results, " || ',' || ") + ` || '}',
			CASE ` + repo + ` % 7 WHEN 0 THEN 'Apache-2.0' WHEN 1 THEN 'MIT' WHEN 2 THEN 'BSD-3-Clause' WHEN 3 THEN ''
				WHEN 4 THEN 'NOASSERTION' WHEN 5 THEN 'BUSL-1.1' ELSE 'MPL-2.0' END, 'v1', ` + day + ` + 3600 FROM n`); err != nil {
		return err
	}
	// Pull requests: repository 1 + i%repos; authors skewed towards low
	// numbers, every twentieth a bot; opened over the year; four in five
	// answered within a week; 70 % merged within two weeks, 20 % closed
	// within a month, 10 % open; one in twenty blocked by the CLA, half of
	// those unblocked within three days. Rows are inserted in the order the
	// pull requests opened, as webhooks record them.
	author := fmt.Sprintf("(1 + (%s %% %d) * (%s %% %d) / %d)", hash(0), sc.Authors, hash(1), sc.Authors, sc.Authors)
	opened := fmt.Sprintf("(%d - %s %% %d)", BigOrgEnd, hash(2), BigOrgYear)
	state := hash(3) + " % 10"
	blocked := hash(4) + " % 20 = 0"
	pr := fmt.Sprintf("(1 + i %% %d)", sc.Repos)
	if err := exec(series(d, sc.Pulls) + `INSERT INTO pull_request_facts (repository, number, installation_id, org,
		repository_id, author, author_id, author_association, author_bot, opened_at, first_response_at, first_responder, closed_at,
		merged, reopened, cla_blocked_at, cla_unblocked_at, updated_at)
		SELECT 'bench/repo-' || ` + pr + `, 1 + i / ` + fmt.Sprint(sc.Repos) + `, 1, 'bench', ` + pr + `,
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
	// Audit entries: over the year, in the order they happened; about
	// repositories and their pull requests; the bot's acts, approvers'
	// decisions and refused commands.
	at := fmt.Sprintf("(%d - %s %% %d)", BigOrgEnd-1, hash(0), BigOrgYear-1)
	atTime := "to_timestamp(" + at + ")"
	if d == store.SQLite { // as the driver writes a time.Time
		atTime = "strftime('%Y-%m-%d %H:%M:%S', " + at + ", 'unixepoch') || ' +0000 UTC'"
	}
	arepo := fmt.Sprintf("(1 + %s %% %d)", hash(3), sc.Repos)
	act := hash(4) + " % 10"
	approver := "CASE " + hash(5) + " % 5"
	for k, a := range BigOrgApprovers {
		approver += fmt.Sprintf(" WHEN %d THEN '%s'", k, a)
	}
	approver += " END"
	// org and repo as store.AppendAudit writes them (migration 017).
	if err := exec(series(d, sc.Audit) + `INSERT INTO audit_log (at, installation_id, actor, action, subject, reason, url, policy_version,
		org, repo)
		SELECT ` + atTime + `, 1,
			CASE WHEN ` + act + ` < 4 THEN 'ospo-bot' WHEN ` + act + ` = 9 THEN 'user' || (1 + ` + hash(6) + ` % 500) ELSE ` + approver + ` END,
			CASE ` + act + ` WHEN 0 THEN 'opened' WHEN 1 THEN 'opened' WHEN 2 THEN 'opened' WHEN 3 THEN 'make private'
				WHEN 4 THEN 'approve' WHEN 5 THEN 'approve' WHEN 6 THEN 'reject' WHEN 7 THEN 'exempt' WHEN 8 THEN 'withdraw'
				ELSE 'refuse' END,
			'bench/repo-' || ` + arepo + ` || CASE WHEN ` + hash(1) + ` % 4 = 0 THEN '#' || (1 + ` + hash(2) + ` % 100) ELSE '' END,
			CASE ` + act + ` WHEN 3 THEN 'no licence on a public repository' WHEN 4 THEN 'reviewed' WHEN 5 THEN 'reviewed'
				WHEN 6 THEN 'ships a vendored GPL library' WHEN 7 THEN 'internal tool' WHEN 8 THEN 'given by mistake'
				WHEN 9 THEN 'not an approver' ELSE '' END,
			'https://github.com/bench/ospo/issues/' || (1 + ` + arepo + ` / 10) || '#issuecomment-' || (1000000 + i), 'v1',
			'bench', 'bench/repo-' || ` + arepo + `
		FROM n ORDER BY 1`); err != nil {
		return err
	}
	// The rest is small: sent from Go.
	ins := &inserter{ctx: ctx, tx: tx}
	for r := 1; r <= sc.Repos; r++ {
		name := fmt.Sprintf("bench/repo-%d", r)
		ins.add(`repositories (id, installation_id, full_name, private, archived, fork, default_branch, updated_at)`,
			r, 1, name, r%3 == 0, false, r%50 == 0, "main", end)
	}
	// Reviews of every tenth repository, opened over the year: a third
	// await a decision (half of those with a response); the others were
	// decided after an hour to 30 days: approved (closed), rejected, or
	// exempted from a rule and then approved.
	ev := func(r int, key, kind, actor, verb, rule string, at int64) {
		ins.add(`review_events (event_key, repository_id, installation_id, org, repository, kind, actor, verb, rule, at)`,
			fmt.Sprintf("r%d-%s", r, key), r, 1, BigOrg, fmt.Sprintf("bench/repo-%d", r), kind, actor, verb, rule, at)
	}
	type decision struct {
		r                         int
		actor, verb, rule, reason string
		at                        int64
	}
	var decisions []decision
	for r := 10; r <= sc.Repos; r += 10 {
		name := fmt.Sprintf("bench/repo-%d", r)
		opened := int64(BigOrgEnd - 3600 - rng.IntN(BigOrgYear))
		last := opened
		ev(r, "opened", "opened", "ospo-bot", "", "", opened)
		open := rng.IntN(3) == 0
		if !open || rng.IntN(2) == 0 {
			last = min(opened+int64(600+rng.IntN(2*86400)), BigOrgEnd-1)
			ev(r, "responded", "responded", BigOrgApprovers[rng.IntN(len(BigOrgApprovers))], "", "", last)
		}
		if !open {
			by := BigOrgApprovers[r/10%len(BigOrgApprovers)]
			at := min(last+int64(3600+rng.IntN(30*86400)), BigOrgEnd-1)
			switch k := rng.IntN(5); {
			case k < 3:
				decisions = append(decisions, decision{r, by, "approve", "", "reviewed", at})
			case k == 3:
				decisions = append(decisions, decision{r, by, "reject", "", "ships a vendored GPL library", at})
			default:
				decisions = append(decisions, decision{r, by, "exempt", "files", "internal tool", at},
					decision{r, by, "approve", "", "reviewed", min(at+3600, BigOrgEnd-1)})
			}
			last = decisions[len(decisions)-1].at
		}
		ins.add(`review_issues (repository_id, installation_id, repository, review_repo, issue_number, notified, updated_at)`,
			r, 1, name, "bench/ospo", r/10, "", time.Unix(last, 0).UTC())
	}
	for k, dc := range decisions {
		ev(dc.r, fmt.Sprintf("decided-%d", k), "decided", dc.actor, dc.verb, dc.rule, dc.at)
		if dc.verb == "approve" {
			ev(dc.r, "closed", "closed", "ospo-bot", "", "", dc.at)
		}
	}
	for k, dc := range decisions {
		ins.add(`review_decisions (comment_id, seq, repository_id, actor, verb, rule, reason, url, failing, at)`,
			k+1, 0, dc.r, dc.actor, dc.verb, dc.rule, dc.reason,
			fmt.Sprintf("https://github.com/bench/ospo/issues/%d#issuecomment-%d", dc.r/10, k+1), "", time.Unix(dc.at, 0).UTC())
	}
	// CLA: every second author signed during the year; one signer in ten
	// revoked later, and half of those signed again. cla_signatures holds
	// the signatures in force, as the store keeps them.
	type signature struct {
		u       int
		version string
		at      int64
	}
	var inForce []signature
	for u := 2; u <= sc.Authors; u += 2 {
		login := fmt.Sprintf("user%d", u)
		signed := int64(BigOrgEnd - 1 - rng.IntN(BigOrgYear))
		ins.add(`cla_events (event_key, org, user_id, login, kind, version, at)`, fmt.Sprintf("c%d", u), BigOrg, u, login, "signed", "1", signed)
		if u%20 != 0 {
			inForce = append(inForce, signature{u, "1", signed})
			continue
		}
		revoked := signed + int64(rng.IntN(int(BigOrgEnd-signed)))
		ins.add(`cla_events (event_key, org, user_id, login, kind, version, at)`, fmt.Sprintf("c%d-revoked", u), BigOrg, u, login, "revoked", "1", revoked)
		if u%40 == 0 {
			again := revoked + int64(rng.IntN(int(BigOrgEnd-revoked)))
			ins.add(`cla_events (event_key, org, user_id, login, kind, version, at)`, fmt.Sprintf("c%d-again", u), BigOrg, u, login, "signed", "2", again)
			inForce = append(inForce, signature{u, "2", again})
		}
	}
	for _, sg := range inForce {
		ins.add(`cla_signatures (org, user_id, login, version, signed_at, url)`, BigOrg, sg.u, fmt.Sprintf("user%d", sg.u), sg.version,
			time.Unix(sg.at, 0).UTC(), fmt.Sprintf("https://github.com/bench/repo-1/pull/1#issuecomment-%d", sg.u))
	}
	return ins.flush()
}

// inserter writes rows in multi-row INSERTs of genRowBatch rows, one table
// at a time.
type inserter struct {
	ctx   context.Context
	tx    *sql.Tx
	table string
	rows  [][]any
	err   error
}

func (in *inserter) add(table string, values ...any) {
	if in.table != table || len(in.rows) == genRowBatch {
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
	if _, err := in.tx.ExecContext(in.ctx, q.String(), args...); err != nil {
		in.err = fmt.Errorf("insert into %s: %w", in.table, err)
	}
	in.rows = in.rows[:0]
	return in.err
}

// The databases of BigOrgStore, and what removes them at exit.
var big struct {
	sync.Mutex
	main   bool
	stores map[store.Dialect]*store.Store
	atExit []func()
}

// Main runs a package's tests and benchmarks, then removes the generated
// databases BigOrgStore made. A package that calls BigOrgStore calls it
// from its TestMain:
//
//	func TestMain(m *testing.M) { storetest.Main(m) }
func Main(m *testing.M) {
	big.Lock()
	big.main = true
	big.Unlock()
	code := m.Run()
	big.Lock()
	for _, s := range big.stores {
		s.Close()
	}
	for _, f := range big.atExit {
		f()
	}
	big.Unlock()
	os.Exit(code)
}

// BigOrgEnv names the variable that keeps the generated org of a dialect
// in a database of one's own: OSPO_BENCH_SQLITE or OSPO_BENCH_POSTGRES,
// a database URL. It is generated there when empty and reused after.
func BigOrgEnv(d store.Dialect) string { return "OSPO_BENCH_" + strings.ToUpper(string(d)) }

// BigOrgStore returns the generated org (BigScale) of the dialect, made
// once per process (a minute or two) in a throwaway database (SQLite in a
// temporary directory, Postgres a database of its own) that Main removes
// at exit; or, when BigOrgEnv(d) is set, in that database, kept.
func BigOrgStore(tb testing.TB, d store.Dialect) *store.Store {
	tb.Helper()
	big.Lock()
	defer big.Unlock()
	if s, ok := big.stores[d]; ok {
		return s
	}
	ctx := context.Background()
	u := os.Getenv(BigOrgEnv(d))
	if u == "" {
		if !big.main {
			tb.Fatal("storetest.BigOrgStore: call storetest.Main(m) from the package's TestMain, which removes the generated database at exit")
		}
		u = throwawayURL(tb, d)
	}
	s, err := store.Open(ctx, u)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := s.Migrate(ctx); err != nil {
		s.Close()
		tb.Fatal(err)
	}
	var version string
	err = s.DB.QueryRowContext(ctx, `SELECT repository_selection FROM installations WHERE id = 1`).Scan(&version)
	switch {
	case store.IsNotFound(err):
		start := time.Now()
		if err := GenerateBigOrg(ctx, s); err != nil {
			s.Close()
			tb.Fatal(err)
		}
		if d == store.Postgres {
			// As autovacuum leaves a table that has been there a while:
			// statistics, and the visibility map that index-only scans
			// need.
			if _, err := s.DB.ExecContext(ctx, `VACUUM ANALYZE`); err != nil {
				s.Close()
				tb.Fatal(err)
			}
		}
		tb.Logf("%s: generated %d repositories and %d pull requests in %s", d, BigOrgRepos, BigOrgPulls, time.Since(start).Round(time.Second))
	case err != nil:
		s.Close()
		tb.Fatal(err)
	case version != generatorVersion:
		s.Close()
		tb.Fatalf("%s holds an org generated as %q, not %q: empty it (or name another) to generate it again", BigOrgEnv(d), version, generatorVersion)
	}
	if big.stores == nil {
		big.stores = map[store.Dialect]*store.Store{}
	}
	big.stores[d] = s
	return s
}

// throwawayURL is a database that outlives the test or benchmark function
// (which runs several times) and is removed by Main.
func throwawayURL(tb testing.TB, d store.Dialect) string {
	if d == store.SQLite {
		dir, err := os.MkdirTemp("", "ospo-bench-")
		if err != nil {
			tb.Fatal(err)
		}
		big.atExit = append(big.atExit, func() { os.RemoveAll(dir) })
		return "sqlite://" + dir + "/bench.db?_pragma=synchronous(OFF)"
	}
	admin, err := sql.Open("pgx", PostgresURL())
	if err != nil {
		tb.Fatal(err)
	}
	name := fmt.Sprintf("ospo_bench_%d", time.Now().UnixNano())
	if _, err := admin.Exec(`CREATE DATABASE ` + name); err != nil {
		admin.Close()
		tb.Fatal(err)
	}
	big.atExit = append(big.atExit, func() {
		defer admin.Close()
		admin.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`)
	})
	pu, err := url.Parse(PostgresURL())
	if err != nil {
		tb.Fatal(err)
	}
	pu.Path = "/" + name
	return pu.String()
}
