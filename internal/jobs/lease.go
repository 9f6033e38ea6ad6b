package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river/rivertype"
	"github.com/rs/zerolog"
)

// A check job holds a short database lease on its subject (a repository,
// a pull request) while it runs, so that replicas sharing one database
// check a subject one at a time; a job that finds the lease held snoozes
// (it does not fail) and runs after. River's uniqueness keeps one such
// job waiting per subject (enqueueFollowUp).
const (
	// leaseTTL outlives a job's run (Options.JobTimeout, 5 minutes by
	// default): a lease left by a replica that died expires about when
	// River runs its job again.
	leaseTTL = 6 * time.Minute
	// leaseSnooze is how long a job waits for a held lease.
	leaseSnooze = time.Second
)

// lease takes the lease on subject for this attempt of job; held is false
// when another job holds it. release gives it up.
func (c *checker) lease(ctx context.Context, job *rivertype.JobRow, subject string) (release func(), held bool, err error) {
	holder := fmt.Sprintf("job %d attempt %d", job.ID, job.Attempt)
	held, err = c.deps.Store.TakeLease(ctx, subject, holder, leaseTTL)
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
