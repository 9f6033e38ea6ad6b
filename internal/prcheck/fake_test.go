package prcheck

import (
	"testing"

	"github.com/ospo-bot/ospo-bot/internal/githubfake"
	"github.com/ospo-bot/ospo-bot/internal/githubfake/fakeapp"
)

// prFake is the GitHub of the prcheck tests: acme/widget with alice's
// pull request from the branch change, and the app installed on acme.
type prFake struct {
	app    *fakeapp.App
	f      *githubfake.Fake
	number int    // the pull request's
	head   string // its head commit
	inst   githubfake.Installation
}

func newPRFake(t *testing.T) prFake {
	t.Helper()
	app := fakeapp.New(t)
	f := app.GitHub
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.AddOrg(githubfake.Org{Login: "acme"}))
	must(f.AddRepo(githubfake.Repo{Owner: "acme", Name: "widget", Files: map[string]string{"README.md": "x"}}))
	must(f.CreateBranch("acme", "widget", "change", "main"))
	pr, err := f.AddPullRequest("acme", "widget", githubfake.PullRequest{Title: "change", User: "alice", Head: "change"})
	if err != nil {
		t.Fatal(err)
	}
	inst, err := f.AddInstallation(githubfake.Installation{Account: "acme"})
	if err != nil {
		t.Fatal(err)
	}
	head, _ := f.Branch("acme", "widget", "change")
	return prFake{app: app, f: f, number: pr.Number, head: head.SHA, inst: inst}
}
