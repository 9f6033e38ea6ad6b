package jobs

import (
	"math"
	"math/rand/v2"
	"time"

	"github.com/riverqueue/river/rivertype"
)

// Backoff is River's retry policy with its unit scaled: the nth failure of
// a job runs it again after Base × n⁴, give or take 10%. At a Base of one
// second it is River's default (1 s, 16 s, 81 s, 256 s, 625 s, …); a test
// running replicas as processes (the chaos test) sets a few milliseconds
// (OSPO_JOB_RETRY_BASE), so that a job failed by injected faults runs
// again in a second or two, not minutes.
type Backoff struct{ Base time.Duration }

// NextRetry is when job runs again after the failure it is settling.
func (b Backoff) NextRetry(job *rivertype.JobRow) time.Time {
	n := float64(len(job.Errors) + 1)
	wait := float64(b.Base) * math.Pow(n, 4)
	wait += wait * (rand.Float64()*0.2 - 0.1)
	return time.Now().UTC().Add(time.Duration(min(wait, float64(math.MaxInt64))))
}
