package review

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ospo-bot/ospo-bot/internal/appbot"
	"github.com/ospo-bot/ospo-bot/internal/githubfake"
	"github.com/ospo-bot/ospo-bot/internal/githubfake/fakeapp"
	"github.com/ospo-bot/ospo-bot/internal/rules"
	"github.com/ospo-bot/ospo-bot/internal/store"
	"github.com/ospo-bot/ospo-bot/internal/store/storetest"
)

// TestManyOpeningsListFewPages: an install that flags 300 repositories
// opens their review issues one after another, a second apart (GitHub
// lets an installation create 80 a minute). Looking for an earlier
// attempt's issue before each opening lists one page of issues each
// time, not every review issue again (which cost 598 pages for these
// 300: issue 12).
func TestManyOpeningsListFewPages(t *testing.T) {
	if testing.Short() {
		t.Skip("300 openings")
	}
	ctx := context.Background()
	app := fakeapp.New(t)
	f := app.GitHub
	if _, err := f.AddOrg(githubfake.Org{Login: "acme"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.AddRepo(githubfake.Repo{Owner: "acme", Name: "ospo", Private: true, Files: map[string]string{"README.md": "x"}}); err != nil {
		t.Fatal(err)
	}
	inst, err := f.AddInstallation(githubfake.Installation{Account: "acme"})
	if err != nil {
		t.Fatal(err)
	}
	client := app.Installation(t, inst.ID)
	bot := appbot.New(app.Clients)
	if _, err := bot.Resolve(ctx, client); err != nil {
		t.Fatal(err)
	}
	m := &Manager{Store: storetest.Open(t, store.SQLite), Bot: bot}
	target := Target{InstallationID: inst.ID, Repo: "acme/ospo", Label: "ospo-review"}
	const openings = 300
	f.Reset()
	for i := range openings {
		f.Advance(time.Second)
		name := fmt.Sprintf("r%d", i)
		rep := Report{Snapshot: &rules.Snapshot{ID: int64(7000 + i), Owner: "acme", Name: name, HTMLURL: "https://github.com/acme/" + name},
			Flagged: true, Reasons: []string{"it is public and not approved"}}
		if err := m.Sync(ctx, client, target, rep); err != nil {
			t.Fatal(err)
		}
	}
	pages, total := 0, 0
	for _, r := range f.Requests() {
		if strings.HasSuffix(r.Route, "/access_tokens") {
			continue
		}
		total++
		if r.Method == "GET" && r.Route == "/repos/{owner}/{repo}/issues" {
			pages++
		}
	}
	t.Logf("%d review issues opened one after another: %d requests, %d of them issue-list pages", openings, total, pages)
	if pages > openings+1 {
		t.Errorf("%d issue-list pages for %d openings; want at most one an opening", pages, openings)
	}
}
