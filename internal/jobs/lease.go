package jobs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river/rivertype"
	"github.com/rs/zerolog"

	"github.com/ospo-bot/ospo-bot/internal/check"
)

// A check job holds a short database lease on its subject (a repository,
// a pull request) while it runs, so that replicas sharing one database
// check a subject one at a time; a job that finds the lease held snoozes
// (it does not fail) and runs after. River's uniqueness keeps one such
// job waiting per subject (enqueueFollowUp).

const (
	// leaseSnooze is how long a job waits for a held lease.
	leaseSnooze = time.Second
	// defaultLeaseTTL is the rescue horizon of the default job timeout
	// (5 minutes + 20%).
	defaultLeaseTTL = 6 * time.Minute
)

// leaseTTLOverride, when not zero, replaces every checker's lease TTL:
// only so that a test can show what goes wrong without the lease (a lease
// that expires at once is none).
var leaseTTLOverride time.Duration

// lease takes the lease on subject for job; held is false when another job
// holds it. release gives it up. The holder is the job, not its attempt:
// an attempt that died holding the lease (its process SIGKILLed) is over
// before River runs the job again (at the next start on SQLite; on
// Postgres the rescuer waits out the job timeout, which cancels the
// attempt), so the next attempt takes the lease back at once. Another
// job's lease expires after c.leaseTTL, when River's rescuer would run a
// job left running by a replica that died: a lease outlives its job's run
// and no more.
func (c *checker) lease(ctx context.Context, job *rivertype.JobRow, subject string) (release func(), held bool, err error) {
	holder := fmt.Sprintf("job %d", job.ID)
	ttl := c.leaseTTL
	if leaseTTLOverride != 0 {
		ttl = leaseTTLOverride
	} else if ttl == 0 { // a checker built by hand (tests): the default job timeout's
		ttl = defaultLeaseTTL
	}
	held, err = c.deps.Store.TakeLease(ctx, subject, holder, ttl)
	if err != nil || !held {
		return func() {}, false, err
	}
	return func() {
		// Not the job's context: a cancelled job still gives its lease up.
		if err := c.deps.Store.ReleaseLease(context.WithoutCancel(ctx), subject, holder); err != nil {
			zerolog.Ctx(ctx).Warn().Err(err).Str("subject", subject).Msg("lease not released: it expires")
		}
	}, true, nil
}

// errLeaseHeld: another job holds a lease this one needs; settle snoozes
// the job.
var errLeaseHeld = errors.New("another job holds the lease on this subject")

// leaseInJob takes the lease on subject for the job in ctx, or returns
// errLeaseHeld. Outside a job (tests calling handlers directly) there is
// nothing to serialise with: it takes none. The job's own lease (a check
// job's, see checker.run) is renewed, not refused.
func (c *checker) leaseInJob(ctx context.Context, subject string) (release func(), err error) {
	job, _ := ctx.Value(jobKey{}).(*rivertype.JobRow)
	if job == nil {
		return func() {}, nil
	}
	release, held, err := c.lease(ctx, job, subject)
	if err != nil {
		return nil, err
	}
	if !held {
		return nil, fmt.Errorf("%s: %w", subject, errLeaseHeld)
	}
	return release, nil
}

// leaseHead serialises, across replicas, the checks of the pull requests
// of a repository at one head commit, from their runs' creation to their
// completion: the one whose run is created later, the newest on the head,
// then reads the result of the earlier one (recorded before the others
// are read, see check.PullRequest). It takes the pull request's lease,
// then the head's; while another job holds either, it returns
// errLeaseHeld, which snoozes the job.
func (c *checker) leaseHead(ctx context.Context, pr check.PullRequest) (release func(), err error) {
	repo := pr.Repository()
	releasePR, err := c.leaseInJob(ctx, fmt.Sprintf("pull request %s#%d", repo, pr.Number))
	if err != nil {
		return nil, err
	}
	releaseHead, err := c.leaseInJob(ctx, "head "+repo+"@"+pr.HeadSHA)
	if err != nil {
		releasePR()
		return nil, err
	}
	return func() { releaseHead(); releasePR() }, nil
}
