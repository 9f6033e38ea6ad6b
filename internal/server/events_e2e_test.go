package server_test

import (
	"context"
	"encoding/json"
	"testing"

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
