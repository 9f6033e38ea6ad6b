package check

import (
	"context"
	"fmt"
	"testing"

	"github.com/ospo-bot/ospo-bot/internal/githubfake"
	"github.com/ospo-bot/ospo-bot/internal/githubfake/fakeapp"
	"github.com/ospo-bot/ospo-bot/internal/policy"
	"github.com/ospo-bot/ospo-bot/internal/rules"
)

// TestTouchedSince: an approval holds while the commits after it leave the
// protected paths alone; it is void when they touch them, when the
// approved commit left the history (a force push: diverged, behind, or a
// commit GitHub does not have), or when the changes since reach the 300
// files compare lists.
func TestTouchedSince(t *testing.T) {
	app := fakeapp.New(t)
	gh := app.GitHub
	if _, err := gh.AddRepo(githubfake.Repo{Owner: "acme", Name: "widget", Files: map[string]string{"README.md": "# widget\n", "LICENSE": "MIT\n"}}); err != nil {
		t.Fatal(err)
	}
	in, err := gh.AddInstallation(githubfake.Installation{Account: "acme"})
	if err != nil {
		t.Fatal(err)
	}
	client := app.Installation(t, in.ID)
	push := func(branch string, nc githubfake.NewCommit) string {
		t.Helper()
		c, err := gh.Push("acme", "widget", branch, nc)
		if err != nil {
			t.Fatal(err)
		}
		return c[0].SHA
	}
	approved := push("topic", githubfake.NewCommit{Message: "relicense", Files: map[string]string{"LICENSE": "Apache\n"}})
	code := push("topic", githubfake.NewCommit{Message: "code", Files: map[string]string{"main.go": "package main\n"}})
	moved := push("moved", githubfake.NewCommit{Message: "relicense", Files: map[string]string{"LICENSE": "Apache\n"}})
	movedOn := push("moved", githubfake.NewCommit{Message: "move", Rename: map[string]string{"LICENSE": "LICENSE.txt"}})
	many := map[string]string{}
	for i := range 300 {
		many[fmt.Sprintf("src/f%03d.go", i)] = "package src\n"
	}
	bigBase := push("big", githubfake.NewCommit{Message: "start", Files: map[string]string{"x.go": "package x\n"}})
	big := push("big", githubfake.NewCommit{Message: "many", Files: many})
	forced, err := gh.ForcePush("acme", "widget", "topic", "main", githubfake.NewCommit{Message: "redo", Files: map[string]string{"main.go": "package main\n"}})
	if err != nil {
		t.Fatal(err)
	}
	patterns := policy.DefaultProtectedPaths()
	for _, tt := range []struct {
		name      string
		sha, head string
		want      bool
	}{
		{"the head itself", code, code, false},
		{"later commits leave the paths alone", approved, code, false},
		{"a later rename of a protected file", moved, movedOn, true},
		{"no commit recorded", "", code, true},
		{"rewritten by a force push", code, forced[0].SHA, true},
		{"the head went back", code, approved, true},
		{"a commit GitHub does not have", "0123456789abcdef0123456789abcdef01234567", code, true},
		{"300 files since: the rest unknown", bigBase, big, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			snap := &rules.PullRequest{Owner: "acme", Name: "widget", HeadSHA: tt.head}
			got, err := touchedSince(context.Background(), client, snap, tt.sha, patterns)
			if err != nil || got != tt.want {
				t.Errorf("touchedSince = %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}
