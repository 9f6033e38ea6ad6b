package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// DeletePathApproval forgets the approval a deleted comment gave; it
// reports whether there was one.
func (s *Store) DeletePathApproval(ctx context.Context, repository string, number int, commentID int64) (bool, error) {
	n, err := rowsAffected(s.DB.ExecContext(ctx, `DELETE FROM path_approvals WHERE repository = $1 AND number = $2 AND comment_id = $3`,
		repository, number, commentID))
	if err != nil {
		return false, fmt.Errorf("withdraw the approval of comment %d: %w", commentID, err)
	}
	return n > 0, nil
}

// DeleteCommentDecisions forgets the decisions a deleted comment carried
// and returns them.
func (s *Store) DeleteCommentDecisions(ctx context.Context, commentID int64) ([]ReviewDecision, error) {
	var out []ReviewDecision
	err := s.InTx(ctx, func(tx *sql.Tx) error {
		out = nil
		rows, err := tx.QueryContext(ctx, `
			SELECT comment_id, seq, repository_id, actor, verb, rule, reason, url, failing, at
			FROM review_decisions WHERE comment_id = $1 ORDER BY seq`, commentID)
		if err != nil {
			return err
		}
		for rows.Next() {
			var d ReviewDecision
			var failing string
			if err := rows.Scan(&d.CommentID, &d.Seq, &d.RepositoryID, &d.Actor, &d.Verb, &d.Rule, &d.Reason, &d.URL, &failing, &d.At); err != nil {
				rows.Close()
				return err
			}
			if failing != "" {
				d.Failing = strings.Split(failing, ",")
			}
			out = append(out, d)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM review_decisions WHERE comment_id = $1`, commentID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("withdraw the decisions of comment %d: %w", commentID, err)
	}
	return out, nil
}
