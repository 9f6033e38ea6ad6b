package server_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ospo-bot/ospo-bot/internal/githubfake"
)

// TestAllowCommand: an approver's `/ospo allow` on a pull request is
// recorded, audited, answered with what was allowed, and re-checks the
// pull request; someone else's is refused and audited; deleting the
// approver's comment withdraws the allowance, audited, once however
// often the deletion is delivered.
func TestAllowCommand(t *testing.T) {
	s := newPRScenario(t)
	s.signed("alice")
	n := s.openPR("widget", "deps", "alice", []string{"kind/feature"},
		githubfake.NewCommit{Message: "Add left-pad", Author: alice, Files: map[string]string{"package.json": `{"dependencies": {"left-pad": "1.3.0"}}`}})
	s.untilConclusion("widget", s.head(n), "success")
	before := len(s.checks("widget", n))

	c := s.prComment("widget", n, "lead", "/ospo allow pkg:npm/left-pad@1.3.0 vetted by legal")
	s.until("the reply says what was allowed", func() bool {
		for _, bc := range s.botComments("widget", n) {
			if strings.Contains(bc.Body, "@lead allowed `pkg:npm/left-pad@1.3.0` on this pull request, whatever its licence: vetted by legal.") {
				return true
			}
		}
		return false
	})
	s.until("the pull request is checked again", func() bool { return len(s.checks("widget", n)) > before })
	subject := fmt.Sprintf("acme/widget#%d", n)
	if got := s.auditActions(subject); got != "lead:allow package" {
		t.Fatalf("audit: %s", got)
	}

	s.prComment("widget", n, "bob", "/ospo allow pkg:npm/evil@6.6.6 trust me")
	s.until("bob is refused", func() bool { return s.auditActions(subject) == "lead:allow package, bob:refuse allow" })

	s.deleteComment("widget", n, c, "lead")
	s.until("the allowance is withdrawn", func() bool {
		return s.auditActions(subject) == "lead:allow package, bob:refuse allow, lead:withdraw allow package"
	})
	s.deleteCommentAgain(t, c, n)
	if got := s.auditActions(subject); got != "lead:allow package, bob:refuse allow, lead:withdraw allow package" {
		t.Fatalf("audit after a second deletion event: %s", got)
	}
}
