package server_test

import (
	"context"
	"strings"
	"testing"

	"github.com/ospo-bot/ospo-bot/internal/githubfake"
)

// TestHiddenCommandDecidesNothing: on a review issue, a lead's approval
// folded into a <details> GitHub shows collapsed neither approves nor is
// audited; the same command shown as text approves (issue 10, item 2).
func TestHiddenCommandDecidesNothing(t *testing.T) {
	ctx := context.Background()
	s := newScenario(t, orgPolicy)
	s.deliver("repository", s.repoPayload("created"))
	s.until("a review issue is opened", func() bool { return len(s.reviewIssues()) > 0 })
	issue := s.theReviewIssue()
	hidden := s.comment("lead", "ospo", issue.Number, "Notes from legal:\n<details>\n<summary>checklist</summary>\n\n/ospo approve\n\n</details>")
	if got := s.theReviewIssue(); got.State != "open" || strings.Contains(got.Body, "approved by") {
		t.Fatalf("a hidden approval decided the review: %+v", got)
	}
	visible := s.comment("lead", "ospo", issue.Number, "<details>\n\n/ospo reject hidden\n\n</details>\n\n/ospo approve")
	s.until("the shown approval closes the review", func() bool { return s.theReviewIssue().State == "closed" })
	log, err := s.App.Store.AuditLog(ctx, "acme/widget")
	if err != nil {
		t.Fatal(err)
	}
	if len(log) != 1 || log[0].Action != "approve" || log[0].URL != visible.HTMLURL {
		t.Fatalf("audit log %+v: want only the approval of %s, not %s", log, visible.HTMLURL, hidden.HTMLURL)
	}
}

// TestHiddenPhraseSignsNothing: on a pull request, the CLA's phrase in an
// HTML comment (as a template might carry it) signs nothing; shown as
// text, it signs (issue 10, item 2).
func TestHiddenPhraseSignsNothing(t *testing.T) {
	ctx := context.Background()
	s := newPRScenario(t)
	change := githubfake.NewCommit{Message: "Add feature", Author: alice, Files: map[string]string{"feature.go": "package feature"}}
	n := s.openPR("widget", "alice-1", "alice", []string{"kind/feature"}, change)
	s.prComment("widget", n, "alice", "Thanks!\n<!--\n"+phrase+"\n-->")
	if sigs, err := s.App.Store.Signatures(ctx, "acme", []int64{s.userID("alice")}); err != nil || len(sigs) != 0 {
		t.Fatalf("a hidden phrase signed: %+v (%v)", sigs, err)
	}
	if c := s.check("widget", n); c.Conclusion != "failure" {
		t.Fatalf("the pull request passes after a hidden phrase: %+v", c)
	}
	signing := s.prComment("widget", n, "alice", phrase)
	s.until("the signed pull request passes", func() bool { return s.check("widget", n).Conclusion == "success" })
	log, err := s.App.Store.AuditLog(ctx, "acme")
	if err != nil {
		t.Fatal(err)
	}
	if len(log) != 1 || log[0].Action != "cla sign" || log[0].URL != signing.HTMLURL {
		t.Fatalf("audit log %+v: want only the signature of %s", log, signing.HTMLURL)
	}
}

// userID is the fake GitHub's ID of a user.
func (s *scenario) userID(login string) int64 {
	s.t.Helper()
	u, _, err := s.admin.Users.Get(context.Background(), login)
	if err != nil {
		s.t.Fatal(err)
	}
	return u.GetID()
}
