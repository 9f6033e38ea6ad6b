package review

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-github/v66/github"

	"github.com/ospo-bot/ospo-bot/internal/appbot"
	"github.com/ospo-bot/ospo-bot/internal/githubfake"
	"github.com/ospo-bot/ospo-bot/internal/githubfake/fakeapp"
	"github.com/ospo-bot/ospo-bot/internal/rules"
	"github.com/ospo-bot/ospo-bot/internal/store"
	"github.com/ospo-bot/ospo-bot/internal/store/storetest"
)

// Opening a review issue costs the same few requests whatever the number
// of review issues already open: the issues found by their markers are
// indexed, and the look for an earlier attempt's issue lists only those
// updated since the last look (issue 12: each new issue listed them all,
// 5,473 pages for a 1,000-repository install). A manager that has not
// looked yet (a new process) lists them all, once. And the index still
// finds an issue opened by an attempt whose response was lost.
func TestOpeningCostsTheSameWhateverTheIssues(t *testing.T) {
	ctx := context.Background()
	cost := func(existing int) (first, next, lists int) {
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
		st := storetest.Open(t, store.SQLite)
		target := Target{InstallationID: inst.ID, Repo: "acme/ospo", Label: "ospo-review"}
		report := func(i int) Report {
			name := fmt.Sprintf("r%d", i)
			return Report{Snapshot: &rules.Snapshot{ID: int64(5000 + i), Owner: "acme", Name: name, HTMLURL: "https://github.com/acme/" + name},
				Flagged: true, Reasons: []string{"it is public and not approved"}}
		}
		// The app's bot user, resolved once a process (before the clock
		// moves past the app's JWT).
		bot := appbot.New(app.Clients)
		if _, err := bot.Resolve(ctx, client); err != nil {
			t.Fatal(err)
		}
		// The app's own review issues, as earlier checks opened them: no
		// faster than GitHub's limit on content creation lets them be
		// (80 a minute).
		for i := range existing {
			f.Advance(time.Second)
			rep := report(i)
			body := Body(rep)
			if _, _, err := client.Issues.Create(ctx, "acme", "ospo", &github.IssueRequest{Title: github.String(Title("acme/" + rep.Snapshot.Name)),
				Body: &body, Labels: &[]string{target.Label}}); err != nil {
				t.Fatal(err)
			}
		}
		f.Advance(2 * indexMargin)
		requests := func() (n, lists int) {
			for _, r := range f.Requests() {
				if strings.HasSuffix(r.Route, "/access_tokens") {
					continue
				}
				n++
				if r.Method == "GET" && r.Route == "/repos/{owner}/{repo}/issues" {
					lists++
				}
			}
			return n, lists
		}
		m := &Manager{Store: st, Bot: bot} // a new process: nothing indexed
		f.Reset()
		if err := m.Sync(ctx, client, target, report(existing)); err != nil {
			t.Fatal(err)
		}
		first, _ = requests()
		f.Reset()
		if err := m.Sync(ctx, client, target, report(existing+1)); err != nil {
			t.Fatal(err)
		}
		next, lists = requests()
		if is := f.Issues("acme", "ospo"); len(is) != existing+2 {
			t.Fatalf("%d issues, want %d", len(is), existing+2)
		}
		// An issue opened by a request whose response was lost is found
		// by the retry through the index (warm: it lists only the issues
		// updated lately).
		l := &loseResponse{base: client.Client().Transport, method: http.MethodPost, suffix: "/issues"}
		losing := github.NewClient(&http.Client{Transport: l})
		losing.BaseURL = client.BaseURL
		f.Advance(time.Second)
		if err := m.Sync(ctx, losing, target, report(existing+2)); err == nil || l.lost.Load() != 1 {
			t.Fatalf("the lost response: %v (%d lost): the test does not test what it says", err, l.lost.Load())
		}
		if err := m.Sync(ctx, losing, target, report(existing+2)); err != nil { // the job's retry
			t.Fatal(err)
		}
		if is := f.Issues("acme", "ospo"); len(is) != existing+3 {
			t.Fatalf("after a lost response and its retry: %d issues, want %d", len(is), existing+3)
		}
		return first, next, lists
	}
	few, fewNext, fewLists := cost(3)
	many, manyNext, manyLists := cost(250)
	t.Logf("opening a review issue beside 3 others: %d requests in a new process, then %d (%d issue lists); beside 250: %d, then %d (%d issue lists)",
		few, fewNext, fewLists, many, manyNext, manyLists)
	if manyNext != fewNext || manyLists > 1 {
		t.Errorf("beside 250 review issues, opening one costs %d requests (%d issue lists); beside 3, %d: want the same, 1 list", manyNext, manyLists, fewNext)
	}
	if manyNext > 4 {
		t.Errorf("opening a review issue costs %d requests; want at most 4", manyNext)
	}
}
