package review

import (
	"context"
	"testing"

	"github.com/ospo-bot/ospo-bot/internal/appbot"
	"github.com/ospo-bot/ospo-bot/internal/authz"
	"github.com/ospo-bot/ospo-bot/internal/store"
	"github.com/ospo-bot/ospo-bot/internal/store/storetest"
)

// TestReviewedRepositoryTrustsOnlyTheAppsIssues: without a record, a
// marker counts only in an issue the app's bot user (by ID) wrote, with
// the review label, in a repository where the app opens review issues.
// A recorded issue is the app's, unless the payload names another author.
func TestReviewedRepositoryTrustsOnlyTheAppsIssues(t *testing.T) {
	ctx := context.Background()
	const botID, marked, recordedRepo = 9001, 77, 88
	m := &Manager{Store: storetest.Open(t, store.SQLite), Bot: appbot.Fixed(appbot.Identity{AppID: 1, Slug: "ospo-bot", UserID: botID, Login: "ospo-bot[bot]"})}
	row, _, err := m.Store.ClaimReviewIssue(ctx, store.ReviewIssue{RepositoryID: recordedRepo, InstallationID: 1, Repository: "acme/gadget", ReviewRepo: "acme/ospo"})
	if err != nil {
		t.Fatal(err)
	}
	row.IssueNumber = 5
	if err := m.Store.UpdateReviewIssue(ctx, row); err != nil {
		t.Fatal(err)
	}
	asked := 0
	auth := func(id int64) (authz.Authority, error) {
		asked++
		if id != marked {
			t.Errorf("authority asked for repository %d", id)
		}
		return authz.Authority{Org: "acme", Label: "ospo-review", Repository: "acme/ospo"}, nil
	}
	review := []string{"ospo-review"}
	for _, tt := range []struct {
		name   string
		c      Comment
		want   int64
		mayAsk bool // the policy may be read
	}{
		{"the app's review issue", Comment{Repo: "acme/ospo", IssueNumber: 1, IssueAuthorID: botID, IssueLabels: review}, marked, true},
		{"the label in another case", Comment{Repo: "acme/ospo", IssueNumber: 1, IssueAuthorID: botID, IssueLabels: []string{"OSPO-Review"}}, marked, true},
		{"the app's issue in the org's .github, the fallback", Comment{Repo: "acme/.github", IssueNumber: 1, IssueAuthorID: botID, IssueLabels: review}, marked, true},
		{"the app's issue without the label", Comment{Repo: "acme/ospo", IssueNumber: 1, IssueAuthorID: botID, IssueLabels: []string{"bug"}}, 0, true},
		{"the app's issue elsewhere", Comment{Repo: "acme/widget", IssueNumber: 1, IssueAuthorID: botID, IssueLabels: review}, 0, true},
		{"a person's issue with the label", Comment{Repo: "acme/ospo", IssueNumber: 1, IssueAuthor: "wendy", IssueAuthorID: 42, IssueLabels: review}, 0, false},
		{"another app's bot, login and all", Comment{Repo: "acme/ospo", IssueNumber: 1, IssueAuthor: "ospo-bot[bot]", IssueAuthorID: 43, IssueLabels: review}, 0, false},
		{"an issue whose author is not named", Comment{Repo: "acme/ospo", IssueNumber: 1, IssueLabels: review}, 0, false},
		{"recorded", Comment{Repo: "acme/ospo", IssueNumber: 5, IssueAuthorID: botID}, recordedRepo, false},
		{"recorded, its author not named (GitHub always names it)", Comment{Repo: "acme/ospo", IssueNumber: 5}, 0, false},
		{"recorded, but a person's", Comment{Repo: "acme/ospo", IssueNumber: 5, IssueAuthorID: 42}, 0, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.c.IssueNumber != 5 {
				tt.c.IssueBody = Marker(marked) + "\nbody"
			}
			asked = 0
			got, err := m.reviewedRepository(ctx, nil, tt.c, auth)
			if err != nil || got != tt.want {
				t.Fatalf("got %d, %v; want %d", got, err, tt.want)
			}
			if asked > 0 && !tt.mayAsk {
				t.Error("read the policy for an issue that is not the app's")
			}
		})
	}

	// An issue without a marker or a record is not looked at: not even the
	// bot is resolved.
	none := &Manager{Store: m.Store}
	if got, err := none.reviewedRepository(ctx, nil, Comment{Repo: "acme/ospo", IssueNumber: 2, IssueBody: "hello"}, auth); err != nil || got != 0 {
		t.Fatalf("an ordinary issue: %d, %v", got, err)
	}
	// Without a bot identity, a marker is trusted nowhere: the error retries.
	if got, err := none.reviewedRepository(ctx, nil, Comment{Repo: "acme/ospo", IssueNumber: 1, IssueBody: Marker(marked), IssueAuthorID: botID, IssueLabels: review}, auth); err == nil || got != 0 {
		t.Fatalf("without a bot identity: %d, %v", got, err)
	}
}
