package githubfake

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/google/go-github/v66/github"
)

// TestPullRequestFromAFork: the head is the contributor's fork, its commits
// and files read through the base repository, and the check webhooks of
// its head commit carry no pull request, as GitHub sends them.
func TestPullRequestFromAFork(t *testing.T) {
	w := newWorld(t, Options{})
	ctx := context.Background()
	gh := w.client(t)
	fork, err := w.f.AddFork("acme", "widgets", "carol")
	if err != nil {
		t.Fatal(err)
	}
	if !fork.Fork || fork.FullName() != "carol/widgets" {
		t.Fatalf("fork %+v", fork)
	}
	pushed, err := w.f.Push("carol", "widgets", "fix", NewCommit{Message: "Fix", Author: Signature{Name: "Carol", Email: "carol@example.org"},
		Files: map[string]string{"fix.txt": "fixed\n"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.f.AddPullRequest("acme", "widgets", PullRequest{Title: "Fix", User: "carol", Head: "fix"}); err == nil {
		t.Fatal("a head branch that only the fork has was accepted without its owner")
	}
	pr, err := w.f.AddPullRequest("acme", "widgets", PullRequest{Title: "Fix", User: "carol", Head: "carol:fix"})
	if err != nil {
		t.Fatal(err)
	}
	if pr.HeadSHA != pushed[0].SHA || pr.HeadRepo != "carol/widgets" {
		t.Fatalf("pull request %+v", pr)
	}

	got, _, err := gh.PullRequests.Get(ctx, "acme", "widgets", pr.Number)
	if err != nil {
		t.Fatal(err)
	}
	if got.GetHead().GetRepo().GetFullName() != "carol/widgets" || got.GetHead().GetLabel() != "carol:fix" ||
		got.GetHead().GetSHA() != pushed[0].SHA || got.GetBase().GetRepo().GetFullName() != "acme/widgets" || !got.GetHead().GetRepo().GetFork() {
		t.Fatalf("head %+v base %+v", got.GetHead(), got.GetBase())
	}
	commits, _, err := gh.PullRequests.ListCommits(ctx, "acme", "widgets", pr.Number, nil)
	if err != nil || len(commits) != 1 || commits[0].GetSHA() != pushed[0].SHA {
		t.Fatalf("commits %v, %v", commits, err)
	}
	files, _, err := gh.PullRequests.ListFiles(ctx, "acme", "widgets", pr.Number, nil)
	if err != nil || len(files) != 1 || files[0].GetFilename() != "fix.txt" {
		t.Fatalf("files %v, %v", files, err)
	}
	// The fork's commit reads through the base repository, as on GitHub.
	if _, _, err := gh.Repositories.GetCommit(ctx, "acme", "widgets", pushed[0].SHA, nil); err != nil {
		t.Fatalf("the fork's commit through the parent: %v", err)
	}
	open, _, err := gh.PullRequests.List(ctx, "acme", "widgets", &github.PullRequestListOptions{Head: "carol:fix"})
	if err != nil || len(open) != 1 {
		t.Fatalf("listed by head carol:fix: %v, %v", open, err)
	}
	if same, _, _ := gh.PullRequests.List(ctx, "acme", "widgets", &github.PullRequestListOptions{Head: "acme:fix"}); len(same) != 0 {
		t.Fatalf("listed by head acme:fix: %v", same)
	}

	var suite github.CheckSuiteEvent
	body, err := w.f.CheckSuiteEvent(w.inst.ID, "acme", "widgets", pushed[0].SHA, "requested")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(body, &suite); err != nil {
		t.Fatal(err)
	}
	if suite.GetCheckSuite().HeadBranch != nil || suite.GetCheckSuite().PullRequests == nil || len(suite.GetCheckSuite().PullRequests) != 0 {
		t.Fatalf("check suite of a fork's head: %s", body)
	}

	// A branch of the base repository is listed.
	if _, err := w.f.Push("acme", "widgets", "inside", NewCommit{Message: "Inside", Author: Signature{Name: "A", Email: "a@example.org"}}); err != nil {
		t.Fatal(err)
	}
	inside, err := w.f.AddPullRequest("acme", "widgets", PullRequest{Title: "Inside", Head: "inside"})
	if err != nil {
		t.Fatal(err)
	}
	body, err = w.f.CheckSuiteEvent(w.inst.ID, "acme", "widgets", inside.HeadSHA, "rerequested")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(body, &suite); err != nil {
		t.Fatal(err)
	}
	if suite.GetCheckSuite().GetHeadBranch() != "inside" || len(suite.GetCheckSuite().PullRequests) != 1 ||
		suite.GetCheckSuite().PullRequests[0].GetNumber() != inside.Number {
		t.Fatalf("check suite of a branch: %s", body)
	}
	w.f.CheckNoViolations(t)
}

// TestForkRepositoryNamesItsParent: GET /repos of a fork has fork: true,
// parent and source.
func TestForkRepositoryNamesItsParent(t *testing.T) {
	w := newWorld(t, Options{})
	if _, err := w.f.AddFork("acme", "widgets", "carol"); err != nil {
		t.Fatal(err)
	}
	got, _, err := w.client(t).Repositories.Get(context.Background(), "carol", "widgets")
	if err != nil {
		t.Fatal(err)
	}
	if !got.GetFork() || got.GetParent().GetFullName() != "acme/widgets" || got.GetSource().GetFullName() != "acme/widgets" {
		t.Fatalf("fork %+v", got)
	}
	w.f.CheckNoViolations(t)
}
