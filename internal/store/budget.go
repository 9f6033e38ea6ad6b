package store

import (
	"context"
	"fmt"
	"time"
)

// GitHub allows an installation "no more than 80 content-generating
// requests per minute and no more than 500 content-generating requests per
// hour"
// (https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits),
// counted across every replica. The content budget keeps the bot under it:
// each content-generating request takes a slot in content_slots first.
// Interactive work (a pull request's check run, a reply to a person) may
// use all of it; background work (checks of the whole org, opening review
// issues) stops at a lower ceiling, so that a large install never holds up
// pull requests: the difference is always left to them.
const (
	ContentPerMinute    = 80
	ContentPerHour      = 500
	BackgroundPerMinute = 60
	BackgroundPerHour   = 400
)

// contentSlack lengthens both windows: a slot is taken a little before its
// request reaches GitHub (the request is built, sent, maybe queued on a
// connection), and GitHub counts arrivals. Slots a minute and a second
// apart keep arrivals a minute apart unless a request takes over a second
// to arrive.
const contentSlack = time.Second

// ContentLimits are the budget's windows and how many slots each class may
// take in them. Only tests and simulations change them
// (SetContentLimits): to compress time, or to measure something else than
// the limits.
type ContentLimits struct {
	Minute, Hour                           time.Duration
	PerMinute, PerHour                     int // interactive work
	BackgroundPerMinute, BackgroundPerHour int
}

// DefaultContentLimits are GitHub's limits and windows, and the background
// ceilings.
var DefaultContentLimits = ContentLimits{
	Minute: time.Minute, Hour: time.Hour,
	PerMinute: ContentPerMinute, PerHour: ContentPerHour,
	BackgroundPerMinute: BackgroundPerMinute, BackgroundPerHour: BackgroundPerHour,
}

// SetContentLimits replaces the budget's limits, for tests and
// simulations; safe to call while the store is in use.
func (s *Store) SetContentLimits(l ContentLimits) { s.contentLimits.Store(&l) }

func (s *Store) limits() ContentLimits {
	if l := s.contentLimits.Load(); l != nil {
		return *l
	}
	return DefaultContentLimits
}

// contentLockKey is the Postgres advisory lock space of the budget, one
// lock per installation (the key is this XOR the installation ID).
const contentLockKey int64 = 0x6f73706f_00000000 // "ospo"

// ReserveContent takes a slot for one content-generating request of the
// installation at now, and returns 0; or, when the installation's last
// minute or hour has no slot free for its class, takes none and returns
// how long until one frees. Replicas coordinate through the database: on
// Postgres an advisory transaction lock per installation makes the count
// and the insert one step (SQLite has one writer, and BEGIN IMMEDIATE).
// Slots stamped in the future by a replica whose clock is ahead count too.
func (s *Store) ReserveContent(ctx context.Context, installationID int64, background bool, now time.Time) (time.Duration, error) {
	l := s.limits()
	perMinute, perHour := l.PerMinute, l.PerHour
	if background {
		perMinute, perHour = l.BackgroundPerMinute, l.BackgroundPerHour
	}
	minute, hour := l.Minute+contentSlack, l.Hour+contentSlack
	minuteFrom, hourFrom := now.Add(-minute).UnixNano(), now.Add(-hour).UnixNano()

	tx, err := s.DB.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("content budget of installation %d: %w", installationID, err)
	}
	defer tx.Rollback()
	if s.Dialect == Postgres {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, contentLockKey^installationID); err != nil {
			return 0, fmt.Errorf("content budget of installation %d: lock: %w", installationID, err)
		}
	}
	var inHour, inMinute int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN at > $3 THEN 1 ELSE 0 END), 0)
		FROM content_slots WHERE installation_id = $1 AND at > $2`, installationID, hourFrom, minuteFrom).Scan(&inHour, &inMinute); err != nil {
		return 0, fmt.Errorf("content budget of installation %d: count: %w", installationID, err)
	}
	// A slot frees when the oldest slot that makes the window full
	// leaves it.
	var wait time.Duration
	for _, win := range []struct {
		from        int64
		length      time.Duration
		used, limit int
	}{{minuteFrom, minute, inMinute, perMinute}, {hourFrom, hour, inHour, perHour}} {
		if win.used < win.limit {
			continue
		}
		var at int64
		if err := tx.QueryRowContext(ctx, `SELECT at FROM content_slots WHERE installation_id = $1 AND at > $2
			ORDER BY at LIMIT 1 OFFSET $3`, installationID, win.from, win.used-win.limit).Scan(&at); err != nil {
			return 0, fmt.Errorf("content budget of installation %d: %w", installationID, err)
		}
		wait = max(wait, time.Unix(0, at).Add(win.length).Sub(now))
	}
	if wait > 0 {
		return wait, nil
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO content_slots (installation_id, at) VALUES ($1, $2)`, installationID, now.UnixNano()); err != nil {
		return 0, fmt.Errorf("content budget of installation %d: take a slot: %w", installationID, err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("content budget of installation %d: %w", installationID, err)
	}
	return 0, nil
}

// pruneContentSlots deletes the slots that have left every installation's
// hour at now, and says how many.
func (s *Store) pruneContentSlots(ctx context.Context, now time.Time) (int64, error) {
	cutoff := now.Add(-s.limits().Hour - contentSlack).UnixNano()
	return rowsAffected(s.DB.ExecContext(ctx, `DELETE FROM content_slots WHERE at <= $1`, cutoff))
}
