package review

import (
	"context"
	"net/http"
	"testing"

	"github.com/google/go-github/v66/github"

	"github.com/ospo-bot/ospo-bot/internal/appbot"
	"github.com/ospo-bot/ospo-bot/internal/policy"
	"github.com/ospo-bot/ospo-bot/internal/rules"
	"github.com/ospo-bot/ospo-bot/internal/store"
	"github.com/ospo-bot/ospo-bot/internal/store/storetest"
)

// An issue opened by a request whose response was lost is adopted by the
// retry as if the retry had opened it: its checklist already shows the
// failing rules, so no "❌ Now failing" comment repeats them (the chaos
// test's seed 8 found one).
func TestAdoptedIssueIsNotToldWhatItShows(t *testing.T) {
	ctx := context.Background()
	rf := newReviewFake(t)
	app, f, widget, inst := rf.app, rf.f, rf.widget, rf.inst
	base := app.Installation(t, inst.ID)
	l := &loseResponse{base: base.Client().Transport, method: http.MethodPost, suffix: "/issues"}
	client := github.NewClient(&http.Client{Transport: l})
	client.BaseURL = base.BaseURL
	m := &Manager{Store: storetest.Open(t, store.SQLite), Bot: appbot.New(app.Clients)}
	rep := Report{Snapshot: &rules.Snapshot{ID: widget.ID, Owner: "acme", Name: "widget", HTMLURL: "https://github.com/acme/widget"},
		Flagged: true, Reasons: []string{"it is public and not approved"},
		Findings: []rules.Finding{{Rule: "license", Mode: policy.Enforce, Result: rules.Fail, Message: "no LICENSE file"}}}
	target := Target{InstallationID: inst.ID, Repo: "acme/ospo", Label: "ospo-review"}
	if err := m.Sync(ctx, client, target, rep); err == nil || l.lost.Load() != 1 {
		t.Fatalf("the lost response: %v (%d lost): the test does not test what it says", err, l.lost.Load())
	}
	if err := m.Sync(ctx, client, target, rep); err != nil { // the job's retry
		t.Fatal(err)
	}
	is := f.Issues("acme", "ospo")
	if len(is) != 1 {
		t.Fatalf("after the retry: %+v", is)
	}
	if cs := f.Comments("acme", "ospo", is[0].Number); len(cs) != 0 {
		t.Errorf("the adopted issue got a comment: %q", cs[0].Body)
	}
}
