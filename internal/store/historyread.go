package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Readers of the history (migration 011) and of the review, CLA and audit
// tables, in bulk, for an org's report: one query each, aggregated in SQL
// where a Go copy of the rows would cost memory, streamed where it must be
// read row by row. Times in history tables are Unix seconds; 0 is "not yet".

// RepositoryDayRow is a repository's last recorded day.
type RepositoryDayRow struct {
	RepositoryID, InstallationID int64
	Repository                   string
	Private, InScope, Flagged    bool
	Failing                      []string
	Results                      map[string]string // rule → "mode/result"
	License, PolicyVersion       string
	CheckedAt                    time.Time
}

// OrgName returns the org's login as its installation spells it (the
// history is keyed by that spelling), or org itself when none matches.
func (s *Store) OrgName(ctx context.Context, org string) (string, error) {
	var name string
	err := s.DB.QueryRowContext(ctx, `SELECT account FROM installations WHERE LOWER(account) = LOWER($1)
		ORDER BY id LIMIT 1`, org).Scan(&name)
	if IsNotFound(err) {
		return org, nil
	}
	return name, err
}

// LatestRepositoryDays returns, for each repository of org with a day
// before until, its latest such day, ordered by repository.
func (s *Store) LatestRepositoryDays(ctx context.Context, org string, until time.Time) ([]RepositoryDayRow, error) {
	rows, err := s.DB.QueryContext(ctx, `
		SELECT d.repository_id, d.installation_id, d.repository, d.private, d.in_scope, d.flagged, d.failing,
			d.results, d.license, d.policy_version, d.checked_at
		FROM repository_days d
		WHERE d.org = $1 AND d.day < $2 AND d.day = (
			SELECT MAX(l.day) FROM repository_days l WHERE l.repository_id = d.repository_id AND l.day < $2)
		ORDER BY d.repository`, org, until.Unix())
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
		if failing != "" {
			r.Failing = strings.Split(failing, ",")
		}
		if results != "" {
			if err := json.Unmarshal([]byte(results), &r.Results); err != nil {
				return nil, fmt.Errorf("repository day of %s: results: %w", r.Repository, err)
			}
		}
		r.CheckedAt = unixTime(checked)
		out = append(out, r)
	}
	return out, rows.Err()
}

// ReviewEventRow is one event of a review issue's life.
type ReviewEventRow struct {
	RepositoryID int64
	Repository   string
	Kind, Actor  string
	Verb, Rule   string
	At           time.Time
}

// OrgReviewEvents returns org's review events before until, oldest first.
func (s *Store) OrgReviewEvents(ctx context.Context, org string, until time.Time) ([]ReviewEventRow, error) {
	rows, err := s.DB.QueryContext(ctx, `
		SELECT repository_id, repository, kind, actor, verb, rule, at FROM review_events
		WHERE org = $1 AND at < $2 ORDER BY at, event_key`, org, until.Unix())
	if err != nil {
		return nil, fmt.Errorf("read review events of %s: %w", org, err)
	}
	return scanReviewEvents(rows)
}

// scanReviewEvents reads rows of (repository_id, repository, kind, actor,
// verb, rule, at).
func scanReviewEvents(rows *sql.Rows) ([]ReviewEventRow, error) {
	defer rows.Close()
	var out []ReviewEventRow
	for rows.Next() {
		var e ReviewEventRow
		var at int64
		if err := rows.Scan(&e.RepositoryID, &e.Repository, &e.Kind, &e.Actor, &e.Verb, &e.Rule, &at); err != nil {
			return nil, err
		}
		e.At = unixTime(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

// orgPrefix is the SQL condition "column names a repository of the org"
// ($1 is org + "/", $2 its length): logins are compared case-insensitively.
func orgPrefix(column string) string {
	return "LOWER(SUBSTR(" + column + ", 1, $2)) = LOWER($1)"
}

// OrgReviewIssues returns the review issues of org's repositories.
func (s *Store) OrgReviewIssues(ctx context.Context, org string) ([]ReviewIssue, error) {
	p := org + "/"
	rows, err := s.DB.QueryContext(ctx, `
		SELECT repository_id, installation_id, repository, review_repo, issue_number, notified, updated_at
		FROM review_issues WHERE `+orgPrefix("repository")+` ORDER BY repository`, p, len(p))
	if err != nil {
		return nil, fmt.Errorf("read review issues of %s: %w", org, err)
	}
	defer rows.Close()
	var out []ReviewIssue
	for rows.Next() {
		var r ReviewIssue
		if err := rows.Scan(&r.RepositoryID, &r.InstallationID, &r.Repository, &r.ReviewRepo, &r.IssueNumber, &r.Notified, &r.UpdatedAt); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// OrgReviewDecisions returns the decisions given before until on the
// reviews of org's repositories, by repository ID, oldest first.
func (s *Store) OrgReviewDecisions(ctx context.Context, org string, until time.Time) (map[int64][]ReviewDecision, error) {
	p := org + "/"
	rows, err := s.DB.QueryContext(ctx, `
		SELECT `+decisionColumns("d.")+`
		FROM review_decisions d JOIN review_issues i ON i.repository_id = d.repository_id
		WHERE `+orgPrefix("i.repository")+` AND d.at < $3 ORDER BY d.at, d.comment_id, d.seq`, p, len(p), until.UTC())
	if err != nil {
		return nil, fmt.Errorf("read review decisions of %s: %w", org, err)
	}
	return decisionsByRepository(rows)
}

// CLAEventRow is a signature or revocation.
type CLAEventRow struct {
	UserID int64
	Kind   string // signed | revoked
	At     time.Time
}

// OrgCLAEvents returns org's CLA events before until, and a "signed" event
// for each signature in force (cla_signatures) given before until, so that
// signatures older than the history count too.
func (s *Store) OrgCLAEvents(ctx context.Context, org string, until time.Time) ([]CLAEventRow, error) {
	var out []CLAEventRow
	rows, err := s.DB.QueryContext(ctx, `SELECT user_id, kind, at FROM cla_events WHERE org = $1 AND at < $2`, org, until.Unix())
	if err != nil {
		return nil, fmt.Errorf("read CLA events of %s: %w", org, err)
	}
	defer rows.Close()
	for rows.Next() {
		var e CLAEventRow
		var at int64
		if err := rows.Scan(&e.UserID, &e.Kind, &at); err != nil {
			return nil, err
		}
		e.At = unixTime(at)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	sigs, err := s.DB.QueryContext(ctx, `SELECT user_id, signed_at FROM cla_signatures WHERE org = $1 AND signed_at < $2`, org, until.UTC())
	if err != nil {
		return nil, fmt.Errorf("read CLA signatures of %s: %w", org, err)
	}
	defer sigs.Close()
	for sigs.Next() {
		e := CLAEventRow{Kind: "signed"}
		if err := sigs.Scan(&e.UserID, &e.At); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, sigs.Err()
}

// PullRequestRow is what the KPIs read of a pull request's facts.
type PullRequestRow struct {
	Author, AuthorAssociation    string
	AuthorBot                    bool
	OpenedAt, FirstResponseAt    time.Time
	FirstResponder               string
	ClosedAt                     time.Time
	Merged                       bool
	CLABlockedAt, CLAUnblockedAt time.Time
}

// EachPullRequest calls fn with every pull request of org opened, closed
// or blocked by the CLA in [since, until), streaming: the rows are not
// held. Every such pull request opened before until: the range on
// (org, opened_at) reads the rows in about the order they were written.
func (s *Store) EachPullRequest(ctx context.Context, org string, since, until time.Time, fn func(PullRequestRow)) error {
	a, b := since.Unix(), until.Unix()
	rows, err := s.DB.QueryContext(ctx, `
		SELECT author, author_association, author_bot, opened_at, first_response_at, first_responder,
			closed_at, merged, cla_blocked_at, cla_unblocked_at
		FROM pull_request_facts
		WHERE org = $1 AND opened_at < $3 AND (opened_at >= $2 OR (closed_at >= $2 AND closed_at < $3)
			OR (cla_blocked_at >= $2 AND cla_blocked_at < $3))`, org, a, b)
	if err != nil {
		return fmt.Errorf("read pull requests of %s: %w", org, err)
	}
	return scanPullRequests(rows, fn)
}

// AuthorFirstRow is when an author opened their first pull request in the org.
type AuthorFirstRow struct {
	Author string
	Bot    bool
	First  time.Time
}

// OrgFirstPullRequests returns the authors whose first pull request in org
// (in all its history) was opened in [since, until): the grouping is done by
// the database, so only the period's newcomers are read.
func (s *Store) OrgFirstPullRequests(ctx context.Context, org string, since, until time.Time) ([]AuthorFirstRow, error) {
	rows, err := s.DB.QueryContext(ctx, `
		SELECT author, MAX(CASE WHEN author_bot THEN 1 ELSE 0 END), MIN(opened_at) FROM pull_request_facts
		WHERE org = $1 AND opened_at < $3 GROUP BY author HAVING MIN(opened_at) >= $2`, org, since.Unix(), until.Unix())
	if err != nil {
		return nil, fmt.Errorf("read first pull requests of %s: %w", org, err)
	}
	return scanAuthorFirsts(rows)
}

// scanAuthorFirsts reads rows of (author, bot as 0 or 1, first opened_at).
func scanAuthorFirsts(rows *sql.Rows) ([]AuthorFirstRow, error) {
	defer rows.Close()
	var out []AuthorFirstRow
	for rows.Next() {
		var f AuthorFirstRow
		var bot int
		var first int64
		if err := rows.Scan(&f.Author, &bot, &first); err != nil {
			return nil, err
		}
		f.Bot, f.First = bot == 1, unixTime(first)
		out = append(out, f)
	}
	return out, rows.Err()
}

// MergedCountRow is how many pull requests an author merged in a repository.
type MergedCountRow struct {
	Repository, Author string
	Bot                bool
	Merged             int
}

// OrgMergedCounts counts, per repository and author, the pull requests of
// org merged in [since, until), in the database.
func (s *Store) OrgMergedCounts(ctx context.Context, org string, since, until time.Time) ([]MergedCountRow, error) {
	rows, err := s.DB.QueryContext(ctx, `
		SELECT repository, author, MAX(CASE WHEN author_bot THEN 1 ELSE 0 END), COUNT(*) FROM pull_request_facts
		WHERE org = $1 AND closed_at >= $2 AND closed_at < $3 AND merged GROUP BY repository, author`,
		org, since.Unix(), until.Unix())
	if err != nil {
		return nil, fmt.Errorf("count merged pull requests of %s: %w", org, err)
	}
	defer rows.Close()
	var out []MergedCountRow
	for rows.Next() {
		var c MergedCountRow
		var bot int
		if err := rows.Scan(&c.Repository, &c.Author, &bot, &c.Merged); err != nil {
			return nil, err
		}
		c.Bot = bot == 1
		out = append(out, c)
	}
	return out, rows.Err()
}

// OrgRepositories returns the repositories of org the installations list,
// by full name.
func (s *Store) OrgRepositories(ctx context.Context, org string) ([]Repository, error) {
	p := org + "/"
	rows, err := s.DB.QueryContext(ctx, `
		SELECT id, installation_id, full_name, private, archived, fork FROM repositories
		WHERE `+orgPrefix("full_name")+` ORDER BY full_name`, p, len(p))
	if err != nil {
		return nil, fmt.Errorf("read repositories of %s: %w", org, err)
	}
	defer rows.Close()
	var out []Repository
	for rows.Next() {
		var r Repository
		if err := rows.Scan(&r.ID, &r.InstallationID, &r.FullName, &r.Private, &r.Archived, &r.Fork); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// OrgAuditLog returns the audit entries about org's repositories (and
// their pull requests) written in [since, until), oldest first.
func (s *Store) OrgAuditLog(ctx context.Context, org string, since, until time.Time) ([]AuditEntry, error) {
	p := org + "/"
	rows, err := s.DB.QueryContext(ctx, `
		SELECT at, installation_id, actor, action, subject, reason, url, policy_version FROM audit_log
		WHERE `+orgPrefix("subject")+` AND at >= $3 AND at < $4 ORDER BY at, id`, p, len(p), since.UTC(), until.UTC())
	if err != nil {
		return nil, fmt.Errorf("read audit log of %s: %w", org, err)
	}
	return scanAudit(rows)
}

// unixTime turns history's Unix seconds into a time, 0 into the zero time.
func unixTime(s int64) time.Time {
	if s == 0 {
		return time.Time{}
	}
	return time.Unix(s, 0).UTC()
}
