package jobs

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/rs/zerolog"

	"github.com/ospo-bot/ospo-bot/internal/githubfake"
	"github.com/ospo-bot/ospo-bot/internal/githubfake/fakeapp"
	"github.com/ospo-bot/ospo-bot/internal/metrics"
	"github.com/ospo-bot/ospo-bot/internal/store"
	"github.com/ospo-bot/ospo-bot/internal/store/storetest"
)

// Two replicas (two River clients, each with its own checker, on one
// Postgres database) check the same pull request at the same time, as
// when a follow-up round is enqueued while a check runs: with the subject
// lease they take turns, and there is one check run per evaluation and
// one sticky comment. Without it (a lease that expires at once) both read
// "no sticky comment yet" and both post one.
func TestTwoReplicasCheckOnePullRequestInTurn(t *testing.T) {
	if len(storetest.Dialects(t)) < 2 {
		t.Skip("needs Postgres")
	}
	t.Run("with the lease", func(t *testing.T) {
		if runs, comments := twoReplicasCheckOnePR(t); comments != 1 || runs != 2 {
			t.Errorf("%d sticky comments and %d check runs for two evaluations, want 1 and 2", comments, runs)
		}
	})
	t.Run("without the lease", func(t *testing.T) {
		if testing.Short() {
			t.Skip("shows only that the test can fail")
		}
		saved := leaseTTLOverride
		leaseTTLOverride = -time.Second
		t.Cleanup(func() { leaseTTLOverride = saved }) // after the queues stop (cleanups run last first)
		if _, comments := twoReplicasCheckOnePR(t); comments < 2 {
			t.Errorf("%d sticky comments without the lease: the test does not show what the lease prevents", comments)
		}
	})
}

// twoReplicasCheckOnePR runs two checks of one pull request on two
// replicas and returns how many ospo/policy runs and sticky comments it
// has then.
func twoReplicasCheckOnePR(t *testing.T) (runs, comments int) {
	app := fakeapp.New(t)
	f := app.GitHub
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.AddOrg(githubfake.Org{Login: "acme"}))
	must(f.AddRepo(githubfake.Repo{Owner: "acme", Name: ".github", Files: map[string]string{"ospo.yml": "pull_request:\n  cla: {mode: enforce, document: \"https://acme.example/cla\", version: \"1\"}\n"}}))
	must(f.AddRepo(githubfake.Repo{Owner: "acme", Name: "widget", Files: map[string]string{"README.md": "x"}}))
	must(f.CreateBranch("acme", "widget", "change", "main"))
	must(f.Push("acme", "widget", "change", githubfake.NewCommit{Message: "change", Author: githubfake.Signature{Name: "Alice", Email: "alice@example.com", Login: "alice"},
		Files: map[string]string{"change.go": "package change"}}))
	pr, err := f.AddPullRequest("acme", "widget", githubfake.PullRequest{Title: "change", User: "alice", Head: "change"})
	if err != nil {
		t.Fatal(err)
	}
	inst, err := f.AddInstallation(githubfake.Installation{Account: "acme"})
	if err != nil {
		t.Fatal(err)
	}
	// Posting a comment takes a while, as it may on GitHub: long enough
	// for the other replica's check to look for the sticky comment
	// meanwhile, if nothing keeps it from running now.
	f.InjectFault(githubfake.Fault{Method: http.MethodPost, Route: "/repos/{owner}/{repo}/issues/{issue_number}/comments", Times: 2, Kind: githubfake.Delay(time.Second)})

	twoReplicas(t, app, CheckPullRequestArgs{InstallationID: inst.ID, Repository: "acme/widget", Number: pr.Number, Reason: "test"},
		CheckPullRequestArgs{InstallationID: inst.ID, Repository: "acme/widget", Number: pr.Number, Reason: "test", Round: 1})
	evaluations := map[string]bool{}
	for _, r := range f.CheckRuns("acme", "widget") {
		if r.Name == "ospo/policy" && !evaluations[r.ExternalID] {
			evaluations[r.ExternalID] = true
			runs++
		} else if r.Name == "ospo/policy" {
			t.Errorf("two check runs of the evaluation %s", r.ExternalID)
		}
	}
	for _, c := range f.Comments("acme", "widget", pr.Number) {
		if strings.Contains(c.Body, "<!-- ospo-bot:pull-request -->") {
			comments++
		}
	}
	return runs, comments
}

// twoReplicas starts two replicas (two River clients, each with its own
// checker, on one Postgres database, one job at a time each) with the
// check jobs ready, and waits until both are completed.
func twoReplicas(t *testing.T, app *fakeapp.App, checks ...river.JobArgs) {
	t.Helper()
	st := storetest.Open(t, store.Postgres)
	var queues []*Queue
	for i := range 2 {
		q, err := New(Deps{Store: st, GitHub: app.Clients, Metrics: metrics.New(),
			Logger: zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.WarnLevel).With().Int("replica", i).Logger()}, Options{Workers: 1})
		if err != nil {
			t.Fatal(err)
		}
		queues = append(queues, q)
	}
	ctx := context.Background()
	// Both evaluations are ready before either replica starts: the
	// second is a follow-up's next round, as enqueueFollowUp inserts it
	// beside a running check.
	for _, a := range checks {
		if _, err := queues[0].Client().Insert(ctx, a, nil); err != nil {
			t.Fatal(err)
		}
	}
	for _, q := range queues {
		if err := q.Start(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { q.Stop(context.Background()) })
	}
	eventually(t, func() error {
		jobs, err := queues[0].Client().JobList(ctx, river.NewJobListParams().States(rivertype.JobStateCompleted))
		if err != nil {
			return err
		}
		if len(jobs.Jobs) != len(checks) {
			return fmt.Errorf("%d of %d checks completed", len(jobs.Jobs), len(checks))
		}
		return nil
	})
}

// Two replicas check one flagged repository at the same time: one
// review issue. (The review issue's claim row keeps it one without the
// lease too.)
func TestTwoReplicasCheckOneRepositoryInTurn(t *testing.T) {
	if len(storetest.Dialects(t)) < 2 {
		t.Skip("needs Postgres")
	}
	app := fakeapp.New(t)
	f := app.GitHub
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.AddOrg(githubfake.Org{Login: "acme"}))
	must(f.AddRepo(githubfake.Repo{Owner: "acme", Name: ".github", Files: map[string]string{"ospo.yml": "review:\n  repository: acme/ospo\nrepository:\n  license: {mode: enforce, allowed: [MIT]}\n"}}))
	must(f.AddRepo(githubfake.Repo{Owner: "acme", Name: "ospo", Private: true, Files: map[string]string{"README.md": "x"}}))
	widget, err := f.AddRepo(githubfake.Repo{Owner: "acme", Name: "widget", Files: map[string]string{"README.md": "x"}})
	if err != nil {
		t.Fatal(err)
	}
	inst, err := f.AddInstallation(githubfake.Installation{Account: "acme"})
	if err != nil {
		t.Fatal(err)
	}
	f.InjectFault(githubfake.Fault{Method: http.MethodPost, Route: "/repos/{owner}/{repo}/issues", Times: 2, Kind: githubfake.Delay(time.Second)})
	twoReplicas(t, app, CheckRepositoryArgs{InstallationID: inst.ID, RepositoryID: widget.ID, Repository: "acme/widget", Reason: "test"},
		CheckRepositoryArgs{InstallationID: inst.ID, RepositoryID: widget.ID, Repository: "acme/widget", Reason: "test", Round: 1})
	if is := f.Issues("acme", "ospo"); len(is) != 1 {
		t.Errorf("%d review issues, want 1: %+v", len(is), is)
	}
}
