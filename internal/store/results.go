package store

import (
	"context"
	"fmt"
	"time"
)

// PullRequestResult is the conclusion of a pull request's latest check, the
// head commit it was for and the base branch it was checked against.
type PullRequestResult struct {
	PullRequestRef
	HeadSHA    string
	BaseRef    string // the base branch's name: main
	Conclusion string // success, neutral or failure
	CheckedAt  time.Time
}

// Passed reports whether the check let the pull request merge.
func (r PullRequestResult) Passed() bool {
	return r.Conclusion == "success" || r.Conclusion == "neutral"
}

// SavePullRequestResult records a pull request's latest conclusion,
// replacing the one of an earlier head.
func (s *Store) SavePullRequestResult(ctx context.Context, r PullRequestResult) error {
	_, err := s.DB.ExecContext(ctx, `
		INSERT INTO pull_request_results (installation_id, repository, number, head_sha, base_ref, conclusion, checked_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (repository, number) DO UPDATE SET installation_id = excluded.installation_id,
			head_sha = excluded.head_sha, base_ref = excluded.base_ref, conclusion = excluded.conclusion, checked_at = excluded.checked_at`,
		r.InstallationID, r.Repository, r.Number, r.HeadSHA, r.BaseRef, r.Conclusion, time.Now().UTC())
	if err != nil {
		return fmt.Errorf("record the result of %s#%d: %w", r.Repository, r.Number, err)
	}
	return nil
}

// PullRequestsAt lists the pull requests of a repository whose latest
// check was of head commit sha.
func (s *Store) PullRequestsAt(ctx context.Context, repository, sha string) ([]PullRequestResult, error) {
	rows, err := s.DB.QueryContext(ctx, `
		SELECT installation_id, repository, number, head_sha, base_ref, conclusion, checked_at FROM pull_request_results
		WHERE repository = $1 AND head_sha = $2 ORDER BY number`, repository, sha)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []PullRequestResult
	for rows.Next() {
		var r PullRequestResult
		if err := rows.Scan(&r.InstallationID, &r.Repository, &r.Number, &r.HeadSHA, &r.BaseRef, &r.Conclusion, &r.CheckedAt); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// DeletePullRequestResult forgets a pull request's result, once it is
// closed: a closed pull request no longer shares ospo/policy with the open
// ones at its head. Deleting one already gone is no error.
func (s *Store) DeletePullRequestResult(ctx context.Context, repository string, number int) error {
	if _, err := s.DB.ExecContext(ctx, `DELETE FROM pull_request_results WHERE repository = $1 AND number = $2`, repository, number); err != nil {
		return fmt.Errorf("forget the result of %s#%d: %w", repository, number, err)
	}
	return nil
}
