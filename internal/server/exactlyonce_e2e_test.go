package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-github/v66/github"

	"github.com/ospo-bot/ospo-bot/internal/ghclient"
	"github.com/ospo-bot/ospo-bot/internal/githubfake"
)

// countAudit counts the audit rows of subject with the action.
func (s *scenario) countAudit(subject, action string) int {
	s.t.Helper()
	log, err := s.App.Store.AuditLog(context.Background(), subject)
	if err != nil {
		s.t.Fatal(err)
	}
	n := 0
	for _, e := range log {
		if e.Action == action {
			n++
		}
	}
	return n
}

// Reproduced bug (issue 11): one /ospo approve, then a transient GitHub
// 500 on the first request of the re-check that follows it, wrote two
// audit rows: the re-check ran inline in the comment's job, whose retry
// handled the comment again. The re-check is its own job now.
func TestApproveThenTransient500AuditsOnce(t *testing.T) {
	s := newScenario(t, orgPolicy)
	s.deliver("repository", s.repoPayload("created"))
	s.until("a review issue is opened", func() bool { return len(s.reviewIssues()) > 0 })
	issue := s.theReviewIssue()
	s.settled()

	// The comment's own handling reads acme/ospo and acme/.github; the
	// re-check reads acme/widget first.
	s.GitHub.InjectFault(githubfake.Fault{Method: "GET", Route: "/repos/acme/widget", Kind: githubfake.Status(500), Times: ghclient.DefaultMaxRetries + 1})
	s.comment("lead", "ospo", issue.Number, "/ospo approve ship it")
	s.until("the review is closed", func() bool { return s.theReviewIssue().State == "closed" })
	s.settled()
	if got := s.faulted(); got != ghclient.DefaultMaxRetries+1 {
		t.Fatalf("%d requests met the fault, want %d: the test does not test what it says", got, ghclient.DefaultMaxRetries+1)
	}
	if n := s.countAudit("acme/widget", "approve"); n != 1 {
		t.Fatalf("%d audit rows for one /ospo approve, want 1", n)
	}
}

// A refusal is answered and audited once per comment, also when GitHub
// delivers the comment again under a new delivery ID.
func TestRefusalRepliedOnceAcrossRedeliveries(t *testing.T) {
	s := newScenario(t, orgPolicy)
	s.deliver("repository", s.repoPayload("created"))
	s.until("a review issue is opened", func() bool { return len(s.reviewIssues()) > 0 })
	issue := s.theReviewIssue()
	s.settled()
	before := len(s.GitHub.Comments("acme", "ospo", issue.Number))
	c := s.comment("intruder", "ospo", issue.Number, "/ospo approve")
	s.commentEvent("ospo", "created", c, "intruder", nil) // a new delivery ID, the same comment
	s.settled()
	refusals := 0
	for _, cm := range s.GitHub.Comments("acme", "ospo", issue.Number)[before:] {
		if strings.Contains(cm.Body, "may approve, reject or exempt") {
			refusals++
		}
	}
	if refusals != 1 {
		t.Errorf("%d refusal replies to one comment, want 1", refusals)
	}
	if n := s.countAudit("acme/widget", "refuse approve"); n != 1 {
		t.Errorf("%d refusal audit rows for one comment, want 1", n)
	}
}

// review.private_until_approved: the job fails after the repository was
// made private; its retry sees it private, and must still audit it and say
// so on the review issue (the intent was recorded before the PATCH).
func TestMadePrivateThenFailureStillAuditedAndNoted(t *testing.T) {
	s := newScenario(t, privatePolicy)
	s.withAdministration()
	// After the PATCH the check opens the review issue in acme/ospo.
	s.GitHub.InjectFault(githubfake.Fault{Route: "/repos/acme/ospo/", Kind: githubfake.Status(500), Times: ghclient.DefaultMaxRetries + 1})
	s.deliver("repository", s.repoPayload("publicized"))
	s.settled()
	if !s.isPrivate("widget") {
		t.Fatal("not made private")
	}
	if got := s.faulted(); got != ghclient.DefaultMaxRetries+1 {
		t.Fatalf("%d requests met the fault, want %d", got, ghclient.DefaultMaxRetries+1)
	}
	if n := s.countAudit("acme/widget", "make private"); n != 1 {
		t.Errorf("%d audit rows for making it private, want 1", n)
	}
	issue := s.theReviewIssue()
	notes := 0
	for _, c := range s.GitHub.Comments("acme", "ospo", issue.Number) {
		if strings.Contains(c.Body, "made private again") {
			notes++
		}
	}
	if notes != 1 {
		t.Errorf("%d notes that it was made private, want 1", notes)
	}
}

// While another replica holds the lease on a repository, its check job
// snoozes (it does not fail) and runs once the lease is released.
func TestCheckSnoozesWhileAnotherHoldsTheLease(t *testing.T) {
	s := newScenario(t, orgPolicy)
	s.deliver("repository", s.repoPayload("created"))
	s.until("a review issue is opened", func() bool { return len(s.reviewIssues()) > 0 })
	s.settled()
	ctx := context.Background()
	subject := fmt.Sprintf("repository %d", s.widget.ID)
	if ok, err := s.App.Store.TakeLease(ctx, subject, "another replica", time.Hour); err != nil || !ok {
		t.Fatalf("lease: %v %v", ok, err)
	}
	commits, err := s.GitHub.Push("acme", "widget", "main", githubfake.NewCommit{Message: "license", Author: githubfake.Signature{Name: "Dev", Email: "dev@acme.example"},
		Files: map[string]string{"LICENSE": licenseText(t, "MIT.txt")}})
	if err != nil {
		t.Fatal(err)
	}
	r, _ := s.GitHub.Repo("acme", "widget")
	body, _ := json.Marshal(&github.PushEvent{Ref: github.String("refs/heads/main"), After: github.String(commits[0].SHA),
		Commits:      []*github.HeadCommit{{ID: github.String(commits[0].SHA), Added: []string{"LICENSE"}}},
		Repo:         &github.PushEventRepository{ID: github.Int64(r.ID), Name: github.String(r.Name), FullName: github.String(r.FullName()), DefaultBranch: github.String("main"), Owner: &github.User{Login: github.String("acme")}},
		Installation: &github.Installation{ID: github.Int64(s.inst.ID)}})
	s.send("push", body) // not waited for: its check waits for the lease
	s.until("the check is snoozed", func() bool {
		var n int
		_ = s.App.Store.DB.QueryRow(`SELECT COUNT(*) FROM river_job WHERE kind = 'check_repository' AND CAST(metadata AS TEXT) LIKE '%snoozes%'`).Scan(&n)
		return n > 0
	})
	if strings.Contains(s.theReviewIssue().Body, "✅ **license**") {
		t.Fatal("checked while another held the lease")
	}
	if err := s.App.Store.ReleaseLease(ctx, subject, "another replica"); err != nil {
		t.Fatal(err)
	}
	s.settled()
	if !strings.Contains(s.theReviewIssue().Body, "✅ **license**") {
		t.Fatalf("not checked after the lease was released:\n%s", s.theReviewIssue().Body)
	}
	if n := s.failedJobs(); n != 0 {
		t.Errorf("%d jobs failed: a held lease snoozes", n)
	}
}

// On a pull request too: a refused /ospo approve redelivered under a new
// delivery ID is answered and audited once.
func TestPullRequestRefusalRepliedOnceAcrossRedeliveries(t *testing.T) {
	s := newPRScenario(t)
	s.signed("alice")
	n := s.openPR("widget", "relicense", "alice", []string{"kind/feature"},
		githubfake.NewCommit{Message: "Relicense", Author: alice, Files: map[string]string{"LICENSE": licenseText(t, "MIT.txt")}})
	s.settled()
	c := s.prComment("widget", n, "intruder", "/ospo approve")
	s.commentEvent("widget", "created", c, "intruder", nil) // a new delivery ID, the same comment
	s.settled()
	refusals := 0
	for _, cm := range s.botComments("widget", n) {
		if strings.Contains(cm.Body, "may do that") {
			refusals++
		}
	}
	if refusals != 1 {
		t.Errorf("%d refusal replies to one comment, want 1", refusals)
	}
	if got := s.countAudit(fmt.Sprintf("acme/widget#%d", n), "refuse approve"); got != 1 {
		t.Errorf("%d refusal audit rows for one comment, want 1", got)
	}
}

// An edit's refusal is replied to once, also when the edit is delivered
// again under a new delivery ID.
func TestEditRefusalRepliedOnceAcrossRedeliveries(t *testing.T) {
	s := newScenario(t, orgPolicy)
	s.deliver("repository", s.repoPayload("created"))
	s.until("a review issue is opened", func() bool { return len(s.reviewIssues()) > 0 })
	issue := s.theReviewIssue()
	s.settled()
	c := s.comment("intruder", "ospo", issue.Number, "Looks fine.")
	before := len(s.GitHub.Comments("acme", "ospo", issue.Number))
	old := c.Body
	after := s.editComment("ospo", issue.Number, c, "Looks fine.\n/ospo approve", "intruder")
	s.commentEvent("ospo", "edited", after, "intruder", &old) // a new delivery ID, the same edit
	s.settled()
	refusals := 0
	for _, cm := range s.GitHub.Comments("acme", "ospo", issue.Number)[before:] {
		if strings.Contains(cm.Body, "only members of @acme/ospo-leads") {
			refusals++
		}
	}
	if refusals != 1 {
		t.Errorf("%d refusal replies to one edit, want 1", refusals)
	}
}
