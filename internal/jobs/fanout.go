package jobs

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/google/go-github/v66/github"
	"github.com/riverqueue/river"
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
// is not already waiting for one. A repository whose check is running gets
// the next round (see enqueueFollowUp): that check may have read GitHub
// before what asked for this one (a changed org policy).
func insertFanOut(ctx context.Context, client *river.Client[*sql.Tx], installationID int64, repos []*github.Repository, reason string) error {
	if len(repos) == 0 {
		return nil
	}
	params := make([]river.InsertManyParams, len(repos))
	for i, r := range repos {
		params[i] = river.InsertManyParams{InsertOpts: uniqueFanOut, Args: CheckRepositoryArgs{InstallationID: installationID,
			RepositoryID: r.GetID(), Repository: r.GetFullName(), Reason: reason, Paced: true}}
	}
	res, err := client.InsertMany(ctx, params)
	if err != nil {
		return fmt.Errorf("enqueue %d repository checks: %w", len(params), err)
	}
	queued, waiting := 0, 0
	for i, r := range res {
		if !r.UniqueSkippedAsDuplicate {
			queued++
			continue
		}
		a := params[i].Args.(CheckRepositoryArgs)
		inserted, err := enqueueUnique(ctx, client, a, uniqueFanOut, r.Job)
		if err != nil {
			return fmt.Errorf("enqueue check of %s: %w", a.Repository, err)
		}
		if inserted {
			queued++
		} else {
			waiting++
		}
	}
	zerolog.Ctx(ctx).Info().Int("repositories", len(repos)).Int("queued", queued).Int("already_waiting", waiting).
		Str("reason", reason).Msg("paced repository checks enqueued")
	return nil
}
