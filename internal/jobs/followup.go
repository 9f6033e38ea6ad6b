package jobs

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// Follow-up checks (DESIGN.md, principle 10): a side effect (a decision
// recorded, a signature, a withdrawal) never runs a check inline, where a
// failure of the check would retry the side effect with it. It enqueues a
// check job, unique by its subject while one is waiting: many decisions in
// a burst make one check. A check already running may have read GitHub
// and the database before the side effect, so it does not count: the
// follow-up then takes the next round, which waits beside it.

// uniqueFollowUp: one job per subject (the args' fields tagged
// river:"unique") in these states. River requires running among them;
// rounds (see enqueueFollowUp) let a follow-up queue behind a running one.
var uniqueFollowUp = &river.InsertOpts{Tags: []string{FollowUpTag}, UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: []rivertype.JobState{
	rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRetryable,
	rivertype.JobStateRunning, rivertype.JobStateScheduled,
}}}

// FollowUpTag tags follow-up check jobs in River's table.
const FollowUpTag = "follow-up"

// maxRounds bounds the rounds tried: only one job per subject runs at a
// time (see the subject lease), so round r+1 is free once round r runs.
const maxRounds = 8

// roundArgs are check args with a round, part of their unique key.
type roundArgs interface {
	river.JobArgs
	withRound(int) river.JobArgs
	roundOf(*rivertype.JobRow) int
}

// enqueueFollowUp inserts a check of a's subject unless one is waiting to
// run; it reports whether it inserted one.
func enqueueFollowUp(ctx context.Context, a roundArgs) (bool, error) {
	return enqueueUnique(ctx, river.ClientFromContext[*sql.Tx](ctx), a, uniqueFollowUp, 0)
}

// enqueueUnique inserts a with opts (unique by args, running included),
// from round on, unless a job of the same subject is waiting to run,
// taking the next round behind a running one.
func enqueueUnique(ctx context.Context, client *river.Client[*sql.Tx], a roundArgs, opts *river.InsertOpts, round int) (bool, error) {
	for range maxRounds {
		res, err := client.Insert(ctx, a.withRound(round), opts)
		if err != nil {
			return false, err
		}
		if !res.UniqueSkippedAsDuplicate {
			return true, nil
		}
		if res.Job.State != rivertype.JobStateRunning {
			return false, nil // it has not read anything yet: it sees this side effect
		}
		round = a.roundOf(res.Job) + 1
	}
	return false, fmt.Errorf("enqueue %s: %d rounds taken", a.Kind(), maxRounds)
}

func (a CheckRepositoryArgs) withRound(r int) river.JobArgs { a.Round = r; return a }
func (CheckRepositoryArgs) roundOf(j *rivertype.JobRow) int { return argsRound(j) }

func (a CheckPullRequestArgs) withRound(r int) river.JobArgs { a.Round = r; return a }
func (CheckPullRequestArgs) roundOf(j *rivertype.JobRow) int { return argsRound(j) }

// argsRound reads the round of a check job's args.
func argsRound(j *rivertype.JobRow) int {
	var r struct {
		Round int `json:"round"`
	}
	_ = json.Unmarshal(j.EncodedArgs, &r)
	return r.Round
}

// FollowUpsPending reports whether a follow-up check is still to run: one
// waiting or running (a snoozed one, scheduled, is not counted). Whoever
// waits for a delivery's whole effect (the demo, tests) waits for these
// too, since a delivery's job only enqueues its follow-up.
func FollowUpsPending(ctx context.Context, db *sql.DB) (bool, error) {
	var n int
	err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM river_job WHERE CAST(tags AS TEXT) LIKE '%' || $1 || '%'
		AND state IN ('available', 'running', 'retryable', 'pending')`, FollowUpTag).Scan(&n)
	return n > 0, err
}
