package server_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ospo-bot/ospo-bot/internal/ghclient"
	"github.com/ospo-bot/ospo-bot/internal/githubfake"
)

// editComment edits c on the fake as editor, who must be its author or
// have write access to the repository (the fake refuses anyone else, as
// GitHub does), and delivers the issue_comment edited event: its sender is
// the editor, its comment.user the author, its changes.body.from the body
// before. It returns the comment after the edit.
func (s *scenario) editComment(repo string, number int, c githubfake.Comment, body, editor string) githubfake.Comment {
	s.t.Helper()
	return s.editCommentFrom(repo, number, c, body, editor, true)
}

// editCommentFrom is editComment; withFrom false leaves changes.body out
// of the event, as GitHub sometimes does.
func (s *scenario) editCommentFrom(repo string, number int, c githubfake.Comment, body, editor string, withFrom bool) githubfake.Comment {
	s.t.Helper()
	s.GitHub.Advance(time.Second)
	before, after, err := s.GitHub.EditComment("acme", repo, c.ID, editor, body)
	if err != nil {
		s.t.Fatal(err)
	}
	var from *string
	if withFrom {
		from = &before.Body
	}
	s.commentEvent(repo, "edited", after, editor, from)
	return after
}

// TestEditByAnotherActsAsTheEditor: what someone adds to another's
// comment is theirs, not the author's. Made into `/ospo approve` by bob,
// who may not approve, it is refused as bob; made into the signing phrase,
// it signs nobody; prose edited around the lead's approval changes
// nothing (before issue 10 such an edit withdrew the approval: the edit
// counted as a deletion).
func TestEditByAnotherActsAsTheEditor(t *testing.T) {
	s, n, pr := relicensePR(t)
	s.untilConclusion("widget", pr.HeadSHA, "failure")
	subject := fmt.Sprintf("acme/widget#%d", n)
	if err := s.GitHub.SetCollaborator("acme", "widget", "bob", "write"); err != nil {
		t.Fatal(err)
	}

	// bob, who may not approve, edits the lead's remark into an approval.
	remark := s.prComment("widget", n, "lead", "I will look at the licence change next week.")
	s.editComment("widget", n, remark, "/ospo approve", "bob")
	if cr, _ := s.latestCheck("widget", pr.HeadSHA); cr.Conclusion != "failure" {
		t.Fatalf("bob's edit of the lead's comment approved the pull request: %+v", cr)
	}
	if got := s.auditActions(subject); got != "bob:refuse approve" {
		t.Fatalf("audit after bob's edit: %s", got)
	}

	// bob edits a remark of an unsigned contributor into the signing phrase.
	if _, err := s.GitHub.AddUser(githubfake.User{Login: "carol", Emails: []string{"carol@example.org"}}); err != nil {
		t.Fatal(err)
	}
	thanks := s.prComment("widget", n, "carol", "Thanks!")
	s.editComment("widget", n, thanks, phrase, "bob")
	carol, _, _ := s.admin.Users.Get(context.Background(), "carol")
	if sigs, err := s.App.Store.Signatures(context.Background(), "acme", []int64{carol.GetID()}); err != nil || len(sigs) != 0 {
		t.Fatalf("bob's edit signed the CLA for carol: %+v, %v", sigs, err)
	}

	// The lead approves; bob edits the prose around it: still the lead's.
	approval := s.prComment("widget", n, "lead", "/ospo approve")
	s.untilConclusion("widget", pr.HeadSHA, "success")
	approval = s.editComment("widget", n, approval, "/ospo approve\n\n(and everything pushed later)", "bob")
	if cr, _ := s.latestCheck("widget", pr.HeadSHA); cr.Conclusion != "success" {
		t.Fatalf("bob's prose edit changed the approval: %+v", cr)
	}
	if got := s.auditActions(subject); got != "bob:refuse approve, lead:approve protected paths" {
		t.Fatalf("audit: %s", got)
	}

	// The lead editing their own comment is theirs: the new line approves.
	s.editComment("widget", n, approval, "/ospo approve (checked again)", "lead")
	s.untilConclusion("widget", pr.HeadSHA, "success")
	if got := s.auditActions(subject); got != "bob:refuse approve, lead:approve protected paths, lead:withdraw approve protected paths, lead:approve protected paths" {
		t.Fatalf("audit: %s", got)
	}
}

// TestRejectionStandsWhenOthersRemoveIt: a rejection (or an unexemption)
// holds a review back; deleting or editing away the comment that made it
// withdraws it only when the one who does so may decide reviews. Anyone
// else, with the write access that lets them delete or edit any comment,
// would otherwise turn a rejected review into an approved one.
func TestRejectionStandsWhenOthersRemoveIt(t *testing.T) {
	s := newScenario(t, orgPolicy)
	if _, err := s.GitHub.AddUser(githubfake.User{Login: "lead2"}); err != nil {
		t.Fatal(err)
	}
	if err := s.GitHub.SetTeamMembership("acme", "ospo-leads", githubfake.Membership{Login: "lead2"}); err != nil {
		t.Fatal(err)
	}
	s.deliver("repository", s.repoPayload("created"))
	s.until("a review issue is opened", func() bool { return len(s.reviewIssues()) > 0 })
	issue := s.theReviewIssue()
	s.comment("lead", "ospo", issue.Number, "/ospo approve ship it")
	s.until("the review is closed", func() bool { return s.theReviewIssue().State == "closed" })
	s.GitHub.Advance(time.Second)
	reject := s.comment("lead2", "ospo", issue.Number, "/ospo reject not before the security review")
	if err := s.GitHub.SetCollaborator("acme", "ospo", "intruder", "write"); err != nil {
		t.Fatal(err)
	}
	s.until("the review is rejected", func() bool { return strings.Contains(s.theReviewIssue().Body, "rejected by @lead2") })

	rejected := func(when string) {
		t.Helper()
		if is := s.theReviewIssue(); !strings.Contains(is.Body, "rejected by @lead2") || is.State != "open" {
			t.Fatalf("%s: the rejection is gone: %s\n%s", when, is.State, is.Body)
		}
	}
	s.editComment("ospo", issue.Number, reject, "nothing to see here", "intruder")
	rejected("after intruder's edit")
	s.deleteComment("ospo", issue.Number, reject, "intruder")
	rejected("after intruder's deletion")
	if got := s.auditActions("acme/widget"); !strings.Contains(got, "intruder:refuse withdraw reject") {
		t.Fatalf("audit: %s", got)
	}
	// An approver may withdraw it.
	s.deleteCommentAgainBy(t, "ospo", issue.Number, reject, "lead")
	s.until("the review is approved again", func() bool { return s.theReviewIssue().State == "closed" })
}

// deleteCommentAgainBy delivers a deleted event for a comment already
// deleted on the fake, as deleter.
func (s *scenario) deleteCommentAgainBy(t testing.TB, repo string, number int, c githubfake.Comment, deleter string) {
	t.Helper()
	s.commentEvent(repo, "deleted", c, deleter, nil)
}

// TestDeletedApprovalRechecksOnRetry: the withdrawal is committed before
// the re-check; when the re-check fails (GitHub's outage) and the job is
// retried, the retry finds nothing left to withdraw but still re-checks,
// so the pull request does not stay green on a withdrawn approval.
func TestDeletedApprovalRechecksOnRetry(t *testing.T) {
	s, n, pr, c := approvedRelicensePR(t)

	s.GitHub.InjectFault(outage("/repos/{owner}/{repo}/pulls/{pull_number}"))
	s.deleteComment("widget", n, c, "lead")
	if got := s.faulted(); got != ghclient.DefaultMaxRetries+1 {
		t.Fatalf("%d requests met the outage: the test does not test what it says", got)
	}
	if cr, _ := s.latestCheck("widget", pr.HeadSHA); cr.Conclusion != "failure" {
		t.Fatalf("after the retried deletion the approval still passes: %+v", cr)
	}
}

// TestDeletedDecisionRechecksOnRetry: as for pull requests, a retry of a
// deletion whose re-check failed re-checks the repository, so the review
// issue does not keep showing a withdrawn approval.
func TestDeletedDecisionRechecksOnRetry(t *testing.T) {
	s := newScenario(t, orgPolicy)
	s.deliver("repository", s.repoPayload("created"))
	s.until("a review issue is opened", func() bool { return len(s.reviewIssues()) > 0 })
	issue := s.theReviewIssue()
	c := s.comment("lead", "ospo", issue.Number, "/ospo approve ship it")
	s.until("the review is closed", func() bool { return s.theReviewIssue().State == "closed" })

	s.GitHub.InjectFault(outage("/repos/{owner}/{repo}/git/trees/{tree_sha}")) // the re-check reads the tree
	s.deleteComment("ospo", issue.Number, c, "lead")
	if got := s.faulted(); got != ghclient.DefaultMaxRetries+1 {
		t.Fatalf("%d requests met the outage: the test does not test what it says", got)
	}
	if is := s.theReviewIssue(); strings.Contains(is.Body, "approved by @lead") || is.State != "open" {
		t.Fatalf("after the retried deletion the review still shows the approval: %s\n%s", is.State, is.Body)
	}
}

// TestApprovalEditedAwayIsWithdrawn: an approver who edits `/ospo approve`
// out of their comment no longer approves, as on a review issue, where an
// edited comment is read again.
func TestApprovalEditedAwayIsWithdrawn(t *testing.T) {
	s, n, pr, c := approvedRelicensePR(t)

	s.editComment("widget", n, c, "Not yet: the licence needs legal's look first.", "lead")
	if cr, _ := s.latestCheck("widget", pr.HeadSHA); cr.Conclusion != "failure" {
		t.Fatalf("the approval edited away still passes: %+v", cr)
	}
	if got := s.auditActions(fmt.Sprintf("acme/widget#%d", n)); got != "lead:approve protected paths, lead:withdraw approve protected paths" {
		t.Fatalf("audit: %s", got)
	}
}
