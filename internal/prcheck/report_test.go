package prcheck

import (
	"context"
	"net/url"
	"testing"

	"github.com/google/go-github/v66/github"

	"github.com/ospo-bot/ospo-bot/internal/githubfake"
	"github.com/ospo-bot/ospo-bot/internal/githubfake/fakeapp"
	"github.com/ospo-bot/ospo-bot/internal/policy"
	"github.com/ospo-bot/ospo-bot/internal/rules"
	"github.com/ospo-bot/ospo-bot/internal/store"
	"github.com/ospo-bot/ospo-bot/internal/store/storetest"
)

// TestStartFindsItsOwnRun: each evaluation creates its own check run; a
// retry of an evaluation finds the run it created, even when it stopped
// between creating the run and recording it, and does not modify it again
// once completed.
func TestStartFindsItsOwnRun(t *testing.T) {
	ctx := context.Background()
	gh := githubfake.NewServer(t, githubfake.Options{AppID: fakeapp.ID, PublicKey: &fakeapp.Key().PublicKey})
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(gh.AddOrg(githubfake.Org{Login: "acme"}))
	must(gh.AddRepo(githubfake.Repo{Owner: "acme", Name: "widget", Files: map[string]string{"README.md": "x"}}))
	inst, err := gh.AddInstallation(githubfake.Installation{Account: "acme"})
	if err != nil {
		t.Fatal(err)
	}
	token, err := gh.InstallationToken(inst.ID)
	if err != nil {
		t.Fatal(err)
	}
	client := github.NewClient(nil).WithAuthToken(token)
	client.BaseURL, _ = url.Parse(gh.URL() + "/")
	head, _ := gh.Branch("acme", "widget", "main")
	rep := &Reporter{Store: storetest.Open(t, store.SQLite)}
	pr := PR{Owner: "acme", Name: "widget", Number: 1, HeadSHA: head.SHA, HTMLURL: "https://github.com/acme/widget/pull/1", Evaluation: "ospo-bot-job-7"}
	fs := []rules.Finding{{Rule: "files", Mode: policy.Enforce, Result: rules.Fail, Message: "missing", File: "README.md", Line: 1}}
	runs := func() []githubfake.CheckRun { return gh.CheckRuns("acme", "widget") }

	first, err := rep.Start(ctx, client, pr)
	if err != nil {
		t.Fatal(err)
	}
	// The attempt stopped before recording the run's ID.
	lost := first.PullRequestState
	lost.CheckRunID = 0
	if err := rep.Store.SavePullRequestState(ctx, lost); err != nil {
		t.Fatal(err)
	}
	again, err := rep.Start(ctx, client, pr)
	if err != nil || again.CheckRunID != first.CheckRunID || len(runs()) != 1 {
		t.Fatalf("retry after losing the ID: run %d, want %d (%v), %d runs", again.CheckRunID, first.CheckRunID, err, len(runs()))
	}
	if err := rep.Finish(ctx, client, pr, again, fs); err != nil {
		t.Fatal(err)
	}
	// A retry after the run completed leaves it as it is.
	third, err := rep.Start(ctx, client, pr)
	if err != nil || third.CheckRunID != first.CheckRunID {
		t.Fatalf("retry after completing: run %d (%v)", third.CheckRunID, err)
	}
	if err := rep.Finish(ctx, client, pr, third, nil); err != nil {
		t.Fatal(err)
	}
	if got := runs(); len(got) != 1 || got[0].Conclusion != "failure" || len(got[0].Output.Annotations) != 1 || got[0].ExternalID != pr.Evaluation {
		t.Fatalf("after retries: %+v", got)
	}

	// Another evaluation creates a new run and leaves the first alone.
	pr.Evaluation = "ospo-bot-job-8"
	next, err := rep.Start(ctx, client, pr)
	if err != nil || next.CheckRunID == first.CheckRunID {
		t.Fatalf("new evaluation: run %d (%v)", next.CheckRunID, err)
	}
	if err := rep.Finish(ctx, client, pr, next, nil); err != nil {
		t.Fatal(err)
	}
	if got := runs(); len(got) != 2 || got[0].Conclusion != "failure" || got[1].Conclusion != "success" {
		t.Fatalf("runs %+v", got)
	}
}
