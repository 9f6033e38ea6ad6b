package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Delivery outcomes, as recorded in the deliveries table.
const (
	OutcomeQueued    = "queued"    // committed with its job, not yet run
	OutcomeProcessed = "processed" // the job ran to the end
	OutcomeFailed    = "failed"    // the job gave up; detail says why
)

// Delivery is one webhook delivery GitHub sent us. Its payload is kept
// while its job may still run, and after that for the payload retention
// (a failed one's for the delivery retention, to replay); see
// PruneDeliveries. Payload is nil once it is pruned.
type Delivery struct {
	ID             string
	Event          string
	Action         string
	InstallationID int64
	Repository     string
	ReceivedAt     time.Time
	Outcome        string
	Detail         string
	FinishedAt     *time.Time
	Payload        Packed
}

// InsertDeliveries records deliveries in tx, skipping IDs already known,
// and returns the IDs it inserted: an ID missing from the result was a
// redelivery. The payloads of the inserted ones go into delivery_payloads.
//
// It is the serial part of intake (every group commit runs it), so each
// engine gets the shape it runs fastest: on Postgres one statement per 64
// rows and table, saving round trips; on SQLite, in process, one short
// statement per row, which neither needs a statement journal nor (for
// RETURNING) a temporary table, and costs a third less
// (BenchmarkInsertDeliveries).
func (s *Store) InsertDeliveries(ctx context.Context, tx *sql.Tx, ds []Delivery) (map[string]bool, error) {
	// Rows go in in ID order, so replicas recording the same deliveries at
	// once take their row locks in one order and cannot deadlock on
	// Postgres (which would fail one of them with 40P01).
	ds = slices.SortedFunc(slices.Values(ds), func(a, b Delivery) int { return strings.Compare(a.ID, b.ID) })
	if s.Dialect == SQLite {
		return insertEach(ctx, tx, ds)
	}
	inserted := make(map[string]bool, len(ds))
	// Statements stay at 64 rows, 448 parameters: modernc's SQLite driver
	// binds numbered parameters in time quadratic in their count, and
	// Postgres caches one prepared statement per distinct size.
	fresh := make([]Delivery, 0, 64)
	for len(ds) > 0 {
		n := min(len(ds), 64)
		chunk := ds[:n]
		ds = ds[n:]
		var q strings.Builder
		q.WriteString(`INSERT INTO deliveries (id, event, action, installation_id, repository, received_at, outcome) VALUES `)
		args := make([]any, 0, 7*len(chunk))
		for i, d := range chunk {
			if i > 0 {
				q.WriteString(", ")
			}
			b := 7 * i
			fmt.Fprintf(&q, "($%d, $%d, $%d, $%d, $%d, $%d, $%d)", b+1, b+2, b+3, b+4, b+5, b+6, b+7)
			args = append(args, d.ID, d.Event, d.Action, d.InstallationID, d.Repository, d.ReceivedAt.UTC(), OutcomeQueued)
		}
		q.WriteString(` ON CONFLICT (id) DO NOTHING RETURNING id`)
		rows, err := tx.QueryContext(ctx, q.String(), args...)
		if err != nil {
			return nil, fmt.Errorf("record %d deliveries: %w", len(chunk), err)
		}
		chunkNew := make(map[string]bool, len(chunk))
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, err
			}
			chunkNew[id] = true
			inserted[id] = true
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			return nil, fmt.Errorf("record %d deliveries: %w", len(chunk), err)
		}
		fresh = fresh[:0]
		for _, d := range chunk {
			if chunkNew[d.ID] {
				fresh = append(fresh, d)
			}
		}
		if err := insertPayloads(ctx, tx, fresh); err != nil {
			return nil, err
		}
	}
	return inserted, nil
}

// insertEach is InsertDeliveries on SQLite: a row, and its payload if the
// row is new, at a time.
func insertEach(ctx context.Context, tx *sql.Tx, ds []Delivery) (map[string]bool, error) {
	inserted := make(map[string]bool, len(ds))
	for _, d := range ds {
		res, err := tx.ExecContext(ctx, `
			INSERT INTO deliveries (id, event, action, installation_id, repository, received_at, outcome)
			VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING`,
			d.ID, d.Event, d.Action, d.InstallationID, d.Repository, d.ReceivedAt.UTC(), OutcomeQueued)
		if err != nil {
			return nil, fmt.Errorf("record delivery %s: %w", d.ID, err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			if err != nil {
				return nil, fmt.Errorf("record delivery %s: %w", d.ID, err)
			}
			continue // already recorded
		}
		inserted[d.ID] = true
		if _, err := tx.ExecContext(ctx, `INSERT INTO delivery_payloads (delivery_id, received_at, payload) VALUES ($1, $2, $3)`,
			d.ID, d.ReceivedAt.UTC(), payloadBytes(d.Payload)); err != nil {
			return nil, fmt.Errorf("record the payload of delivery %s: %w", d.ID, err)
		}
	}
	return inserted, nil
}

// payloadBytes is what delivery_payloads.payload holds: NOT NULL, so a
// delivery without a body still has an (empty) payload.
func payloadBytes(p Packed) []byte {
	if p == nil {
		return []byte{}
	}
	return p
}

// insertPayloads stores the payloads of deliveries just inserted (a
// redelivery's payload is not stored again).
func insertPayloads(ctx context.Context, tx *sql.Tx, ds []Delivery) error {
	if len(ds) == 0 {
		return nil
	}
	var q strings.Builder
	q.WriteString(`INSERT INTO delivery_payloads (delivery_id, received_at, payload) VALUES `)
	args := make([]any, 0, 3*len(ds))
	for i, d := range ds {
		if i > 0 {
			q.WriteString(", ")
		}
		fmt.Fprintf(&q, "($%d, $%d, $%d)", 3*i+1, 3*i+2, 3*i+3)
		args = append(args, d.ID, d.ReceivedAt.UTC(), payloadBytes(d.Payload))
	}
	if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
		return fmt.Errorf("record the payloads of %d deliveries: %w", len(ds), err)
	}
	return nil
}

// FinishDelivery sets the outcome of a delivery's job. The payload stays
// until PruneDeliveries removes it, after the payload retention.
func (s *Store) FinishDelivery(ctx context.Context, id, outcome, detail string) error {
	_, err := s.DB.ExecContext(ctx, `
		UPDATE deliveries SET outcome = $1, detail = $2, finished_at = $3 WHERE id = $4`,
		outcome, detail, time.Now().UTC(), id)
	if err != nil {
		return fmt.Errorf("record outcome of delivery %s: %w", id, err)
	}
	return nil
}

// Delivery returns one delivery by ID, or sql.ErrNoRows.
func (s *Store) Delivery(ctx context.Context, id string) (Delivery, error) {
	var d Delivery
	err := s.DB.QueryRowContext(ctx, `
		SELECT d.id, d.event, d.action, d.installation_id, d.repository, d.received_at, d.outcome, d.detail, d.finished_at, p.payload
		FROM deliveries d LEFT JOIN delivery_payloads p ON p.delivery_id = d.id WHERE d.id = $1`, id).
		Scan(&d.ID, &d.Event, &d.Action, &d.InstallationID, &d.Repository, &d.ReceivedAt, &d.Outcome, &d.Detail, &d.FinishedAt, (*[]byte)(&d.Payload))
	return d, err
}

// DeliveryOutcomes counts deliveries by outcome.
func (s *Store) DeliveryOutcomes(ctx context.Context) (map[string]int, error) {
	rows, err := s.DB.QueryContext(ctx, `SELECT outcome, COUNT(*) FROM deliveries GROUP BY outcome`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	counts := map[string]int{}
	for rows.Next() {
		var outcome string
		var n int
		if err := rows.Scan(&outcome, &n); err != nil {
			return nil, err
		}
		counts[outcome] = n
	}
	return counts, rows.Err()
}
