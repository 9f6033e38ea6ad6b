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
// until its job has processed it (and kept for a failed one, to replay).
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

// InsertDeliveries records deliveries in tx with one statement, skipping
// IDs already known, and returns the IDs it inserted: an ID missing from
// the result was a redelivery.
func InsertDeliveries(ctx context.Context, tx *sql.Tx, ds []Delivery) (map[string]bool, error) {
	inserted := make(map[string]bool, len(ds))
	// Rows go in in ID order, so replicas recording the same deliveries at
	// once take their row locks in one order and cannot deadlock on
	// Postgres (which would fail one of them with 40P01).
	ds = slices.SortedFunc(slices.Values(ds), func(a, b Delivery) int { return strings.Compare(a.ID, b.ID) })
	// modernc's SQLite driver binds numbered parameters in time quadratic
	// in their count, so statements stay small: 64 rows, 512 parameters.
	for len(ds) > 0 {
		n := min(len(ds), 64)
		chunk := ds[:n]
		ds = ds[n:]
		var q strings.Builder
		q.WriteString(`INSERT INTO deliveries (id, event, action, installation_id, repository, received_at, outcome, payload) VALUES `)
		args := make([]any, 0, 8*len(chunk))
		for i, d := range chunk {
			if i > 0 {
				q.WriteString(", ")
			}
			b := 8 * i
			fmt.Fprintf(&q, "($%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d)", b+1, b+2, b+3, b+4, b+5, b+6, b+7, b+8)
			args = append(args, d.ID, d.Event, d.Action, d.InstallationID, d.Repository, d.ReceivedAt.UTC(), OutcomeQueued, []byte(d.Payload))
		}
		q.WriteString(` ON CONFLICT (id) DO NOTHING RETURNING id`)
		rows, err := tx.QueryContext(ctx, q.String(), args...)
		if err != nil {
			return nil, fmt.Errorf("record %d deliveries: %w", len(chunk), err)
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, err
			}
			inserted[id] = true
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			return nil, fmt.Errorf("record %d deliveries: %w", len(chunk), err)
		}
	}
	return inserted, nil
}

// FinishDelivery sets the outcome of a delivery's job. A processed
// delivery's payload is dropped: the row stays as the record.
func (s *Store) FinishDelivery(ctx context.Context, id, outcome, detail string) error {
	_, err := s.DB.ExecContext(ctx, `
		UPDATE deliveries SET outcome = $1, detail = $2, finished_at = $3,
			payload = CASE WHEN $1 = 'processed' THEN NULL ELSE payload END
		WHERE id = $4`,
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
		SELECT id, event, action, installation_id, repository, received_at, outcome, detail, finished_at, payload
		FROM deliveries WHERE id = $1`, id).
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
