package server_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ospo-bot/ospo-bot/internal/githubfake"
)

// deliverComment delivers the webhook of a comment already on the fake,
// as GitHub sends it: created_at to the second.
func (s *scenario) deliverComment(number int, c githubfake.Comment) {
	s.t.Helper()
	s.commentEvent("widget", "created", c, c.User, nil)
}

func (s *scenario) head(number int) string {
	s.t.Helper()
	pr, ok := s.GitHub.PullRequest("acme", "widget", number)
	if !ok {
		s.t.Fatalf("no pull request #%d", number)
	}
	return pr.HeadSHA
}

// TestApprovalBindsToTheHeadTheApproverSaw: `/ospo approve` approves the
// head when the comment was written. A push touching LICENSE between the
// comment and the bot reading it is not approved.
func TestApprovalBindsToTheHeadTheApproverSaw(t *testing.T) {
	s := newPRScenario(t)
	s.signed("alice")
	n := s.openPR("widget", "relicense", "alice", []string{"kind/feature"},
		githubfake.NewCommit{Message: "Relicense", Author: alice, Files: map[string]string{"LICENSE": licenseText(t, "MIT.txt")}})
	seen := s.head(n)
	if cr := s.check("widget", n); cr.Conclusion != "failure" {
		t.Fatalf("unapproved LICENSE change: %+v", cr)
	}

	// The lead reads the pull request at its head and approves; before the
	// bot reads the comment, alice pushes another LICENSE.
	s.GitHub.Advance(2 * time.Second)
	c, err := s.GitHub.AddComment("acme", "widget", n, githubfake.Comment{User: "lead", Body: "/ospo approve"})
	if err != nil {
		t.Fatal(err)
	}
	s.GitHub.Advance(2 * time.Second)
	if _, err := s.GitHub.Push("acme", "widget", "relicense", githubfake.NewCommit{Message: "Swap the license", Author: alice,
		Files: map[string]string{"LICENSE": licenseText(t, "Apache-2.0.txt")}}); err != nil {
		t.Fatal(err)
	}
	s.deliverComment(n, c)

	approvals, err := s.App.Store.PathApprovals(context.Background(), "acme/widget", n)
	if err != nil || len(approvals) != 1 || approvals[0].HeadSHA != seen {
		t.Fatalf("approvals %+v (%v), want one at %s, the head the lead saw", approvals, err, seen)
	}
	cr := s.check("widget", n) // at the new head, checked again after the comment
	if cr.Conclusion != "failure" || !strings.Contains(cr.Output.Summary, "voided by a later push") {
		t.Fatalf("the push after the approval is not approved: %+v", cr)
	}

	// A comment from before anything GitHub logged of the branch: the head
	// then is unknown, so nothing is approved, and the reply says why.
	old, err := s.GitHub.AddComment("acme", "widget", n, githubfake.Comment{User: "lead", Body: "/ospo approve",
		CreatedAt: time.Now().Add(-time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	s.deliverComment(n, old)
	if approvals, _ := s.App.Store.PathApprovals(context.Background(), "acme/widget", n); len(approvals) != 1 {
		t.Fatalf("an approval of an unknown head was recorded: %+v", approvals)
	}
	bot := s.botComments("widget", n)
	if len(bot) == 0 || !strings.Contains(bot[len(bot)-1].Body, "I could not tell which commit was the head of this pull request when you wrote your comment") {
		t.Fatalf("bot comments %+v", bot)
	}
	if cr := s.check("widget", n); cr.Conclusion != "failure" {
		t.Fatalf("after the refused approval: %+v", cr)
	}
}

// TestProtectedPathsCompleteness: a pull request of 3,001 changes, past
// the 3,000 files GitHub lists, with a rename counted once, fails closed
// until an approver approves; a force push that rewrites the approved
// history voids the approval. A rename of a protected file is a change of
// the protected path.
func TestProtectedPathsCompleteness(t *testing.T) {
	s := newPRScenario(t)
	s.signed("alice")
	if _, err := s.GitHub.Push("acme", "widget", "main", githubfake.NewCommit{Message: "Seed", Author: alice,
		Files: map[string]string{"A/old.txt": "old\ncontent\n", "LICENSE": licenseText(t, "MIT.txt")}}); err != nil {
		t.Fatal(err)
	}

	moved := s.openPR("widget", "move-license", "alice", []string{"kind/feature"},
		githubfake.NewCommit{Message: "Move the license", Author: alice, Rename: map[string]string{"LICENSE": "legal/LICENSE"}})
	if cr := s.check("widget", moved); cr.Conclusion != "failure" || !strings.Contains(cr.Output.Summary, "changes protected paths `LICENSE` → `legal/LICENSE` without") {
		t.Fatalf("renamed LICENSE: %+v", cr)
	}

	// 3,001 changes: A/old.txt renamed, 2,999 new files, and LICENSE, which
	// sorts last and so past GitHub's 3,000.
	files := map[string]string{"LICENSE": licenseText(t, "Apache-2.0.txt")}
	for i := range 2999 {
		files[fmt.Sprintf("B/f%04d.txt", i)] = fmt.Sprintf("%d\n", i)
	}
	big := githubfake.NewCommit{Message: "Everything at once", Author: alice, Files: files, Rename: map[string]string{"A/old.txt": "A/new.txt"}}
	n := s.openPR("widget", "huge", "alice", []string{"kind/feature"}, big)
	cr := s.check("widget", n)
	if cr.Conclusion != "failure" || !strings.Contains(cr.Output.Summary, "the list of changed files is incomplete: GitHub listed 3000 of the 3001 changed files") {
		t.Fatalf("3,001 changes: %+v", cr)
	}

	s.prComment("widget", n, "lead", "/ospo approve")
	s.until("the approved pull request passes", func() bool { return s.check("widget", n).Conclusion == "success" })

	// The same change, rewritten: the approved commit is no longer in the
	// pull request's history.
	s.GitHub.Advance(time.Second)
	big.Message = "Everything at once, reworded"
	if _, err := s.GitHub.ForcePush("acme", "widget", "huge", "main", big); err != nil {
		t.Fatal(err)
	}
	s.prEvent("widget", n, "synchronize")
	if cr := s.check("widget", n); cr.Conclusion != "failure" || !strings.Contains(cr.Output.Summary, "voided by a later push") {
		t.Fatalf("after a force push: %+v", cr)
	}
}
