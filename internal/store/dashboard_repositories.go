package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The dashboard's Repositories, repository and Audit log pages (issue 14):
// dashboard_repositories (migration 017) is one row a repository, brought
// up to date by the dashboard's refresher from repository_days and the
// review tables; the pages read it, repository_days and audit_log by
// index, one page of rows at a time.

// Statuses of a repository on the dashboard, as the latest check left it.
const (
	StatusCompliant  = "compliant"    // in scope, no enforce rule failing, not flagged
	StatusFailing    = "failing"      // enforce rules failing (accepted by an approval: not flagged)
	StatusFlagged    = "flagged"      // needs a review
	StatusOutOfScope = "out_of_scope" // left out by the policy (fork, archived) or gone from GitHub
)

// refreshMargin: the refresher reads again the days recorded this long
// before the newest it has, so that a check whose transaction committed
// late (its checked_at older than a newer one's) is not missed.
const refreshMargin = time.Hour

// refreshChunk: repositories brought up to date a statement.
const refreshChunk = 500

// RefreshDashboardRepositories upserts the dashboard row of every
// repository of org whose latest day was recorded since the newest the
// table holds (less refreshMargin): cheap when little changed, the same
// rows whenever run again. A repository's review state is left as it is
// ("" for a new row): SetDashboardReviewStates writes it.
func (s *Store) RefreshDashboardRepositories(ctx context.Context, org string) (int64, error) {
	var newest sql.NullInt64
	if err := s.DB.QueryRowContext(ctx, `SELECT MAX(checked_at) FROM dashboard_repositories WHERE org = $1`, org).Scan(&newest); err != nil {
		return 0, fmt.Errorf("read the dashboard's newest repository of %s: %w", org, err)
	}
	since := int64(-1)
	if newest.Valid {
		since = newest.Int64 - int64(refreshMargin/time.Second)
	}
	// The repositories to bring up to date (a day recorded since, newer
	// than their row), then a statement for each
	// refreshChunk of them: SQLite's one writer is never held for long
	// (the first refresh of a big org reads every day of it). In those
	// statements org and checked_at are written so that no index serves
	// them (|| '', + 0): the chunk's repositories are the index to
	// read, not every day of the org since.
	rows, err := s.DB.QueryContext(ctx, `SELECT DISTINCT d.repository_id FROM repository_days d WHERE d.org = $1 AND d.checked_at > $2
		AND NOT EXISTS (SELECT 1 FROM dashboard_repositories r WHERE r.repository_id = d.repository_id AND r.checked_at >= d.checked_at)
		ORDER BY d.repository_id`, org, since)
	if err != nil {
		return 0, fmt.Errorf("read the repositories of %s checked since the dashboard's refresh: %w", org, err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	var total int64
	for i := 0; i < len(ids); i += refreshChunk {
		chunk := ids[i:min(i+refreshChunk, len(ids))]
		n, err := rowsAffected(s.DB.ExecContext(ctx, `
		INSERT INTO dashboard_repositories (repository_id, org, repository, name_key, installation_id, private, in_scope,
			flagged, failing, failing_count, status, status_rank, license, topics, classification, day, checked_at)
		SELECT d.repository_id, d.org, d.repository, LOWER(d.repository), d.installation_id, d.private, d.in_scope,
			d.flagged, d.failing,
			CASE WHEN d.failing = '' THEN 0 ELSE LENGTH(d.failing) - LENGTH(REPLACE(d.failing, ',', '')) + 1 END,
			CASE WHEN NOT d.in_scope THEN 'out_of_scope' WHEN d.flagged THEN 'flagged' WHEN d.failing <> '' THEN 'failing'
				ELSE 'compliant' END,
			CASE WHEN NOT d.in_scope THEN 0 WHEN d.flagged THEN 3 WHEN d.failing <> '' THEN 2 ELSE 1 END,
			d.license, d.topics, d.classification, d.day, d.checked_at
		FROM repository_days d
		WHERE d.repository_id IN (`+idList(chunk)+`) AND d.org || '' = $1 AND d.checked_at + 0 > $2
			AND d.day = (SELECT MAX(l.day) FROM repository_days l WHERE l.repository_id = d.repository_id)
		ON CONFLICT (repository_id) DO UPDATE SET org = excluded.org, repository = excluded.repository,
			name_key = excluded.name_key, installation_id = excluded.installation_id, private = excluded.private,
			in_scope = excluded.in_scope, flagged = excluded.flagged, failing = excluded.failing,
			failing_count = excluded.failing_count, status = excluded.status, status_rank = excluded.status_rank,
			license = excluded.license, topics = excluded.topics, classification = excluded.classification,
			day = excluded.day, checked_at = excluded.checked_at
		WHERE excluded.checked_at <> dashboard_repositories.checked_at OR excluded.day <> dashboard_repositories.day`,
			org, since))
		if err != nil {
			return total, fmt.Errorf("refresh the dashboard's repositories of %s: %w", org, err)
		}
		total += n
	}
	return total, nil
}

// ReviewInputs is what a repository's review state is derived from: its
// review issue (Number 0: none), whether the last recorded life
// event closed it, and its recorded decisions, oldest first.
type ReviewInputs struct {
	RepositoryID int64
	ReviewRepo   string
	Number       int
	Closed       bool
	Decisions    []ReviewDecision
}

// DashboardReviewInputs returns the review inputs of every repository of
// org on the dashboard that has a review issue or a decision: a few
// indexed reads of the org's reviews (a review issue is one row a
// flagged repository, never one a pull request).
func (s *Store) DashboardReviewInputs(ctx context.Context, org string) (map[int64]*ReviewInputs, error) {
	out := map[int64]*ReviewInputs{}
	get := func(id int64) *ReviewInputs {
		if out[id] == nil {
			out[id] = &ReviewInputs{RepositoryID: id}
		}
		return out[id]
	}
	rows, err := s.DB.QueryContext(ctx, `
		SELECT i.repository_id, i.review_repo, i.issue_number FROM review_issues i
		JOIN dashboard_repositories r ON r.repository_id = i.repository_id WHERE r.org = $1 AND i.issue_number > 0`, org)
	if err != nil {
		return nil, fmt.Errorf("read review issues of %s: %w", org, err)
	}
	for rows.Next() {
		var id int64
		var repo string
		var n int
		if err := rows.Scan(&id, &repo, &n); err != nil {
			rows.Close()
			return nil, err
		}
		in := get(id)
		in.ReviewRepo, in.Number = repo, n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// The last life event: opened, reopened or closed, the latest
	// (a close and a reopen in the same second: the reopen, ordered last).
	rows, err = s.DB.QueryContext(ctx, `
		SELECT repository_id, kind, at FROM review_events
		WHERE org = $1 AND kind IN ('opened', 'reopened', 'closed') ORDER BY repository_id, at, kind`, org)
	if err != nil {
		return nil, fmt.Errorf("read review events of %s: %w", org, err)
	}
	for rows.Next() {
		var id, at int64
		var kind string
		if err := rows.Scan(&id, &kind, &at); err != nil {
			rows.Close()
			return nil, err
		}
		if in := out[id]; in != nil {
			in.Closed = kind == ReviewClosed
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = s.DB.QueryContext(ctx, `
		SELECT `+decisionColumns("d.")+` FROM review_decisions d
		JOIN dashboard_repositories r ON r.repository_id = d.repository_id WHERE r.org = $1
		ORDER BY d.at, d.comment_id, d.seq`, org)
	if err != nil {
		return nil, fmt.Errorf("read review decisions of %s: %w", org, err)
	}
	defer rows.Close()
	for rows.Next() {
		d, err := scanDecision(rows)
		if err != nil {
			return nil, err
		}
		in := get(d.RepositoryID)
		in.Decisions = append(in.Decisions, d)
	}
	return out, rows.Err()
}

// ReviewCell is a repository's review on the dashboard.
type ReviewCell struct {
	State      string // none, open, closed, exempted, approved, rejected
	ReviewRepo string
	Number     int
}

// SetDashboardReviewStates writes the review of each repository of org
// in states, and "none" (no issue) for every other repository of org:
// only the rows that differ are written.
func (s *Store) SetDashboardReviewStates(ctx context.Context, org string, states map[int64]ReviewCell) (int64, error) {
	var total int64
	want := make(map[int64]ReviewCell, len(states))
	for id, c := range states {
		want[id] = c
	}
	states = want
	err := s.InTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT repository_id, review_state, review_repo, issue_number FROM dashboard_repositories
			WHERE org = $1 AND (review_state <> 'none' OR issue_number <> 0)`, org)
		if err != nil {
			return err
		}
		have := map[int64]ReviewCell{}
		for rows.Next() {
			var id int64
			var c ReviewCell
			if err := rows.Scan(&id, &c.State, &c.ReviewRepo, &c.Number); err != nil {
				rows.Close()
				return err
			}
			have[id] = c
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for id, c := range have {
			if _, ok := states[id]; !ok && c.State != "" {
				states[id] = ReviewCell{State: "none"}
			}
		}
		for id, c := range states {
			h, ok := have[id]
			if ok && h == c || !ok && c == (ReviewCell{State: "none"}) {
				continue // as it is (a row not in have has none)
			}
			n, err := rowsAffected(tx.ExecContext(ctx, `UPDATE dashboard_repositories SET review_state = $1, review_repo = $2, issue_number = $3
				WHERE repository_id = $4 AND org = $5`, c.State, c.ReviewRepo, c.Number, id, org))
			if err != nil {
				return err
			}
			total += n
		}
		// Every other row not derived yet ('' since its first refresh)
		// has no review.
		n, err := rowsAffected(tx.ExecContext(ctx, `UPDATE dashboard_repositories SET review_state = 'none', review_repo = '', issue_number = 0
			WHERE org = $1 AND review_state = ''`, org))
		if err != nil {
			return err
		}
		total += n
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("write the review states of %s: %w", org, err)
	}
	return total, nil
}

// DashboardRepository is a repository's row on the dashboard.
type DashboardRepository struct {
	RepositoryID, InstallationID int64
	Repository                   string // owner/name
	Private, InScope, Flagged    bool
	Failing                      []string
	Status                       string
	License                      string
	Topics                       []string
	TopicsKnown                  bool // false: recorded before topics were (until its next check)
	Classification               string
	CheckedAt                    time.Time
	Review                       ReviewCell // State "": not derived yet
}

// RepositoryFilter narrows and orders the Repositories page's rows.
// Empty fields do not filter.
type RepositoryFilter struct {
	Org            string
	Rule           string // failing this enforce rule
	Status         string // a Status* constant
	Visibility     string // public, private
	Topic          string // has this topic
	Classification string // "-": none
	Review         string // a review state
	Name           string // the name contains this (case-insensitive)
	Sort           string // repository, status, failing, visibility, review, checked
	Desc           bool
	Offset, Limit  int
}

// repositorySorts map a sort key to its ORDER BY (the name last, for a
// stable order whatever the ties).
var repositorySorts = map[string]string{
	"repository": "name_key",
	"status":     "status_rank",
	"failing":    "failing_count",
	"visibility": "private",
	"review":     "review_state",
	"checked":    "checked_at",
}

// likeEscape escapes LIKE's wildcards (with '\' as ESCAPE).
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// DashboardRepositories returns one page of org's repositories that pass
// the filter, and how many pass it.
func (s *Store) DashboardRepositories(ctx context.Context, f RepositoryFilter) ([]DashboardRepository, int, error) {
	where := []string{"org = $1"}
	args := []any{f.Org}
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	if f.Rule != "" {
		where = append(where, `(',' || failing || ',') LIKE `+arg("%,"+likeEscape(f.Rule)+",%")+` ESCAPE '\'`)
	}
	switch f.Status {
	case "":
	case StatusCompliant:
		where = append(where, "in_scope AND NOT flagged AND failing = ''")
	case StatusFailing:
		where = append(where, "in_scope AND failing <> ''")
	case StatusFlagged:
		where = append(where, "in_scope AND flagged")
	case StatusOutOfScope:
		where = append(where, "NOT in_scope")
	default:
		return nil, 0, fmt.Errorf("unknown status %q", f.Status)
	}
	switch f.Visibility {
	case "":
	case "public":
		where = append(where, "NOT private")
	case "private":
		where = append(where, "private")
	default:
		return nil, 0, fmt.Errorf("unknown visibility %q", f.Visibility)
	}
	if f.Topic != "" {
		where = append(where, `(',' || topics || ',') LIKE `+arg("%,"+likeEscape(f.Topic)+",%")+` ESCAPE '\'`)
	}
	switch f.Classification {
	case "":
	case "-":
		where = append(where, "classification = ''")
	default:
		where = append(where, "classification = "+arg(f.Classification))
	}
	if f.Review != "" {
		where = append(where, "review_state = "+arg(f.Review))
	}
	if f.Name != "" {
		where = append(where, `name_key LIKE `+arg("%"+likeEscape(strings.ToLower(f.Name))+"%")+` ESCAPE '\'`)
	}
	order, ok := repositorySorts[cmpOr(f.Sort, "repository")]
	if !ok {
		return nil, 0, fmt.Errorf("unknown sort %q", f.Sort)
	}
	dir := " ASC"
	if f.Desc {
		dir = " DESC"
	}
	cond := strings.Join(where, " AND ")
	var total int
	if err := s.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM dashboard_repositories WHERE `+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count the repositories of %s: %w", f.Org, err)
	}
	q := `SELECT ` + dashboardRepositoryColumns + ` FROM dashboard_repositories WHERE ` + cond +
		` ORDER BY ` + order + dir + `, name_key` + dir + ` LIMIT ` + arg(f.Limit) + ` OFFSET ` + arg(f.Offset)
	rows, err := s.DB.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("read the repositories of %s: %w", f.Org, err)
	}
	defer rows.Close()
	var out []DashboardRepository
	for rows.Next() {
		r, err := scanDashboardRepository(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, r)
	}
	return out, total, rows.Err()
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

const dashboardRepositoryColumns = `repository_id, installation_id, repository, private, in_scope, flagged, failing, status,
	license, topics, classification, checked_at, review_state, review_repo, issue_number`

func scanDashboardRepository(row interface{ Scan(...any) error }) (DashboardRepository, error) {
	var r DashboardRepository
	var failing string
	var topics, class sql.NullString
	var checked int64
	if err := row.Scan(&r.RepositoryID, &r.InstallationID, &r.Repository, &r.Private, &r.InScope, &r.Flagged, &failing,
		&r.Status, &r.License, &topics, &class, &checked, &r.Review.State, &r.Review.ReviewRepo, &r.Review.Number); err != nil {
		return r, err
	}
	if failing != "" {
		r.Failing = strings.Split(failing, ",")
	}
	r.TopicsKnown = topics.Valid
	if topics.String != "" {
		r.Topics = strings.Split(topics.String, ",")
	}
	r.Classification = class.String
	r.CheckedAt = unixTime(checked)
	return r, nil
}

// DashboardRepositoryNamed returns org's repository called name (without
// the org, case-insensitive), or an error IsNotFound reports.
func (s *Store) DashboardRepositoryNamed(ctx context.Context, org, name string) (DashboardRepository, error) {
	return scanDashboardRepository(s.DB.QueryRowContext(ctx, `SELECT `+dashboardRepositoryColumns+`
		FROM dashboard_repositories WHERE org = $1 AND name_key = $2`, org, strings.ToLower(org+"/"+name)))
}

// DashboardClassifications returns the classifications in use in org
// ("" among them when a repository has none), sorted.
func (s *Store) DashboardClassifications(ctx context.Context, org string) ([]string, error) {
	out, err := s.distinct(ctx, "dashboard_repositories", "classification", org)
	if err != nil {
		return nil, fmt.Errorf("read the classifications of %s: %w", org, err)
	}
	return out, nil
}

// distinct returns the distinct non-NULL values of column among table's
// rows of org, sorted, by one index seek a value (a loose index scan on
// (org, column)) rather than reading every row of the org.
func (s *Store) distinct(ctx context.Context, table, column, org string) ([]string, error) {
	rows, err := s.DB.QueryContext(ctx, `
		WITH RECURSIVE v(x) AS (
			SELECT MIN(`+column+`) FROM `+table+` WHERE org = $1
			UNION ALL
			SELECT (SELECT MIN(`+column+`) FROM `+table+` WHERE org = $1 AND `+column+` > v.x) FROM v WHERE v.x IS NOT NULL)
		SELECT x FROM v WHERE x IS NOT NULL`, org)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// RepositoryHistoryDay is a repository's recorded day.
type RepositoryHistoryDay struct {
	RepositoryDayRow
	Day time.Time // the UTC day's midnight
}

// RepositoryHistory returns a repository's days in [since, until),
// oldest first.
func (s *Store) RepositoryHistory(ctx context.Context, repositoryID int64, since, until time.Time) ([]RepositoryHistoryDay, error) {
	rows, err := s.DB.QueryContext(ctx, `
		SELECT repository_id, installation_id, repository, private, in_scope, flagged, failing, results, license,
			policy_version, checked_at, day
		FROM repository_days WHERE repository_id = $1 AND day >= $2 AND day < $3 ORDER BY day`,
		repositoryID, since.Unix(), until.Unix())
	if err != nil {
		return nil, fmt.Errorf("read the history of repository %d: %w", repositoryID, err)
	}
	defer rows.Close()
	var out []RepositoryHistoryDay
	for rows.Next() {
		var r RepositoryHistoryDay
		var failing, results string
		var checked, day int64
		if err := rows.Scan(&r.RepositoryID, &r.InstallationID, &r.Repository, &r.Private, &r.InScope, &r.Flagged,
			&failing, &results, &r.License, &r.PolicyVersion, &checked, &day); err != nil {
			return nil, err
		}
		if failing != "" {
			r.Failing = strings.Split(failing, ",")
		}
		if results != "" {
			if err := json.Unmarshal([]byte(results), &r.Results); err != nil {
				return nil, fmt.Errorf("repository day of %s: results: %w", r.Repository, err)
			}
		}
		r.CheckedAt, r.Day = unixTime(checked), unixTime(day)
		out = append(out, r)
	}
	return out, rows.Err()
}

// RepositoryReviewEvents returns a repository's review events in
// [since, until), newest first.
func (s *Store) RepositoryReviewEvents(ctx context.Context, repositoryID int64, since, until time.Time) ([]ReviewEventRow, error) {
	rows, err := s.DB.QueryContext(ctx, `
		SELECT repository_id, repository, kind, actor, verb, rule, at FROM review_events
		WHERE repository_id = $1 AND at >= $2 AND at < $3 ORDER BY at DESC, event_key DESC`,
		repositoryID, since.Unix(), until.Unix())
	if err != nil {
		return nil, fmt.Errorf("read the review events of repository %d: %w", repositoryID, err)
	}
	return scanReviewEvents(rows)
}

// AuditFilter narrows the audit log of an org; empty fields do not
// filter. Entries are newest first.
type AuditFilter struct {
	Org          string
	Since, Until time.Time
	Actor        string // the login, case-insensitive
	Action       string
	Repository   string // owner/name: entries about it and its pull requests (case-insensitive)
	Offset       int
	Limit        int // 0: all
}

// DashboardAudit returns the entries of org's audit log that pass f, and
// how many pass it. An entry is org's when its subject names a
// repository of org ("acme/widget", "acme/widget#12"; "acme-other/…" is
// another org), or, naming none, when its installation is org's: the
// org column of migration 017, read by index.
func (s *Store) DashboardAudit(ctx context.Context, f AuditFilter) ([]AuditEntry, int, error) {
	where := []string{"org = $1", "at >= $2", "at < $3"}
	args := []any{strings.ToLower(f.Org), f.Since.UTC(), f.Until.UTC()}
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	if f.Actor != "" {
		where = append(where, "LOWER(actor) = "+arg(strings.ToLower(f.Actor)))
	}
	if f.Action != "" {
		where = append(where, "action = "+arg(f.Action))
	}
	if f.Repository != "" {
		// By the repository's index. A repository is one org's (repo and
		// org are both the subject's), so the org's condition goes: it
		// would let the planner prefer the org's index.
		if owner, _, _ := strings.Cut(f.Repository, "/"); !strings.EqualFold(owner, f.Org) {
			return nil, 0, nil
		}
		where[0], args[0] = "repo = $1", strings.ToLower(f.Repository)
	}
	cond := strings.Join(where, " AND ")
	var total int
	if err := s.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE `+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count the audit log of %s: %w", f.Org, err)
	}
	// The page's IDs first, from the search's index alone (every index of
	// the search covers it), then their rows: a planner choosing for the
	// whole rows would rather walk the org's index in order than sort.
	// A page past the middle is read from the oldest end, skipping as
	// few entries as the first pages do from the newest (OFFSET walks the
	// index); the rows are put newest first by the outer ORDER BY.
	order := ` ORDER BY at DESC, id DESC`
	ids := `SELECT id FROM audit_log WHERE ` + cond
	switch {
	case f.Limit > 0 && f.Offset >= total:
		return nil, total, nil
	case f.Limit > 0 && f.Offset > total/2:
		limit := min(f.Limit, total-f.Offset)
		ids += ` ORDER BY at, id LIMIT ` + arg(limit) + ` OFFSET ` + arg(total-f.Offset-limit)
	case f.Limit > 0:
		ids += order + ` LIMIT ` + arg(f.Limit) + ` OFFSET ` + arg(f.Offset)
	}
	q := `SELECT at, installation_id, actor, action, subject, reason, url, policy_version FROM audit_log
		WHERE id IN (` + ids + `)` + order
	rows, err := s.DB.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("read the audit log of %s: %w", f.Org, err)
	}
	out, err := scanAudit(rows)
	return out, total, err
}

// DashboardAuditActions returns the actions in org's audit log, sorted.
func (s *Store) DashboardAuditActions(ctx context.Context, org string) ([]string, error) {
	out, err := s.distinct(ctx, "audit_log", "action", strings.ToLower(org))
	if err != nil {
		return nil, fmt.Errorf("read the audit actions of %s: %w", org, err)
	}
	return out, nil
}

// FillAuditOrgs gives every audit entry written without its org (by a
// writer other than AppendAudit, or before migration 017 ran on a
// replica still writing the old way) the org AppendAudit would have
// given it. Cheap when there is none: the rows are found by the org
// index.
func (s *Store) FillAuditOrgs(ctx context.Context) (int64, error) {
	owner := `LOWER(SUBSTR(subject, 1, INSTR(subject, '/') - 1))`
	repo := `LOWER(CASE WHEN INSTR(subject, '#') > 0 THEN SUBSTR(subject, 1, INSTR(subject, '#') - 1) ELSE subject END)`
	slash := `INSTR(subject, '/') > 1`
	login := `(subject <> '' AND LENGTH(subject) <= 39 AND subject NOT GLOB '-*' AND subject NOT GLOB '*[^A-Za-z0-9-]*')`
	if s.Dialect == Postgres {
		owner, repo, slash = `LOWER(SPLIT_PART(subject, '/', 1))`, `LOWER(SPLIT_PART(subject, '#', 1))`, `STRPOS(subject, '/') > 1`
		login = `(subject ~ '^[A-Za-z0-9][A-Za-z0-9-]{0,38}$')`
	}
	// 1,000 rows a statement, as long as there are: SQLite's writer is
	// never held for long. As AppendAudit: a subject with no repository
	// is its installation's org, else its own when it is a login (a CLA
	// signature's), else "-", which no login is.
	var total int64
	for {
		n, err := rowsAffected(s.DB.ExecContext(ctx, `UPDATE audit_log SET org = CASE WHEN `+slash+` THEN `+owner+`
		ELSE COALESCE((SELECT LOWER(account) FROM installations i WHERE i.id = audit_log.installation_id),
			CASE WHEN `+login+` THEN LOWER(subject) END, '-') END,
		repo = CASE WHEN `+slash+` THEN `+repo+` ELSE '' END
		WHERE id IN (SELECT id FROM audit_log WHERE org = '' LIMIT 1000) AND org = ''`))
		if err != nil {
			return total, fmt.Errorf("fill the audit log's orgs: %w", err)
		}
		total += n
		if n == 0 {
			return total, nil
		}
	}
}

// idList writes IDs as SQL integers.
func idList(ids []int64) string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(out, ", ")
}
