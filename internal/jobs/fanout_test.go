package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-github/v66/github"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/ospo-bot/ospo-bot/internal/store"
	"github.com/ospo-bot/ospo-bot/internal/store/storetest"
)

// TestFanOutsDoNotStack: two installation events and a sweep queue each
// repository's paced check once; a repository whose check is running gets
// one more, behind it (that check may have read before the event); a
// push's check of a repository waiting for a paced one is queued beside
// it, at the checks' priority, not taken as its duplicate. Read from
// River's table.
func TestFanOutsDoNotStack(t *testing.T) {
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			st := storetest.Open(t, d)
			q := newQueue(t, st, Options{InsertOnly: true})
			rc := q.Client()
			const installation = 9
			if err := st.UpsertInstallation(ctx, store.Installation{ID: installation, Account: "acme", AccountType: "Organization", State: store.InstallationActive}); err != nil {
				t.Fatal(err)
			}
			var repos []*github.Repository
			var records []store.Repository
			for i := range 5 {
				name := fmt.Sprintf("acme/repo-%d", i)
				repos = append(repos, &github.Repository{ID: github.Int64(int64(100 + i)), FullName: github.String(name)})
				records = append(records, store.Repository{ID: int64(100 + i), FullName: name})
			}
			if err := st.ReplaceRepositories(ctx, installation, records); err != nil {
				t.Fatal(err)
			}
			sweep := &sweepWorker{deps: Deps{Store: st}}

			if err := insertFanOut(ctx, rc, installation, repos, "installation created"); err != nil {
				t.Fatal(err)
			}
			if err := insertFanOut(ctx, rc, installation, repos[:3], "installation new_permissions_accepted"); err != nil {
				t.Fatal(err)
			}
			if err := sweep.sweep(ctx, rc); err != nil {
				t.Fatal(err)
			}
			waiting := waitingChecks(t, q)
			for _, r := range records {
				if got := waiting[r.ID]; len(got) != 1 || !got[0].paced || got[0].priority != priorityFanOut {
					t.Errorf("after two installations and a sweep, %s has waiting checks %+v, want one paced", r.FullName, got)
				}
			}

			// Repository 100's check starts: the next fan-out queues one
			// behind it, and the one after that does not add another.
			if _, err := st.DB.ExecContext(ctx, `UPDATE river_job SET state = 'running', attempt = 1, attempted_at = CURRENT_TIMESTAMP WHERE id = $1`, waiting[100][0].id); err != nil {
				t.Fatal(err)
			}
			for range 2 {
				if err := sweep.sweep(ctx, rc); err != nil {
					t.Fatal(err)
				}
			}
			// A push to repository 101 while its paced check waits.
			for range 2 {
				// insertCheck's insert, with the client from the test
				if _, err := enqueueUnique(ctx, rc, CheckRepositoryArgs{InstallationID: installation, RepositoryID: 101, Repository: "acme/repo-1", Reason: "push to main"}, uniqueFollowUp, 0); err != nil {
					t.Fatal(err)
				}
			}
			waiting = waitingChecks(t, q)
			if got := waiting[100]; len(got) != 1 || got[0].round != 1 || !got[0].paced {
				t.Errorf("repository 100, its check running: waiting %+v, want one paced check in round 1", got)
			}
			var paced, pushed int
			for _, c := range waiting[101] {
				switch {
				case c.paced && c.priority == priorityFanOut:
					paced++
				case !c.paced && c.priority == priorityCheck:
					pushed++
				}
			}
			if len(waiting[101]) != 2 || paced != 1 || pushed != 1 {
				t.Errorf("repository 101 after a push: waiting %+v, want its paced check and the push's, at the checks' priority", waiting[101])
			}
			// Repository 100's running check finds the rate limit spent:
			// its next round is already waiting, so it adds none.
			// Repository 102's does the same with none waiting: its next
			// round is queued for after the reset.
			if _, err := st.DB.ExecContext(ctx, `UPDATE river_job SET state = 'running', attempt = 1, attempted_at = CURRENT_TIMESTAMP WHERE id = $1`, waiting[102][0].id); err != nil {
				t.Fatal(err)
			}
			for _, id := range []int64{100, 102} {
				a := CheckRepositoryArgs{InstallationID: installation, RepositoryID: id, Repository: fmt.Sprintf("acme/repo-%d", id-100), Reason: "sweep", Paced: true}
				if err := requeuePaced(ctx, rc, a, time.Hour); err != nil {
					t.Fatal(err)
				}
			}
			waiting = waitingChecks(t, q)
			if got := waiting[100]; len(got) != 1 || got[0].round != 1 {
				t.Errorf("repository 100 after its check waited for the reset: waiting %+v, want round 1 only", got)
			}
			if got := waiting[102]; len(got) != 1 || got[0].round != 1 || got[0].state != rivertype.JobStateScheduled {
				t.Errorf("repository 102 after its check waited for the reset: waiting %+v, want round 1, scheduled", got)
			}
			for _, id := range []int64{103, 104} {
				if got := waiting[id]; len(got) != 1 {
					t.Errorf("repository %d: %d waiting checks", id, len(got))
				}
			}
		})
	}
}

type waitingCheck struct {
	id       int64
	state    rivertype.JobState
	paced    bool
	round    int
	priority int
}

// waitingChecks lists the repository checks waiting to run (available,
// scheduled, pending, retryable), by repository.
func waitingChecks(t *testing.T, q *Queue) map[int64][]waitingCheck {
	t.Helper()
	res, err := q.Client().JobList(context.Background(), river.NewJobListParams().Kinds(CheckRepositoryArgs{}.Kind()).
		States(rivertype.JobStateAvailable, rivertype.JobStateScheduled, rivertype.JobStatePending, rivertype.JobStateRetryable).First(10000))
	if err != nil {
		t.Fatal(err)
	}
	out := map[int64][]waitingCheck{}
	for _, j := range res.Jobs {
		var a CheckRepositoryArgs
		if err := json.Unmarshal(j.EncodedArgs, &a); err != nil {
			t.Fatal(err)
		}
		out[a.RepositoryID] = append(out[a.RepositoryID], waitingCheck{id: j.ID, state: j.State, paced: a.Paced, round: a.Round, priority: j.Priority})
	}
	return out
}
