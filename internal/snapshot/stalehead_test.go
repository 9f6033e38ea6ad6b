package snapshot

import (
	"context"
	"testing"

	"github.com/ospo-bot/ospo-bot/internal/githubfake"
	"github.com/ospo-bot/ospo-bot/internal/policy"
)

// TestPullRequestAtAMovedHead: the pull request's commits endpoint
// answers for its head now, not the head the webhook named. When a force
// push replaced that head before the job ran, what it lists is another
// head's: the snapshot is marked incomplete, so that no result is
// reported (and recorded for merge groups) on a head whose commits were
// never read. Compare, which reads the commits and files of the named
// head by its SHA (when a rule needs both), reads that head's own: the
// snapshot is complete, and it is the named head's.
var dcoOn = policy.PullRequestRules{DCO: policy.DCORule{Mode: policy.Enforce}}

func TestPullRequestAtAMovedHead(t *testing.T) {
	gh, client := widgetApp(t)
	ctx := context.Background()
	if _, err := gh.CreateBranch("acme", "widget", "feat", "main"); err != nil {
		t.Fatal(err)
	}
	mallory := githubfake.Signature{Name: "Mallory", Email: "mallory@example.org"}
	if _, err := gh.Push("acme", "widget", "feat", githubfake.NewCommit{Message: "Relicense", Author: mallory, Files: map[string]string{"LICENSE": "mine"}}); err != nil {
		t.Fatal(err)
	}
	pr, err := gh.AddPullRequest("acme", "widget", githubfake.PullRequest{Title: "feat", User: "mallory", Head: "feat"})
	if err != nil {
		t.Fatal(err)
	}
	asSent, _, err := client.PullRequests.Get(ctx, "acme", "widget", pr.Number) // as the webhook named it
	if err != nil {
		t.Fatal(err)
	}
	if _, err := gh.ForcePush("acme", "widget", "feat", "main", githubfake.NewCommit{Message: "Docs", Author: mallory, Files: map[string]string{"README.md": "# widget\ndocs\n"}}); err != nil {
		t.Fatal(err)
	}
	snap, err := PullRequest(ctx, client, asSent, dcoOn)
	if err != nil {
		t.Fatal(err)
	}
	if snap.CommitsComplete {
		t.Fatalf("the commits (%d, complete %v) of another head are taken for %s's",
			len(snap.Commits), snap.CommitsComplete, asSent.GetHead().GetSHA())
	}
	snap, err = PullRequest(ctx, client, asSent, protectedPathsOn)
	if err != nil {
		t.Fatal(err)
	}
	if !snap.CommitsComplete || !snap.FilesComplete || len(snap.Commits) != 1 || snap.Commits[0].SHA != asSent.GetHead().GetSHA() ||
		len(snap.Files) != 1 || snap.Files[0] != "LICENSE" {
		t.Fatalf("compared, the named head %s: commits %+v (complete %v), files %q (complete %v); want its own, complete",
			asSent.GetHead().GetSHA(), snap.Commits, snap.CommitsComplete, snap.Files, snap.FilesComplete)
	}

	// Read at the head it has now, the pull request is complete.
	now, _, err := client.PullRequests.Get(ctx, "acme", "widget", pr.Number)
	if err != nil {
		t.Fatal(err)
	}
	if snap, err = PullRequest(ctx, client, now, protectedPathsOn); err != nil || !snap.CommitsComplete || !snap.FilesComplete || snap.Files[0] != "README.md" {
		t.Fatalf("at the current head: %+v, %v", snap, err)
	}
	if snap, err = PullRequest(ctx, client, now, dcoOn); err != nil || !snap.CommitsComplete {
		t.Fatalf("at the current head: %+v, %v", snap, err)
	}
}
