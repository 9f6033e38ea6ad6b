package githubfake

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-github/v66/github"
)

// TestPullRequestCommitPagination: GitHub lists at most 250 commits of a pull
// request; compare pages through all of them.
func TestPullRequestCommitPagination(t *testing.T) {
	w := newWorld(t, Options{})
	ctx := context.Background()
	gh := w.client(t)
	var commits []NewCommit
	for i := 1; i <= 300; i++ {
		commits = append(commits, NewCommit{
			Message: fmt.Sprintf("commit %d", i),
			Author:  Signature{Name: "Alice", Email: "alice@example.com"},
			Files:   map[string]string{fmt.Sprintf("f%03d.txt", i): "x\n"},
		})
	}
	if _, err := w.f.AddUser(User{Login: "alice", Emails: []string{"alice@example.com"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.f.Push("acme", "widgets", "feature/big", commits...); err != nil {
		t.Fatal(err)
	}
	pr, err := w.f.AddPullRequest("acme", "widgets", PullRequest{Title: "Big", User: "alice", Head: "feature/big"})
	if err != nil {
		t.Fatal(err)
	}
	if pr.Number != w.issue.Number+1 {
		t.Errorf("pull request number %d, want %d (shared with issues)", pr.Number, w.issue.Number+1)
	}

	var all []*github.RepositoryCommit
	opts := &github.ListOptions{PerPage: 100}
	pages := 0
	for {
		page, resp, err := gh.PullRequests.ListCommits(ctx, "acme", "widgets", pr.Number, opts)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		all = append(all, page...)
		if resp.NextPage == 0 {
			if resp.LastPage != 0 {
				t.Errorf("last page has a last link")
			}
			break
		}
		opts.Page = resp.NextPage
	}
	if len(all) != 250 || pages != 3 {
		t.Fatalf("listed %d commits in %d pages, want 250 in 3", len(all), pages)
	}
	if all[0].GetCommit().GetMessage() != "commit 1" || all[249].GetCommit().GetMessage() != "commit 250" ||
		all[0].GetAuthor().GetLogin() != "alice" {
		t.Errorf("first %q by %q, last %q", all[0].GetCommit().GetMessage(), all[0].GetAuthor().GetLogin(), all[249].GetCommit().GetMessage())
	}

	// Compare is complete when paginated.
	var compared []*github.RepositoryCommit
	copts := &github.ListOptions{PerPage: 100}
	for {
		cmp, resp, err := gh.Repositories.CompareCommits(ctx, "acme", "widgets", "main", "feature/big", copts)
		if err != nil {
			t.Fatal(err)
		}
		if cmp.GetTotalCommits() != 300 || cmp.GetStatus() != "ahead" || cmp.GetAheadBy() != 300 {
			t.Fatalf("compare: total %d status %s", cmp.GetTotalCommits(), cmp.GetStatus())
		}
		compared = append(compared, cmp.Commits...)
		if resp.NextPage == 0 {
			break
		}
		copts.Page = resp.NextPage
	}
	if len(compared) != 300 || compared[299].GetCommit().GetMessage() != "commit 300" {
		t.Fatalf("compare listed %d commits", len(compared))
	}
	// Without pagination, compare returns the first 250 and every file.
	cmp, _, err := gh.Repositories.CompareCommits(ctx, "acme", "widgets", "main", "feature/big", nil)
	if err != nil || len(cmp.Commits) != 250 || len(cmp.Files) != 300 {
		t.Fatalf("unpaginated compare: %d commits, %d files, %v", len(cmp.Commits), len(cmp.Files), err)
	}

	got, _, err := gh.PullRequests.Get(ctx, "acme", "widgets", pr.Number)
	if err != nil || got.GetCommits() != 300 || got.GetChangedFiles() != 300 || got.GetHead().GetSHA() != pr.HeadSHA || got.GetBase().GetRef() != "main" {
		t.Fatalf("pull request: %+v %v", got, err)
	}
	files, _, err := gh.PullRequests.ListFiles(ctx, "acme", "widgets", pr.Number, &github.ListOptions{PerPage: 50})
	if err != nil || len(files) != 50 || files[0].GetFilename() != "f001.txt" || files[0].GetStatus() != "added" {
		t.Fatalf("files: %d %v", len(files), err)
	}
	w.f.CheckNoViolations(t)
}

func TestPullsAndIssuesLists(t *testing.T) {
	w := newWorld(t, Options{})
	ctx := context.Background()
	gh := w.client(t)
	if _, err := w.f.Push("acme", "widgets", "fix", NewCommit{Message: "Fix", Files: map[string]string{"README.md": "# Widgets\nfixed\n"}, Delete: []string{"docs/guide.md"}}); err != nil {
		t.Fatal(err)
	}
	pr, err := w.f.AddPullRequest("acme", "widgets", PullRequest{Title: "Fix", User: "bob", Head: "fix", Labels: []string{"kind/bug"}, Draft: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.f.AddReview("acme", "widgets", pr.Number, Review{User: "carol", State: "APPROVED"}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.f.AddIssue("acme", "widgets", Issue{Title: "Old", User: "bob", State: "closed"}); err != nil {
		t.Fatal(err)
	}

	issues, _, err := gh.Issues.ListByRepo(ctx, "acme", "widgets", nil)
	if err != nil || len(issues) != 2 {
		t.Fatalf("open issues: %d %v", len(issues), err)
	}
	if !issues[0].IsPullRequest() || issues[1].IsPullRequest() {
		t.Errorf("newest first, the pull request with its pull_request key: %v %v", issues[0].IsPullRequest(), issues[1].IsPullRequest())
	}
	for _, tt := range []struct {
		opts *github.IssueListByRepoOptions
		want int
	}{
		{&github.IssueListByRepoOptions{State: "all"}, 3},
		{&github.IssueListByRepoOptions{State: "closed"}, 1},
		{&github.IssueListByRepoOptions{Labels: []string{"kind/bug"}}, 1},
		{&github.IssueListByRepoOptions{Labels: []string{"kind/bug", "other"}}, 0},
		{&github.IssueListByRepoOptions{Creator: "alice"}, 1},
		{&github.IssueListByRepoOptions{State: "all", Creator: "bob"}, 2},
	} {
		got, _, err := gh.Issues.ListByRepo(ctx, "acme", "widgets", tt.opts)
		if err != nil || len(got) != tt.want {
			t.Errorf("%+v: %d issues, want %d (%v)", tt.opts, len(got), tt.want, err)
		}
	}

	pulls, _, err := gh.PullRequests.List(ctx, "acme", "widgets", &github.PullRequestListOptions{State: "open"})
	if err != nil || len(pulls) != 1 || !pulls[0].GetDraft() || pulls[0].GetUser().GetLogin() != "bob" {
		t.Fatalf("pulls: %v %v", pulls, err)
	}
	if closed, _, _ := gh.PullRequests.List(ctx, "acme", "widgets", &github.PullRequestListOptions{State: "closed"}); len(closed) != 0 {
		t.Errorf("%d closed pulls", len(closed))
	}
	files, _, err := gh.PullRequests.ListFiles(ctx, "acme", "widgets", pr.Number, nil)
	if err != nil || len(files) != 2 || files[0].GetFilename() != "README.md" || files[0].GetStatus() != "modified" ||
		files[0].GetAdditions() != 1 || files[1].GetStatus() != "removed" {
		t.Fatalf("files: %+v %v", files, err)
	}
	reviews, _, err := gh.PullRequests.ListReviews(ctx, "acme", "widgets", pr.Number, nil)
	if err != nil || len(reviews) != 1 || reviews[0].GetState() != "APPROVED" {
		t.Fatalf("reviews: %v %v", reviews, err)
	}

	// Writes through the issue endpoints work on pull requests too.
	is, _, err := gh.Issues.Create(ctx, "acme", "widgets", &github.IssueRequest{Title: github.String("OSPO review: acme/widgets"), Labels: &[]string{"ospo-review"}})
	if err != nil || is.GetUser().GetLogin() != "ospo-bot[bot]" || len(is.Labels) != 1 {
		t.Fatalf("create issue: %+v %v", is, err)
	}
	is, _, err = gh.Issues.Edit(ctx, "acme", "widgets", is.GetNumber(), &github.IssueRequest{State: github.String("closed"), StateReason: github.String("not_planned")})
	if err != nil || is.GetState() != "closed" || is.GetStateReason() != "not_planned" || is.ClosedAt == nil {
		t.Fatalf("close issue: %+v %v", is, err)
	}
	stored := w.f.Issues("acme", "widgets")
	if len(stored) != 3 || !strings.HasPrefix(stored[2].Title, "OSPO review") || stored[2].State != "closed" {
		t.Errorf("stored issues %+v", stored)
	}
	w.f.CheckNoViolations(t)
}
