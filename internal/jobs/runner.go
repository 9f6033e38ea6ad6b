package jobs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/ospo-bot/ospo-bot/internal/ghclient"
	"github.com/ospo-bot/ospo-bot/internal/logging"
)

// runner wraps every job: a logger in the context and metrics.
type runner struct {
	river.MiddlewareDefaults
	deps Deps
}

func (r *runner) Work(ctx context.Context, job *rivertype.JobRow, doInner func(context.Context) error) error {
	logger := r.deps.Logger.With().Int64(logging.FieldJob, job.ID).Str(logging.FieldJobKind, job.Kind).Int("attempt", job.Attempt).Logger()
	start := time.Now()
	err := doInner(withJob(logger.WithContext(ctx), job))
	result, handling := "ok", ""
	var snooze *rivertype.JobSnoozeError
	var cancel *rivertype.JobCancelError
	switch {
	case err == nil:
	case errors.As(err, &snooze):
		result, handling = "snoozed", "snooze"
	case errors.As(err, &cancel):
		result, handling = "cancelled", "cancel"
	default:
		result, handling = "error", "retry"
	}
	r.deps.Metrics.JobSeconds.WithLabelValues(job.Kind, result).Observe(time.Since(start).Seconds())
	if handling != "" {
		r.deps.Metrics.JobFailures.WithLabelValues(job.Kind, handling).Inc()
	}
	return err
}

// verdict is what becomes of a job whose handler returned err.
type verdict struct {
	err   error  // what to hand River: nil, a snooze, a cancel or err to retry
	final bool   // the job will not run again
	note  string // one line for the record
}

// settle decides what a handler's error means for its job: rate limits wait
// for the reset without using up an attempt, errors retrying cannot fix stop
// the job, anything else is retried with backoff until attempts run out.
func settle(err error, job *rivertype.JobRow, now time.Time) verdict {
	if err == nil {
		return verdict{final: true}
	}
	if errors.Is(err, errLeaseHeld) {
		return verdict{err: river.JobSnooze(leaseSnooze), note: "waiting for another job: " + err.Error()}
	}
	if wait, ok := ghclient.RetryAfter(err, now); ok {
		return verdict{
			err:  river.JobSnooze(wait),
			note: fmt.Sprintf("GitHub rate limit: waiting %s, until %s: %v", wait.Round(time.Second), now.Add(wait).UTC().Format(time.RFC3339), err),
		}
	}
	var perm permanentError
	if ghclient.PermanentAt(err, job.Attempt) || errors.As(err, &perm) {
		return verdict{err: river.JobCancel(err), final: true, note: "stopped, retrying cannot fix this: " + err.Error()}
	}
	if job.Attempt >= job.MaxAttempts {
		return verdict{err: err, final: true, note: fmt.Sprintf("gave up after %d attempts: %v", job.Attempt, err)}
	}
	return verdict{err: err, note: fmt.Sprintf("attempt %d of %d failed, will retry: %v", job.Attempt, job.MaxAttempts, err)}
}

// permanentError marks errors in our own handling (a payload we cannot
// read) that no retry can fix.
type permanentError struct{ error }

func (e permanentError) Unwrap() error { return e.error }

func permanent(format string, args ...any) error {
	return permanentError{fmt.Errorf(format, args...)}
}

// panics logs a panicking job with its stack; River retries it as an error.
type panics struct{ deps Deps }

func (p *panics) HandleError(context.Context, *rivertype.JobRow, error) *river.ErrorHandlerResult {
	return nil
}

func (p *panics) HandlePanic(_ context.Context, job *rivertype.JobRow, panicVal any, trace string) *river.ErrorHandlerResult {
	p.deps.Logger.Error().Int64(logging.FieldJob, job.ID).Str(logging.FieldJobKind, job.Kind).
		Str("panic", fmt.Sprint(panicVal)).Str("stack", trace).Msg("job panicked: this is a bug in ospo-bot")
	return nil
}
