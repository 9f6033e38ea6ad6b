package jobs

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"

	"github.com/ospo-bot/ospo-bot/internal/store"
)

// IntakeArgs is a group of deliveries committed together at intake.
type IntakeArgs struct {
	Deliveries []DeliveryArgs `json:"deliveries"`
}

// Kind names the job kind in River's tables.
func (IntakeArgs) Kind() string { return "webhook_intake" }

// InsertOpts runs intake jobs (a burst's group, see Queue.commit) before
// the deliveries they hold back.
func (IntakeArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{Priority: priorityIntake} }

// intakeWorker turns a group into one job per delivery, and completes
// itself in the same transaction, so each delivery job exists exactly once
// whatever crashes when.
type intakeWorker struct {
	river.WorkerDefaults[IntakeArgs]
	store *store.Store
}

func (w *intakeWorker) Work(ctx context.Context, job *river.Job[IntakeArgs]) error {
	client := river.ClientFromContext[*sql.Tx](ctx)
	params := make([]river.InsertManyParams, len(job.Args.Deliveries))
	for i, d := range job.Args.Deliveries {
		params[i] = river.InsertManyParams{Args: d}
	}
	return w.store.InTx(ctx, func(tx *sql.Tx) error {
		if _, err := client.InsertManyFastTx(ctx, tx, params); err != nil {
			return fmt.Errorf("insert %d delivery jobs: %w", len(params), err)
		}
		if _, err := river.JobCompleteTx[riverdriver.Driver[*sql.Tx]](ctx, tx, job); err != nil {
			return fmt.Errorf("complete intake job: %w", err)
		}
		return nil
	})
}
