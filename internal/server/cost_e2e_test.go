package server_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/ospo-bot/ospo-bot/internal/githubfake"
)

// lookupBudget is snapshot.DefaultLookupBudget, the per-check bound this
// test holds the server to.
const lookupBudget = 25

// identityLookups counts the requests that look up one identity: a user
// (old-style noreply address) or an org membership (corporate CLA).
func identityLookups(f *githubfake.Fake) int {
	return f.CountRequests(func(r githubfake.Request) bool {
		switch r.Route {
		case "/users/{username}":
			// The app's own bot user, looked up once per process, is no
			// identity a commit names.
			return !strings.HasSuffix(r.Path, "[bot]")
		case "/orgs/{org}/members/{username}", "/orgs/{org}/public_members/{username}":
			return true
		}
		return false
	})
}

// TestLookupBudgetPerCheck: a pull request whose one commit names 41
// distinct co-authors (10 old-style noreply addresses, whose accounts the
// bot looks up, and 31 accounts that have not signed, whose membership of
// the allow-listed org it checks) costs at most the budget of identity
// lookups per check. The identities past it are not verified: the CLA
// fails closed, counting them. A second check of the same head (a
// synchronize) costs no lookup at all and decides the same.
func TestLookupBudgetPerCheck(t *testing.T) {
	s := newScenario(t, strings.Replace(prPolicy, `version: "1"}`, `version: "1", allow: {orgs: [acme]}}`, 1))
	for _, u := range []string{"alice", "carol"} {
		if _, err := s.GitHub.AddUser(githubfake.User{Login: u, Emails: []string{u + "@example.org"}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.GitHub.SetOrgMembership("acme", githubfake.Membership{Login: "carol"}); err != nil {
		t.Fatal(err)
	}
	s.signed("alice")
	carol, _, err := s.admin.Users.Get(context.Background(), "carol")
	if err != nil {
		t.Fatal(err)
	}
	var msg strings.Builder
	msg.WriteString("Everyone's work\n\n")
	for i := range 10 {
		fmt.Fprintf(&msg, "Co-authored-by: Old %d <old-%d@users.noreply.github.com>\n", i, i)
	}
	fmt.Fprintf(&msg, "Co-authored-by: Carol <%d+carol@users.noreply.github.com>\n", carol.GetID())
	for i := range 30 {
		fmt.Fprintf(&msg, "Co-authored-by: Person %d <%d+person-%d@users.noreply.github.com>\n", i, 70000+i, i)
	}
	s.GitHub.Reset()
	n := s.openPR("widget", "crowd", "alice", []string{"kind/bug"},
		githubfake.NewCommit{Message: msg.String(), Author: alice, Files: map[string]string{"c.go": "package c"}})
	first, total := identityLookups(s.GitHub), len(s.GitHub.Requests())
	if first > lookupBudget {
		t.Errorf("one check made %d identity lookups; at most %d", first, lookupBudget)
	}
	// 10 user lookups, then the memberships of carol and 14 others: the
	// other 16 are not looked up.
	const want = "16 identities named in the commits could not be verified: the bot looks up at most 25 accounts and org memberships per check"
	cr := s.check("widget", n)
	if cr.Conclusion != "failure" || !strings.Contains(cr.Output.Summary+cr.Output.Text, want) {
		t.Fatalf("check run %s: %s\n%s", cr.Conclusion, cr.Output.Title, cr.Output.Summary)
	}
	if !strings.Contains(cr.Output.Summary+cr.Output.Text, "name fewer distinct authors and co-authors") {
		t.Errorf("the check does not say how to fix it:\n%s", cr.Output.Summary)
	}

	if got := s.botComments("widget", n); len(got) != 1 || !strings.Contains(got[0].Body, "**Identities not verified.**") ||
		!strings.Contains(got[0].Body, "16 were not looked up") || strings.Contains(got[0].Body, "@old-") {
		t.Errorf("the sticky comment does not say what was not verified: %+v", got)
	}

	payload := s.prPayload("widget", n, "synchronize")
	s.GitHub.Reset()
	s.deliver("pull_request", payload)
	again, totalAgain := identityLookups(s.GitHub), len(s.GitHub.Requests())
	if again != 0 {
		t.Errorf("a second check of the same head made %d identity lookups; want 0 (cached)", again)
	}
	if runs := s.checks("widget", n); len(runs) < 2 {
		t.Fatalf("the synchronize was not checked: %d check runs", len(runs))
	}
	if cr := s.check("widget", n); cr.Conclusion != "failure" || !strings.Contains(cr.Output.Summary+cr.Output.Text, want) {
		t.Fatalf("second check run %s: %s", cr.Conclusion, cr.Output.Title)
	}
	t.Logf("first check: %d requests, %d identity lookups; second check: %d requests, %d identity lookups", total, first, totalAgain, again)
}

// TestClaimedBotIsNotABot: a human opens a pull request whose commit claims
// a bot's identity in its author email (12345+evil[bot]@users.noreply.github.com,
// which GitHub links to no account). That signs nothing: the opener
// vouches for it and must have signed, and only then does the CLA pass.
func TestClaimedBotIsNotABot(t *testing.T) {
	s := newPRScenario(t)
	if _, err := s.GitHub.AddUser(githubfake.User{Login: "mallory"}); err != nil {
		t.Fatal(err)
	}
	n := s.openPR("widget", "sneaky", "mallory", []string{"kind/bug"}, githubfake.NewCommit{Message: "Bump everything",
		Author: githubfake.Signature{Name: "dependabot[bot]", Email: "12345+evil[bot]@users.noreply.github.com"},
		Files:  map[string]string{"go.sum": "x"}})
	cr := s.check("widget", n)
	if cr.Conclusion != "failure" || !strings.Contains(cr.Output.Title+cr.Output.Summary, "not signed by @mallory") {
		t.Fatalf("a human claiming a bot in commit text escaped the CLA: %s: %s\n%s", cr.Conclusion, cr.Output.Title, cr.Output.Summary)
	}
	s.prComment("widget", n, "mallory", phrase)
	s.until("the opener's signature covers the claimed bot", func() bool {
		cr := s.check("widget", n)
		return cr.Conclusion == "success" && strings.Contains(strings.ReplaceAll(cr.Output.Summary+cr.Output.Text, "\u200b", ""), "vouched for by @mallory")
	})
}
