package jobs

import (
	"context"
	"fmt"

	"github.com/google/go-github/v66/github"
	"github.com/riverqueue/river"
	"github.com/rs/zerolog"

	"github.com/ospo-bot/ospo-bot/internal/check"
	"github.com/ospo-bot/ospo-bot/internal/logging"
	"github.com/ospo-bot/ospo-bot/internal/store"
)

// CheckPullRequestArgs asks for a pull request's check, from outside a
// webhook about it (a CLA signature unblocks it, a check run's Recheck).
type CheckPullRequestArgs struct {
	InstallationID int64  `json:"installation_id"`
	Repository     string `json:"repository" river:"unique"`
	Number         int    `json:"number" river:"unique"`
	Reason         string `json:"reason"`
	// Round: see CheckRepositoryArgs.Round.
	Round int `json:"round,omitempty" river:"unique"`
}

// Kind names the job kind in River's tables.
func (CheckPullRequestArgs) Kind() string { return "check_pull_request" }

// InsertOpts runs follow-up checks after deliveries (see priorityCheck).
func (CheckPullRequestArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Priority: priorityCheck}
}

type checkPRWorker struct {
	river.WorkerDefaults[CheckPullRequestArgs]
	checker *checker
}

func (w *checkPRWorker) Work(ctx context.Context, job *river.Job[CheckPullRequestArgs]) error {
	a := job.Args
	logger := zerolog.Ctx(ctx).With().Str(logging.FieldRepository, a.Repository).Int(logging.FieldPR, a.Number).Logger()
	return w.checker.run(logger.WithContext(ctx), job.JobRow, fmt.Sprintf("pull request %s#%d", a.Repository, a.Number), a.InstallationID, a.Reason, func(ctx context.Context, client *github.Client) error {
		return w.checker.recheckPullRequest(ctx, client, a.InstallationID, a.Repository, a.Number)
	})
}

// insertPRCheck enqueues a pull request's check, unless one is waiting.
func insertPRCheck(ctx context.Context, a CheckPullRequestArgs) error {
	if _, err := enqueueFollowUp(ctx, a); err != nil {
		return fmt.Errorf("enqueue check of %s#%d: %w", a.Repository, a.Number, err)
	}
	return nil
}

// recheckPullRequest reads the pull request afresh and checks it, if open.
func (c *checker) recheckPullRequest(ctx context.Context, client *github.Client, installationID int64, repo string, number int) error {
	ref := store.PullRequestRef{InstallationID: installationID, Repository: repo, Number: number}
	pr, err := check.ReadPullRequest(ctx, client, ref, evaluationID(ctx))
	if err != nil {
		return err
	}
	if !pr.Open() {
		return c.check.Closed(ctx, ref)
	}
	return c.checkPullRequest(ctx, client, pr)
}

// checkPullRequest checks a pull request at its head commit
// (check.PullRequest), one check at a time in this process and, across
// replicas, one at a time of the pull requests at its head (leaseHead).
func (c *checker) checkPullRequest(ctx context.Context, client *github.Client, pr check.PullRequest) error {
	defer c.locks.lock(-pr.ID)() // negative: apart from repository IDs
	release, err := c.leaseHead(ctx, pr)
	if err != nil {
		return err
	}
	defer release()
	return c.check.PullRequest(ctx, client, pr)
}
