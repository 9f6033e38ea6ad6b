package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// PackageAllowance is an OSPO approver's `/ospo allow <purl> <reason>` on
// a pull request, recorded once per comment and package.
type PackageAllowance struct {
	CommentID int64
	Package   string // the purl or pattern, as written
	Login     string
	Reason    string
	URL       string
	At        time.Time
}

// SavePackageAllowance records an allowance; one already recorded for the
// comment and package stays as it is (a redelivery or a retry).
func (s *Store) SavePackageAllowance(ctx context.Context, pr PullRequestRef, a PackageAllowance) error {
	if err := insertAllowance(ctx, s.DB, pr, a); err != nil {
		return fmt.Errorf("record the allowance of %s on %s#%d: %w", a.Package, pr.Repository, pr.Number, err)
	}
	return nil
}

func insertAllowance(ctx context.Context, q execer, pr PullRequestRef, a PackageAllowance) error {
	_, err := q.ExecContext(ctx, `
		INSERT INTO package_allowances (repository, number, comment_id, package, login, reason, url, at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (repository, number, comment_id, package) DO NOTHING`,
		pr.Repository, pr.Number, a.CommentID, a.Package, a.Login, a.Reason, a.URL, a.At.UTC())
	return err
}

// PackageAllowances lists a pull request's recorded allowances, oldest
// first.
func (s *Store) PackageAllowances(ctx context.Context, repository string, number int) ([]PackageAllowance, error) {
	return queryAllowances(ctx, s.DB, `WHERE repository = $1 AND number = $2`, repository, number)
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func queryAllowances(ctx context.Context, q querier, where string, args ...any) ([]PackageAllowance, error) {
	rows, err := q.QueryContext(ctx, `SELECT comment_id, package, login, reason, url, at FROM package_allowances `+where+
		` ORDER BY at, comment_id, package`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []PackageAllowance
	for rows.Next() {
		var a PackageAllowance
		if err := rows.Scan(&a.CommentID, &a.Package, &a.Login, &a.Reason, &a.URL, &a.At); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// WithdrawPackageAllowances forgets the allowances a deleted comment gave
// on a pull request and audits each (audit builds the entry), in one
// transaction; it reports whether there was one.
func (s *Store) WithdrawPackageAllowances(ctx context.Context, pr PullRequestRef, commentID int64, audit func(PackageAllowance) AuditEntry) (bool, error) {
	found := false
	err := s.InTx(ctx, func(tx *sql.Tx) error {
		as, err := queryAllowances(ctx, tx, `WHERE repository = $1 AND number = $2 AND comment_id = $3`, pr.Repository, pr.Number, commentID)
		if err != nil {
			return err
		}
		found = len(as) > 0
		for _, a := range as {
			if err := deleteAllowance(ctx, tx, pr, a); err != nil {
				return err
			}
			if err := insertAudit(ctx, tx, audit(a)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("withdraw the allowances of comment %d: %w", commentID, err)
	}
	return found, nil
}

func deleteAllowance(ctx context.Context, q execer, pr PullRequestRef, a PackageAllowance) error {
	_, err := q.ExecContext(ctx, `DELETE FROM package_allowances WHERE repository = $1 AND number = $2 AND comment_id = $3 AND package = $4`,
		pr.Repository, pr.Number, a.CommentID, a.Package)
	return err
}
