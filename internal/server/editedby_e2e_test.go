package server_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-github/v66/github"

	"github.com/ospo-bot/ospo-bot/internal/ghclient"
	"github.com/ospo-bot/ospo-bot/internal/githubfake"
)

// editComment delivers an issue_comment edited event: editor changed c's
// body to body. Anyone with write access may edit anyone's comment (GitHub's
// CommentCannotEditReason: "You must be the author or have write access to
// this repository to edit this comment",
// https://docs.github.com/graphql/reference/enums#commentcannoteditreason);
// the event's sender is the editor, its comment.user the author.
func (s *scenario) editComment(repo string, number int, c githubfake.Comment, body, editor string, onPR bool) {
	s.t.Helper()
	ctx := context.Background()
	author, _, err := s.admin.Users.Get(ctx, c.User)
	if err != nil {
		s.t.Fatal(err)
	}
	sender, _, err := s.admin.Users.Get(ctx, editor)
	if err != nil {
		s.t.Fatal(err)
	}
	issue := &github.Issue{Number: github.Int(number)}
	if onPR {
		issue.PullRequestLinks = &github.PullRequestLinks{URL: github.String("x")}
	} else if is, ok := s.GitHub.Issue("acme", repo, number); ok {
		issue.Body = github.String(is.Body)
	}
	s.deliver("issue_comment", &github.IssueCommentEvent{
		Action:  github.String("edited"),
		Changes: &github.EditChange{Body: &github.EditBody{From: github.String(c.Body)}},
		Issue:   issue,
		Comment: &github.IssueComment{ID: github.Int64(c.ID), Body: github.String(body), HTMLURL: github.String(c.HTMLURL), User: author,
			CreatedAt: &github.Timestamp{Time: c.CreatedAt}, UpdatedAt: &github.Timestamp{Time: c.CreatedAt.Add(time.Second)}},
		Repo:         &github.Repository{FullName: github.String("acme/" + repo), Name: github.String(repo), Owner: &github.User{Login: github.String("acme")}},
		Installation: &github.Installation{ID: github.Int64(s.inst.ID)},
		Sender:       sender,
	})
}

// TestEditByAnotherRunsNothing: an edit by someone other than a comment's
// author is not the author's word. Made into `/ospo approve`, it approves
// nothing; made into the signing phrase, it signs nothing; and an approval
// the comment gave is withdrawn (fail closed), audited with the editor.
func TestEditByAnotherRunsNothing(t *testing.T) {
	s, n, pr := relicensePR(t)
	s.untilConclusion("widget", pr.HeadSHA, "failure")
	subject := fmt.Sprintf("acme/widget#%d", n)

	// bob, who may not approve, edits the lead's remark into an approval.
	remark := s.prComment("widget", n, "lead", "I will look at the licence change next week.")
	s.editComment("widget", n, remark, "/ospo approve", "bob", true)
	if cr, _ := s.latestCheck("widget", pr.HeadSHA); cr.Conclusion != "failure" {
		t.Fatalf("bob's edit of the lead's comment approved the pull request: %+v", cr)
	}
	if got := s.auditActions(subject); strings.Contains(got, "approve") {
		t.Fatalf("audit after bob's edit: %s", got)
	}

	// bob edits a remark of an unsigned contributor into the signing phrase.
	if _, err := s.GitHub.AddUser(githubfake.User{Login: "carol", Emails: []string{"carol@example.org"}}); err != nil {
		t.Fatal(err)
	}
	thanks := s.prComment("widget", n, "carol", "Thanks!")
	s.editComment("widget", n, thanks, phrase, "bob", true)
	carol, _, _ := s.admin.Users.Get(context.Background(), "carol")
	if sigs, err := s.App.Store.Signatures(context.Background(), "acme", []int64{carol.GetID()}); err != nil || len(sigs) != 0 {
		t.Fatalf("bob's edit signed the CLA for carol: %+v, %v", sigs, err)
	}

	// The lead approves; bob edits the approval: it is withdrawn, by bob.
	approval := s.prComment("widget", n, "lead", "/ospo approve")
	s.untilConclusion("widget", pr.HeadSHA, "success")
	s.editComment("widget", n, approval, "/ospo approve\n\n(and everything pushed later)", "bob", true)
	s.untilConclusion("widget", pr.HeadSHA, "failure")
	if got := s.auditActions(subject); got != "lead:approve protected paths, bob:withdraw approve protected paths" {
		t.Fatalf("audit: %s", got)
	}

	// The lead editing their own comment is theirs: it approves again.
	s.editComment("widget", n, approval, "/ospo approve (checked again)", "lead", true)
	s.untilConclusion("widget", pr.HeadSHA, "success")
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
	s.until("the review is rejected", func() bool { return strings.Contains(s.theReviewIssue().Body, "rejected by @lead2") })

	rejected := func(when string) {
		t.Helper()
		if is := s.theReviewIssue(); !strings.Contains(is.Body, "rejected by @lead2") || is.State != "open" {
			t.Fatalf("%s: the rejection is gone: %s\n%s", when, is.State, is.Body)
		}
	}
	s.editComment("ospo", issue.Number, reject, "nothing to see here", "intruder", false)
	rejected("after intruder's edit")
	s.deleteComment("ospo", issue.Number, reject, "intruder", false)
	rejected("after intruder's deletion")
	if got := s.auditActions("acme/widget"); !strings.Contains(got, "intruder:refuse withdraw reject") {
		t.Fatalf("audit: %s", got)
	}
	// An approver may withdraw it.
	s.deleteCommentAgainBy(t, "ospo", issue.Number, reject, "lead", false)
	s.until("the review is approved again", func() bool { return s.theReviewIssue().State == "closed" })
}

// deleteCommentAgainBy delivers a deleted event for a comment already
// deleted on the fake, as deleter.
func (s *scenario) deleteCommentAgainBy(t *testing.T, repo string, number int, c githubfake.Comment, deleter string, onPR bool) {
	t.Helper()
	issue := &github.Issue{Number: github.Int(number)}
	if onPR {
		issue.PullRequestLinks = &github.PullRequestLinks{URL: github.String("x")}
	}
	s.deliver("issue_comment", &github.IssueCommentEvent{
		Action: github.String("deleted"),
		Issue:  issue,
		Comment: &github.IssueComment{ID: github.Int64(c.ID), Body: github.String(c.Body), HTMLURL: github.String(c.HTMLURL),
			User: &github.User{Login: github.String(c.User), Type: github.String("User")}, CreatedAt: &github.Timestamp{Time: c.CreatedAt}},
		Repo:         &github.Repository{FullName: github.String("acme/" + repo), Name: github.String(repo), Owner: &github.User{Login: github.String("acme")}},
		Installation: &github.Installation{ID: github.Int64(s.inst.ID)},
		Sender:       &github.User{Login: github.String(deleter), Type: github.String("User")},
	})
}

// TestDeletedApprovalRechecksOnRetry: the withdrawal is committed before
// the re-check; when the re-check fails (GitHub's outage) and the job is
// retried, the retry finds nothing left to withdraw but still re-checks,
// so the pull request does not stay green on a withdrawn approval.
func TestDeletedApprovalRechecksOnRetry(t *testing.T) {
	s, n, pr, c := approvedRelicensePR(t)

	s.GitHub.InjectFault(outage("/repos/{owner}/{repo}/pulls/{pull_number}"))
	s.deleteComment("widget", n, c, "lead", true)
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
	s.deleteComment("ospo", issue.Number, c, "lead", false)
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

	s.editComment("widget", n, c, "Not yet: the licence needs legal's look first.", "lead", true)
	if cr, _ := s.latestCheck("widget", pr.HeadSHA); cr.Conclusion != "failure" {
		t.Fatalf("the approval edited away still passes: %+v", cr)
	}
	if got := s.auditActions(fmt.Sprintf("acme/widget#%d", n)); got != "lead:approve protected paths, lead:withdraw approve protected paths" {
		t.Fatalf("audit: %s", got)
	}
}
