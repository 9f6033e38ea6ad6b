package chaos

import (
	"context"
	"crypto/sha256"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ospo-bot/ospo-bot/internal/githubfake"
	"github.com/ospo-bot/ospo-bot/internal/githubfake/fakeapp"
)

func TestDiff(t *testing.T) {
	want := Snapshot{"a", "b", "b", "c"}
	if d := Diff(want, Snapshot{"c", "b", "a", "b"}); len(d) != 0 {
		t.Errorf("same lines in another order: %v", d)
	}
	got := Diff(want, Snapshot{"a", "b", "c", "c", "d"})
	if w := []string{"- b", "+ c", "+ d"}; !slices.Equal(got, w) {
		t.Errorf("Diff = %v, want %v", got, w)
	}
}

// Two fakes that went through the same story at different times, with
// different IDs and ports, snapshot equal; a second comment or check run
// for one evaluation, or another conclusion, does not.
func TestTakeNormalises(t *testing.T) {
	type story struct {
		extraComment, extraRun bool
		conclusion             string
		// shifted: other objects were made first (a retried request
		// elsewhere), so every ID is another.
		shifted bool
		// replyToSecond: the bot's reply names the user's second comment,
		// not the first.
		replyToSecond bool
	}
	take := func(t *testing.T, s story) Snapshot {
		f := fakeapp.New(t).GitHub
		f.Advance(time.Duration(len(t.Name())) * time.Hour) // other timestamps
		if _, err := f.AddOrg(githubfake.Org{Login: "acme"}); err != nil {
			t.Fatal(err)
		}
		if s.shifted {
			if _, err := f.AddRepo(githubfake.Repo{Owner: "acme", Name: "other", Files: map[string]string{"README": "x"}}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := f.AddRepo(githubfake.Repo{Owner: "acme", Name: "widget", Files: map[string]string{"README": "x"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.CreateBranch("acme", "widget", "b", "main"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.Push("acme", "widget", "b", githubfake.NewCommit{Message: "change", Files: map[string]string{"a": t.Name()}}); err != nil {
			t.Fatal(err)
		}
		pr, err := f.AddPullRequest("acme", "widget", githubfake.PullRequest{Title: "change", User: "alice", Head: "b"})
		if err != nil {
			t.Fatal(err)
		}
		is, err := f.AddIssue("acme", "widget", githubfake.Issue{Title: "Review", User: "ospo-bot[bot]",
			Body: "checked " + pr.HeadSHA + " at " + time.Now().Format(time.RFC3339) + " see " + f.URL() + "/repos/acme/widget"})
		if err != nil {
			t.Fatal(err)
		}
		n := 1
		if s.extraComment {
			n = 2
		}
		for range n {
			// A review note's marker names the change by a digest that
			// differs between runs (it holds a time).
			note := fmt.Sprintf("done\n\n<!-- ospo-bot:review-note %x -->", sha256.Sum256([]byte(t.Name())))[:len("done\n\n<!-- ospo-bot:review-note ")+16] + " -->"
			if _, err := f.AddComment("acme", "widget", is.Number, githubfake.Comment{User: "ospo-bot[bot]", Body: note}); err != nil {
				t.Fatal(err)
			}
		}
		var asked []githubfake.Comment
		for _, body := range []string{"/ospo approve", "/ospo approve"} {
			c, err := f.AddComment("acme", "widget", is.Number, githubfake.Comment{User: "mallory", Body: body})
			if err != nil {
				t.Fatal(err)
			}
			asked = append(asked, c)
		}
		to := asked[0]
		if s.replyToSecond {
			to = asked[1]
		}
		if _, err := f.AddComment("acme", "widget", is.Number, githubfake.Comment{User: "ospo-bot[bot]",
			Body: fmt.Sprintf("@mallory, no.\n\n<!-- ospo-bot:reply comment=%d -->\nSee %s", to.ID, to.HTMLURL)}); err != nil {
			t.Fatal(err)
		}
		runs := 1
		if s.extraRun {
			runs = 2
		}
		for range runs {
			if _, err := f.AddCheckRun("acme", "widget", githubfake.CheckRun{Name: "ospo/policy", HeadSHA: pr.HeadSHA, Status: "completed",
				Conclusion: s.conclusion, ExternalID: "eval-1", Output: githubfake.CheckRunOutput{Title: "t", Summary: "s"}}); err != nil {
				t.Fatal(err)
			}
		}
		host := strings.TrimPrefix(f.URL(), "http://")
		snap, err := Take(context.Background(), f, nil, Options{Owner: "acme", Repos: []string{"widget"}, Hosts: []string{host}})
		if err != nil {
			t.Fatal(err)
		}
		return snap
	}
	var base Snapshot
	t.Run("base", func(t *testing.T) { base = take(t, story{conclusion: "success"}) })
	t.Run("again, later", func(t *testing.T) {
		if d := Diff(base, take(t, story{conclusion: "success"})); len(d) != 0 {
			t.Errorf("the same story differs:\n%s", strings.Join(d, "\n"))
		}
	})
	t.Run("again, with other IDs", func(t *testing.T) {
		if d := Diff(base, take(t, story{conclusion: "success", shifted: true})); len(d) != 0 {
			t.Errorf("the same story differs:\n%s", strings.Join(d, "\n"))
		}
	})
	for name, s := range map[string]story{
		"two comments":               {extraComment: true, conclusion: "success"},
		"a run twice":                {extraRun: true, conclusion: "success"},
		"another conclusion":         {conclusion: "failure"},
		"a reply to another comment": {conclusion: "success", replyToSecond: true},
	} {
		t.Run(name, func(t *testing.T) {
			if d := Diff(base, take(t, s)); len(d) == 0 {
				t.Errorf("%s: snapshots equal", name)
			}
		})
	}
}
