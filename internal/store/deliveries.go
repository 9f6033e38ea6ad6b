package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Delivery outcomes, as recorded in the deliveries table.
const (
	OutcomeQueued    = "queued"    // committed with its job, not yet run
	OutcomeProcessed = "processed" // the job ran to the end
	OutcomeFailed    = "failed"    // the job gave up; detail says why
)

// Delivery is one webhook delivery GitHub sent us.
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
}

// InsertDelivery records a delivery in tx unless its ID is already known.
// It reports whether the row is new: false means GitHub redelivered it.
func InsertDelivery(ctx context.Context, tx *sql.Tx, d Delivery) (bool, error) {
	n, err := rowsAffected(tx.ExecContext(ctx, `
		INSERT INTO deliveries (id, event, action, installation_id, repository, received_at, outcome)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (id) DO NOTHING`,
		d.ID, d.Event, d.Action, d.InstallationID, d.Repository, d.ReceivedAt.UTC(), OutcomeQueued))
	if err != nil {
		return false, fmt.Errorf("record delivery %s: %w", d.ID, err)
	}
	return n == 1, nil
}

// FinishDelivery sets the outcome of a delivery's job.
func (s *Store) FinishDelivery(ctx context.Context, id, outcome, detail string) error {
	_, err := s.DB.ExecContext(ctx,
		`UPDATE deliveries SET outcome = $1, detail = $2, finished_at = $3 WHERE id = $4`,
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
		SELECT id, event, action, installation_id, repository, received_at, outcome, detail, finished_at
		FROM deliveries WHERE id = $1`, id).
		Scan(&d.ID, &d.Event, &d.Action, &d.InstallationID, &d.Repository, &d.ReceivedAt, &d.Outcome, &d.Detail, &d.FinishedAt)
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
