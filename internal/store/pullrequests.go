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
	// Key, when set, names the signing (e.g. its comment and edit): the
	// signature's CLA event is recorded once per key, in the same
	// transaction.
	Key string
}

// SaveSignature records (or renews) a signature, and its CLA event when it
// has a key.
func (s *Store) SaveSignature(ctx context.Context, sig Signature) error {
	return s.InTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `
			INSERT INTO cla_signatures (org, user_id, login, version, signed_at, url) VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (org, user_id) DO UPDATE SET login = excluded.login, version = excluded.version,
				signed_at = excluded.signed_at, url = excluded.url`,
			sig.Org, sig.UserID, sig.Login, sig.Version, sig.SignedAt.UTC(), sig.URL)
		if err != nil {
			return fmt.Errorf("record CLA signature of %s: %w", sig.Login, err)
		}
		if sig.Key == "" {
			return nil
		}
		return recordCLAEvent(ctx, tx, CLAEvent{Key: sig.Key, Org: sig.Org, UserID: sig.UserID, Login: sig.Login,
			Kind: CLASigned, Version: sig.Version, At: sig.SignedAt})
	})
}

// RevokeSignature deletes a signature; it reports whether there was one.
func (s *Store) RevokeSignature(ctx context.Context, org string, userID int64) (bool, error) {
	return s.RevokeSignatureEvent(ctx, CLAEvent{Org: org, UserID: userID})
}

// RevokeSignatureEvent deletes the signature of ev's user for ev's org and,
// when there was one and ev has a key, records ev as a revocation in the
// same transaction. It reports whether there was a signature.
func (s *Store) RevokeSignatureEvent(ctx context.Context, ev CLAEvent) (bool, error) {
	var had bool
	err := s.InTx(ctx, func(tx *sql.Tx) error {
		n, err := rowsAffected(tx.ExecContext(ctx, `DELETE FROM cla_signatures WHERE org = $1 AND user_id = $2`, ev.Org, ev.UserID))
		if err != nil {
			return fmt.Errorf("revoke CLA signature of %d: %w", ev.UserID, err)
		}
		if had = n > 0; !had || ev.Key == "" {
			return nil
		}
		ev.Kind = CLARevoked
		return recordCLAEvent(ctx, tx, ev)
	})
	return had, err
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

// SetBlockers records who blocks a pull request on the CLA now.
func (s *Store) SetBlockers(ctx context.Context, pr PullRequestRef, userIDs []int64) error {
	return s.SetBlockersAt(ctx, pr, userIDs, time.Now())
}

// SetBlockersAt records who blocks a pull request on the CLA as of at and,
// in the same transaction, when the CLA began or ceased to block it (its
// pull_request_facts). ClearBlockers forgets them without an unblock.
func (s *Store) SetBlockersAt(ctx context.Context, pr PullRequestRef, userIDs []int64, at time.Time) error {
	return s.InTx(ctx, func(tx *sql.Tx) error {
		before, err := clearBlockers(ctx, tx, pr)
		if err != nil {
			return err
		}
		now := 0
		for _, id := range userIDs {
			n, err := rowsAffected(tx.ExecContext(ctx, `INSERT INTO cla_blockers (installation_id, repository, number, user_id) VALUES ($1, $2, $3, $4)
				ON CONFLICT DO NOTHING`, pr.InstallationID, pr.Repository, pr.Number, id))
			if err != nil {
				return fmt.Errorf("record CLA blockers of %s#%d: %w", pr.Repository, pr.Number, err)
			}
			now += int(n)
		}
		return recordCLABlocking(ctx, tx, pr, int(before), now, at)
	})
}

// ClearBlockers forgets who blocked a pull request that closed: the CLA
// did not cease to block it, so its facts keep no unblock.
func (s *Store) ClearBlockers(ctx context.Context, pr PullRequestRef) error {
	return s.InTx(ctx, func(tx *sql.Tx) error {
		_, err := clearBlockers(ctx, tx, pr)
		return err
	})
}

// clearBlockers deletes a pull request's blockers, returning how many.
func clearBlockers(ctx context.Context, tx *sql.Tx, pr PullRequestRef) (int64, error) {
	n, err := rowsAffected(tx.ExecContext(ctx, `DELETE FROM cla_blockers WHERE repository = $1 AND number = $2`, pr.Repository, pr.Number))
	if err != nil {
		return 0, fmt.Errorf("clear CLA blockers of %s#%d: %w", pr.Repository, pr.Number, err)
	}
	return n, nil
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
