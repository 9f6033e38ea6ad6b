package server_test

import (
	"strings"
	"testing"

	"github.com/ospo-bot/ospo-bot/internal/githubfake"
	"github.com/ospo-bot/ospo-bot/internal/rules"
)

const securityPolicy = `review:
  repository: acme/ospo
  approvers: ["@acme/ospo-leads"]
repository:
  license: {mode: off}
  codeowners: {mode: off}
  files: {mode: off}
  security_policy: {mode: enforce}
`

// TestSecurityPolicyRule plays the security-policy rule end to end: no
// SECURITY.md fails and flags the repository; the org's default in its
// public .github repository, naming an email, passes; the repository's own
// SECURITY.md (pushed, which re-checks it) takes precedence and names no
// channel, so it fails; private vulnerability reporting turned on passes.
func TestSecurityPolicyRule(t *testing.T) {
	s := newScenario(t, securityPolicy)
	expect := func(step string, act func(), result rules.Result, fragment string) {
		t.Helper()
		if f := s.recheckedFinding(rules.RuleSecurityPolicy, step, act); f.Result != result || !strings.Contains(f.Message, fragment) {
			t.Fatalf("%s: %s %q, want %s with %q", step, f.Result, f.Message, result, fragment)
		}
	}
	checkWidget := func() { s.deliver("repository", s.repoPayload("edited")) }

	expect("no security policy", func() { s.deliver("repository", s.repoPayload("created")) }, rules.Fail, "no SECURITY.md")
	if body := s.theReviewIssue().Body; !strings.Contains(body, "security-policy") {
		t.Fatalf("the review issue does not list the rule:\n%s", body)
	}

	if _, err := s.GitHub.Push("acme", ".github", "main", githubfake.NewCommit{Message: "security policy", Author: githubfake.Signature{Name: "Lead", Email: "lead@acme.example"},
		Files: map[string]string{".github/SECURITY.md": "Report vulnerabilities to security@acme.example."}}); err != nil {
		t.Fatal(err)
	}
	expect("the org's default", checkWidget, rules.Pass, "of the org's .github repository names a private reporting channel")

	expect("its own, without a channel", func() { s.push("widget", map[string]string{"SECURITY.md": "Please use the Security tab."}) },
		rules.Fail, "names no private way to report a vulnerability")

	if err := s.GitHub.SetPrivateReporting("acme", "widget", true); err != nil {
		t.Fatal(err)
	}
	expect("private reporting on", checkWidget, rules.Pass, "private vulnerability reporting is on")
	if n := s.GitHub.CountRequests(func(r githubfake.Request) bool {
		return r.Route == "/repos/{owner}/{repo}/private-vulnerability-reporting" && r.Status == 200
	}); n == 0 {
		t.Fatal("private vulnerability reporting was never read")
	}
}
