package server_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-github/v66/github"

	"github.com/ospo-bot/ospo-bot/internal/githubfake"
)

// TestSameHeadSharesTheWorstResult: GitHub shows one ospo/policy per
// commit, the newest check run of that name, and a ruleset requiring it
// reads the commit. Two open pull requests with the same head share it:
// #1 into main without a required label fails; #2, the same head into
// staging with a label, passes on its own. Checking #2 last must not turn
// the commit green and let #1 merge: every run on the head concludes with
// the worst of them, until #1 is fixed or closed.
func TestSameHeadSharesTheWorstResult(t *testing.T) {
	s, one, two := twinPullRequests(t)
	ctx := context.Background()
	head := one.HeadSHA
	if two.HeadSHA != head {
		t.Fatalf("heads differ: %s, %s", head, two.HeadSHA)
	}
	// newest waits for a check run newer than the last one seen on the
	// head; pull_request deliveries check inline, so it is there already.
	lastID := int64(0)
	newest := func(what string) githubfake.CheckRun {
		t.Helper()
		cr, ok := s.latestCheck("widget", head)
		if !ok || cr.ID <= lastID || cr.Status != "completed" {
			t.Fatalf("%s: no new completed ospo/policy run on the head: %+v", what, cr)
		}
		lastID = cr.ID
		return cr
	}

	s.prEvent("widget", one.Number, "opened")
	if cr := newest("#1 opened"); cr.Conclusion != "failure" || !strings.Contains(cr.Output.Summary, "pr-labels") {
		t.Fatalf("#1 alone: %+v", cr)
	}
	s.prEvent("widget", two.Number, "opened")
	cr := newest("#2 opened")
	if cr.Conclusion != "failure" || !strings.Contains(cr.Output.Title, "#1 (into `main`) has this head commit and fails ospo/policy") {
		t.Fatalf("#2 checked last turns the shared head green: %+v", cr)
	}
	s.prEvent("widget", two.Number, "edited") // a re-check of #2 does not either
	if cr := newest("#2 re-checked"); cr.Conclusion != "failure" {
		t.Fatalf("#2 re-checked: %+v", cr)
	}

	// #1 fixed: the head passes, whichever is checked last.
	if _, _, err := s.admin.Issues.AddLabelsToIssue(ctx, "acme", "widget", one.Number, []string{"kind/bug"}); err != nil {
		t.Fatal(err)
	}
	s.prEvent("widget", one.Number, "labeled")
	if cr := newest("#1 labeled"); cr.Conclusion != "success" {
		t.Fatalf("#1 fixed: %+v", cr)
	}
	s.prEvent("widget", two.Number, "edited")
	if cr := newest("#2 after #1's fix"); cr.Conclusion != "success" {
		t.Fatalf("#2 after #1's fix: %+v", cr)
	}

	// #1 fails again and is closed: it no longer holds #2 back.
	if _, err := s.admin.Issues.RemoveLabelsForIssue(ctx, "acme", "widget", one.Number); err != nil {
		t.Fatal(err)
	}
	s.prEvent("widget", one.Number, "unlabeled")
	if cr := newest("#1 unlabeled"); cr.Conclusion != "failure" {
		t.Fatalf("#1 unlabeled: %+v", cr)
	}
	s.prEvent("widget", two.Number, "edited")
	if cr := newest("#2 while #1 fails"); cr.Conclusion != "failure" {
		t.Fatalf("#2 while #1 fails: %+v", cr)
	}
	if _, _, err := s.admin.Issues.Edit(ctx, "acme", "widget", one.Number, &github.IssueRequest{State: github.String("closed")}); err != nil {
		t.Fatal(err)
	}
	s.prEvent("widget", one.Number, "closed")
	if at, err := s.App.Store.PullRequestsAt(ctx, "acme/widget", head); err != nil || len(at) != 1 || at[0].Number != two.Number {
		t.Fatalf("results at the head after #1 closed: %+v, %v", at, err)
	}
	s.prEvent("widget", two.Number, "edited")
	if cr := newest("#2 after #1 closed"); cr.Conclusion != "success" {
		t.Fatalf("#2 after #1 closed: %+v", cr)
	}
}

// TestSameHeadClosedWithoutEvent: a pull request closed while its webhook
// is lost (or before its result was recorded) no longer counts either:
// GitHub says it is closed.
func TestSameHeadClosedWithoutEvent(t *testing.T) {
	s := newPRScenario(t)
	s.signed("alice")
	ctx := context.Background()
	if _, err := s.GitHub.CreateBranch("acme", "widget", "staging", "main"); err != nil {
		t.Fatal(err)
	}
	one := s.openPR("widget", "feature", "alice", nil, githubfake.NewCommit{Message: "Feature", Author: alice, Files: map[string]string{"feature.go": "package feature"}})
	two, err := s.GitHub.AddPullRequest("acme", "widget", githubfake.PullRequest{Title: "into staging", User: "alice", Head: "feature", Base: "staging", Labels: []string{"kind/feature"}})
	if err != nil {
		t.Fatal(err)
	}
	s.prEvent("widget", two.Number, "opened")
	if cr := s.check("widget", two.Number); cr.Conclusion != "failure" {
		t.Fatalf("#2 while #1 fails: %+v", cr)
	}
	if _, _, err := s.admin.Issues.Edit(ctx, "acme", "widget", one, &github.IssueRequest{State: github.String("closed")}); err != nil {
		t.Fatal(err)
	}
	s.prEvent("widget", two.Number, "edited")
	if cr := s.check("widget", two.Number); cr.Conclusion != "success" {
		t.Fatalf("#2 after #1 closed unannounced: %+v", cr)
	}
}

// TestSameHeadChecksAtOnce: #1 (failing) and #2 (passing) at the same head
// are checked at once, #2's run created after #1's and so the newest. #2
// must not conclude before it can read #1's result: checks at one head
// take turns, so #2's run still holds #1's failure.
func TestSameHeadChecksAtOnce(t *testing.T) {
	s, one, two := twinPullRequests(t)
	// #1's check is slow once its run is in progress: reading its commits.
	s.GitHub.InjectFault(githubfake.Fault{Route: "/repos/acme/widget/pulls/1/", Kind: githubfake.Delay(1500 * time.Millisecond)})
	body, err := json.Marshal(s.prPayload("widget", one.Number, "opened"))
	if err != nil {
		t.Fatal(err)
	}
	first := s.send("pull_request", body)
	s.until("#1's run is in progress", func() bool { return s.runsOn(one.HeadSHA) == 1 })
	s.prEvent("widget", two.Number, "opened")
	s.wait(first)
	cr, ok := s.latestCheck("widget", one.HeadSHA)
	if !ok || s.runsOn(one.HeadSHA) != 2 || cr.Status != "completed" || cr.Conclusion != "failure" {
		t.Fatalf("the newest run, #2's, passes beside failing #1: %+v", cr)
	}
	if cr.ExternalID == "" || !strings.Contains(cr.Output.Title, "#1 (into `main`)") {
		t.Fatalf("the newest run is not #2's naming #1: %+v", cr)
	}
}

// twinPullRequests opens, without delivering their webhooks, two pull
// requests by alice (who signed) from one branch: #1 into main without the
// required label, #2 into staging with it.
func twinPullRequests(t *testing.T) (*scenario, githubfake.PullRequest, githubfake.PullRequest) {
	t.Helper()
	s := newPRScenario(t)
	s.signed("alice")
	if _, err := s.GitHub.CreateBranch("acme", "widget", "staging", "main"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GitHub.CreateBranch("acme", "widget", "feature", "main"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GitHub.Push("acme", "widget", "feature", githubfake.NewCommit{Message: "Feature", Author: alice, Files: map[string]string{"feature.go": "package feature"}}); err != nil {
		t.Fatal(err)
	}
	one, err := s.GitHub.AddPullRequest("acme", "widget", githubfake.PullRequest{Title: "into main", User: "alice", Head: "feature"})
	if err != nil {
		t.Fatal(err)
	}
	two, err := s.GitHub.AddPullRequest("acme", "widget", githubfake.PullRequest{Title: "into staging", User: "alice", Head: "feature", Base: "staging", Labels: []string{"kind/feature"}})
	if err != nil {
		t.Fatal(err)
	}
	return s, one, two
}
