package jobs

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/riverqueue/river/rivertype"

	"github.com/ospo-bot/ospo-bot/internal/appbot"
	"github.com/ospo-bot/ospo-bot/internal/check"
	"github.com/ospo-bot/ospo-bot/internal/githubfake"
	"github.com/ospo-bot/ospo-bot/internal/githubfake/fakeapp"
	"github.com/ospo-bot/ospo-bot/internal/review"
	"github.com/ospo-bot/ospo-bot/internal/store"
	"github.com/ospo-bot/ospo-bot/internal/store/storetest"
)

// Checks of many repositories of an org whose policy is invalid (a sweep,
// an installation) run at the same time, and each reports the policy: one
// issue, however they interleave. A check that finds another reporting
// waits (its job snoozes, for the lease its checker takes through
// check.Checker.Lease) and then finds the issue.
func TestConcurrentPolicyReportsOpenOneIssue(t *testing.T) {
	ctx := context.Background()
	app := fakeapp.New(t)
	f := app.GitHub
	if _, err := f.AddOrg(githubfake.Org{Login: "acme"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.AddRepo(githubfake.Repo{Owner: "acme", Name: ".github", Files: map[string]string{"ospo.yml": "x"}}); err != nil {
		t.Fatal(err)
	}
	var repos []check.Repository
	for i := range 2 {
		r, err := f.AddRepo(githubfake.Repo{Owner: "acme", Name: fmt.Sprintf("widget%d", i), Files: map[string]string{"README.md": "# widget\n"}})
		if err != nil {
			t.Fatal(err)
		}
		repos = append(repos, check.Repository{ID: r.ID, Owner: "acme", Name: r.Name})
	}
	inst, err := f.AddInstallation(githubfake.Installation{Account: "acme"})
	if err != nil {
		t.Fatal(err)
	}
	client := app.Installation(t, inst.ID)
	st := storetest.Open(t, store.SQLite)
	c := &checker{deps: Deps{Store: st}, review: &review.Manager{Store: st, Bot: appbot.New(app.Clients)}}
	c.check = &check.Checker{Store: st, Review: c.review, Lease: c.leaseInJob}
	// Creating the issue takes a while: long enough for the other check
	// to look for it meanwhile.
	f.InjectFault(githubfake.Fault{Method: http.MethodPost, Route: "/repos/{owner}/{repo}/issues", Times: 2, Kind: githubfake.Delay(500 * time.Millisecond)})
	checkIn := func(job int64, r check.Repository) error {
		r.InstallationID = inst.ID
		return c.check.Repository(withJob(ctx, &rivertype.JobRow{ID: job, Attempt: 1}), client, r)
	}
	type ended struct {
		job int64
		err error
	}
	ends := make(chan ended, 2)
	for i := range 2 {
		go func() { ends <- ended{int64(i + 1), checkIn(int64(i+1), repos[i])} }()
	}
	var snoozed []int64
	for range 2 {
		e := <-ends
		if errors.Is(e.err, errLeaseHeld) {
			snoozed = append(snoozed, e.job)
		} else if e.err != nil {
			t.Fatal(e.err)
		}
	}
	for _, job := range snoozed { // the snoozed job runs again
		if err := checkIn(job, repos[job-1]); err != nil {
			t.Fatal(err)
		}
	}
	if is := f.Issues("acme", ".github"); len(is) != 1 {
		t.Errorf("%d policy issues, want 1", len(is))
	}
}
