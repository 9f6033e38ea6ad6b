package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ReviewIssue links a repository to its OSPO review issue.
type ReviewIssue struct {
	RepositoryID   int64
	InstallationID int64
	Repository     string // owner/name, kept current through renames
	ReviewRepo     string // owner/name holding the issue
	IssueNumber    int    // 0 while the issue is being created
	// Notified is a digest of what a human was last told in a comment, so
	// the bot comments only when that changes.
	Notified  string
	UpdatedAt time.Time
}

// ClaimReviewIssue returns the repository's review issue row, creating it
// (with IssueNumber 0) if there is none. claimed is true when this call
// created the row: only its caller may create the issue on GitHub.
func (s *Store) ClaimReviewIssue(ctx context.Context, r ReviewIssue) (row ReviewIssue, claimed bool, err error) {
	n, err := rowsAffected(s.DB.ExecContext(ctx, `
		INSERT INTO review_issues (repository_id, installation_id, repository, review_repo, issue_number, updated_at)
		VALUES ($1, $2, $3, $4, 0, $5) ON CONFLICT (repository_id) DO NOTHING`,
		r.RepositoryID, r.InstallationID, r.Repository, r.ReviewRepo, time.Now().UTC()))
	if err != nil {
		return row, false, fmt.Errorf("claim review issue of %s: %w", r.Repository, err)
	}
	row, err = s.ReviewIssue(ctx, r.RepositoryID)
	return row, n == 1, err
}

// ReviewIssue returns a repository's review issue row, or sql.ErrNoRows.
func (s *Store) ReviewIssue(ctx context.Context, repositoryID int64) (ReviewIssue, error) {
	var r ReviewIssue
	err := s.DB.QueryRowContext(ctx, `
		SELECT repository_id, installation_id, repository, review_repo, issue_number, notified, updated_at
		FROM review_issues WHERE repository_id = $1`, repositoryID).
		Scan(&r.RepositoryID, &r.InstallationID, &r.Repository, &r.ReviewRepo, &r.IssueNumber, &r.Notified, &r.UpdatedAt)
	return r, err
}

// ReviewIssueByNumber finds the repository a review issue is about.
func (s *Store) ReviewIssueByNumber(ctx context.Context, reviewRepo string, number int) (ReviewIssue, error) {
	var r ReviewIssue
	err := s.DB.QueryRowContext(ctx, `
		SELECT repository_id, installation_id, repository, review_repo, issue_number, notified, updated_at
		FROM review_issues WHERE LOWER(review_repo) = LOWER($1) AND issue_number = $2`, reviewRepo, number).
		Scan(&r.RepositoryID, &r.InstallationID, &r.Repository, &r.ReviewRepo, &r.IssueNumber, &r.Notified, &r.UpdatedAt)
	return r, err
}

// UpdateReviewIssue stores the issue number, names and notified digest.
func (s *Store) UpdateReviewIssue(ctx context.Context, r ReviewIssue) error {
	_, err := s.DB.ExecContext(ctx, `
		UPDATE review_issues SET installation_id = $1, repository = $2, review_repo = $3, issue_number = $4,
			notified = $5, updated_at = $6 WHERE repository_id = $7`,
		r.InstallationID, r.Repository, r.ReviewRepo, r.IssueNumber, r.Notified, time.Now().UTC(), r.RepositoryID)
	if err != nil {
		return fmt.Errorf("update review issue of %s: %w", r.Repository, err)
	}
	return nil
}

// ReleaseReviewIssue drops a claim whose issue could not be created, so the
// next check may try again.
func (s *Store) ReleaseReviewIssue(ctx context.Context, repositoryID int64) error {
	_, err := s.DB.ExecContext(ctx, `DELETE FROM review_issues WHERE repository_id = $1 AND issue_number = 0`, repositoryID)
	return err
}

// DeleteReviewIssue forgets a repository's review issue (it was deleted).
func (s *Store) DeleteReviewIssue(ctx context.Context, repositoryID int64) error {
	_, err := s.DB.ExecContext(ctx, `DELETE FROM review_issues WHERE repository_id = $1`, repositoryID)
	return err
}

// ReviewDecision is an accepted /ospo command that decides a review.
type ReviewDecision struct {
	CommentID    int64
	Seq          int
	RepositoryID int64
	Actor        string
	Verb         string
	Rule         string
	Reason       string
	URL          string
	Failing      []string
	At           time.Time
	Expires      time.Time // an exemption's expiry; zero: none (NULL)
}

// decisionColumns are review_decisions' columns as scanDecision reads
// them, each prefixed (a table's alias and a dot, or "").
func decisionColumns(prefix string) string {
	cols := []string{"comment_id", "seq", "repository_id", "actor", "verb", "rule", "reason", "url", "failing", "at", "expires"}
	for i, c := range cols {
		cols[i] = prefix + c
	}
	return strings.Join(cols, ", ")
}

// scanDecision reads a row of decisionColumns.
func scanDecision(row interface{ Scan(...any) error }) (ReviewDecision, error) {
	var d ReviewDecision
	var failing string
	var expires sql.NullTime
	if err := row.Scan(&d.CommentID, &d.Seq, &d.RepositoryID, &d.Actor, &d.Verb, &d.Rule, &d.Reason, &d.URL, &failing, &d.At, &expires); err != nil {
		return d, err
	}
	if failing != "" {
		d.Failing = strings.Split(failing, ",")
	}
	if expires.Valid {
		d.Expires = expires.Time.UTC()
	}
	return d, nil
}

// insertDecision records d as the seq-th decision of a comment.
func insertDecision(ctx context.Context, tx *sql.Tx, commentID int64, seq int, d ReviewDecision) error {
	var expires any // NULL: no expiry
	if !d.Expires.IsZero() {
		expires = d.Expires.UTC()
	}
	_, err := tx.ExecContext(ctx, `
		INSERT INTO review_decisions (comment_id, seq, repository_id, actor, verb, rule, reason, url, failing, at, expires)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		commentID, seq, d.RepositoryID, d.Actor, d.Verb, d.Rule, d.Reason, d.URL, strings.Join(d.Failing, ","), d.At.UTC(), expires)
	if err != nil {
		return fmt.Errorf("record decision of comment %d: %w", commentID, err)
	}
	return nil
}

// ReplaceCommentDecisions records the decisions a comment carries,
// replacing what an earlier version of the comment said.
func (s *Store) ReplaceCommentDecisions(ctx context.Context, commentID int64, ds []ReviewDecision) error {
	return s.InTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM review_decisions WHERE comment_id = $1`, commentID); err != nil {
			return err
		}
		for _, d := range ds {
			if err := insertDecision(ctx, tx, commentID, d.Seq, d); err != nil {
				return err
			}
		}
		return nil
	})
}

// ReviewDecisions returns a repository's decisions, oldest first.
func (s *Store) ReviewDecisions(ctx context.Context, repositoryID int64) ([]ReviewDecision, error) {
	rows, err := s.DB.QueryContext(ctx, `
		SELECT `+decisionColumns("")+`
		FROM review_decisions WHERE repository_id = $1 ORDER BY at, comment_id, seq`, repositoryID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ReviewDecision
	for rows.Next() {
		d, err := scanDecision(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// RepositoryCheck is the latest result of a repository's check.
type RepositoryCheck struct {
	RepositoryID  int64
	Repository    string
	PolicyVersion string
	Findings      string // JSON
	Flagged       bool
	CheckedAt     time.Time
}

// SaveRepositoryCheck stores a repository's latest result.
func (s *Store) SaveRepositoryCheck(ctx context.Context, c RepositoryCheck) error {
	_, err := s.DB.ExecContext(ctx, `
		INSERT INTO repository_checks (repository_id, repository, policy_version, findings, flagged, checked_at)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (repository_id) DO UPDATE SET repository = excluded.repository, policy_version = excluded.policy_version,
			findings = excluded.findings, flagged = excluded.flagged, checked_at = excluded.checked_at`,
		c.RepositoryID, c.Repository, c.PolicyVersion, c.Findings, c.Flagged, time.Now().UTC())
	if err != nil {
		return fmt.Errorf("record check of %s: %w", c.Repository, err)
	}
	return nil
}

// RepositoryCheckOf returns a repository's latest result, or sql.ErrNoRows.
func (s *Store) RepositoryCheckOf(ctx context.Context, repositoryID int64) (RepositoryCheck, error) {
	var c RepositoryCheck
	err := s.DB.QueryRowContext(ctx, `
		SELECT repository_id, repository, policy_version, findings, flagged, checked_at
		FROM repository_checks WHERE repository_id = $1`, repositoryID).
		Scan(&c.RepositoryID, &c.Repository, &c.PolicyVersion, &c.Findings, &c.Flagged, &c.CheckedAt)
	return c, err
}

// IsNotFound reports whether err means no row.
func IsNotFound(err error) bool { return errors.Is(err, sql.ErrNoRows) }

// decisionsByRepository reads rows of decisionColumns into each
// repository's decisions, in the rows' order.
func decisionsByRepository(rows *sql.Rows) (map[int64][]ReviewDecision, error) {
	defer rows.Close()
	out := map[int64][]ReviewDecision{}
	for rows.Next() {
		d, err := scanDecision(rows)
		if err != nil {
			return nil, err
		}
		out[d.RepositoryID] = append(out[d.RepositoryID], d)
	}
	return out, rows.Err()
}
