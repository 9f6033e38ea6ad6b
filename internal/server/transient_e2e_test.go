package server_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/ospo-bot/ospo-bot/internal/ghclient"
	"github.com/ospo-bot/ospo-bot/internal/githubfake"
)

// outage makes GitHub answer 502 to every try of the client's retrying
// transport for one lookup, so that the job itself fails once and is
// retried.
func outage(route string) githubfake.Fault {
	return githubfake.Fault{Method: "GET", Route: route, Kind: githubfake.Status(502), Times: ghclient.DefaultMaxRetries + 1}
}

func (s *scenario) faulted() int {
	return s.GitHub.CountRequests(func(r githubfake.Request) bool { return r.Fault != "" })
}

// Defect 2.9: a 5xx while looking up a user, a team or a membership
// retries the job; it never becomes a reply such as "not an approver" or
// "I could not find the user".
func TestTransientLookupErrorsAreRetried(t *testing.T) {
	t.Run("approve during a membership outage", func(t *testing.T) {
		s := newPRScenario(t)
		s.signed("alice")
		n := s.openPR("widget", "relicense", "alice", []string{"kind/feature"},
			githubfake.NewCommit{Message: "Relicense", Author: alice, Files: map[string]string{"LICENSE": licenseText(t, "MIT.txt")}})
		if cr := s.check("widget", n); cr.Conclusion != "failure" {
			t.Fatalf("protected path unapproved: %+v", cr)
		}
		s.GitHub.InjectFault(outage("/orgs/{org}/teams/{team_slug}/memberships/{username}"))
		s.prComment("widget", n, "lead", "/ospo approve")
		if got := s.faulted(); got != ghclient.DefaultMaxRetries+1 {
			t.Fatalf("%d requests met the outage, want %d: the test does not test what it says", got, ghclient.DefaultMaxRetries+1)
		}
		s.until("the approved change passes", func() bool { return s.check("widget", n).Conclusion == "success" })
		for _, c := range s.botComments("widget", n) {
			if strings.Contains(c.Body, "may do that") {
				t.Errorf("the outage was answered as a fact: %q", c.Body)
			}
		}
		log, _ := s.App.Store.AuditLog(context.Background(), "acme/widget#"+strconv.Itoa(n))
		for _, e := range log {
			if strings.HasPrefix(e.Action, "refuse") {
				t.Errorf("audit records a refusal during the outage: %+v", e)
			}
		}
	})
	t.Run("revoke during a user lookup outage", func(t *testing.T) {
		s := newPRScenario(t)
		s.signed("alice")
		n := s.openPR("widget", "feature", "alice", []string{"kind/bug"},
			githubfake.NewCommit{Message: "x", Author: alice, Files: map[string]string{"r.go": "package r"}})
		if cr := s.check("widget", n); cr.Conclusion != "success" {
			t.Fatalf("signed: %+v", cr)
		}
		s.GitHub.InjectFault(outage("/users/alice"))
		s.prComment("widget", n, "lead", "/ospo cla revoke @alice signed for her employer without authority")
		if got := s.faulted(); got != ghclient.DefaultMaxRetries+1 {
			t.Fatalf("%d requests met the outage, want %d", got, ghclient.DefaultMaxRetries+1)
		}
		for _, c := range s.botComments("widget", n) {
			if strings.Contains(c.Body, "could not find") {
				t.Errorf("the outage was answered as a fact: %q", c.Body)
			}
		}
		s.until("the revoked signature fails the pull request", func() bool { return s.check("widget", n).Conclusion == "failure" })
		if log, _ := s.App.Store.AuditLog(context.Background(), "@alice"); len(log) != 1 || log[0].Action != "cla revoke" {
			t.Fatalf("audit %+v", log)
		}
	})
}
