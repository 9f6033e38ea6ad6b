package jobs

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/go-github/v66/github"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/rs/zerolog"
)

// CheckRepositoryArgs asks for one repository's check.
type CheckRepositoryArgs struct {
	InstallationID int64  `json:"installation_id"`
	RepositoryID   int64  `json:"repository_id" river:"unique"`
	Repository     string `json:"repository"` // owner/name when enqueued; the ID decides
	Reason         string `json:"reason"`     // what asked for it, for the logs
	// Publicized: the check runs for the event that made the repository
	// public, the only time review.private_until_approved may act.
	Publicized bool `json:"publicized,omitempty" river:"unique"`
	// Round tells apart a follow-up waiting behind a running check of the
	// same subject (see enqueueFollowUp).
	Round int `json:"round,omitempty" river:"unique"`
	// Paced: one check of a fan-out (an installation, the sweep, a changed
	// org policy), which runs when the rate limit can pay for it (see
	// pacer). Part of the unique key, so that a check someone waits for
	// (a push, a command) is queued beside a waiting paced one, at its own
	// priority, instead of being taken as its duplicate.
	Paced bool `json:"paced,omitempty" river:"unique"`
	// Expiry: the check an exemption's expiry scheduled (Unix seconds),
	// one per repository and expiry (see insertExpiryCheck).
	Expiry int64 `json:"expiry,omitempty" river:"unique"`
}

// Kind names the job kind in River's tables.
func (CheckRepositoryArgs) Kind() string { return "check_repository" }

// InsertOpts runs repository checks after deliveries (see priorityCheck).
func (CheckRepositoryArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Priority: priorityCheck}
}

// FanOutTag tags the paced checks of a fan-out in River's table.
const FanOutTag = "fan-out"

// uniqueFanOut: a fan-out's checks come after everything GitHub or a
// person is waiting on, and a repository waiting for one is not queued
// again, whichever fan-out asks (two installation events, a sweep during
// an install).
var uniqueFanOut = &river.InsertOpts{Priority: priorityFanOut, Tags: []string{FanOutTag}, UniqueOpts: uniqueFollowUp.UniqueOpts}

// enqueueChecks queues a paced check of each repository, from inside a
// running job.
func enqueueChecks(ctx context.Context, installationID int64, repos []*github.Repository, reason string) error {
	return insertFanOut(ctx, river.ClientFromContext[*sql.Tx](ctx), installationID, repos, reason)
}

// insertFanOut queues, all at once, a paced check of each repository that
// is not already waiting for one, in any round. A repository whose paced
// check is running gets the next round (see enqueueFollowUp): that check
// may have read GitHub before what asked for this one (a changed org
// policy). Two fan-outs at once insert the same round, which River keeps
// unique.
func insertFanOut(ctx context.Context, client *river.Client[*sql.Tx], installationID int64, repos []*github.Repository, reason string) error {
	if len(repos) == 0 {
		return nil
	}
	pending, err := pacedPending(ctx, client, installationID)
	if err != nil {
		return err
	}
	var params []river.InsertManyParams
	queued, waiting := 0, 0
	for _, r := range repos {
		a := CheckRepositoryArgs{InstallationID: installationID, RepositoryID: r.GetID(), Repository: r.GetFullName(), Reason: reason, Paced: true}
		p, found := pending[r.GetID()]
		switch {
		case !found:
			params = append(params, river.InsertManyParams{InsertOpts: uniqueFanOut, Args: a})
		case p.waiting:
			waiting++
		default: // running only
			inserted, err := enqueueUnique(ctx, client, a, uniqueFanOut, p.round+1)
			if err != nil {
				return fmt.Errorf("enqueue check of %s: %w", a.Repository, err)
			}
			if inserted {
				queued++
			}
		}
	}
	if len(params) > 0 {
		res, err := client.InsertMany(ctx, params)
		if err != nil {
			return fmt.Errorf("enqueue %d repository checks: %w", len(params), err)
		}
		for _, r := range res {
			if r.UniqueSkippedAsDuplicate {
				waiting++ // another fan-out's, just now
			} else {
				queued++
			}
		}
	}
	zerolog.Ctx(ctx).Info().Int("repositories", len(repos)).Int("queued", queued).Int("already_waiting", waiting).
		Str("reason", reason).Msg("paced repository checks enqueued")
	return nil
}

// pendingCheck is what a repository's paced checks are doing: one waits
// to run, or one runs (in round).
type pendingCheck struct {
	waiting bool
	round   int
}

// pacedPending reads, from River's table, which repositories of the
// installation have a paced check waiting or running. Rounds make each a
// distinct job to River, so its uniqueness alone cannot tell.
func pacedPending(ctx context.Context, client *river.Client[*sql.Tx], installationID int64) (map[int64]pendingCheck, error) {
	out := map[int64]pendingCheck{}
	params := river.NewJobListParams().Kinds(CheckRepositoryArgs{}.Kind()).First(1000).States(rivertype.JobStateAvailable,
		rivertype.JobStateScheduled, rivertype.JobStatePending, rivertype.JobStateRetryable, rivertype.JobStateRunning)
	for {
		res, err := client.JobList(ctx, params)
		if err != nil {
			return nil, fmt.Errorf("read the paced checks waiting: %w", err)
		}
		for _, j := range res.Jobs {
			var a CheckRepositoryArgs
			if err := json.Unmarshal(j.EncodedArgs, &a); err != nil || !a.Paced || a.InstallationID != installationID {
				continue
			}
			p := out[a.RepositoryID]
			if j.State == rivertype.JobStateRunning {
				p.round = max(p.round, a.Round)
			} else {
				p.waiting = true
			}
			out[a.RepositoryID] = p
		}
		if len(res.Jobs) < 1000 {
			return out, nil
		}
		params = params.After(res.LastCursor)
	}
}

// waitForReset ends a paced check the rate limit cannot pay for now by
// queueing its next round to start after wait, unless one is waiting
// already (a fan-out that came while this one ran). A snooze would do the
// same, but would leave this check waiting beside that next round.
func waitForReset(ctx context.Context, a CheckRepositoryArgs, wait time.Duration) error {
	return requeuePaced(ctx, river.ClientFromContext[*sql.Tx](ctx), a, wait)
}

func requeuePaced(ctx context.Context, client *river.Client[*sql.Tx], a CheckRepositoryArgs, wait time.Duration) error {
	opts := *uniqueFanOut
	opts.ScheduledAt = time.Now().Add(wait)
	if _, err := enqueueUnique(ctx, client, a, &opts, a.Round+1); err != nil {
		return fmt.Errorf("requeue check of %s after the rate limit's reset: %w", a.Repository, err)
	}
	return nil
}
