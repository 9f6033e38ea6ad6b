package review

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-github/v66/github"

	"github.com/ospo-bot/ospo-bot/internal/appbot"
	"github.com/ospo-bot/ospo-bot/internal/githubfake"
	"github.com/ospo-bot/ospo-bot/internal/githubfake/fakeapp"
	"github.com/ospo-bot/ospo-bot/internal/policy"
	"github.com/ospo-bot/ospo-bot/internal/rules"
	"github.com/ospo-bot/ospo-bot/internal/store"
	"github.com/ospo-bot/ospo-bot/internal/store/storetest"
)

// noteWorld is a flagged repository whose review issue is open in
// acme/ospo.
type noteWorld struct {
	f      *githubfake.Fake
	client *github.Client
	m      *Manager
	target Target
	snap   *rules.Snapshot
}

func newNoteWorld(t *testing.T) *noteWorld {
	t.Helper()
	rf := newReviewFake(t)
	app, f, widget, inst := rf.app, rf.f, rf.widget, rf.inst
	w := &noteWorld{f: f, client: app.Installation(t, inst.ID),
		m:      &Manager{Store: storetest.Open(t, store.SQLite), Bot: appbot.New(app.Clients)},
		target: Target{InstallationID: inst.ID, Repo: "acme/ospo", Label: "ospo-review"},
		snap:   &rules.Snapshot{ID: widget.ID, Owner: "acme", Name: "widget", HTMLURL: "https://github.com/acme/widget"}}
	if err := w.m.Sync(context.Background(), w.client, w.target, w.flagged()); err != nil {
		t.Fatal(err)
	}
	if is := f.Issues("acme", "ospo"); len(is) != 1 {
		t.Fatalf("no review issue: %+v", is)
	}
	return w
}

func (w *noteWorld) flagged(failing ...string) Report {
	var fs []rules.Finding
	for _, r := range failing {
		fs = append(fs, rules.Finding{Rule: r, Mode: policy.Enforce, Result: rules.Fail, Message: r + " is missing"})
	}
	return Report{Snapshot: w.snap, Findings: fs, Flagged: true, Reasons: []string{"it is public and not approved"}}
}

// comments counts the comments on the review issue that contain text.
func (w *noteWorld) comments(text string) int {
	n := 0
	for _, c := range w.f.Comments("acme", "ospo", w.f.Issues("acme", "ospo")[0].Number) {
		if strings.Contains(c.Body, text) {
			n++
		}
	}
	return n
}

// Sync's notes on the review issue are posted once, whether the note's
// response was lost or the issue's update after it failed and the job was
// retried: the retry finds the note it posted.
func TestReviewNotesPostedOnceOnRetry(t *testing.T) {
	approved := func(w *noteWorld) Report {
		return Report{Snapshot: w.snap, State: State{Status: Approved, Decided: &Decision{Actor: "lead", Verb: "approve"}}}
	}
	cases := []struct {
		name   string
		before func(w *noteWorld) Report // an earlier evaluation, synced without faults
		rep    func(w *noteWorld) Report
		target func(t Target) Target
		note   string
	}{
		{name: "approved", rep: approved, note: "Approved by"},
		{name: "auto close", rep: func(w *noteWorld) Report { return Report{Snapshot: w.snap} },
			target: func(t Target) Target { t.AutoClose = true; return t }, note: "Every enforce rule passes now. Closing"},
		{name: "now failing", rep: func(w *noteWorld) Report { return w.flagged("license") }, note: "Now failing: license"},
		{name: "passes now", before: func(w *noteWorld) Report { return w.flagged("license") },
			rep: func(w *noteWorld) Report { return w.flagged() }, note: "Every enforce rule passes now. An approver"},
	}
	faults := []struct {
		name  string
		fault githubfake.Fault
	}{
		{"note's response lost", githubfake.Fault{Method: http.MethodPost, Route: "/repos/{owner}/{repo}/issues/{issue_number}/comments", Kind: githubfake.LostResponse()}},
		{"issue update failed", githubfake.Fault{Method: http.MethodPatch, Route: "/repos/{owner}/{repo}/issues/{issue_number}", Kind: githubfake.Status(http.StatusInternalServerError)}},
	}
	for _, c := range cases {
		for _, fault := range faults {
			t.Run(c.name+"/"+fault.name, func(t *testing.T) {
				ctx := context.Background()
				w := newNoteWorld(t)
				target := w.target
				if c.target != nil {
					target = c.target(target)
				}
				if c.before != nil {
					if err := w.m.Sync(ctx, w.client, target, c.before(w)); err != nil {
						t.Fatal(err)
					}
				}
				w.f.InjectFault(fault.fault)
				err := w.m.Sync(ctx, w.client, target, c.rep(w))
				if err == nil {
					t.Skip("nothing was updated after the note: the fault did not apply")
				}
				if w.comments(c.note) != 1 {
					t.Fatalf("%d notes %q after the failed attempt (%v): the test does not test what it says", w.comments(c.note), c.note, err)
				}
				if err := w.m.Sync(ctx, w.client, target, c.rep(w)); err != nil { // the job's retry
					t.Fatal(err)
				}
				if n := w.comments(c.note); n != 1 {
					t.Errorf("%d notes %q after the retry, want 1", n, c.note)
				}
			})
		}
	}
}

// The same note posted again later, after a change in between, is a new
// note: the retry's lookup does not swallow it.
func TestReviewNoteRepeatedAfterAChange(t *testing.T) {
	ctx := context.Background()
	w := newNoteWorld(t)
	for _, failing := range [][]string{{"license"}, {}, {"license"}} {
		if err := w.m.Sync(ctx, w.client, w.target, w.flagged(failing...)); err != nil {
			t.Fatal(err)
		}
	}
	if n := w.comments("Now failing: license"); n != 2 {
		t.Errorf("%d notes that license fails, want 2", n)
	}
}

// ensureLabel takes GitHub's 422 already_exists as the label being there,
// and any other 422 as the error it is.
func TestEnsureLabelOnlyAlreadyExistsIsSuccess(t *testing.T) {
	ctx := context.Background()
	app := fakeapp.New(t)
	f := app.GitHub
	if _, err := f.AddRepo(githubfake.Repo{Owner: "acme", Name: "ospo", Files: map[string]string{"README.md": "x"}}); err != nil {
		t.Fatal(err)
	}
	inst, err := f.AddInstallation(githubfake.Installation{Account: "acme"})
	if err != nil {
		t.Fatal(err)
	}
	client := app.Installation(t, inst.ID)
	f.InjectFault(githubfake.Fault{Method: http.MethodPost, Route: "/repos/{owner}/{repo}/labels", Kind: githubfake.Status(http.StatusUnprocessableEntity)})
	if err := ensureLabel(ctx, client, "acme", "ospo", "ospo review"); err == nil || !strings.Contains(err.Error(), `create label "ospo review"`) {
		t.Errorf("a 422 that is not already_exists: %v", err)
	}
	f.InjectFault(githubfake.Fault{Method: http.MethodPost, Route: "/repos/{owner}/{repo}/labels", Kind: githubfake.LostResponse()})
	if err := ensureLabel(ctx, client, "acme", "ospo", "ospo review"); err == nil {
		t.Fatal("the lost response was not an error")
	}
	if err := ensureLabel(ctx, client, "acme", "ospo", "ospo review"); err != nil {
		t.Errorf("the retry: %v", err)
	}
	if ls := f.Labels("acme", "ospo"); len(ls) != 1 {
		t.Errorf("labels: %+v", ls)
	}
}

// The notes posted right after the review issue is opened (made private)
// are posted once too: a retry after the note's response was lost adopts
// the issue at once and finds the note.
func TestOpeningNotesPostedOnceOnRetry(t *testing.T) {
	ctx := context.Background()
	rf := newReviewFake(t)
	app, f, widget, inst := rf.app, rf.f, rf.widget, rf.inst
	client := app.Installation(t, inst.ID)
	m := &Manager{Store: storetest.Open(t, store.SQLite), Bot: appbot.New(app.Clients)}
	rep := Report{Snapshot: &rules.Snapshot{ID: widget.ID, Owner: "acme", Name: "widget", HTMLURL: "https://github.com/acme/widget"},
		Flagged: true, Reasons: []string{"it was made public without an approval"}, MadePrivate: true}
	target := Target{InstallationID: inst.ID, Repo: "acme/ospo", Label: "ospo-review"}
	f.InjectFault(githubfake.Fault{Method: http.MethodPost, Route: "/repos/{owner}/{repo}/issues/{issue_number}/comments", Kind: githubfake.LostResponse()})
	if err := m.Sync(ctx, client, target, rep); err == nil {
		t.Fatal("the lost response was not an error")
	}
	if err := m.Sync(ctx, client, target, rep); err != nil { // the job's retry, which still made it private
		t.Fatal(err)
	}
	is := f.Issues("acme", "ospo")
	if len(is) != 1 {
		t.Fatalf("%d review issues", len(is))
	}
	n := 0
	for _, c := range f.Comments("acme", "ospo", is[0].Number) {
		if strings.Contains(c.Body, "made private again") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d notes that it was made private, want 1", n)
	}
}
