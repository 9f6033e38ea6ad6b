package snapshot

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-github/v66/github"

	"github.com/ospo-bot/ospo-bot/internal/githubfake"
	"github.com/ospo-bot/ospo-bot/internal/githubfake/fakeapp"
)

// TestHeadAt: the head of a branch at a moment, from GitHub's log of its
// pushes: the newest change strictly before the moment, to the second (a
// push in the same second counts as after), through force pushes and
// past a page; unknown before the log begins or for a repository the app
// cannot read.
func TestHeadAt(t *testing.T) {
	gh, client := widgetApp(t)
	ctx := context.Background()
	var skew time.Duration
	advance := func() time.Time { // the fake's clock, moved on two seconds
		skew += 2 * time.Second
		gh.Advance(2 * time.Second)
		return time.Now().Add(skew)
	}
	push := func(msg string) string {
		t.Helper()
		c, err := gh.Push("acme", "widget", "topic", githubfake.NewCommit{Message: msg, Files: map[string]string{"a.txt": msg}})
		if err != nil {
			t.Fatal(err)
		}
		return c[0].SHA
	}
	beforeAll := time.Now().Add(-time.Hour)
	first := push("first")
	afterFirst := advance().Add(-time.Second) // a second after the push, at least
	second := push("second")
	advance()
	forced, err := gh.ForcePush("acme", "widget", "topic", "main", githubfake.NewCommit{Message: "redo", Files: map[string]string{"b.txt": "b"}})
	if err != nil {
		t.Fatal(err)
	}
	afterForce := advance().Add(-time.Second)
	for i := range 150 { // more than a page of later pushes
		push(fmt.Sprint(i))
	}
	pushedAt := func(sha string) time.Time { // the push's time as GitHub logged it
		t.Helper()
		req, _ := client.NewRequest("GET", "repos/acme/widget/activity?ref=topic&per_page=100&direction=asc", nil)
		var log []branchChange
		if _, err := client.Do(ctx, req, &log); err != nil {
			t.Fatal(err)
		}
		for _, c := range log {
			if c.After == sha {
				return c.Timestamp
			}
		}
		t.Fatalf("no push of %s logged", sha)
		return time.Time{}
	}

	for _, tt := range []struct {
		name string
		at   time.Time
		want string
	}{
		{"before the log begins", beforeAll, ""},
		{"after the first push", afterFirst, first},
		{"in the second the second push was logged", pushedAt(second), first},
		{"a second after the second push", pushedAt(second).Add(time.Second), second},
		{"after the force push, 150 pushes back", afterForce, forced[0].SHA},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sha, ok, err := HeadAt(ctx, client, "acme", "widget", "topic", tt.at)
			if err != nil || ok != (tt.want != "") || sha != tt.want {
				t.Errorf("HeadAt = %q, %v, %v; want %q", sha, ok, err, tt.want)
			}
		})
	}
	if sha, ok, err := HeadAt(ctx, client, "someone", "fork", "topic", time.Now()); ok || err != nil {
		t.Errorf("a repository the app cannot read: %q, %v, %v; want unknown, no error", sha, ok, err)
	}
}

// widgetApp is the fake GitHub with acme/widget and the app installed on
// acme, and the installation's client.
func widgetApp(t *testing.T) (*githubfake.Fake, *github.Client) {
	t.Helper()
	app := fakeapp.New(t)
	gh := app.GitHub
	if _, err := gh.AddRepo(githubfake.Repo{Owner: "acme", Name: "widget", Files: map[string]string{"README.md": "# widget\n"}}); err != nil {
		t.Fatal(err)
	}
	in, err := gh.AddInstallation(githubfake.Installation{Account: "acme"})
	if err != nil {
		t.Fatal(err)
	}
	client := app.Installation(t, in.ID)
	return gh, client
}
