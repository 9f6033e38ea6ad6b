package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// TakeLease takes the lease on subject for holder until ttl from now, when
// no one else holds it unexpired (holder renews its own). It reports
// whether holder has it. One statement, the same on SQLite and Postgres:
// of two replicas racing, one inserts or updates the row and the other's
// conflict update finds the WHERE false.
func (s *Store) TakeLease(ctx context.Context, subject, holder string, ttl time.Duration) (bool, error) {
	now := time.Now()
	n, err := rowsAffected(s.DB.ExecContext(ctx, `
		INSERT INTO subject_leases (subject, holder, expires_at) VALUES ($1, $2, $3)
		ON CONFLICT (subject) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
		WHERE subject_leases.expires_at < $4 OR subject_leases.holder = excluded.holder`,
		subject, holder, now.Add(ttl).UnixNano(), now.UnixNano()))
	if err != nil {
		return false, fmt.Errorf("take lease on %s: %w", subject, err)
	}
	return n == 1, nil
}

// ReleaseLease gives up holder's lease on subject (none: nothing happens).
func (s *Store) ReleaseLease(ctx context.Context, subject, holder string) error {
	_, err := s.DB.ExecContext(ctx, `DELETE FROM subject_leases WHERE subject = $1 AND holder = $2`, subject, holder)
	if err != nil {
		return fmt.Errorf("release lease on %s: %w", subject, err)
	}
	return nil
}

// SideEffect is a side effect on GitHub whose intent was recorded before
// its request: GitHubID is what it made (0 until known), Done that it was
// completed (its response read and followed up).
type SideEffect struct {
	Key      string
	GitHubID int64
	Done     bool
}

// IntendSideEffect records that the side effect key is about to be made
// and returns what was recorded of it before: found says an earlier
// attempt intended it already (its request may have reached GitHub).
func (s *Store) IntendSideEffect(ctx context.Context, key string) (prior SideEffect, found bool, err error) {
	err = s.DB.QueryRowContext(ctx, `SELECT effect_key, github_id, done FROM side_effects WHERE effect_key = $1`, key).
		Scan(&prior.Key, &prior.GitHubID, &prior.Done)
	if err == nil {
		return prior, true, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return SideEffect{}, false, fmt.Errorf("read side effect %s: %w", key, err)
	}
	if _, err := s.DB.ExecContext(ctx, `INSERT INTO side_effects (effect_key, at) VALUES ($1, $2) ON CONFLICT DO NOTHING`, key, time.Now().UTC()); err != nil {
		return SideEffect{}, false, fmt.Errorf("record side effect %s: %w", key, err)
	}
	return SideEffect{Key: key}, false, nil
}

// CompleteSideEffect records that the side effect key was made (as the
// GitHub object githubID, 0 when it names none) and followed up.
func (s *Store) CompleteSideEffect(ctx context.Context, key string, githubID int64) error {
	_, err := s.DB.ExecContext(ctx, `
		INSERT INTO side_effects (effect_key, github_id, done, at) VALUES ($1, $2, TRUE, $3)
		ON CONFLICT (effect_key) DO UPDATE SET github_id = excluded.github_id, done = TRUE`, key, githubID, time.Now().UTC())
	if err != nil {
		return fmt.Errorf("complete side effect %s: %w", key, err)
	}
	return nil
}

// ForgetSideEffect drops the intent of key: what it was about is settled
// otherwise (GitHub refused it).
func (s *Store) ForgetSideEffect(ctx context.Context, key string) error {
	_, err := s.DB.ExecContext(ctx, `DELETE FROM side_effects WHERE effect_key = $1`, key)
	return err
}

// SideEffectOf reads what was recorded of the side effect key.
func (s *Store) SideEffectOf(ctx context.Context, key string) (e SideEffect, found bool, err error) {
	err = s.DB.QueryRowContext(ctx, `SELECT effect_key, github_id, done FROM side_effects WHERE effect_key = $1`, key).
		Scan(&e.Key, &e.GitHubID, &e.Done)
	if errors.Is(err, sql.ErrNoRows) {
		return SideEffect{}, false, nil
	}
	if err != nil {
		return SideEffect{}, false, fmt.Errorf("read side effect %s: %w", key, err)
	}
	return e, true, nil
}

// PruneExactlyOnce forgets the side effects recorded before before and
// the leases that expired before it, and returns how many rows it
// deleted. Run it with a cutoff older than any job that may still retry
// (a forgotten intent is made again without looking for it first).
func (s *Store) PruneExactlyOnce(ctx context.Context, before time.Time) (int64, error) {
	effects, err := rowsAffected(s.DB.ExecContext(ctx, `DELETE FROM side_effects WHERE at < $1`, before.UTC()))
	if err != nil {
		return 0, fmt.Errorf("prune side effects: %w", err)
	}
	leases, err := rowsAffected(s.DB.ExecContext(ctx, `DELETE FROM subject_leases WHERE expires_at < $1`, before.UnixNano()))
	if err != nil {
		return effects, fmt.Errorf("prune leases: %w", err)
	}
	return effects + leases, nil
}
