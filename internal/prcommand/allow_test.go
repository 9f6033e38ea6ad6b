package prcommand

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-github/v66/github"

	"github.com/ospo-bot/ospo-bot/internal/githubfake"
	"github.com/ospo-bot/ospo-bot/internal/store"
)

// allowFixture is the fixture with lead an owner of acme (who decides,
// the policy naming no approvers) and mallory a member.
func allowFixture(t *testing.T) *fixture {
	t.Helper()
	f := newFixture(t)
	for _, m := range []githubfake.Membership{{Login: "lead", Role: "admin"}, {Login: "mallory"}} {
		if err := f.gh.SetOrgMembership("acme", m); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// edited is the event of an edit of cm by editor to body.
func (f *fixture) edited(t *testing.T, ev *github.IssueCommentEvent, editor, body string) *github.IssueCommentEvent {
	t.Helper()
	ctx := context.Background()
	before, _, err := f.gh.EditComment("acme", "widget", ev.GetComment().GetID(), editor, body)
	if err != nil {
		t.Fatal(err)
	}
	cm, _, err := f.client.Issues.GetComment(ctx, "acme", "widget", ev.GetComment().GetID())
	if err != nil {
		t.Fatal(err)
	}
	u, _, err := f.client.Users.Get(ctx, editor)
	if err != nil {
		t.Fatal(err)
	}
	out := *ev
	out.Action, out.Comment, out.Sender = github.String("edited"), cm, u
	out.Changes = &github.EditChange{Body: &github.EditBody{From: github.String(before.Body)}}
	return &out
}

func (f *fixture) allowed(t *testing.T) []store.PackageAllowance {
	t.Helper()
	as, err := f.h.Store.PackageAllowances(context.Background(), f.pr.Repository, f.pr.Number)
	if err != nil {
		t.Fatal(err)
	}
	return as
}

func (f *fixture) actions(t *testing.T) []string {
	t.Helper()
	log, err := f.h.Store.AuditLog(context.Background(), "acme/widget#1")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range log {
		out = append(out, e.Actor+" "+e.Action+" "+e.Reason)
	}
	return out
}

// An approver's /ospo allow is recorded, audited and answered once
// however often the comment is delivered, and re-checks the pull
// request.
func TestAllowAuthorizedAndRedelivered(t *testing.T) {
	ctx := context.Background()
	f := allowFixture(t)
	ev := f.comment("lead", "/ospo allow pkg:npm/left-pad@1.3.0 vetted by legal")
	for attempt := range 2 {
		got, err := f.h.Comment(ctx, f.client, f.inst, ev)
		if want := []Recheck{onIt(f.pr)}; err != nil || !slices.Equal(got, want) {
			t.Fatalf("attempt %d: rechecks %+v, %v", attempt, got, err)
		}
	}
	as := f.allowed(t)
	if len(as) != 1 || as[0].Package != "pkg:npm/left-pad@1.3.0" || as[0].Login != "lead" || as[0].Reason != "vetted by legal" || as[0].URL == "" {
		t.Fatalf("allowances %+v", as)
	}
	if got := f.actions(t); !slices.Equal(got, []string{"lead allow package pkg:npm/left-pad@1.3.0: vetted by legal"}) {
		t.Fatalf("audit %q", got)
	}
	cs := f.gh.Comments("acme", "widget", f.pr.Number)
	if len(cs) != 2 || len(cs[0].Reactions) != 1 || !strings.Contains(cs[1].Body, "@lead allowed `pkg:npm/left-pad@1.3.0` on this pull request, whatever its licence: vetted by legal.") ||
		!strings.Contains(cs[1].Body, "rule is off") {
		t.Fatalf("comments %+v: want the command with a reaction and one reply saying what was allowed", cs)
	}
}

// Anyone else is refused, replied to and audited, once; nothing is
// allowed. A malformed package URL gets a reply saying how to write one.
func TestAllowRefusedAndMalformed(t *testing.T) {
	ctx := context.Background()
	f := allowFixture(t)
	ev := f.comment("mallory", "/ospo allow pkg:npm/evil@1.0.0 trust me\n/ospo allow evil@1.0.0 trust me")
	for range 2 {
		if got, err := f.h.Comment(ctx, f.client, f.inst, ev); err != nil || len(got) != 0 {
			t.Fatalf("rechecks %+v, %v: want none", got, err)
		}
	}
	if as := f.allowed(t); len(as) != 0 {
		t.Fatalf("allowed %+v", as)
	}
	if got := f.actions(t); !slices.Equal(got, []string{"mallory refuse allow not an approver"}) {
		t.Fatalf("audit %q", got)
	}
	cs := f.gh.Comments("acme", "widget", f.pr.Number)
	if len(cs) != 2 || !strings.Contains(cs[1].Body, "only ") || !strings.Contains(cs[1].Body, "nothing changed") ||
		!strings.Contains(cs[1].Body, "`evil@1.0.0` is not a package URL: a package URL begins with pkg:<type>/ (e.g. pkg:npm/left-pad@1.3.0") {
		t.Fatalf("comments %+v", cs)
	}
}

// Deleting the comment withdraws its allowances, audited with who
// deleted it, and re-checks; a redelivery changes nothing more but
// re-checks all the same.
func TestAllowDeleted(t *testing.T) {
	ctx := context.Background()
	f := allowFixture(t)
	ev := f.comment("lead", "/ospo allow pkg:npm/left-pad vetted\n/ospo allow pkg:npm/@acme/* ours")
	if _, err := f.h.Comment(ctx, f.client, f.inst, ev); err != nil {
		t.Fatal(err)
	}
	if len(f.allowed(t)) != 2 {
		t.Fatalf("allowed %+v", f.allowed(t))
	}
	del := *ev
	del.Action = github.String("deleted")
	del.Sender = &github.User{Login: github.String("mallory")}
	for range 2 {
		got, err := f.h.Delete(ctx, f.inst, &del)
		if want := []Recheck{onIt(f.pr)}; err != nil || !slices.Equal(got, want) {
			t.Fatalf("rechecks %+v, %v", got, err)
		}
	}
	if as := f.allowed(t); len(as) != 0 {
		t.Fatalf("left %+v", as)
	}
	got := f.actions(t)
	want := []string{"lead allow package pkg:npm/left-pad: vetted", "lead allow package pkg:npm/@acme/*: ours",
		"mallory withdraw allow package @lead's comment allowing pkg:npm/@acme/* was deleted", "mallory withdraw allow package @lead's comment allowing pkg:npm/left-pad was deleted"}
	if !slices.Equal(got, want) {
		t.Fatalf("audit %q,\nwant %q", got, want)
	}
}

// An edit acts as its editor: a removed line withdraws its allowance
// (whoever edits), an added one allows as the editor if they may decide;
// a kept line keeps its allowance as it was; each edit applies once.
func TestAllowEdited(t *testing.T) {
	ctx := context.Background()
	f := allowFixture(t)
	ev := f.comment("lead", "/ospo allow pkg:npm/left-pad vetted\n/ospo allow pkg:npm/kept ok")
	if _, err := f.h.Comment(ctx, f.client, f.inst, ev); err != nil {
		t.Fatal(err)
	}
	// mallory, with write access, removes one line and adds another: the
	// removal withdraws, the addition is refused.
	if err := f.gh.SetCollaborator("acme", "widget", "mallory", "write"); err != nil {
		t.Fatal(err)
	}
	ed := f.edited(t, ev, "mallory", "/ospo allow pkg:npm/kept ok\n/ospo allow pkg:npm/evil sure")
	for range 2 {
		got, err := f.h.Edit(ctx, f.client, f.inst, ed)
		if want := []Recheck{onIt(f.pr)}; err != nil || !slices.Equal(got, want) {
			t.Fatalf("rechecks %+v, %v", got, err)
		}
	}
	as := f.allowed(t)
	if len(as) != 1 || as[0].Package != "pkg:npm/kept" || as[0].Login != "lead" {
		t.Fatalf("after mallory's edit: %+v", as)
	}
	// lead edits the reason of the kept line: it is now lead's as the
	// editor, with the new reason.
	ed2 := f.edited(t, ed, "lead", "/ospo allow pkg:npm/kept reviewed again\n/ospo allow pkg:npm/evil sure")
	if _, err := f.h.Edit(ctx, f.client, f.inst, ed2); err != nil {
		t.Fatal(err)
	}
	as = f.allowed(t)
	if len(as) != 1 || as[0].Package != "pkg:npm/kept" || as[0].Reason != "reviewed again" {
		t.Fatalf("after lead's edit: %+v", as)
	}
	got := f.actions(t)
	want := []string{"lead allow package pkg:npm/left-pad: vetted", "lead allow package pkg:npm/kept: ok",
		"mallory withdraw allow package @mallory removed @lead's allowance of pkg:npm/left-pad from the comment", "mallory refuse allow not an approver",
		"lead withdraw allow package @lead removed @lead's allowance of pkg:npm/kept from the comment", "lead allow package pkg:npm/kept: reviewed again"}
	if !slices.Equal(got, want) {
		t.Fatalf("audit %q,\nwant %q", got, want)
	}
}
