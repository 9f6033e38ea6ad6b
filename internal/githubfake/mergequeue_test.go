package githubfake

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
)

// TestMergeGroup: a merged group is merge commits by GitHub whose second
// parent is each pull request's head; a squashed one is one commit per
// pull request, crediting its other authors; the webhook names the group
// as GitHub's does.
func TestMergeGroup(t *testing.T) {
	w := newWorld(t, Options{})
	ctx := context.Background()
	gh := w.client(t)
	if _, err := w.f.AddUser(User{Login: "alice", Emails: []string{"alice@example.org"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.f.Push("acme", "widgets", "one", NewCommit{Message: "One", Author: Signature{Name: "Alice", Email: "alice@example.org"}, Files: map[string]string{"one.txt": "1"}},
		NewCommit{Message: "Help", Author: Signature{Name: "Bob", Email: "bob@example.org"}, Files: map[string]string{"help.txt": "h"}}); err != nil {
		t.Fatal(err)
	}
	pr, err := w.f.AddPullRequest("acme", "widgets", PullRequest{Title: "One", User: "alice", Head: "one"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.f.AddMergeGroup("acme", "widgets", []int{pr.Number}, "rebase"); err == nil {
		t.Fatal("an unknown merge method was accepted")
	}

	merged, err := w.f.AddMergeGroup("acme", "widgets", []int{pr.Number}, "merge")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(merged.HeadRef, "refs/heads/gh-readonly-queue/main/pr-") || merged.BaseRef != "refs/heads/main" {
		t.Fatalf("group %+v", merged)
	}
	cmp, _, err := gh.Repositories.CompareCommits(ctx, "acme", "widgets", merged.BaseSHA, merged.HeadSHA, nil)
	if err != nil {
		t.Fatal(err)
	}
	last := cmp.Commits[len(cmp.Commits)-1]
	if cmp.GetTotalCommits() != 3 || last.GetSHA() != merged.HeadSHA || len(last.Parents) != 2 || last.Parents[1].GetSHA() != pr.HeadSHA ||
		last.GetCommitter().GetLogin() != "web-flow" {
		t.Fatalf("merged group: %d commits, last %+v", cmp.GetTotalCommits(), last)
	}

	squashed, err := w.f.AddMergeGroup("acme", "widgets", []int{pr.Number}, "squash")
	if err != nil {
		t.Fatal(err)
	}
	cmp, _, err = gh.Repositories.CompareCommits(ctx, "acme", "widgets", squashed.BaseSHA, squashed.HeadSHA, nil)
	if err != nil {
		t.Fatal(err)
	}
	msg := cmp.Commits[0].GetCommit().GetMessage()
	if cmp.GetTotalCommits() != 1 || cmp.Commits[0].GetAuthor().GetLogin() != "alice" || !strings.Contains(msg, "Co-authored-by: Bob <bob@example.org>") ||
		strings.Contains(msg, "Co-authored-by: Alice") || len(cmp.Files) != 2 {
		t.Fatalf("squashed group: %d commits, %q, %d files", cmp.GetTotalCommits(), msg, len(cmp.Files))
	}

	body, err := w.f.MergeGroupEvent(w.inst.ID, "acme", "widgets", squashed, "checks_requested", "")
	if err != nil {
		t.Fatal(err)
	}
	var ev struct {
		Action     string `json:"action"`
		MergeGroup struct {
			HeadSHA    string              `json:"head_sha"`
			BaseSHA    string              `json:"base_sha"`
			HeadCommit struct{ ID string } `json:"head_commit"`
		} `json:"merge_group"`
	}
	if err := json.Unmarshal(body, &ev); err != nil {
		t.Fatal(err)
	}
	if ev.Action != "checks_requested" || ev.MergeGroup.HeadSHA != squashed.HeadSHA || ev.MergeGroup.BaseSHA != squashed.BaseSHA || ev.MergeGroup.HeadCommit.ID != squashed.HeadSHA {
		t.Fatalf("webhook %s", body)
	}
	w.f.CheckNoViolations(t)
}
