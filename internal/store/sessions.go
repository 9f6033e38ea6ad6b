package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Session is a dashboard sign-in (internal/signin). Its ID is never
// stored: the row is keyed by its SHA-256, so the table opens no session.
type Session struct {
	// Hash is the hex SHA-256 of the session's ID; its first characters
	// name the session in `ospo-bot sessions list`.
	Hash   string
	Login  string
	UserID int64
	// Orgs are the orgs whose dashboard the user may see, as GitHub said
	// at ConfirmedAt.
	Orgs        []string
	CSRF        string
	CreatedAt   time.Time
	SeenAt      time.Time
	ConfirmedAt time.Time
	ExpiresAt   time.Time
}

// SessionHash is how a session's ID is kept: its hex SHA-256.
func SessionHash(id string) string {
	h := sha256.Sum256([]byte(id))
	return hex.EncodeToString(h[:])
}

const sessionColumns = `id_hash, login, user_id, orgs, csrf, created_at, seen_at, confirmed_at, expires_at`

func scanSession(row interface{ Scan(...any) error }) (Session, error) {
	var s Session
	var orgs string
	var created, seen, confirmed, expires int64
	if err := row.Scan(&s.Hash, &s.Login, &s.UserID, &orgs, &s.CSRF, &created, &seen, &confirmed, &expires); err != nil {
		return s, err
	}
	if orgs != "" {
		s.Orgs = strings.Split(orgs, ",")
	}
	s.CreatedAt, s.SeenAt = time.Unix(created, 0).UTC(), time.Unix(seen, 0).UTC()
	s.ConfirmedAt, s.ExpiresAt = time.Unix(confirmed, 0).UTC(), time.Unix(expires, 0).UTC()
	return s, nil
}

// joinOrgs keeps org logins (letters, digits, '-') comma-separated.
func joinOrgs(orgs []string) (string, error) {
	for _, o := range orgs {
		if o == "" || strings.ContainsAny(o, ", ") {
			return "", fmt.Errorf("org login %q cannot be kept in a session", o)
		}
	}
	return strings.Join(orgs, ","), nil
}

// CreateSession records a new session under the SHA-256 of id.
func (s *Store) CreateSession(ctx context.Context, id string, sess Session) error {
	orgs, err := joinOrgs(sess.Orgs)
	if err != nil {
		return err
	}
	_, err = s.DB.ExecContext(ctx, `INSERT INTO dashboard_sessions (`+sessionColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		SessionHash(id), sess.Login, sess.UserID, orgs, sess.CSRF,
		sess.CreatedAt.Unix(), sess.SeenAt.Unix(), sess.ConfirmedAt.Unix(), sess.ExpiresAt.Unix())
	if err != nil {
		return fmt.Errorf("record the session of %s: %w", sess.Login, err)
	}
	return nil
}

// Session returns the session of id, or sql.ErrNoRows when there is none
// (never made, logged out or revoked).
func (s *Store) Session(ctx context.Context, id string) (Session, error) {
	sess, err := scanSession(s.DB.QueryRowContext(ctx, `SELECT `+sessionColumns+` FROM dashboard_sessions WHERE id_hash = $1`, SessionHash(id)))
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		err = fmt.Errorf("read a session: %w", err)
	}
	return sess, err
}

// TouchSession records that the session of id was used at seen.
func (s *Store) TouchSession(ctx context.Context, id string, seen time.Time) error {
	if _, err := s.DB.ExecContext(ctx, `UPDATE dashboard_sessions SET seen_at = $1 WHERE id_hash = $2`, seen.Unix(), SessionHash(id)); err != nil {
		return fmt.Errorf("record a session's use: %w", err)
	}
	return nil
}

// ConfirmSession records the orgs GitHub confirmed at for the session of
// id. It reports false when the session is gone (revoked meanwhile).
func (s *Store) ConfirmSession(ctx context.Context, id string, orgs []string, at time.Time) (bool, error) {
	list, err := joinOrgs(orgs)
	if err != nil {
		return false, err
	}
	res, err := s.DB.ExecContext(ctx, `UPDATE dashboard_sessions SET orgs = $1, confirmed_at = $2, seen_at = $2 WHERE id_hash = $3`,
		list, at.Unix(), SessionHash(id))
	if err != nil {
		return false, fmt.Errorf("record a session's access: %w", err)
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// DeleteSession ends the session of id; it reports whether there was one.
func (s *Store) DeleteSession(ctx context.Context, id string) (bool, error) {
	res, err := s.DB.ExecContext(ctx, `DELETE FROM dashboard_sessions WHERE id_hash = $1`, SessionHash(id))
	if err != nil {
		return false, fmt.Errorf("end a session: %w", err)
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// DeleteSessionsOf ends every session of login (GitHub's logins are
// case-insensitive) and returns how many there were.
func (s *Store) DeleteSessionsOf(ctx context.Context, login string) (int64, error) {
	res, err := s.DB.ExecContext(ctx, `DELETE FROM dashboard_sessions WHERE lower(login) = lower($1)`, login)
	if err != nil {
		return 0, fmt.Errorf("end the sessions of %s: %w", login, err)
	}
	return res.RowsAffected()
}

// DeleteAllSessions ends every session and returns how many there were.
func (s *Store) DeleteAllSessions(ctx context.Context) (int64, error) {
	res, err := s.DB.ExecContext(ctx, `DELETE FROM dashboard_sessions`)
	if err != nil {
		return 0, fmt.Errorf("end every session: %w", err)
	}
	return res.RowsAffected()
}

// DeleteExpiredSessions forgets the sessions past their absolute lifetime
// at now, or unused since idleSince.
func (s *Store) DeleteExpiredSessions(ctx context.Context, now, idleSince time.Time) (int64, error) {
	res, err := s.DB.ExecContext(ctx, `DELETE FROM dashboard_sessions WHERE expires_at <= $1 OR seen_at < $2`, now.Unix(), idleSince.Unix())
	if err != nil {
		return 0, fmt.Errorf("forget expired sessions: %w", err)
	}
	return res.RowsAffected()
}

// Sessions lists the sessions, by login and then newest first.
func (s *Store) Sessions(ctx context.Context) ([]Session, error) {
	rows, err := s.DB.QueryContext(ctx, `SELECT `+sessionColumns+` FROM dashboard_sessions ORDER BY lower(login), created_at DESC, id_hash`)
	if err != nil {
		return nil, fmt.Errorf("list sessions: %w", err)
	}
	defer rows.Close()
	var out []Session
	for rows.Next() {
		sess, err := scanSession(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, sess)
	}
	return out, rows.Err()
}

// CookieKeys returns the keys named name that sign and encrypt the
// dashboard's cookies. The first caller's generate makes them; every replica
// after it reads the same.
func (s *Store) CookieKeys(ctx context.Context, name string, generate func() (hashKey, blockKey []byte, err error)) (hashKey, blockKey []byte, err error) {
	read := func() ([]byte, []byte, error) {
		var h, b string
		if err := s.DB.QueryRowContext(ctx, `SELECT hash_key, block_key FROM dashboard_keys WHERE name = $1`, name).Scan(&h, &b); err != nil {
			return nil, nil, err
		}
		hk, err1 := hex.DecodeString(h)
		bk, err2 := hex.DecodeString(b)
		if err := errors.Join(err1, err2); err != nil {
			return nil, nil, fmt.Errorf("the dashboard's cookie keys %q are not hex: %w", name, err)
		}
		return hk, bk, nil
	}
	hk, bk, err := read()
	if !errors.Is(err, sql.ErrNoRows) {
		return hk, bk, err
	}
	hk, bk, err = generate()
	if err != nil {
		return nil, nil, err
	}
	if _, err := s.DB.ExecContext(ctx, `INSERT INTO dashboard_keys (name, hash_key, block_key, created_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (name) DO NOTHING`, name, hex.EncodeToString(hk), hex.EncodeToString(bk), time.Now().Unix()); err != nil {
		return nil, nil, fmt.Errorf("keep the dashboard's cookie keys: %w", err)
	}
	// Another replica may have kept its own first: read what won.
	return read()
}
