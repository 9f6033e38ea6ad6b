package store

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Retention says how long deliveries are kept.
type Retention struct {
	// Payloads is how long a processed delivery's payload is kept (for
	// debugging and replay), counted from its receipt.
	Payloads time.Duration
	// Deliveries is how long a finished delivery's row is kept, and a
	// failed delivery's payload with it. The row is what makes a
	// redelivered X-GitHub-Delivery a no-op, so a redelivery of an older
	// one would run again (GitHub offers redelivery for three days).
	Deliveries time.Duration
}

// DefaultRetention is config's default.
var DefaultRetention = Retention{Payloads: 14 * 24 * time.Hour, Deliveries: 90 * 24 * time.Hour}

// Pruned counts what PruneDeliveries deleted.
type Pruned struct {
	Payloads   int64 // payloads of processed deliveries past the payload retention
	Deliveries int64 // finished delivery rows past the delivery retention (with any payload)
	// ContentSlots are content budget slots past their hour (budget.go).
	ContentSlots int64
}

// PruneBatch is how many rows one statement of PruneDeliveries deletes.
// Each batch is its own short transaction: SQLite has one writer (and
// this process one connection to it), so a single DELETE of a month of
// payloads would hold up intake for seconds; a batch of 256 payloads
// (about 1.2 MB of pages) takes about 20 ms, and intake's commits run
// between batches.
const PruneBatch = 256

// PruneDeliveries deletes, in batches of PruneBatch, the payloads of
// processed deliveries received before now - r.Payloads, and the rows of
// processed and failed deliveries received before now - r.Deliveries (a
// row's payload goes with it); and the content budget's slots past their
// hour (budget.go). A delivery whose job may still run
// (outcome queued: waiting, running or retrying) is never touched,
// however old. It is safe to run twice, or on two replicas at once: a
// row another run deleted is simply not found (on Postgres the batches
// skip rows locked by the other run).
func (s *Store) PruneDeliveries(ctx context.Context, now time.Time, r Retention) (Pruned, error) {
	var p Pruned
	if r.Payloads <= 0 || r.Deliveries <= 0 {
		return p, fmt.Errorf("prune deliveries: retention %+v must be positive", r)
	}
	// On Postgres, a batch locks the rows it picks and skips those another
	// run holds, so two runs share the work instead of queueing on each
	// other's rows; the payload batch locks payload rows only, never the
	// delivery rows intake and the jobs update.
	skipPayloads, skipRows := "", ""
	if s.Dialect == Postgres {
		skipPayloads, skipRows = " FOR UPDATE OF p SKIP LOCKED", " FOR UPDATE SKIP LOCKED"
	}
	payloads := `DELETE FROM delivery_payloads WHERE delivery_id IN (
		SELECT p.delivery_id FROM delivery_payloads p JOIN deliveries d ON d.id = p.delivery_id
		WHERE p.received_at < $1 AND d.outcome = 'processed'
		ORDER BY p.received_at LIMIT $2` + skipPayloads + `)`
	rows := `DELETE FROM deliveries WHERE id IN (
		SELECT id FROM deliveries
		WHERE received_at < $1 AND outcome IN ('processed', 'failed')
		ORDER BY received_at LIMIT $2` + skipRows + `)`
	var err error
	if p.Payloads, err = s.deleteInBatches(ctx, payloads, now.Add(-r.Payloads).UTC()); err != nil {
		return p, fmt.Errorf("prune delivery payloads: %w", err)
	}
	if p.Deliveries, err = s.deleteInBatches(ctx, rows, now.Add(-r.Deliveries).UTC()); err != nil {
		return p, fmt.Errorf("prune deliveries: %w", err)
	}
	if p.ContentSlots, err = s.pruneContentSlots(ctx, now); err != nil {
		return p, fmt.Errorf("prune content budget slots: %w", err)
	}
	return p, nil
}

// deleteInBatches runs a DELETE of at most PruneBatch rows until one
// deletes fewer, and returns how many rows it deleted in all.
func (s *Store) deleteInBatches(ctx context.Context, query string, cutoff time.Time) (int64, error) {
	var total int64
	for {
		n, err := rowsAffected(s.DB.ExecContext(ctx, query, cutoff, PruneBatch))
		total += n
		if err != nil || n < PruneBatch {
			return total, err
		}
		if err := ctx.Err(); err != nil {
			return total, err
		}
	}
}

// vacuumStep is how many free pages (4 KiB each) one incremental vacuum
// step gives back to the file system: 1 MiB. A step moves live pages from
// the file's end into free ones, about 60 µs a page on the development
// machine, so a step holds the writer lock for about 16 ms (median; under
// 200 ms on a loaded machine) and intake commits between steps.
const vacuumStep = 256

// ReclaimSpace gives the SQLite file's free pages back to the file system
// and returns how many bytes it shrank by (Postgres: nothing to do, 0;
// autovacuum makes deleted rows' space reusable there, and pruning keeps
// the tables' size steady).
//
// SQLite leaves the pages of deleted rows on a free list inside the file;
// with auto_vacuum=INCREMENTAL (see enableIncrementalVacuum)
// `PRAGMA incremental_vacuum(N)` moves N of them to the end of the file
// and truncates it, in steps that each hold the writer lock briefly.
// Then the WAL is checkpointed and truncated, so that the pages a prune
// wrote do not stay on disk in the -wal file.
func (s *Store) ReclaimSpace(ctx context.Context) (int64, error) {
	if s.Dialect != SQLite {
		return 0, nil
	}
	var mode, pageSize, before int64
	if err := s.DB.QueryRowContext(ctx, `PRAGMA auto_vacuum`).Scan(&mode); err != nil {
		return 0, err
	}
	if mode != autoVacuumIncremental {
		return 0, nil // Migrate converts the database; until then there is nothing to do safely
	}
	if err := s.DB.QueryRowContext(ctx, `PRAGMA page_size`).Scan(&pageSize); err != nil {
		return 0, err
	}
	if err := s.DB.QueryRowContext(ctx, `PRAGMA freelist_count`).Scan(&before); err != nil {
		return 0, err
	}
	free := before
	for free > 0 {
		if err := s.incrementalVacuum(ctx, vacuumStep); err != nil {
			return (before - free) * pageSize, err
		}
		next := free
		if err := s.DB.QueryRowContext(ctx, `PRAGMA freelist_count`).Scan(&next); err != nil {
			return (before - free) * pageSize, err
		}
		if next >= free {
			break // pages freed again meanwhile by another writer: the next run has them
		}
		free = next
	}
	if _, err := s.DB.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		return (before - free) * pageSize, fmt.Errorf("checkpoint the WAL: %w", err)
	}
	return (before - free) * pageSize, nil
}

// incrementalVacuum runs one step. The pragma frees one page per step of
// its statement, so its (empty) result is read to the end; an Exec would
// step it once on some drivers and free a single page.
func (s *Store) incrementalVacuum(ctx context.Context, pages int) error {
	rows, err := s.DB.QueryContext(ctx, fmt.Sprintf(`PRAGMA incremental_vacuum(%d)`, pages))
	if err != nil {
		return fmt.Errorf("incremental vacuum: %w", err)
	}
	for rows.Next() {
	}
	return errors.Join(rows.Err(), rows.Close())
}

// autoVacuumIncremental is SQLite's auto_vacuum=INCREMENTAL (NONE is 0).
const autoVacuumIncremental = 2

// enableIncrementalVacuum puts a SQLite database in auto_vacuum=INCREMENTAL
// mode, which ReclaimSpace needs (in the default mode, NONE, the file never
// shrinks: freed pages are only reused). The mode can only be chosen before
// the first table is created, or changed by a VACUUM, which rewrites the
// whole file under an exclusive lock. So: a new, empty database gets the
// mode at once, before River's and our migrations create tables; an
// existing database (made before this code) is converted once, by a VACUUM
// at the end of Migrate — at start or by `ospo-bot migrate`, before the
// queue and intake run, so it delays no delivery and needs no lock
// juggling. Its cost is a copy of the live data (the free pages are
// dropped, which is also the moment a bloated file shrinks) and as much
// free disk space while it runs. The VACUUM could instead have been left to
// the first prune, after the payloads are gone (less to copy), but it
// would then stall intake for the duration of the copy.
//
// before is true when it runs before the migrations: it only sets the mode
// of an empty database. After them it converts an existing one.
func (s *Store) enableIncrementalVacuum(ctx context.Context, before bool) (converted bool, err error) {
	if s.Dialect != SQLite {
		return false, nil
	}
	// The pragma and the VACUUM must run on one connection.
	conn, err := s.DB.Conn(ctx)
	if err != nil {
		return false, err
	}
	defer conn.Close()
	var mode int64
	if err := conn.QueryRowContext(ctx, `PRAGMA auto_vacuum`).Scan(&mode); err != nil {
		return false, fmt.Errorf("read auto_vacuum: %w", err)
	}
	if mode == autoVacuumIncremental {
		return false, nil
	}
	var tables int
	if err := conn.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_schema`).Scan(&tables); err != nil {
		return false, err
	}
	if _, err := conn.ExecContext(ctx, `PRAGMA auto_vacuum = INCREMENTAL`); err != nil {
		return false, fmt.Errorf("set auto_vacuum: %w", err)
	}
	if tables == 0 || before {
		return false, nil // an empty database takes the mode when its first table is made
	}
	if _, err := conn.ExecContext(ctx, `VACUUM`); err != nil {
		return false, fmt.Errorf("convert the database to auto_vacuum=INCREMENTAL (a one-time VACUUM; it needs as much free disk space as the live data): %w", err)
	}
	if err := conn.QueryRowContext(ctx, `PRAGMA auto_vacuum`).Scan(&mode); err != nil {
		return false, err
	}
	if mode != autoVacuumIncremental {
		return false, errors.New("VACUUM left auto_vacuum unchanged")
	}
	return true, nil
}
