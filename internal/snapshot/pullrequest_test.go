package snapshot

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/ospo-bot/ospo-bot/internal/githubfake"
	"github.com/ospo-bot/ospo-bot/internal/githubfake/fakeapp"
	"github.com/ospo-bot/ospo-bot/internal/policy"
	"github.com/ospo-bot/ospo-bot/internal/rules"
)

// TestPullRequestFiles: a rename is one change whose two paths are both
// read; a list GitHub cut at 3,000 files is marked incomplete even when
// renames make the paths outnumber GitHub's count.
func TestPullRequestFiles(t *testing.T) {
	app := fakeapp.New(t)
	gh := app.GitHub
	if _, err := gh.AddRepo(githubfake.Repo{Owner: "acme", Name: "widget", Files: map[string]string{
		"LICENSE": "MIT License\n", "README.md": "# widget\n", "A/old.txt": "old\ncontent\n",
	}}); err != nil {
		t.Fatal(err)
	}
	in, err := gh.AddInstallation(githubfake.Installation{Account: "acme"})
	if err != nil {
		t.Fatal(err)
	}
	client := app.Installation(t, in.ID)
	ctx := context.Background()
	open := func(branch string, commits ...githubfake.NewCommit) int {
		t.Helper()
		if _, err := gh.Push("acme", "widget", branch, commits...); err != nil {
			t.Fatal(err)
		}
		pr, err := gh.AddPullRequest("acme", "widget", githubfake.PullRequest{Title: branch, User: "alice", Head: branch})
		if err != nil {
			t.Fatal(err)
		}
		return pr.Number
	}
	var renamed map[string]string
	read := func(number int) (files []string, read, count int, complete bool) {
		t.Helper()
		pr, _, err := client.PullRequests.Get(ctx, "acme", "widget", number)
		if err != nil {
			t.Fatal(err)
		}
		snap, err := PullRequest(ctx, client, pr, protectedPathsOn)
		if err != nil {
			t.Fatal(err)
		}
		renamed = snap.Renamed
		return snap.Files, snap.FilesRead, snap.FileCount, snap.FilesComplete
	}

	small := open("rename", githubfake.NewCommit{Message: "Rename the license", Rename: map[string]string{"LICENSE": "LICENSE.txt"},
		Files: map[string]string{"README.md": "# widget\nmore\n"}})
	files, n, count, complete := read(small)
	if !slices.Contains(files, "LICENSE") || !slices.Contains(files, "LICENSE.txt") || len(files) != 3 {
		t.Errorf("files %q: want both paths of the rename and README.md", files)
	}
	if len(renamed) != 1 || renamed["LICENSE.txt"] != "LICENSE" {
		t.Errorf("renamed %v", renamed)
	}
	if n != 2 || count != 2 || !complete {
		t.Errorf("read %d of %d changes, complete %v: want 2 of 2, complete", n, count, complete)
	}

	many := map[string]string{"LICENSE": "Apache License\n"}
	for i := range 2999 {
		many[fmt.Sprintf("B/f%04d.txt", i)] = fmt.Sprintf("%d\n", i)
	}
	big := open("big", githubfake.NewCommit{Message: "Many", Rename: map[string]string{"A/old.txt": "A/new.txt"}, Files: many})
	files, n, count, complete = read(big)
	if n != 3000 || count != 3001 || complete {
		t.Errorf("read %d of %d changes, complete %v: want 3000 of 3001, incomplete", n, count, complete)
	}
	if !slices.Contains(files, "A/old.txt") || slices.Contains(files, "LICENSE") {
		t.Errorf("files: the rename's old path read, LICENSE past GitHub's 3,000: %v %v",
			slices.Contains(files, "A/old.txt"), slices.Contains(files, "LICENSE"))
	}
}

// protectedPathsOn turns on the rule that reads the changed files (and the
// commits, to know they are the head's).
var protectedPathsOn = policy.PullRequestRules{ProtectedPaths: policy.ProtectedPathsRule{Mode: policy.Enforce}}

// TestCompareServesOnlyThePullRequest: the commits and files of a pull
// request are read in one compare of its base and head when that lists
// exactly the pull request's; when the base commit the event names is
// older than the one GitHub compares the pull request with (the head
// merged the base branch since), compare lists the base branch's commits
// too, and the pull request's own endpoints answer instead.
func TestCompareServesOnlyThePullRequest(t *testing.T) {
	gh, client := widgetApp(t)
	ctx := context.Background()
	if _, err := gh.CreateBranch("acme", "widget", "feat", "main"); err != nil {
		t.Fatal(err)
	}
	alice := githubfake.Signature{Name: "Alice", Email: "alice@example.org"}
	if _, err := gh.Push("acme", "widget", "feat", githubfake.NewCommit{Message: "Feature", Author: alice, Files: map[string]string{"f.go": "package f"}}); err != nil {
		t.Fatal(err)
	}
	n, err := gh.AddPullRequest("acme", "widget", githubfake.PullRequest{Title: "feat", User: "alice", Head: "feat"})
	if err != nil {
		t.Fatal(err)
	}
	stale, _, err := client.PullRequests.Get(ctx, "acme", "widget", n.Number)
	if err != nil {
		t.Fatal(err)
	}
	routes := func() (out []string) {
		for _, r := range gh.Requests() {
			if r.Route != "/app/installations/{installation_id}/access_tokens" {
				out = append(out, r.Route)
			}
		}
		return out
	}
	gh.Reset()
	snap, err := PullRequest(ctx, client, stale, protectedPathsOn)
	if err != nil || !snap.CommitsComplete || !snap.FilesComplete || len(snap.Commits) != 1 {
		t.Fatalf("%+v, %v", snap, err)
	}
	if got := routes(); len(got) != 1 || got[0] != "/repos/{owner}/{repo}/compare/{basehead}" {
		t.Errorf("requests %q: want one compare", got)
	}

	// The base branch moves on, and the head merges it.
	bob := githubfake.Signature{Name: "Bob", Email: "bob@example.org"}
	if _, err := gh.Push("acme", "widget", "main", githubfake.NewCommit{Message: "Elsewhere", Author: bob, Files: map[string]string{"m.go": "package m"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := gh.PushMerge("acme", "widget", "feat", "main", githubfake.NewCommit{Message: "Merge main", Author: alice}); err != nil {
		t.Fatal(err)
	}
	now, _, err := client.PullRequests.Get(ctx, "acme", "widget", n.Number)
	if err != nil {
		t.Fatal(err)
	}
	now.Base.SHA = stale.Base.SHA // as an event named it before the base moved
	gh.Reset()
	if snap, err = PullRequest(ctx, client, now, protectedPathsOn); err != nil {
		t.Fatal(err)
	}
	if !snap.CommitsComplete || len(snap.Commits) != now.GetCommits() ||
		slices.ContainsFunc(snap.Commits, func(c rules.Commit) bool { return c.Message == "Elsewhere" }) {
		t.Fatalf("the base branch's commit is taken for the pull request's: %+v (GitHub counts %d), complete %v",
			snap.Commits, now.GetCommits(), snap.CommitsComplete)
	}
	if got := routes(); len(got) != 3 {
		t.Errorf("requests %q: want compare, then the pull request's commits and files", got)
	}
}
