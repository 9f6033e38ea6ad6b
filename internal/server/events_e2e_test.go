package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-github/v66/github"

	"github.com/ospo-bot/ospo-bot/internal/githubfake"
	"github.com/ospo-bot/ospo-bot/internal/prcheck"
)

// latestCheck is the newest ospo/policy check run on a commit.
func (s *scenario) latestCheck(repo, sha string) (githubfake.CheckRun, bool) {
	var last githubfake.CheckRun
	found := false
	for _, cr := range s.GitHub.CheckRuns("acme", repo) {
		if cr.Name == prcheck.CheckName && cr.HeadSHA == sha && (!found || cr.ID > last.ID) {
			last, found = cr, true
		}
	}
	return last, found
}

func (s *scenario) untilConclusion(repo, sha, want string) githubfake.CheckRun {
	s.t.Helper()
	var cr githubfake.CheckRun
	s.until("ospo/policy on "+sha+" concludes "+want, func() bool {
		var ok bool
		cr, ok = s.latestCheck(repo, sha)
		return ok && cr.Status == "completed" && cr.Conclusion == want
	})
	return cr
}

// forkPR opens a pull request from user's fork of acme/repo, without
// delivering its webhook.
func (s *scenario) forkPR(repo, user, branch string, labels []string, commits ...githubfake.NewCommit) githubfake.PullRequest {
	s.t.Helper()
	if _, ok := s.GitHub.Repo(user, repo); !ok {
		if _, err := s.GitHub.AddFork("acme", repo, user); err != nil {
			s.t.Fatal(err)
		}
	}
	if _, err := s.GitHub.Push(user, repo, branch, commits...); err != nil {
		s.t.Fatal(err)
	}
	pr, err := s.GitHub.AddPullRequest("acme", repo, githubfake.PullRequest{Title: "from a fork", User: user, Head: user + ":" + branch, Labels: labels})
	if err != nil {
		s.t.Fatal(err)
	}
	return pr
}

// raw takes a payload the fake built.
func (s *scenario) raw(body []byte, err error) json.RawMessage {
	s.t.Helper()
	if err != nil {
		s.t.Fatal(err)
	}
	return body
}

// TestForkPullRequestIsRechecked: GitHub names no pull request in the
// check_run and check_suite events of a fork's head commit; Re-run,
// Recheck and a re-requested suite still check the pull request again, and
// a suite requested for a fork pull request the bot never saw checks it.
func TestForkPullRequestIsRechecked(t *testing.T) {
	s := newPRScenario(t)
	ctx := context.Background()
	if _, err := s.GitHub.AddUser(githubfake.User{Login: "carol", Emails: []string{"carol@example.org"}}); err != nil {
		t.Fatal(err)
	}
	s.signed("carol")
	carol := githubfake.Signature{Name: "Carol", Email: "carol@example.org", Login: "carol"}
	pr := s.forkPR("widget", "carol", "fix", nil, githubfake.NewCommit{Message: "Fix", Author: carol, Files: map[string]string{"fix.go": "package fix"}})
	s.prEvent("widget", pr.Number, "opened")
	first := s.untilConclusion("widget", pr.HeadSHA, "failure") // no kind/ label

	// Labelled without a webhook reaching the bot; the author presses Re-run.
	if _, _, err := s.admin.Issues.AddLabelsToIssue(ctx, "acme", "widget", pr.Number, []string{"kind/bug"}); err != nil {
		t.Fatal(err)
	}
	s.deliver("check_run", s.raw(s.GitHub.CheckRunEvent(s.inst.ID, "acme", "widget", first.ID, "rerequested", "")))
	s.untilConclusion("widget", pr.HeadSHA, "success")

	// Unlabelled; the check suite is re-requested.
	if _, err := s.admin.Issues.RemoveLabelForIssue(ctx, "acme", "widget", pr.Number, "kind%2Fbug"); err != nil {
		t.Fatal(err)
	}
	s.deliver("check_suite", s.raw(s.GitHub.CheckSuiteEvent(s.inst.ID, "acme", "widget", pr.HeadSHA, "rerequested")))
	failed := s.untilConclusion("widget", pr.HeadSHA, "failure")

	// Labelled again; the Recheck button.
	if _, _, err := s.admin.Issues.AddLabelsToIssue(ctx, "acme", "widget", pr.Number, []string{"kind/feature"}); err != nil {
		t.Fatal(err)
	}
	s.deliver("check_run", s.raw(s.GitHub.CheckRunEvent(s.inst.ID, "acme", "widget", failed.ID, "requested_action", prcheck.RecheckAction)))
	s.untilConclusion("widget", pr.HeadSHA, "success")

	// A fork pull request whose opening never reached the bot: the suite
	// GitHub requests for its head checks it.
	other := s.forkPR("widget", "carol", "other", []string{"kind/bug"}, githubfake.NewCommit{Message: "Other", Author: carol, Files: map[string]string{"other.go": "package other"}})
	s.deliver("check_suite", s.raw(s.GitHub.CheckSuiteEvent(s.inst.ID, "acme", "widget", other.HeadSHA, "requested")))
	s.untilConclusion("widget", other.HeadSHA, "success")
}

// reviewEvent delivers a pull_request_review event as GitHub sends it.
func (s *scenario) reviewEvent(repo string, number int, action string, rv githubfake.Review, sender string) {
	s.t.Helper()
	pr, _, err := s.admin.PullRequests.Get(context.Background(), "acme", repo, number)
	if err != nil {
		s.t.Fatal(err)
	}
	state := strings.ToLower(rv.State)
	s.deliver("pull_request_review", &github.PullRequestReviewEvent{
		Action: github.String(action),
		Review: &github.PullRequestReview{ID: github.Int64(rv.ID), State: github.String(state), CommitID: github.String(rv.CommitID),
			User: &github.User{Login: github.String(rv.User), Type: github.String("User")}, SubmittedAt: &github.Timestamp{Time: rv.SubmittedAt}},
		PullRequest:  pr,
		Repo:         pr.GetBase().GetRepo(),
		Installation: &github.Installation{ID: github.Int64(s.inst.ID)},
		Sender:       &github.User{Login: github.String(sender), Type: github.String("User")},
	})
}

// deleteComment deletes a comment on GitHub, as deleter, and delivers the
// issue_comment deleted event.
func (s *scenario) deleteComment(repo string, number int, c githubfake.Comment, deleter string) {
	s.t.Helper()
	if err := s.GitHub.DeleteComment("acme", repo, c.ID); err != nil {
		s.t.Fatal(err)
	}
	s.deleteCommentAgainBy(s.t, repo, number, c, deleter)
}

func (s *scenario) auditActions(subject string) string {
	s.t.Helper()
	log, err := s.App.Store.AuditLog(context.Background(), subject)
	if err != nil {
		s.t.Fatal(err)
	}
	var actions []string
	for _, e := range log {
		actions = append(actions, e.Actor+":"+e.Action)
	}
	return strings.Join(actions, ", ")
}

// reviewListings counts the bot's reads of pull request reviews: a
// re-check of protected paths makes one.
func (s *scenario) reviewListings() int {
	return s.GitHub.CountRequests(func(r githubfake.Request) bool {
		return r.Route == "/repos/{owner}/{repo}/pulls/{pull_number}/reviews"
	})
}

// TestPullRequestReviewRechecks: an approving review re-checks the pull
// request at once (the check decides whether the reviewer may approve
// protected paths), and dismissing it re-checks too.
func TestPullRequestReviewRechecks(t *testing.T) {
	s, n, pr := relicensePR(t)
	s.untilConclusion("widget", pr.HeadSHA, "failure")

	// Someone who is not an approver approves: still failing.
	rv, err := s.GitHub.AddReview("acme", "widget", n, githubfake.Review{User: "bob", State: "APPROVED"})
	if err != nil {
		t.Fatal(err)
	}
	listed := s.reviewListings()
	s.reviewEvent("widget", n, "submitted", rv, "bob")
	s.until("the re-check reads the reviews", func() bool { return s.reviewListings() > listed })
	if cr := s.untilConclusion("widget", pr.HeadSHA, "failure"); !strings.Contains(cr.Output.Summary, "protected-paths") {
		t.Fatalf("after bob's review: %+v", cr)
	}

	rv, err = s.GitHub.AddReview("acme", "widget", n, githubfake.Review{User: "lead", State: "APPROVED"})
	if err != nil {
		t.Fatal(err)
	}
	s.reviewEvent("widget", n, "submitted", rv, "lead")
	s.untilConclusion("widget", pr.HeadSHA, "success")

	if err := s.GitHub.DismissReview("acme", "widget", n, rv.ID); err != nil {
		t.Fatal(err)
	}
	rv.State = "DISMISSED"
	s.reviewEvent("widget", n, "dismissed", rv, "admin")
	s.untilConclusion("widget", pr.HeadSHA, "failure")
}

// TestDeletedApprovalIsWithdrawn: deleting the comment that approved
// protected paths withdraws the approval, audited, and re-checks.
func TestDeletedApprovalIsWithdrawn(t *testing.T) {
	s, n, pr, c := approvedRelicensePR(t)

	s.deleteComment("widget", n, c, "lead")
	if cr := s.untilConclusion("widget", pr.HeadSHA, "failure"); !strings.Contains(cr.Output.Summary, "protected-paths") {
		t.Fatalf("after the deletion: %+v", cr)
	}
	subject := fmt.Sprintf("acme/widget#%d", n)
	if got := s.auditActions(subject); got != "lead:approve protected paths, lead:withdraw approve protected paths" {
		t.Fatalf("audit: %s", got)
	}
	// Redelivered, the deletion changes nothing more.
	s.deleteCommentAgain(t, c, n)
	if got := s.auditActions(subject); got != "lead:approve protected paths, lead:withdraw approve protected paths" {
		t.Fatalf("audit after a second deletion event: %s", got)
	}
}

// deleteCommentAgain delivers a second deleted event for the same comment
// (a new delivery, as when GitHub retries after a timeout).
func (s *scenario) deleteCommentAgain(t *testing.T, c githubfake.Comment, number int) {
	t.Helper()
	s.commentEvent("widget", "deleted", c, "lead", nil)
}

// TestDeletedDecisionIsWithdrawn: deleting the comment that approved a
// review withdraws the approval, audited, and the review issue shows it.
func TestDeletedDecisionIsWithdrawn(t *testing.T) {
	s := newScenario(t, orgPolicy)
	s.deliver("repository", s.repoPayload("created"))
	s.until("a review issue is opened", func() bool { return len(s.reviewIssues()) > 0 })
	issue := s.theReviewIssue()
	c := s.comment("lead", "ospo", issue.Number, "/ospo approve ship it")
	s.until("the review is closed", func() bool { return s.theReviewIssue().State == "closed" })

	s.deleteComment("ospo", issue.Number, c, "lead")
	s.until("the review shows no approval", func() bool {
		is := s.theReviewIssue()
		return !strings.Contains(is.Body, "approved by @lead") && is.State == "open"
	})
	if got := s.auditActions("acme/widget"); got != "lead:approve, lead:withdraw approve" {
		t.Fatalf("audit: %s", got)
	}
}

// relicensePR opens a pull request by alice, who signed, that changes the
// LICENSE (a protected path).
func relicensePR(t *testing.T) (*scenario, int, githubfake.PullRequest) {
	t.Helper()
	s := newPRScenario(t)
	s.signed("alice")
	n := s.openPR("widget", "relicense", "alice", []string{"kind/feature"},
		githubfake.NewCommit{Message: "Relicense", Author: alice, Files: map[string]string{"LICENSE": licenseText(t, "MIT.txt")}})
	pr, _ := s.GitHub.PullRequest("acme", "widget", n)
	return s, n, pr
}

// approvedRelicensePR is relicensePR approved by the lead's comment, which
// it returns, the check passing.
func approvedRelicensePR(t *testing.T) (*scenario, int, githubfake.PullRequest, githubfake.Comment) {
	t.Helper()
	s, n, pr := relicensePR(t)
	c := s.prComment("widget", n, "lead", "/ospo approve")
	s.untilConclusion("widget", pr.HeadSHA, "success")
	return s, n, pr, c
}
