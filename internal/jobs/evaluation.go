package jobs

import (
	"context"
	"strconv"

	"github.com/riverqueue/river/rivertype"
)

type jobKey struct{}

// withJob keeps the running job in the context, for evaluationID.
func withJob(ctx context.Context, job *rivertype.JobRow) context.Context {
	return context.WithValue(ctx, jobKey{}, job)
}

// evaluationID names the evaluation a job makes: the same on every retry of
// that job, different for any other job. It is "" outside a job.
func evaluationID(ctx context.Context) string {
	job, _ := ctx.Value(jobKey{}).(*rivertype.JobRow)
	if job == nil {
		return ""
	}
	return "ospo-bot-job-" + strconv.FormatInt(job.ID, 10)
}
