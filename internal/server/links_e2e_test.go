package server_test

import (
	"strings"
	"testing"

	"github.com/ospo-bot/ospo-bot/internal/githubfake"
)

const gheURL = "https://ghe.acme.example"

// TestLinksPointAtGitHubEnterpriseServer: on GitHub Enterprise Server,
// every link the bot writes to the policy points at the server, not at
// github.com.
func TestLinksPointAtGitHubEnterpriseServer(t *testing.T) {
	t.Run("check run", func(t *testing.T) {
		s := newPRScenario(t)
		s.GitHub.SetWebURL(gheURL)
		s.signed("alice")
		n := s.openPR("widget", "unlabeled", "alice", nil, githubfake.NewCommit{Message: "x", Author: alice, Files: map[string]string{"x.go": "package x"}})
		cr := s.check("widget", n)
		if !strings.Contains(cr.Output.Summary, "([policy]("+gheURL+"/acme/.github/blob/") {
			t.Errorf("the summary does not link the policy on %s:\n%s", gheURL, cr.Output.Summary)
		}
		assertNoGitHubCom(t, "check run summary", cr.Output.Summary)
	})
	t.Run("review issue", func(t *testing.T) {
		s := newScenario(t, orgPolicy)
		s.GitHub.SetWebURL(gheURL)
		s.deliver("repository", s.repoPayload("created"))
		s.until("a review issue is opened", func() bool { return len(s.reviewIssues()) > 0 })
		body := s.theReviewIssue().Body
		if !strings.Contains(body, "([policy]("+gheURL+"/acme/.github/blob/") || !strings.Contains(body, "]("+gheURL+"/acme/widget)") {
			t.Errorf("the review issue does not link %s:\n%s", gheURL, body)
		}
		assertNoGitHubCom(t, "review issue", body)
	})
}

func assertNoGitHubCom(t *testing.T, what, text string) {
	t.Helper()
	for _, link := range strings.SplitAfter(text, "](")[1:] {
		if strings.HasPrefix(link, "https://github.com/") && !strings.HasPrefix(link, "https://github.com/ospo-bot/ospo-bot") {
			t.Errorf("%s links github.com: %.80s", what, link)
		}
	}
}
