package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/google/go-github/v66/github"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/rs/zerolog"
)

// SweepArgs asks for every known repository to be checked again: the safety
// net for webhooks GitHub never delivered, and for policy changes that
// arrive without a push (a team renamed, the app's permissions changed).
type SweepArgs struct{}

// Kind names the job kind in River's tables.
func (SweepArgs) Kind() string { return "sweep" }

// InsertOpts: one sweep at a time, however many replicas enqueue one.
func (SweepArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: []rivertype.JobState{
		rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRetryable,
		rivertype.JobStateRunning, rivertype.JobStateScheduled,
	}}}
}

type sweepWorker struct {
	river.WorkerDefaults[SweepArgs]
	deps Deps
}

// exactlyOnceRetention is how long recorded side effects (and expired
// leases) are kept: longer than a job retries (River's default policy
// runs 25 attempts over about three weeks) and than GitHub lets a
// delivery be redelivered (three days), so that a retry or a redelivery
// still finds what it intended.
const exactlyOnceRetention = 30 * 24 * time.Hour

// Work enqueues paced checks of every repository of every active
// installation, and prunes the side effects older than
// exactlyOnceRetention. River runs periodic jobs on the elected leader
// only, so several replicas sweep once.
func (w *sweepWorker) Work(ctx context.Context, _ *river.Job[SweepArgs]) error {
	pruned, err := w.deps.Store.PruneExactlyOnce(ctx, time.Now().Add(-exactlyOnceRetention))
	if err != nil {
		return err
	}
	if pruned > 0 {
		zerolog.Ctx(ctx).Info().Int64("rows", pruned).Msg("sweep pruned old side effects and expired leases")
	}
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
		client, err := w.deps.GitHub.NewInstallationClient(in.ID)
		if err != nil {
			return fmt.Errorf("GitHub client for installation %d: %w", in.ID, err)
		}
		repos := make([]*github.Repository, len(known))
		for i, r := range known {
			repos[i] = repositoryOf(r)
		}
		if err := enqueueChecks(ctx, client, in.ID, repos, "periodic sweep"); err != nil {
			return err
		}
	}
	zerolog.Ctx(ctx).Info().Int("installations", len(installs)).Msg("sweep enqueued repository checks")
	return nil
}
