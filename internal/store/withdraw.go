package store

import (
	"context"
	"database/sql"
	"fmt"
)

// A deleted comment withdraws what it said. Each withdrawal forgets the
// record and writes its audit entries in one transaction, so a retry
// neither loses nor repeats an entry.

// WithdrawPathApproval forgets the approvals a deleted comment gave on a
// pull request (one comment may hold several, each by whoever wrote its
// line) and audits each (audit builds the entry); it reports whether there
// was one.
func (s *Store) WithdrawPathApproval(ctx context.Context, pr PullRequestRef, commentID int64, audit func(PathApproval) AuditEntry) (bool, error) {
	found := false
	err := s.InTx(ctx, func(tx *sql.Tx) error {
		found = false
		rows, err := tx.QueryContext(ctx, `SELECT comment_id, seq, login, head_sha, url, at FROM path_approvals
			WHERE repository = $1 AND number = $2 AND comment_id = $3 ORDER BY seq`, pr.Repository, pr.Number, commentID)
		if err != nil {
			return err
		}
		var as []PathApproval
		for rows.Next() {
			var a PathApproval
			if err := rows.Scan(&a.CommentID, &a.Seq, &a.Login, &a.HeadSHA, &a.URL, &a.At); err != nil {
				rows.Close()
				return err
			}
			as = append(as, a)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, a := range as {
			found = true
			if _, err := tx.ExecContext(ctx, `DELETE FROM path_approvals WHERE repository = $1 AND number = $2 AND comment_id = $3 AND seq = $4`,
				pr.Repository, pr.Number, commentID, a.Seq); err != nil {
				return err
			}
			if err := appendAudit(ctx, tx, audit(a)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("withdraw the approval of comment %d: %w", commentID, err)
	}
	return found, nil
}

// WithdrawCommentDecisions forgets the review decisions a deleted comment
// carried, except those keep keeps, audits each (audit builds the entry,
// for the kept ones too) and returns those it forgot.
func (s *Store) WithdrawCommentDecisions(ctx context.Context, commentID int64, keep func(ReviewDecision) bool, audit func(ReviewDecision) AuditEntry) ([]ReviewDecision, error) {
	var out []ReviewDecision
	err := s.InTx(ctx, func(tx *sql.Tx) error {
		out = nil
		rows, err := tx.QueryContext(ctx, `
			SELECT `+decisionColumns("")+`
			FROM review_decisions WHERE comment_id = $1 ORDER BY seq`, commentID)
		if err != nil {
			return err
		}
		for rows.Next() {
			d, err := scanDecision(rows)
			if err != nil {
				rows.Close()
				return err
			}
			out = append(out, d)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		all := out
		out = nil
		for _, d := range all {
			if !keep(d) {
				if _, err := tx.ExecContext(ctx, `DELETE FROM review_decisions WHERE comment_id = $1 AND seq = $2`, commentID, d.Seq); err != nil {
					return err
				}
				out = append(out, d)
			}
			if err := appendAudit(ctx, tx, audit(d)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("withdraw the decisions of comment %d: %w", commentID, err)
	}
	return out, nil
}

func appendAudit(ctx context.Context, tx *sql.Tx, e AuditEntry) error {
	// With its org and repository, as AppendAudit writes them: the
	// dashboard's audit page finds the entry by them.
	return insertAudit(ctx, tx, e)
}
