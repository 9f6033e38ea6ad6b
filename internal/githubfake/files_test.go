package githubfake

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-github/v66/github"
)

// TestRenames: a moved file is one change, "renamed", with its
// previous_filename, in the pull request's files, compare and the commit.
func TestRenames(t *testing.T) {
	w := newWorld(t, Options{})
	ctx := context.Background()
	gh := w.client(t)
	commits, err := w.f.Push("acme", "widgets", "moves",
		NewCommit{Message: "Move the license", Rename: map[string]string{"LICENSE": "LICENSE.txt"}},
		NewCommit{Message: "Move and edit the guide", Delete: []string{"docs/guide.md"},
			Files: map[string]string{"guide/index.md": "guide\nmore\n"}},
		NewCommit{Message: "Replace the readme", Delete: []string{"README.md"}, Files: map[string]string{"README.rst": "Widgets\n=======\n"}},
	)
	if err != nil {
		t.Fatal(err)
	}
	pr, err := w.f.AddPullRequest("acme", "widgets", PullRequest{Title: "Moves", User: "alice", Head: "moves"})
	if err != nil {
		t.Fatal(err)
	}
	type change struct{ name, status, previous string }
	want := []change{
		{"LICENSE.txt", "renamed", "LICENSE"},
		{"README.md", "removed", ""},
		{"README.rst", "added", ""},
		{"guide/index.md", "renamed", "docs/guide.md"},
	}
	check := func(what string, files []*github.CommitFile) {
		t.Helper()
		var got []change
		for _, f := range files {
			got = append(got, change{f.GetFilename(), f.GetStatus(), f.GetPreviousFilename()})
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: %v, want %v", what, got, want)
		}
		for _, f := range files {
			if f.GetFilename() == "LICENSE.txt" && (f.Patch != nil || f.GetChanges() != 0) {
				t.Errorf("%s: a rename without changes has a patch %q or %d changes", what, f.GetPatch(), f.GetChanges())
			}
			if f.GetFilename() == "guide/index.md" && (f.GetAdditions() != 1 || f.GetDeletions() != 0) {
				t.Errorf("%s: the edited rename: +%d -%d", what, f.GetAdditions(), f.GetDeletions())
			}
		}
	}
	files, _, err := gh.PullRequests.ListFiles(ctx, "acme", "widgets", pr.Number, nil)
	if err != nil {
		t.Fatal(err)
	}
	check("pull request files", files)
	cmp, _, err := gh.Repositories.CompareCommits(ctx, "acme", "widgets", "main", "moves", nil)
	if err != nil {
		t.Fatal(err)
	}
	check("compare", cmp.Files)
	got, _, err := gh.PullRequests.Get(ctx, "acme", "widgets", pr.Number)
	if err != nil || got.GetChangedFiles() != 4 {
		t.Errorf("changed_files %d (a rename counts once), %v", got.GetChangedFiles(), err)
	}
	one, _, err := gh.Repositories.GetCommit(ctx, "acme", "widgets", commits[0].SHA, nil)
	if err != nil || len(one.Files) != 1 || one.Files[0].GetStatus() != "renamed" || one.Files[0].GetPreviousFilename() != "LICENSE" {
		t.Errorf("the commit's files: %v %v", one.Files, err)
	}
	w.f.CheckNoViolations(t)
}

// TestFileListLimits: pull request files stop at 3,000 (30 a page by
// default, 100 at most), compare at 300, while changed_files counts all.
func TestFileListLimits(t *testing.T) {
	w := newWorld(t, Options{})
	ctx := context.Background()
	gh := w.client(t)
	files := map[string]string{}
	for i := range 3001 {
		files[fmt.Sprintf("f%04d.txt", i)] = fmt.Sprintf("file %d\n", i)
	}
	if _, err := w.f.Push("acme", "widgets", "huge", NewCommit{Message: "Many files", Files: files}); err != nil {
		t.Fatal(err)
	}
	pr, err := w.f.AddPullRequest("acme", "widgets", PullRequest{Title: "Huge", User: "alice", Head: "huge"})
	if err != nil {
		t.Fatal(err)
	}
	page, resp, err := gh.PullRequests.ListFiles(ctx, "acme", "widgets", pr.Number, nil)
	if err != nil || len(page) != 30 || resp.LastPage != 100 {
		t.Fatalf("default page: %d files, last page %d, %v", len(page), resp.LastPage, err)
	}
	var all []*github.CommitFile
	opts := &github.ListOptions{PerPage: 500}
	for {
		page, resp, err := gh.PullRequests.ListFiles(ctx, "acme", "widgets", pr.Number, opts)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) > 100 {
			t.Fatalf("a page of %d files", len(page))
		}
		all = append(all, page...)
		if resp.NextPage == 0 {
			break
		}
		opts.Page = resp.NextPage
	}
	if len(all) != 3000 || all[2999].GetFilename() != "f2999.txt" {
		t.Fatalf("listed %d files, want 3000", len(all))
	}
	got, _, err := gh.PullRequests.Get(ctx, "acme", "widgets", pr.Number)
	if err != nil || got.GetChangedFiles() != 3001 {
		t.Fatalf("changed_files %d, %v", got.GetChangedFiles(), err)
	}
	cmp, _, err := gh.Repositories.CompareCommits(ctx, "acme", "widgets", "main", "huge", &github.ListOptions{PerPage: 100})
	if err != nil || len(cmp.Files) != 300 {
		t.Fatalf("compare: %d files, %v", len(cmp.Files), err)
	}
	w.f.CheckNoViolations(t)
}

// TestActivity: GitHub's log of branch changes, newest first, with the
// time of each push, filtered by ref and paged with cursors.
func TestActivity(t *testing.T) {
	w := newWorld(t, Options{})
	ctx := context.Background()
	gh := w.client(t)
	start := time.Now().UTC().Truncate(time.Second)
	if _, err := w.f.CreateBranch("acme", "widgets", "topic", "main"); err != nil {
		t.Fatal(err)
	}
	var heads []string
	for i := range 3 {
		w.f.Advance(time.Second)
		c, err := w.f.Push("acme", "widgets", "topic", NewCommit{Message: fmt.Sprint(i), Files: map[string]string{"a.txt": fmt.Sprint(i)}})
		if err != nil {
			t.Fatal(err)
		}
		heads = append(heads, c[0].SHA)
	}
	w.f.Advance(time.Second)
	forced, err := w.f.ForcePush("acme", "widgets", "topic", "main", NewCommit{Message: "redo", Files: map[string]string{"b.txt": "b"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.f.Push("acme", "widgets", "other", NewCommit{Message: "elsewhere", Files: map[string]string{"c.txt": "c"}}); err != nil {
		t.Fatal(err)
	}

	type entry struct {
		Before, After, Ref, ActivityType string
		Timestamp                        time.Time
	}
	list := func(query string) ([]entry, *github.Response) {
		t.Helper()
		req, err := gh.NewRequest("GET", "repos/acme/widgets/activity"+query, nil)
		if err != nil {
			t.Fatal(err)
		}
		var out []struct {
			Before       string    `json:"before"`
			After        string    `json:"after"`
			Ref          string    `json:"ref"`
			ActivityType string    `json:"activity_type"`
			Timestamp    time.Time `json:"timestamp"`
		}
		resp, err := gh.Do(ctx, req, &out)
		if err != nil {
			t.Fatal(err)
		}
		var got []entry
		for _, o := range out {
			got = append(got, entry{o.Before, o.After, o.Ref, o.ActivityType, o.Timestamp})
		}
		return got, resp
	}
	all, _ := list("?ref=topic")
	if len(all) != 5 {
		t.Fatalf("%d entries for topic, want 5: %+v", len(all), all)
	}
	if all[0].ActivityType != "force_push" || all[0].Before != heads[2] || all[0].After != forced[0].SHA ||
		all[0].Ref != "refs/heads/topic" {
		t.Errorf("newest: %+v", all[0])
	}
	if all[3].ActivityType != "push" || all[3].After != heads[0] || all[3].Before != all[4].After {
		t.Errorf("first push: %+v", all[3])
	}
	if all[4].ActivityType != "branch_creation" || all[4].Before != zeroSHA || all[4].Timestamp.Before(start) {
		t.Errorf("creation: %+v", all[4])
	}
	for i := range 4 { // a second apart, to the second
		if !all[i].Timestamp.After(all[i+1].Timestamp) || all[i].Timestamp.Nanosecond() != 0 {
			t.Errorf("timestamps %v then %v", all[i+1].Timestamp, all[i].Timestamp)
		}
	}
	var paged []entry
	query := "?ref=refs/heads/topic&per_page=2"
	for {
		page, resp := list(query)
		paged = append(paged, page...)
		if resp.After == "" {
			break
		}
		query = "?ref=refs/heads/topic&per_page=2&after=" + resp.After
	}
	if fmt.Sprint(paged) != fmt.Sprint(all) {
		t.Errorf("paged: %+v", paged)
	}
	if asc, _ := list("?ref=topic&direction=asc&activity_type=push"); len(asc) != 3 || asc[0].After != heads[0] {
		t.Errorf("pushes, oldest first: %+v", asc)
	}
	w.f.CheckNoViolations(t)
}
