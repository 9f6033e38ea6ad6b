package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"strconv"
	"time"
)

// An edit of a comment changes only what it added or removed: the
// decisions it withdraws, those it adds (each its writer's) and their
// audit entries are written in one transaction together with a record of
// the edit, so that a redelivered event or a retried job applies it once.

// EditKey names one edit of a comment: when it was made and the text
// before (unknown when GitHub did not send it) and after.
func EditKey(commentID int64, at time.Time, oldKnown bool, old, body string) string {
	h := sha256.New()
	for _, part := range []string{strconv.FormatInt(commentID, 10), at.UTC().Format(time.RFC3339Nano), strconv.FormatBool(oldKnown), old, body} {
		h.Write([]byte(strconv.Itoa(len(part)) + ":" + part))
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
}

// ReviewEdit is what one edit of a comment on a review issue changes.
type ReviewEdit struct {
	CommentID int64
	Key       string           // EditKey
	Withdraw  []ReviewDecision // the comment's decisions to forget (by Seq)
	Add       []ReviewDecision // new decisions (their Seq is assigned here)
	Audit     []AuditEntry
}

// ApplyReviewEdit applies an edit's changes unless they were applied
// before; it reports whether it applied them now.
func (s *Store) ApplyReviewEdit(ctx context.Context, e ReviewEdit) (bool, error) {
	applied := false
	err := s.InTx(ctx, func(tx *sql.Tx) error {
		var err error
		if applied, err = claimEdit(ctx, tx, e.CommentID, e.Key); err != nil || !applied {
			return err
		}
		// New decisions follow every earlier one: a seq is never reused.
		var next int
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq) + 1, 0) FROM review_decisions WHERE comment_id = $1`, e.CommentID).Scan(&next); err != nil {
			return err
		}
		for _, d := range e.Withdraw {
			if _, err := tx.ExecContext(ctx, `DELETE FROM review_decisions WHERE comment_id = $1 AND seq = $2`, e.CommentID, d.Seq); err != nil {
				return err
			}
		}
		for i, d := range e.Add {
			if err := insertDecision(ctx, tx, e.CommentID, next+i, d); err != nil {
				return err
			}
		}
		for _, a := range e.Audit {
			if err := appendAudit(ctx, tx, a); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("apply the edit of comment %d: %w", e.CommentID, err)
	}
	return applied, nil
}

// PathApprovalEdit is what one edit of a comment on a pull request changes
// in its approvals of protected paths and its allowances of packages.
type PathApprovalEdit struct {
	PullRequest PullRequestRef
	CommentID   int64
	Key         string         // EditKey
	Withdraw    []PathApproval // the comment's approvals to forget (by Seq)
	Add         []PathApproval // new approvals (their Seq is assigned here)
	// Disallow are the comment's allowances to forget (by package),
	// Allow new ones (one already recorded for the package stays).
	Disallow []PackageAllowance
	Allow    []PackageAllowance
	Audit    []AuditEntry
}

// ApplyPathApprovalEdit applies an edit's changes unless they were applied
// before; it reports whether it applied them now.
func (s *Store) ApplyPathApprovalEdit(ctx context.Context, e PathApprovalEdit) (bool, error) {
	applied := false
	pr := e.PullRequest
	err := s.InTx(ctx, func(tx *sql.Tx) error {
		var err error
		if applied, err = claimEdit(ctx, tx, e.CommentID, e.Key); err != nil || !applied {
			return err
		}
		var next int64
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq) + 1, 0) FROM path_approvals WHERE repository = $1 AND number = $2 AND comment_id = $3`,
			pr.Repository, pr.Number, e.CommentID).Scan(&next); err != nil {
			return err
		}
		for _, a := range e.Withdraw {
			if _, err := tx.ExecContext(ctx, `DELETE FROM path_approvals WHERE repository = $1 AND number = $2 AND comment_id = $3 AND seq = $4`,
				pr.Repository, pr.Number, e.CommentID, a.Seq); err != nil {
				return err
			}
		}
		for i, a := range e.Add {
			if _, err := tx.ExecContext(ctx, `
				INSERT INTO path_approvals (repository, number, comment_id, seq, login, head_sha, url, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
				pr.Repository, pr.Number, e.CommentID, next+int64(i), a.Login, a.HeadSHA, a.URL, a.At.UTC()); err != nil {
				return err
			}
		}
		for _, a := range e.Disallow {
			a.CommentID = e.CommentID
			if err := deleteAllowance(ctx, tx, pr, a); err != nil {
				return err
			}
		}
		for _, a := range e.Allow {
			a.CommentID = e.CommentID
			if err := insertAllowance(ctx, tx, pr, a); err != nil {
				return err
			}
		}
		for _, a := range e.Audit {
			if err := appendAudit(ctx, tx, a); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("apply the edit of comment %d: %w", e.CommentID, err)
	}
	return applied, nil
}

// claimEdit records an edit as applied; false when it was already.
func claimEdit(ctx context.Context, tx *sql.Tx, commentID int64, key string) (bool, error) {
	n, err := rowsAffected(tx.ExecContext(ctx, `INSERT INTO comment_edits (comment_id, edit_key, at) VALUES ($1, $2, $3)
		ON CONFLICT (comment_id, edit_key) DO NOTHING`, commentID, key, time.Now().UTC()))
	return n == 1, err
}
