package prcommand

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-github/v66/github"

	"github.com/ospo-bot/ospo-bot/internal/appbot"
	"github.com/ospo-bot/ospo-bot/internal/githubfake"
	"github.com/ospo-bot/ospo-bot/internal/githubfake/fakeapp"
	"github.com/ospo-bot/ospo-bot/internal/policy"
	"github.com/ospo-bot/ospo-bot/internal/review"
	"github.com/ospo-bot/ospo-bot/internal/store"
	"github.com/ospo-bot/ospo-bot/internal/store/storetest"
)

const claPolicy = `pull_request:
  cla: {mode: enforce, document: "https://acme.example/cla", version: "1"}
`

// fixture is an org with a CLA policy, a repository with one open pull
// request, and a handler on a fresh store.
type fixture struct {
	gh      *githubfake.Fake
	client  *github.Client
	inst    int64
	h       *Handler
	pr      store.PullRequestRef
	comment func(user, body string) *github.IssueCommentEvent
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	app := fakeapp.New(t)
	gh := app.GitHub
	if _, err := gh.AddOrg(githubfake.Org{Login: "acme"}); err != nil {
		t.Fatal(err)
	}
	if _, err := gh.AddRepo(githubfake.Repo{Owner: "acme", Name: ".github", Files: map[string]string{policy.OrgPath: claPolicy}}); err != nil {
		t.Fatal(err)
	}
	if _, err := gh.AddRepo(githubfake.Repo{Owner: "acme", Name: "widget", Files: map[string]string{"README.md": "# widget\n"}}); err != nil {
		t.Fatal(err)
	}
	in, err := gh.AddInstallation(githubfake.Installation{Account: "acme"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := gh.CreateBranch("acme", "widget", "topic", "main"); err != nil {
		t.Fatal(err)
	}
	if _, err := gh.Push("acme", "widget", "topic", githubfake.NewCommit{Message: "change", Files: map[string]string{"main.go": "package main\n"}}); err != nil {
		t.Fatal(err)
	}
	pr, err := gh.AddPullRequest("acme", "widget", githubfake.PullRequest{Title: "change", User: "alice", Head: "topic"})
	if err != nil {
		t.Fatal(err)
	}
	client := app.Installation(t, in.ID)
	st := storetest.Open(t, store.SQLite)
	f := &fixture{gh: gh, client: client, inst: in.ID,
		h:  &Handler{Store: st, Review: &review.Manager{Store: st, Bot: appbot.New(app.Clients)}},
		pr: store.PullRequestRef{InstallationID: in.ID, Repository: "acme/widget", Number: pr.Number}}
	f.comment = func(user, body string) *github.IssueCommentEvent {
		t.Helper()
		ctx := context.Background()
		c, err := gh.AddComment("acme", "widget", pr.Number, githubfake.Comment{User: user, Body: body})
		if err != nil {
			t.Fatal(err)
		}
		cm, _, err := client.Issues.GetComment(ctx, "acme", "widget", c.ID)
		if err != nil {
			t.Fatal(err)
		}
		issue, _, err := client.Issues.Get(ctx, "acme", "widget", pr.Number)
		if err != nil {
			t.Fatal(err)
		}
		repo, _, err := client.Repositories.Get(ctx, "acme", "widget")
		if err != nil {
			t.Fatal(err)
		}
		return &github.IssueCommentEvent{Action: github.String("created"), Comment: cm, Issue: issue, Repo: repo, Sender: cm.GetUser(),
			Installation: &github.Installation{ID: github.Int64(in.ID)}}
	}
	return f
}

// A signature asks for the check of the pull request it is written on and
// of every other pull request its signer held up, in any repository of
// the installation; a redelivery of the comment signs, audits and answers
// nothing more, and asks for the same checks (the caller's enqueue is
// unique while one waits).
func TestSignRechecksWhatTheSignerHeldUp(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	ev := f.comment("alice", "Sure!\n"+policy.DefaultCLAPhrase)
	aliceID := ev.GetComment().GetUser().GetID()
	other := store.PullRequestRef{InstallationID: f.inst, Repository: "acme/gadget", Number: 7}
	for _, pr := range []store.PullRequestRef{f.pr, other} {
		if err := f.h.Store.SetBlockers(ctx, pr, []int64{aliceID}); err != nil {
			t.Fatal(err)
		}
	}
	want := []Recheck{{PullRequest: other, Reason: "@alice signed the CLA"}, {PullRequest: f.pr, Reason: "a comment on it"}}
	for attempt := range 2 {
		got, err := f.h.Comment(ctx, f.client, f.inst, ev)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("attempt %d: rechecks %+v, want %+v", attempt, got, want)
		}
	}
	sigs, err := f.h.Store.Signatures(ctx, "acme", []int64{aliceID})
	if err != nil || sigs[aliceID].Version != "1" {
		t.Fatalf("signature %+v, %v", sigs, err)
	}
	log, err := f.h.Store.AuditLog(ctx, "acme")
	if err != nil || len(log) != 1 || log[0].Action != "cla sign" || log[0].Actor != "alice" {
		t.Fatalf("audit %+v, %v: want one cla sign by alice", log, err)
	}
	if cs := f.gh.Comments("acme", "widget", f.pr.Number); len(cs) != 1 || len(cs[0].Reactions) != 1 {
		t.Fatalf("comments %+v: want the signature alone, with one reaction and no reply", cs)
	}
}

// Commands that change nothing ask for no check; help is answered once
// however often the comment is delivered, and a command of review issues
// is pointed at them.
func TestHelpAnsweredOnceAndNoRecheck(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	ev := f.comment("bob", "/ospo help\n/ospo reject no")
	for range 2 {
		got, err := f.h.Comment(ctx, f.client, f.inst, ev)
		if err != nil || len(got) != 0 {
			t.Fatalf("rechecks %+v, %v: want none", got, err)
		}
	}
	cs := f.gh.Comments("acme", "widget", f.pr.Number)
	if len(cs) != 2 {
		t.Fatalf("comments %+v: want the command and one reply", cs)
	}
	if reply := cs[1].Body; !strings.Contains(reply, prHelp) || !strings.Contains(reply, "`/ospo reject` works on OSPO review issues, not on pull requests.") {
		t.Fatalf("reply %q", reply)
	}
}

// Recheck asks for the check of the pull request and nothing else; the
// comment of a bot asks for nothing.
func TestRecheck(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	got, err := f.h.Comment(ctx, f.client, f.inst, f.comment("carol", "/ospo recheck"))
	if want := []Recheck{{PullRequest: f.pr, Reason: "a comment on it"}}; err != nil || !slices.Equal(got, want) {
		t.Fatalf("rechecks %+v, %v; want %+v", got, err, want)
	}
	bot := f.comment("carol", "/ospo recheck")
	bot.Comment.User.Type = github.String("Bot")
	if got, err := f.h.Comment(ctx, f.client, f.inst, bot); err != nil || len(got) != 0 {
		t.Fatalf("a bot's comment: rechecks %+v, %v; want none", got, err)
	}
}

// sameUser compares accounts by ID, by login only when an ID is missing,
// and a missing account is no one.
func TestSameUser(t *testing.T) {
	u := func(id int64, login string) *github.User { return &github.User{ID: &id, Login: &login} }
	for _, tt := range []struct {
		name string
		a, b *github.User
		want bool
	}{
		{"same ID, renamed", u(1, "alice"), u(1, "alice2"), true},
		{"other ID, same login", u(1, "alice"), u(2, "alice"), false},
		{"no ID: by login, any case", u(0, "Alice"), u(2, "alice"), true},
		{"no ID, no login", u(0, ""), u(0, ""), false},
		{"missing", nil, u(1, "alice"), false},
	} {
		if got := sameUser(tt.a, tt.b); got != tt.want {
			t.Errorf("%s: sameUser = %v, want %v", tt.name, got, tt.want)
		}
	}
}
