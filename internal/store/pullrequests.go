package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Signature is a CLA signature on record.
type Signature struct {
	Org      string // the org whose CLA was signed
	UserID   int64
	Login    string
	Version  string
	SignedAt time.Time
	URL      string
}

// SaveSignature records (or renews) a signature.
func (s *Store) SaveSignature(ctx context.Context, sig Signature) error {
	_, err := s.DB.ExecContext(ctx, `
		INSERT INTO cla_signatures (org, user_id, login, version, signed_at, url) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (org, user_id) DO UPDATE SET login = excluded.login, version = excluded.version,
			signed_at = excluded.signed_at, url = excluded.url`,
		sig.Org, sig.UserID, sig.Login, sig.Version, sig.SignedAt.UTC(), sig.URL)
	if err != nil {
		return fmt.Errorf("record CLA signature of %s: %w", sig.Login, err)
	}
	return nil
}

// RevokeSignature deletes a signature; it reports whether there was one.
func (s *Store) RevokeSignature(ctx context.Context, org string, userID int64) (bool, error) {
	n, err := rowsAffected(s.DB.ExecContext(ctx, `DELETE FROM cla_signatures WHERE org = $1 AND user_id = $2`, org, userID))
	return n > 0, err
}

// Signatures returns the signatures of the given users for an org's CLA.
func (s *Store) Signatures(ctx context.Context, org string, userIDs []int64) (map[int64]Signature, error) {
	out := map[int64]Signature{}
	for _, id := range userIDs {
		var sig Signature
		err := s.DB.QueryRowContext(ctx, `SELECT org, user_id, login, version, signed_at, url FROM cla_signatures WHERE org = $1 AND user_id = $2`, org, id).
			Scan(&sig.Org, &sig.UserID, &sig.Login, &sig.Version, &sig.SignedAt, &sig.URL)
		if err == sql.ErrNoRows {
			continue
		}
		if err != nil {
			return nil, err
		}
		out[id] = sig
	}
	return out, nil
}

// PullRequestRef names a pull request.
type PullRequestRef struct {
	InstallationID int64
	Repository     string // owner/name
	Number         int
}

// SetBlockers records who blocks a pull request on the CLA.
func (s *Store) SetBlockers(ctx context.Context, pr PullRequestRef, userIDs []int64) error {
	return s.InTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM cla_blockers WHERE repository = $1 AND number = $2`, pr.Repository, pr.Number); err != nil {
			return err
		}
		for _, id := range userIDs {
			if _, err := tx.ExecContext(ctx, `INSERT INTO cla_blockers (installation_id, repository, number, user_id) VALUES ($1, $2, $3, $4)
				ON CONFLICT DO NOTHING`, pr.InstallationID, pr.Repository, pr.Number, id); err != nil {
				return fmt.Errorf("record CLA blockers of %s#%d: %w", pr.Repository, pr.Number, err)
			}
		}
		return nil
	})
}

// BlockedBy lists the pull requests a user blocks on the CLA.
func (s *Store) BlockedBy(ctx context.Context, userID int64) ([]PullRequestRef, error) {
	rows, err := s.DB.QueryContext(ctx, `SELECT installation_id, repository, number FROM cla_blockers WHERE user_id = $1 ORDER BY repository, number`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []PullRequestRef
	for rows.Next() {
		var r PullRequestRef
		if err := rows.Scan(&r.InstallationID, &r.Repository, &r.Number); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// PullRequestState is what the bot keeps of a pull request: the check run
// of its head commit and its sticky comment.
type PullRequestState struct {
	Repository    string
	Number        int
	HeadSHA       string
	CheckRunID    int64
	CommentID     int64
	CommentDigest string
	// CheckRunEvaluation names the evaluation that created CheckRunID (set
	// before the run is created, so a retry knows to look for it).
	CheckRunEvaluation string
}

// PullRequestStateOf returns a pull request's state (zero IDs when new).
func (s *Store) PullRequestStateOf(ctx context.Context, repository string, number int) (PullRequestState, error) {
	st := PullRequestState{Repository: repository, Number: number}
	err := s.DB.QueryRowContext(ctx, `SELECT head_sha, check_run_id, comment_id, comment_digest, check_run_evaluation FROM pull_request_state
		WHERE repository = $1 AND number = $2`, repository, number).Scan(&st.HeadSHA, &st.CheckRunID, &st.CommentID, &st.CommentDigest, &st.CheckRunEvaluation)
	if err == sql.ErrNoRows {
		return st, nil
	}
	return st, err
}

// SavePullRequestState stores a pull request's state.
func (s *Store) SavePullRequestState(ctx context.Context, st PullRequestState) error {
	_, err := s.DB.ExecContext(ctx, `
		INSERT INTO pull_request_state (repository, number, head_sha, check_run_id, comment_id, comment_digest, check_run_evaluation, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (repository, number) DO UPDATE SET head_sha = excluded.head_sha, check_run_id = excluded.check_run_id,
			comment_id = excluded.comment_id, comment_digest = excluded.comment_digest,
			check_run_evaluation = excluded.check_run_evaluation, updated_at = excluded.updated_at`,
		st.Repository, st.Number, st.HeadSHA, st.CheckRunID, st.CommentID, st.CommentDigest, st.CheckRunEvaluation, time.Now().UTC())
	if err != nil {
		return fmt.Errorf("record state of %s#%d: %w", st.Repository, st.Number, err)
	}
	return nil
}

// PathApproval is an `/ospo approve` on a pull request by an approver.
type PathApproval struct {
	CommentID int64
	Seq       int64 // tells apart the approvals of one comment (edits add some)
	Login     string
	HeadSHA   string // the head commit when it was given
	URL       string
	At        time.Time
}

// SavePathApproval records an approval (again, for an edited comment).
func (s *Store) SavePathApproval(ctx context.Context, pr PullRequestRef, a PathApproval) error {
	_, err := s.DB.ExecContext(ctx, `
		INSERT INTO path_approvals (repository, number, comment_id, seq, login, head_sha, url, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (repository, number, comment_id, seq) DO UPDATE SET login = excluded.login, head_sha = excluded.head_sha, url = excluded.url, at = excluded.at`,
		pr.Repository, pr.Number, a.CommentID, a.Seq, a.Login, a.HeadSHA, a.URL, a.At.UTC())
	return err
}

// PathApprovals lists a pull request's recorded approvals, oldest first.
func (s *Store) PathApprovals(ctx context.Context, repository string, number int) ([]PathApproval, error) {
	rows, err := s.DB.QueryContext(ctx, `SELECT comment_id, seq, login, head_sha, url, at FROM path_approvals
		WHERE repository = $1 AND number = $2 ORDER BY at, comment_id, seq`, repository, number)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []PathApproval
	for rows.Next() {
		var a PathApproval
		if err := rows.Scan(&a.CommentID, &a.Seq, &a.Login, &a.HeadSHA, &a.URL, &a.At); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}
