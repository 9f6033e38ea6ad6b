package jobs

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/google/go-github/v66/github"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/rs/zerolog"

	"github.com/ospo-bot/ospo-bot/internal/store"
)

// SweepArgs asks for every known repository to be checked again: the safety
// net for webhooks GitHub never delivered, and for policy changes that
// arrive without a push (a team renamed, the app's permissions changed).
type SweepArgs struct{}

// Kind names the job kind in River's tables.
func (SweepArgs) Kind() string { return "sweep" }

// InsertOpts: one sweep at a time, however many replicas enqueue one,
// behind the work GitHub is waiting on.
func (SweepArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Priority: priorityChores, UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: []rivertype.JobState{
		rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRetryable,
		rivertype.JobStateRunning, rivertype.JobStateScheduled,
	}}}
}

type sweepWorker struct {
	river.WorkerDefaults[SweepArgs]
	deps Deps
}

// Work enqueues paced checks of every repository of every active
// installation (a repository already waiting for one is not queued again). River runs periodic jobs on the elected leader only, so
// several replicas sweep once.
func (w *sweepWorker) Work(ctx context.Context, _ *river.Job[SweepArgs]) error {
	return w.sweep(ctx, river.ClientFromContext[*sql.Tx](ctx))
}

func (w *sweepWorker) sweep(ctx context.Context, client *river.Client[*sql.Tx]) error {
	installs, err := w.deps.Store.ActiveInstallations(ctx)
	if err != nil {
		return err
	}
	for _, in := range installs {
		known, err := w.deps.Store.Repositories(ctx, in.ID)
		if err != nil {
			return err
		}
		if len(known) == 0 {
			continue
		}
		repos := make([]*github.Repository, len(known))
		for i, r := range known {
			repos[i] = repositoryOf(r)
		}
		if err := insertFanOut(ctx, client, in.ID, repos, "periodic sweep"); err != nil {
			return err
		}
		if err := enqueueSweepDashboard(ctx, client, in.ID, in.Account); err != nil {
			return err
		}
	}
	zerolog.Ctx(ctx).Info().Int("installations", len(installs)).Msg("sweep enqueued repository checks")
	return nil
}

// MaintenanceInterval is how often the database is pruned. Hourly keeps
// each run short (an hour of deliveries to prune), whatever the sweep's
// interval, and runs even with the sweep turned off.
const MaintenanceInterval = time.Hour

// MaintenanceArgs asks for the database's housekeeping: old delivery
// payloads and rows, old side effects and expired leases are deleted,
// and SQLite's free pages given back to the file system.
type MaintenanceArgs struct{}

// Kind names the job kind in River's tables.
func (MaintenanceArgs) Kind() string { return "storage_maintenance" }

// InsertOpts: one run at a time, however many replicas enqueue one.
func (MaintenanceArgs) InsertOpts() river.InsertOpts { return SweepArgs{}.InsertOpts() }

type maintenanceWorker struct {
	river.WorkerDefaults[MaintenanceArgs]
	deps      Deps
	retention store.Retention
}

// exactlyOnceRetention is how long recorded side effects (and expired
// leases) are kept: longer than a job retries (River's default policy
// runs 25 attempts over about three weeks) and than GitHub lets a
// delivery be redelivered (three days), so that a retry or a redelivery
// still finds what it intended.
const exactlyOnceRetention = 30 * 24 * time.Hour

// Work prunes, then reclaims the space. River runs periodic jobs on the
// elected leader only, so with several replicas one of them prunes each
// hour; and every step is safe to run twice or at once (a run started by
// hand beside the periodic one): each deletes in small batches what is
// past its cutoff, and a row already gone is simply not found. A run cut
// short (the job timeout, a restart) keeps what it deleted and the next
// run goes on.
func (w *maintenanceWorker) Work(ctx context.Context, _ *river.Job[MaintenanceArgs]) error {
	logger := zerolog.Ctx(ctx)
	now := time.Now()
	effects, err := w.deps.Store.PruneExactlyOnce(ctx, now.Add(-exactlyOnceRetention))
	if err != nil {
		return err
	}
	retention := w.retention
	if retention == (store.Retention{}) {
		retention = store.DefaultRetention
	}
	pruned, err := w.deps.Store.PruneDeliveries(ctx, now, retention)
	if err != nil {
		return err
	}
	licences, err := w.deps.Store.DeleteExpiredPackageLicenses(ctx, now)
	if err != nil {
		return err
	}
	freed, err := w.deps.Store.ReclaimSpace(ctx)
	if err != nil {
		return fmt.Errorf("reclaim the database's free space: %w", err)
	}
	if effects > 0 || pruned != (store.Pruned{}) || freed > 0 || licences > 0 {
		logger.Info().Int64("side_effects", effects).Int64("payloads", pruned.Payloads).Int64("package_licences", licences).
			Int64("deliveries", pruned.Deliveries).Int64("bytes_reclaimed", freed).
			Msg("pruned old deliveries, payloads, side effects and package licences")
	}
	return nil
}
