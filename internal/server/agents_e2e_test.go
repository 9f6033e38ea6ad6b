package server_test

import (
	"strings"
	"testing"

	"github.com/ospo-bot/ospo-bot/internal/githubfake"
)

// TestCLAAgentsAndIdentities: a signed human opens pull requests whose
// commits carry the trailers AI coding agents write (Claude Code, GitHub
// Copilot). With the default pull_request.cla.agents (sponsor) the CLA
// passes and the check says the agents' work is covered by the opener; in
// a repository whose override says block, it fails and says why. Old-style
// noreply co-authors (login@users.noreply.github.com) resolve to their
// account and can sign; an unknown login stays an unlinked email.
func TestCLAAgentsAndIdentities(t *testing.T) {
	s := newPRScenario(t)
	s.signed("alice")
	if _, err := s.GitHub.AddUser(githubfake.User{Login: "frank"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GitHub.AddRepo(githubfake.Repo{Owner: "acme", Name: "strict", Files: map[string]string{
		"README.md": "strict", ".github/ospo.yml": "pull_request:\n  cla:\n    agents: block\n",
	}}); err != nil {
		t.Fatal(err)
	}
	agentMsg := "Add the parser\n\nCo-Authored-By: Claude <noreply@anthropic.com>\nCo-authored-by: Copilot <175728472+Copilot@users.noreply.github.com>\n"
	summary := func(cr githubfake.CheckRun) string {
		return cr.Output.Title + "\n" + cr.Output.Summary + "\n" + cr.Output.Text
	}

	t.Run("sponsor: the signed opener covers the agents", func(t *testing.T) {
		n := s.openPR("widget", "agents", "alice", []string{"kind/feature"},
			githubfake.NewCommit{Message: agentMsg, Author: alice, Files: map[string]string{"parser.go": "package parser"}})
		cr := s.check("widget", n)
		if cr.Conclusion != "success" || !strings.Contains(summary(cr), "the work of AI agents Claude and GitHub Copilot is covered by @alice, who opened the pull request") {
			t.Fatalf("check run %+v", cr)
		}
		if got := s.botComments("widget", n); len(got) != 0 {
			t.Fatalf("a passing pull request got comments: %+v", got)
		}
	})
	t.Run("block: an agent's contribution fails with the reason", func(t *testing.T) {
		n := s.openPR("strict", "agents", "alice", []string{"kind/feature"},
			githubfake.NewCommit{Message: agentMsg, Author: alice, Files: map[string]string{"parser.go": "package parser"}})
		cr := s.check("strict", n)
		if cr.Conclusion != "failure" || !strings.Contains(summary(cr), "the policy accepts no contributions by AI agents (pull_request.cla.agents: block): `Claude <noreply@anthropic.com>` and `@Copilot`") {
			t.Fatalf("check run %+v", cr)
		}
		if got := s.botComments("strict", n); len(got) != 1 || !strings.Contains(got[0].Body, "does not accept contributions by AI agents") {
			t.Fatalf("comments %+v", got)
		}
	})
	t.Run("an old-style noreply co-author signs", func(t *testing.T) {
		msg := "Pair work\n\nCo-authored-by: Frank <frank@users.noreply.github.com>\n"
		n := s.openPR("widget", "old-noreply", "alice", []string{"kind/bug"},
			githubfake.NewCommit{Message: msg, Author: alice, Files: map[string]string{"pair.go": "package pair"}})
		if cr := s.check("widget", n); cr.Conclusion != "failure" || !strings.Contains(summary(cr), "not signed by `@frank`") { // named only by a trailer: not mentioned
			t.Fatalf("before frank signs: %+v", cr)
		}
		s.prComment("widget", n, "frank", phrase)
		if cr := s.check("widget", n); cr.Conclusion != "success" {
			t.Fatalf("after frank signed: %+v", cr)
		}
	})
	t.Run("an old-style noreply of no account stays unlinked", func(t *testing.T) {
		msg := "Pair work\n\nCo-authored-by: Ghost <ghost@users.noreply.github.com>\n"
		n := s.openPR("widget", "ghost", "alice", []string{"kind/bug"},
			githubfake.NewCommit{Message: msg, Author: alice, Files: map[string]string{"ghost.go": "package ghost"}})
		if cr := s.check("widget", n); cr.Conclusion != "failure" || !strings.Contains(summary(cr), "no GitHub account for `ghost@users.noreply.github.com`") {
			t.Fatalf("check run %+v", cr)
		}
	})
}
