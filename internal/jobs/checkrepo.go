package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/google/go-github/v66/github"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/rs/zerolog"

	"github.com/ospo-bot/ospo-bot/internal/check"
	"github.com/ospo-bot/ospo-bot/internal/ghclient"
	"github.com/ospo-bot/ospo-bot/internal/logging"
	"github.com/ospo-bot/ospo-bot/internal/review"
)

// checker runs the check jobs (internal/check does the checking) and
// holds what the command handlers share with them.
type checker struct {
	deps   Deps
	review *review.Manager
	check  *check.Checker
	locks  keyedMutex
	pacer  *pacer // admits fan-out checks (pacing.go)
	// leaseTTL: see lease.
	leaseTTL time.Duration
}

// insertCheck enqueues a repository check from inside a running job,
// unless one is waiting.
func insertCheck(ctx context.Context, a CheckRepositoryArgs) error {
	if _, err := enqueueFollowUp(ctx, a); err != nil {
		return fmt.Errorf("enqueue check of %s: %w", a.Repository, err)
	}
	return nil
}

// insertExpiryCheck schedules a check of a's repository at an exemption's
// expiry, so that the rule fails again then and not at the next sweep.
// It is unique by repository and expiry in every state but cancelled and
// discarded (River's default), so a redelivered command, or another
// exemption of the repository expiring the same day, adds no second one.
func insertExpiryCheck(ctx context.Context, a CheckRepositoryArgs, at time.Time) error {
	a.Reason, a.Expiry = "an exemption expired", at.Unix()
	_, err := river.ClientFromContext[*sql.Tx](ctx).Insert(ctx, a, &river.InsertOpts{ScheduledAt: at, Tags: []string{ExpiryTag},
		UniqueOpts: river.UniqueOpts{ByArgs: true}})
	if err != nil {
		return fmt.Errorf("schedule the check of %s at an exemption's expiry: %w", a.Repository, err)
	}
	return nil
}

// ExpiryTag tags the checks scheduled at exemptions' expiries in River's
// table (whoever waits for the queue to settle does not wait for these).
const ExpiryTag = "exemption-expiry"

type checkWorker struct {
	river.WorkerDefaults[CheckRepositoryArgs]
	checker *checker
}

func (w *checkWorker) Work(ctx context.Context, job *river.Job[CheckRepositoryArgs]) error {
	a := job.Args
	logger := zerolog.Ctx(ctx).With().Str(logging.FieldRepository, a.Repository).Logger()
	ctx = logger.WithContext(ctx)
	if a.Paced { // a fan-out's check waits for the rate limit; no other does
		// Its content requests (the review issues it opens) are background
		// work: they leave room in the content budget for pull requests.
		ctx = ghclient.WithBackground(ctx)
		ctx, done, wait := w.checker.pacer.admit(ctx, a.InstallationID)
		if wait > 0 {
			return waitForReset(ctx, a, wait)
		}
		err := w.work(ctx, job)
		done(err == nil)
		return err
	}
	return w.work(ctx, job)
}

func (w *checkWorker) work(ctx context.Context, job *river.Job[CheckRepositoryArgs]) error {
	a := job.Args
	return w.checker.run(ctx, job.JobRow, fmt.Sprintf("repository %d", a.RepositoryID), a.InstallationID, a.Reason, func(ctx context.Context, client *github.Client) error {
		owner, name, _ := strings.Cut(a.Repository, "/")
		return w.checker.checkRepository(ctx, client, check.Repository{InstallationID: a.InstallationID, ID: a.RepositoryID,
			Owner: owner, Name: name, Publicized: a.Publicized, Evaluation: evaluationID(ctx)})
	})
}

// run runs a check job's work with the installation's client, then settles
// its error for River.
func (c *checker) run(ctx context.Context, job *rivertype.JobRow, subject string, installationID int64, reason string, work func(context.Context, *github.Client) error) error {
	logger := zerolog.Ctx(ctx).With().Int64(logging.FieldInstallation, installationID).Str("reason", reason).Logger()
	ctx = logger.WithContext(ctx)
	release, held, err := c.lease(ctx, job, subject)
	if err != nil {
		return err
	}
	if !held {
		logger.Debug().Str("subject", subject).Msg("another job checks this subject: snoozed")
		return river.JobSnooze(leaseSnooze)
	}
	defer release()
	client, err := c.deps.GitHub.NewInstallationClient(installationID)
	if err != nil {
		return err
	}
	err = work(ctx, client)
	v := settle(err, job, time.Now())
	if err != nil {
		logger.Warn().Err(err).Msg(v.note)
	}
	return v.err
}

// checkRepository checks one repository (check.Repository), one check at
// a time in this process.
func (c *checker) checkRepository(ctx context.Context, client *github.Client, r check.Repository) error {
	defer c.locks.lock(r.ID)()
	before := c.resultBefore(ctx, r.ID)
	err := c.check.Repository(ctx, client, r)
	var disabled *review.IssuesDisabledError
	if errors.As(err, &disabled) {
		return permanent("%v", err)
	}
	if err != nil {
		return err
	}
	return c.dashboardAfterCheck(ctx, r, before)
}

// keyedMutex serialises work on one key (a repository) in this process.
type keyedMutex struct {
	mu    sync.Mutex
	locks map[int64]*keyLock
}

type keyLock struct {
	sync.Mutex
	users int
}

func (k *keyedMutex) lock(key int64) (unlock func()) {
	k.mu.Lock()
	if k.locks == nil {
		k.locks = map[int64]*keyLock{}
	}
	l := k.locks[key]
	if l == nil {
		l = &keyLock{}
		k.locks[key] = l
	}
	l.users++
	k.mu.Unlock()
	l.Lock()
	return func() {
		l.Unlock()
		k.mu.Lock()
		if l.users--; l.users == 0 {
			delete(k.locks, key)
		}
		k.mu.Unlock()
	}
}
