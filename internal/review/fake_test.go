package review

import (
	"testing"

	"github.com/ospo-bot/ospo-bot/internal/githubfake"
	"github.com/ospo-bot/ospo-bot/internal/githubfake/fakeapp"
)

// reviewFake is the GitHub of the review tests: the org acme, its private
// review repository acme/ospo, the reviewed acme/widget, and the app
// installed on acme.
type reviewFake struct {
	app    *fakeapp.App
	f      *githubfake.Fake
	widget githubfake.Repo
	inst   githubfake.Installation
}

func newReviewFake(t *testing.T) reviewFake {
	t.Helper()
	app := fakeapp.New(t)
	f := app.GitHub
	if _, err := f.AddOrg(githubfake.Org{Login: "acme"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.AddRepo(githubfake.Repo{Owner: "acme", Name: "ospo", Private: true, Files: map[string]string{"README.md": "x"}}); err != nil {
		t.Fatal(err)
	}
	widget, err := f.AddRepo(githubfake.Repo{Owner: "acme", Name: "widget", Files: map[string]string{"README.md": "x"}})
	if err != nil {
		t.Fatal(err)
	}
	inst, err := f.AddInstallation(githubfake.Installation{Account: "acme"})
	if err != nil {
		t.Fatal(err)
	}
	return reviewFake{app: app, f: f, widget: widget, inst: inst}
}
