package githubfake

import (
	"context"
	"testing"

	"github.com/google/go-github/v66/github"
)

func TestIssuesDisabledAnswer410(t *testing.T) {
	w := newWorld(t, Options{})
	ctx := context.Background()
	gh := w.client(t)
	if _, err := w.f.CreateBranch("acme", "widgets", "feature", "main"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.f.Push("acme", "widgets", "feature", NewCommit{Message: "x", Files: map[string]string{"x": "x"}}); err != nil {
		t.Fatal(err)
	}
	pr, err := w.f.AddPullRequest("acme", "widgets", PullRequest{Title: "PR", User: "alice", Head: "feature"})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.f.SetIssuesEnabled("acme", "widgets", false); err != nil {
		t.Fatal(err)
	}
	if r, _, err := gh.Repositories.Get(ctx, "acme", "widgets"); err != nil || r.GetHasIssues() {
		t.Errorf("repository has_issues %v (%v), want false", r.GetHasIssues(), err)
	}
	_, _, err = gh.Issues.Create(ctx, "acme", "widgets", &github.IssueRequest{Title: github.String("x")})
	if !isStatus(err, 410) {
		t.Fatalf("create an issue where issues are disabled: %v, want 410", err)
	}
	if e, ok := err.(*github.ErrorResponse); !ok || e.Message != "Issues are disabled for this repo" {
		t.Errorf("error %v", err)
	}
	if _, _, err := gh.Issues.CreateComment(ctx, "acme", "widgets", w.issue.Number, &github.IssueComment{Body: github.String("x")}); !isStatus(err, 410) {
		t.Errorf("comment on an issue: %v, want 410", err)
	}
	if _, _, err := gh.Issues.Get(ctx, "acme", "widgets", w.issue.Number); !isStatus(err, 410) {
		t.Errorf("read an issue: %v, want 410", err)
	}
	// Pull requests keep their conversation.
	if _, _, err := gh.Issues.CreateComment(ctx, "acme", "widgets", pr.Number, &github.IssueComment{Body: github.String("x")}); err != nil {
		t.Errorf("comment on a pull request: %v", err)
	}
	if err := w.f.SetIssuesEnabled("acme", "widgets", true); err != nil {
		t.Fatal(err)
	}
	if _, _, err := gh.Issues.Create(ctx, "acme", "widgets", &github.IssueRequest{Title: github.String("x")}); err != nil {
		t.Errorf("create an issue once enabled again: %v", err)
	}
	w.f.CheckNoViolations(t)
}
