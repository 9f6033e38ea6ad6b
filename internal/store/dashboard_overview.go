package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// The dashboard's overview rollup (migration 016): per-day and per-week
// KPI values of an org, written by web.Refresh from the history and read
// by the overview page, and the history readers the refresh needs, each
// bounded to the days that can have changed. Times are Unix seconds.

// The queries, named so that a test can check each one's plan on both
// dialects (dashboard_overview_plan_test.go): every one reads a range of
// an index, never a whole table.
const (
	qRollup = `SELECT org, refreshed_at, first_day, last_day, mark_day, mark_counts
		FROM dashboard_rollups WHERE org = $1`
	qDashboardDays = `SELECT day, metric, num, den FROM dashboard_days
		WHERE org = $1 AND day >= $2 AND day < $3 ORDER BY day, metric`
	qDashboardWeeks = `SELECT week, metric, n, p50, p90 FROM dashboard_weeks
		WHERE org = $1 AND week >= $2 AND week < $3 ORDER BY week, metric`
	qReopened = `SELECT MIN(opened_at) FROM pull_request_facts
		WHERE org = $1 AND updated_at >= $2 AND reopened > 0`
	qRepositoryDaysFrom = `
		SELECT day, repository_id, installation_id, repository, private, in_scope, flagged, failing,
			results, license, policy_version, checked_at
		FROM repository_days WHERE org = $1 AND day >= $2 ORDER BY day, repository_id`
	qFirstPullRequestsFrom = `
		SELECT author, MAX(CASE WHEN author_bot THEN 1 ELSE 0 END), MIN(opened_at) FROM pull_request_facts
		WHERE org = $1 AND author IN (SELECT DISTINCT author FROM pull_request_facts WHERE org = $1 AND opened_at >= $2)
		GROUP BY author HAVING MIN(opened_at) >= $2`
	qDecisionsByApprover = `
		SELECT actor, verb, COUNT(*) FROM review_events
		WHERE org = $1 AND at >= $2 AND at < $3 AND kind = 'decided' GROUP BY actor, verb`
	qReviewLife = `SELECT repository_id, kind, verb, at FROM review_events
		WHERE org = $1 AND at < $2 ORDER BY at, event_key`
	qReviewCycles = `SELECT repository_id, opened, first_response, decided, closed FROM dashboard_review_cycles
		WHERE org = $1 ORDER BY opened, repository_id`
	qPullRequestColumns = `SELECT author, author_association, author_bot, opened_at, first_response_at, first_responder,
		closed_at, merged, cla_blocked_at, cla_unblocked_at FROM pull_request_facts WHERE org = $1 AND `
)

// qPullRequestsFrom: the pull requests opened from $2 on, those opened
// before and closed from it, and those neither closed nor opened after
// but first blocked by the CLA from it.
var qPullRequestsFrom = []string{
	qPullRequestColumns + `opened_at >= $2`,
	qPullRequestColumns + `closed_at >= $2 AND opened_at < $2`,
	qPullRequestColumns + `cla_blocked_at >= $2 AND opened_at < $2 AND closed_at < $2`,
}

var qHistoryStart = []string{
	`SELECT MIN(day) FROM repository_days WHERE org = $1`,
	`SELECT MIN(opened_at) FROM pull_request_facts WHERE org = $1`,
	`SELECT MIN(at) FROM review_events WHERE org = $1`,
	`SELECT MIN(at) FROM cla_events WHERE org = $1`,
}

// qHistoryCounts: the history tables' rows dated before $2 (Unix
// seconds, or a timestamp for cla_signatures, whose signatures in force
// count as signed events).
var qHistoryCounts = []struct {
	name, sql string
	stamp     bool
}{
	{"days", `SELECT COUNT(*) FROM repository_days WHERE org = $1 AND day < $2`, false},
	{"pulls", `SELECT COUNT(*) FROM pull_request_facts WHERE org = $1 AND opened_at < $2`, false},
	{"reviews", `SELECT COUNT(*) FROM review_events WHERE org = $1 AND at < $2`, false},
	{"cla", `SELECT COUNT(*) FROM cla_events WHERE org = $1 AND at < $2`, false},
	{"signatures", `SELECT COUNT(*) FROM cla_signatures WHERE org = $1 AND signed_at < $2`, true},
}

// qLatestDaysBefore: each repository's latest day before $2, found per
// repository through the (org, repository_id, day) index rather than by
// a subquery per row.
const qLatestDaysBefore = `
	SELECT d.repository_id, d.installation_id, d.repository, d.private, d.in_scope, d.flagged, d.failing,
		d.results, d.license, d.policy_version, d.checked_at
	FROM (SELECT repository_id, MAX(day) AS day FROM repository_days WHERE org = $1 AND day < $2 GROUP BY repository_id) l
	JOIN repository_days d ON d.repository_id = l.repository_id AND d.day = l.day`

// DashboardDay is one metric of one UTC day: num of den for a share (a
// state at the day's end), num alone for a count of the day's events.
type DashboardDay struct {
	Day      time.Time
	Metric   string
	Num, Den int64
}

// DashboardWeek is one duration KPI over one week (Monday 00:00 UTC on):
// N values, their nearest-rank p50 and p90.
type DashboardWeek struct {
	Week     time.Time
	Metric   string
	N        int64
	P50, P90 time.Duration
}

// DashboardRollup says how fresh an org's rollup is: RefreshedAt is the
// clock of its last refresh, FirstDay to LastDay the days it covers, and
// MarkDay with MarkCounts where the next refresh may start (see
// HistoryCounts).
type DashboardRollup struct {
	Org               string
	RefreshedAt       time.Time
	FirstDay, LastDay time.Time
	MarkDay           time.Time
	MarkCounts        string
}

// DashboardRollupOf returns org's rollup state; ok is false before its
// first refresh.
func (s *Store) DashboardRollupOf(ctx context.Context, org string) (r DashboardRollup, ok bool, err error) {
	var at, first, last, mark int64
	err = s.DB.QueryRowContext(ctx, qRollup, org).Scan(&r.Org, &at, &first, &last, &mark, &r.MarkCounts)
	if IsNotFound(err) {
		return DashboardRollup{}, false, nil
	}
	if err != nil {
		return r, false, fmt.Errorf("read the dashboard rollup of %s: %w", org, err)
	}
	r.RefreshedAt, r.FirstDay, r.LastDay, r.MarkDay = unixTime(at), unixTime(first), unixTime(last), unixTime(mark)
	return r, true, nil
}

// ReplaceDashboardRollup writes org's rollup from day from on (a Monday,
// so that whole weeks are replaced): the rows of days and weeks before
// from stay, those from it on are replaced by days and weeks (all of them
// when full), and the state row by r, in one transaction. Writing the
// same rows twice leaves the same rows.
func (s *Store) ReplaceDashboardRollup(ctx context.Context, r DashboardRollup, from time.Time, full bool,
	days []DashboardDay, weeks []DashboardWeek) error {
	f := from.Unix()
	if full {
		f = -1 << 62
	}
	return s.InTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM dashboard_days WHERE org = $1 AND day >= $2`, r.Org, f); err != nil {
			return fmt.Errorf("clear the dashboard days of %s: %w", r.Org, err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM dashboard_weeks WHERE org = $1 AND week >= $2`, r.Org, f); err != nil {
			return fmt.Errorf("clear the dashboard weeks of %s: %w", r.Org, err)
		}
		dayRows := make([][]any, len(days))
		for i, d := range days {
			dayRows[i] = []any{r.Org, d.Day.Unix(), d.Metric, d.Num, d.Den}
		}
		if err := insertRows(ctx, tx, "dashboard_days (org, day, metric, num, den)", dayRows); err != nil {
			return err
		}
		weekRows := make([][]any, len(weeks))
		for i, w := range weeks {
			weekRows[i] = []any{r.Org, w.Week.Unix(), w.Metric, w.N, int64(w.P50 / time.Second), int64(w.P90 / time.Second)}
		}
		if err := insertRows(ctx, tx, "dashboard_weeks (org, week, metric, n, p50, p90)", weekRows); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `
			INSERT INTO dashboard_rollups (org, refreshed_at, first_day, last_day, mark_day, mark_counts)
			VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (org) DO UPDATE SET refreshed_at = excluded.refreshed_at, first_day = excluded.first_day,
				last_day = excluded.last_day, mark_day = excluded.mark_day, mark_counts = excluded.mark_counts`,
			r.Org, r.RefreshedAt.Unix(), r.FirstDay.Unix(), r.LastDay.Unix(), r.MarkDay.Unix(), r.MarkCounts)
		if err != nil {
			return fmt.Errorf("record the dashboard rollup of %s: %w", r.Org, err)
		}
		return nil
	})
}

// insertRows inserts rows into table ("name (columns)") in multi-row
// statements of at most 400 rows.
func insertRows(ctx context.Context, tx *sql.Tx, table string, rows [][]any) error {
	for len(rows) > 0 {
		n := min(len(rows), 400)
		var q strings.Builder
		q.WriteString("INSERT INTO " + table + " VALUES ")
		args := make([]any, 0, n*len(rows[0]))
		for i, r := range rows[:n] {
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
		if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
			return fmt.Errorf("insert into %s: %w", table, err)
		}
		rows = rows[n:]
	}
	return nil
}

// DashboardDays returns org's day rows of [since, until), by day and metric.
func (s *Store) DashboardDays(ctx context.Context, org string, since, until time.Time) ([]DashboardDay, error) {
	rows, err := s.DB.QueryContext(ctx, qDashboardDays, org, since.Unix(), until.Unix())
	if err != nil {
		return nil, fmt.Errorf("read the dashboard days of %s: %w", org, err)
	}
	defer rows.Close()
	var out []DashboardDay
	for rows.Next() {
		var d DashboardDay
		var day int64
		if err := rows.Scan(&day, &d.Metric, &d.Num, &d.Den); err != nil {
			return nil, err
		}
		d.Day = unixTime(day)
		out = append(out, d)
	}
	return out, rows.Err()
}

// DashboardDaysOf returns org's rows of the metrics (all when none) on
// the given days only, by day and metric: the states a chart shows at
// its steps.
func (s *Store) DashboardDaysOf(ctx context.Context, org string, days []time.Time, metrics []string) ([]DashboardDay, error) {
	var out []DashboardDay
	for len(days) > 0 {
		n := min(len(days), 400)
		args := []any{org}
		marks := make([]string, n)
		for i, d := range days[:n] {
			args = append(args, d.Unix())
			marks[i] = fmt.Sprintf("$%d", len(args))
		}
		q := `SELECT day, metric, num, den FROM dashboard_days WHERE org = $1 AND day IN (` + strings.Join(marks, ",") + `)`
		if len(metrics) > 0 {
			ms := make([]string, len(metrics))
			for i, m := range metrics {
				args = append(args, m)
				ms[i] = fmt.Sprintf("$%d", len(args))
			}
			q += ` AND metric IN (` + strings.Join(ms, ",") + `)`
		}
		rows, err := s.DB.QueryContext(ctx, q+` ORDER BY day, metric`, args...)
		if err != nil {
			return nil, fmt.Errorf("read the dashboard days of %s: %w", org, err)
		}
		got, err := scanDashboardDays(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, got...)
		days = days[n:]
	}
	return out, nil
}

// DashboardCounts returns org's rows of the metrics on the days of
// [since, until), by day and metric.
func (s *Store) DashboardCounts(ctx context.Context, org string, since, until time.Time, metrics []string) ([]DashboardDay, error) {
	args := []any{org, since.Unix(), until.Unix()}
	ms := make([]string, len(metrics))
	for i, m := range metrics {
		args = append(args, m)
		ms[i] = fmt.Sprintf("$%d", len(args))
	}
	rows, err := s.DB.QueryContext(ctx, `SELECT day, metric, num, den FROM dashboard_days
		WHERE org = $1 AND day >= $2 AND day < $3 AND metric IN (`+strings.Join(ms, ",")+`) ORDER BY day, metric`, args...)
	if err != nil {
		return nil, fmt.Errorf("read the dashboard days of %s: %w", org, err)
	}
	return scanDashboardDays(rows)
}

func scanDashboardDays(rows *sql.Rows) ([]DashboardDay, error) {
	defer rows.Close()
	var out []DashboardDay
	for rows.Next() {
		var d DashboardDay
		var day int64
		if err := rows.Scan(&day, &d.Metric, &d.Num, &d.Den); err != nil {
			return nil, err
		}
		d.Day = unixTime(day)
		out = append(out, d)
	}
	return out, rows.Err()
}

// DashboardWeeks returns org's week rows of weeks starting in [since,
// until), by week and metric.
func (s *Store) DashboardWeeks(ctx context.Context, org string, since, until time.Time) ([]DashboardWeek, error) {
	rows, err := s.DB.QueryContext(ctx, qDashboardWeeks, org, since.Unix(), until.Unix())
	if err != nil {
		return nil, fmt.Errorf("read the dashboard weeks of %s: %w", org, err)
	}
	defer rows.Close()
	var out []DashboardWeek
	for rows.Next() {
		var w DashboardWeek
		var week, p50, p90 int64
		if err := rows.Scan(&week, &w.Metric, &w.N, &p50, &p90); err != nil {
			return nil, err
		}
		w.Week, w.P50, w.P90 = unixTime(week), time.Duration(p50)*time.Second, time.Duration(p90)*time.Second
		out = append(out, w)
	}
	return out, rows.Err()
}

// HistoryStart returns the time of org's earliest history row (a
// repository's day, a pull request's opening, a review or CLA event), or
// ok false when it has none.
func (s *Store) HistoryStart(ctx context.Context, org string) (t time.Time, ok bool, err error) {
	var first int64
	for _, q := range qHistoryStart {
		var v sql.NullInt64
		if err := s.DB.QueryRowContext(ctx, q, org).Scan(&v); err != nil {
			return time.Time{}, false, fmt.Errorf("read the start of the history of %s: %w", org, err)
		}
		if v.Valid && (!ok || v.Int64 < first) {
			first, ok = v.Int64, true
		}
	}
	return unixTime(first), ok, nil
}

// HistoryCounts counts org's history rows dated before mark, table by
// table, as one text: a refresh that starts at mark compares it with the
// text of the previous one to see whether older history was added (a
// backfill) or removed (pruning), and then starts over.
func (s *Store) HistoryCounts(ctx context.Context, org string, mark time.Time) (string, error) {
	var parts []string
	for _, q := range qHistoryCounts {
		var n int64
		var at any = mark.Unix()
		if q.stamp {
			at = mark.UTC()
		}
		if err := s.DB.QueryRowContext(ctx, q.sql, org, at).Scan(&n); err != nil {
			return "", fmt.Errorf("count the %s of %s: %w", q.name, org, err)
		}
		parts = append(parts, fmt.Sprintf("%s:%d", q.name, n))
	}
	return strings.Join(parts, ","), nil
}

// ReopenedSince returns the earliest opening of org's pull requests
// reopened at or after since (their earlier close, now cleared, counted
// on an older day), or ok false when there is none.
func (s *Store) ReopenedSince(ctx context.Context, org string, since time.Time) (opened time.Time, ok bool, err error) {
	var v sql.NullInt64
	if err := s.DB.QueryRowContext(ctx, qReopened, org, since.Unix()).Scan(&v); err != nil {
		return time.Time{}, false, fmt.Errorf("read the reopened pull requests of %s: %w", org, err)
	}
	return unixTime(v.Int64), v.Valid, nil
}

// LatestRepositoryDaysBefore is LatestRepositoryDays (each repository's
// latest day before until), unordered, in a query that reads an index
// entry per day and a row per repository.
func (s *Store) LatestRepositoryDaysBefore(ctx context.Context, org string, until time.Time) ([]RepositoryDayRow, error) {
	rows, err := s.DB.QueryContext(ctx, qLatestDaysBefore, org, until.Unix())
	if err != nil {
		return nil, fmt.Errorf("read repository days of %s: %w", org, err)
	}
	defer rows.Close()
	var out []RepositoryDayRow
	for rows.Next() {
		var r RepositoryDayRow
		var failing, results string
		var checked int64
		if err := rows.Scan(&r.RepositoryID, &r.InstallationID, &r.Repository, &r.Private, &r.InScope, &r.Flagged,
			&failing, &results, &r.License, &r.PolicyVersion, &checked); err != nil {
			return nil, err
		}
		if err := decodeDay(&r, failing, results, checked); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func decodeDay(r *RepositoryDayRow, failing, results string, checked int64) error {
	if failing != "" {
		r.Failing = strings.Split(failing, ",")
	}
	if results != "" {
		if err := json.Unmarshal([]byte(results), &r.Results); err != nil {
			return fmt.Errorf("repository day of %s: results: %w", r.Repository, err)
		}
	}
	r.CheckedAt = unixTime(checked)
	return nil
}

// EachRepositoryDayFrom calls fn with org's repository days from day from
// on, oldest day first (then by repository).
func (s *Store) EachRepositoryDayFrom(ctx context.Context, org string, from time.Time, fn func(day time.Time, r RepositoryDayRow) error) error {
	rows, err := s.DB.QueryContext(ctx, qRepositoryDaysFrom, org, from.Unix())
	if err != nil {
		return fmt.Errorf("read repository days of %s: %w", org, err)
	}
	defer rows.Close()
	for rows.Next() {
		var day int64
		var r RepositoryDayRow
		var failing, results string
		var checked int64
		if err := rows.Scan(&day, &r.RepositoryID, &r.InstallationID, &r.Repository, &r.Private, &r.InScope, &r.Flagged,
			&failing, &results, &r.License, &r.PolicyVersion, &checked); err != nil {
			return err
		}
		if err := decodeDay(&r, failing, results, checked); err != nil {
			return err
		}
		if err := fn(unixTime(day), r); err != nil {
			return err
		}
	}
	return rows.Err()
}

// EachPullRequestFrom calls fn once with every pull request of org that
// opened, closed or was first blocked by the CLA at or after from: the
// only ones whose events fall in a day from from on. Streaming, in three
// indexed ranges that do not overlap.
func (s *Store) EachPullRequestFrom(ctx context.Context, org string, from time.Time, fn func(PullRequestRow)) error {
	for _, q := range qPullRequestsFrom {
		rows, err := s.DB.QueryContext(ctx, q, org, from.Unix())
		if err != nil {
			return fmt.Errorf("read pull requests of %s: %w", org, err)
		}
		if err := scanPullRequests(rows, fn); err != nil {
			return err
		}
	}
	return nil
}

func scanPullRequests(rows *sql.Rows, fn func(PullRequestRow)) error {
	defer rows.Close()
	var r PullRequestRow
	var opened, responded, closed, blocked, unblocked int64
	for rows.Next() {
		if err := rows.Scan(&r.Author, &r.AuthorAssociation, &r.AuthorBot, &opened, &responded, &r.FirstResponder,
			&closed, &r.Merged, &blocked, &unblocked); err != nil {
			return err
		}
		r.OpenedAt, r.FirstResponseAt, r.ClosedAt = unixTime(opened), unixTime(responded), unixTime(closed)
		r.CLABlockedAt, r.CLAUnblockedAt = unixTime(blocked), unixTime(unblocked)
		fn(r)
	}
	return rows.Err()
}

// OrgFirstPullRequestsFrom returns the authors whose first pull request
// in org (in all its history) opened at or after from: only the authors
// who opened one since are grouped, through the (org, author, opened_at)
// index.
func (s *Store) OrgFirstPullRequestsFrom(ctx context.Context, org string, from time.Time) ([]AuthorFirstRow, error) {
	rows, err := s.DB.QueryContext(ctx, qFirstPullRequestsFrom, org, from.Unix())
	if err != nil {
		return nil, fmt.Errorf("read first pull requests of %s: %w", org, err)
	}
	return scanAuthorFirsts(rows)
}

// OrgReviewLife returns what a review's cycles are replayed from (kpi.
// ReviewCycles): org's review events before until, in OrgReviewEvents'
// order, with only their repository ID, kind, verb and time read.
func (s *Store) OrgReviewLife(ctx context.Context, org string, until time.Time) ([]ReviewEventRow, error) {
	rows, err := s.DB.QueryContext(ctx, qReviewLife, org, until.Unix())
	if err != nil {
		return nil, fmt.Errorf("read review events of %s: %w", org, err)
	}
	defer rows.Close()
	var out []ReviewEventRow
	for rows.Next() {
		var e ReviewEventRow
		var at int64
		if err := rows.Scan(&e.RepositoryID, &e.Kind, &e.Verb, &at); err != nil {
			return nil, err
		}
		e.At = unixTime(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

// ReviewIssuesOf returns the review issues of the repositories ids, by
// repository ID: a page's rows' links, read by primary key.
func (s *Store) ReviewIssuesOf(ctx context.Context, ids []int64) (map[int64]ReviewIssue, error) {
	out := make(map[int64]ReviewIssue, len(ids))
	for len(ids) > 0 {
		n := min(len(ids), 500)
		args := make([]any, n)
		marks := make([]string, n)
		for i, id := range ids[:n] {
			args[i], marks[i] = id, fmt.Sprintf("$%d", i+1)
		}
		rows, err := s.DB.QueryContext(ctx, `SELECT repository_id, installation_id, repository, review_repo, issue_number, notified, updated_at
			FROM review_issues WHERE repository_id IN (`+strings.Join(marks, ",")+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("read review issues: %w", err)
		}
		for rows.Next() {
			var r ReviewIssue
			if err := rows.Scan(&r.RepositoryID, &r.InstallationID, &r.Repository, &r.ReviewRepo, &r.IssueNumber, &r.Notified, &r.UpdatedAt); err != nil {
				rows.Close()
				return nil, err
			}
			out[r.RepositoryID] = r
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		ids = ids[n:]
	}
	return out, nil
}

// ApproverDecisions counts one person's deciding commands in a period.
type ApproverDecisions struct {
	Actor                             string
	Approve, Reject, Exempt, Unexempt int
}

// Total is every decision counted.
func (a ApproverDecisions) Total() int { return a.Approve + a.Reject + a.Exempt + a.Unexempt }

// OrgDecisionsByApprover counts the deciding commands accepted on org's
// reviews in [since, until) (review_events of kind decided), by who gave
// them: most decisions first, then by login.
func (s *Store) OrgDecisionsByApprover(ctx context.Context, org string, since, until time.Time) ([]ApproverDecisions, error) {
	rows, err := s.DB.QueryContext(ctx, qDecisionsByApprover, org, since.Unix(), until.Unix())
	if err != nil {
		return nil, fmt.Errorf("count the decisions of %s: %w", org, err)
	}
	defer rows.Close()
	idx := map[string]int{}
	var out []ApproverDecisions
	for rows.Next() {
		var actor, verb string
		var n int
		if err := rows.Scan(&actor, &verb, &n); err != nil {
			return nil, err
		}
		i, ok := idx[actor]
		if !ok {
			i = len(out)
			idx[actor] = i
			out = append(out, ApproverDecisions{Actor: actor})
		}
		switch verb {
		case "approve":
			out[i].Approve += n
		case "reject":
			out[i].Reject += n
		case "exempt":
			out[i].Exempt += n
		case "unexempt":
			out[i].Unexempt += n
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	sortApprovers(out)
	return out, nil
}

func sortApprovers(as []ApproverDecisions) {
	slices.SortFunc(as, func(a, b ApproverDecisions) int {
		if a.Total() != b.Total() {
			return b.Total() - a.Total()
		}
		return strings.Compare(a.Actor, b.Actor)
	})
}

// DashboardReviewCycle is one opening of a review issue until its close
// (zero times: not yet).
type DashboardReviewCycle struct {
	RepositoryID                           int64
	Opened, FirstResponse, Decided, Closed time.Time
}

// DashboardReviewCycles returns org's review cycles, oldest opening first.
func (s *Store) DashboardReviewCycles(ctx context.Context, org string) ([]DashboardReviewCycle, error) {
	rows, err := s.DB.QueryContext(ctx, qReviewCycles, org)
	if err != nil {
		return nil, fmt.Errorf("read the review cycles of %s: %w", org, err)
	}
	defer rows.Close()
	var out []DashboardReviewCycle
	for rows.Next() {
		var c DashboardReviewCycle
		var o, f, d, cl int64
		if err := rows.Scan(&c.RepositoryID, &o, &f, &d, &cl); err != nil {
			return nil, err
		}
		c.Opened, c.FirstResponse, c.Decided, c.Closed = unixTime(o), unixTime(f), unixTime(d), unixTime(cl)
		out = append(out, c)
	}
	return out, rows.Err()
}

// ReplaceDashboardReviewCycles makes org's review cycles cs: only the
// cycles that changed are deleted and written.
func (s *Store) ReplaceDashboardReviewCycles(ctx context.Context, org string, cs []DashboardReviewCycle) error {
	key := func(c DashboardReviewCycle) [5]int64 {
		u := func(t time.Time) int64 {
			if t.IsZero() {
				return 0
			}
			return t.Unix()
		}
		return [5]int64{c.RepositoryID, u(c.Opened), u(c.FirstResponse), u(c.Decided), u(c.Closed)}
	}
	old, err := s.DashboardReviewCycles(ctx, org)
	if err != nil {
		return err
	}
	have := make(map[[5]int64]bool, len(old))
	for _, c := range old {
		have[key(c)] = true
	}
	want := make(map[[5]int64]bool, len(cs))
	var add [][]any
	for _, c := range cs {
		k := key(c)
		if want[k] {
			continue
		}
		want[k] = true
		if !have[k] {
			add = append(add, []any{org, k[0], k[1], k[2], k[3], k[4]})
		}
	}
	return s.InTx(ctx, func(tx *sql.Tx) error {
		for k := range have {
			if want[k] {
				continue
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM dashboard_review_cycles WHERE org = $1 AND repository_id = $2 AND opened = $3`,
				org, k[0], k[1]); err != nil {
				return fmt.Errorf("delete a review cycle of %s: %w", org, err)
			}
		}
		return insertRows(ctx, tx, "dashboard_review_cycles (org, repository_id, opened, first_response, decided, closed)", add)
	})
}
