package server_test

import (
	"context"
	"fmt"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/google/go-github/v66/github"

	"github.com/ospo-bot/ospo-bot/internal/githubfake"
	"github.com/ospo-bot/ospo-bot/internal/jobs"
)

// privatePolicy is orgPolicy with review.private_until_approved on.
var privatePolicy = strings.Replace(orgPolicy, "review:\n", "review:\n  private_until_approved: true\n", 1)

// withAdministration grants the installation Administration: write, which
// making a repository private takes; config/app.yml asks for read only.
func (s *scenario) withAdministration() {
	s.t.Helper()
	perms := maps.Clone(s.inst.Permissions)
	perms["administration"] = "write"
	if err := s.GitHub.SetInstallationPermissions(s.inst.ID, perms); err != nil {
		s.t.Fatal(err)
	}
	s.inst.Permissions = perms
}

// settled waits until the queue has no job left to run, retry or wake
// (but a dashboard update waiting out its debounce): every check that the
// deliveries so far asked for has finished. The
// deadline is generous: recognising a license text takes seconds of CPU
// under -race on a busy machine.
func (h *harness) settled() {
	h.t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		var n int
		err := h.App.Store.DB.QueryRow(`SELECT COUNT(*) FROM river_job WHERE state NOT IN ('completed', 'discarded', 'cancelled')
			AND NOT (kind = 'dashboard' AND state = 'scheduled') -- a dashboard update waits out its debounce
			AND NOT (state = 'scheduled' AND CAST(tags AS TEXT) LIKE '%' || $1 || '%')`, jobs.ExpiryTag).Scan(&n) // and a check, an exemption's expiry
		if err == nil && n == 0 {
			return
		}
		if time.Now().After(deadline) {
			var left string
			_ = h.App.Store.DB.QueryRow(`SELECT COALESCE(GROUP_CONCAT(kind || ' ' || state || ' attempt ' || attempt || ' at ' || scheduled_at || ' ' || COALESCE(errors, '') || ' ' || args, '; '), '')
				FROM river_job WHERE state NOT IN ('completed', 'discarded', 'cancelled')`).Scan(&left)
			h.t.Fatalf("the queue did not settle: %d jobs left (%v): %s", n, err, left)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// failedJobs counts jobs that failed an attempt or were given up.
func (h *harness) failedJobs() int {
	h.t.Helper()
	var n int
	if err := h.App.Store.DB.QueryRow(`SELECT COUNT(*) FROM river_job WHERE state IN ('discarded', 'cancelled') OR attempt > 1`).Scan(&n); err != nil {
		h.t.Fatal(err)
	}
	return n
}

func (s *scenario) makePublic(name string) {
	s.t.Helper()
	if _, _, err := s.admin.Repositories.Edit(context.Background(), "acme", name, &github.Repository{Private: github.Bool(false)}); err != nil {
		s.t.Fatal(err)
	}
}

func (s *scenario) isPrivate(name string) bool {
	r, _ := s.GitHub.Repo("acme", name)
	return r.Private
}

func TestPublicizedRepositoryIsMadePrivateUntilApproved(t *testing.T) {
	s := newScenario(t, privatePolicy)
	s.withAdministration()
	s.deliver("repository", s.repoPayload("publicized"))
	s.settled()
	if !s.isPrivate("widget") {
		t.Fatal("the repository made public without an approval is still public")
	}
	issue := s.theReviewIssue()
	if !strings.Contains(issue.Body, "keeps this repository private until an approver approves it") || !strings.Contains(issue.Body, "made public without an approval") {
		t.Errorf("body does not say why it is private:\n%s", issue.Body)
	}
	comments := s.GitHub.Comments("acme", "ospo", issue.Number)
	if len(comments) != 1 || !strings.Contains(comments[0].Body, "made private again") {
		t.Errorf("comments: %+v", comments)
	}
	log, _ := s.App.Store.AuditLog(context.Background(), "acme/widget")
	if len(log) != 1 || log[0].Actor != "ospo-bot" || log[0].Action != "make private" {
		t.Errorf("audit: %+v", log)
	}

	// Approved, it may be made public again, and stays so.
	s.push("widget", map[string]string{"LICENSE": licenseText(t, "MIT.txt")})
	s.comment("lead", "ospo", issue.Number, "/ospo approve")
	s.until("the review is closed", func() bool { return s.theReviewIssue().State == "closed" })
	s.makePublic("widget")
	s.deliver("repository", s.repoPayload("publicized"))
	s.settled()
	if s.isPrivate("widget") {
		t.Fatal("an approved repository was made private again")
	}
	if log, _ := s.App.Store.AuditLog(context.Background(), "acme/widget"); len(log) != 2 || log[1].Action != "approve" {
		t.Errorf("audit after the approval: %+v", log)
	}
}

func TestCreatedPublicRepositoryIsMadePrivate(t *testing.T) {
	s := newScenario(t, privatePolicy)
	s.withAdministration()
	ev := s.repoPayload("created")
	ev.Repo.Visibility = github.String("public")
	s.deliver("repository", ev)
	s.settled()
	if !s.isPrivate("widget") {
		t.Fatal("a repository created public without an approval is still public")
	}
}

func TestWithoutAdministrationWriteTheReviewSaysWhy(t *testing.T) {
	s := newScenario(t, privatePolicy) // config/app.yml: administration read
	if got := s.inst.Permissions["administration"]; got != "read" {
		t.Fatalf("the installation has administration %q; the test needs config/app.yml's read", got)
	}
	s.deliver("repository", s.repoPayload("publicized"))
	s.settled()
	if s.isPrivate("widget") {
		t.Fatal("the fake let the App make a repository private without Administration: write")
	}
	if n := s.failedJobs(); n != 0 {
		t.Errorf("%d jobs failed: a refused visibility change must not fail the check", n)
	}
	issue := s.theReviewIssue()
	for _, want := range []string{"could not be made private", "administration=write", "made public without an approval"} {
		if !strings.Contains(issue.Body, want) {
			t.Errorf("review issue body lacks %q:\n%s", want, issue.Body)
		}
	}
	comments := s.GitHub.Comments("acme", "ospo", issue.Number)
	if len(comments) != 1 || !strings.Contains(comments[0].Body, "could not be made private") {
		t.Errorf("comments: %+v", comments)
	}
	if log, _ := s.App.Store.AuditLog(context.Background(), "acme/widget"); len(log) != 0 {
		t.Errorf("audited an action that did not happen: %+v", log)
	}
}

// A public, unapproved repository is left public by everything but the
// event that made it public: the installation, a sweep, an edit, a push and
// a re-check. The App could make it private (Administration: write).
func TestOnlyThePublicizingEventMakesARepositoryPrivate(t *testing.T) {
	s := newScenario(t, privatePolicy)
	s.withAdministration()
	stillPublic := func(after string) {
		t.Helper()
		s.settled()
		if s.isPrivate("widget") {
			t.Fatalf("%s made the public, unapproved repository private", after)
		}
	}
	s.wait(s.send("installation", []byte(fmt.Sprintf(`{"action":"created","installation":{"id":%d,"account":{"login":"acme"}}}`, s.inst.ID))))
	stillPublic("the installation")
	var issue githubfake.Issue // the check ran: widget has no LICENSE
	for _, is := range s.reviewIssues() {
		if is.Title == "OSPO review: acme/widget" {
			issue = is
		}
	}
	if issue.Number == 0 {
		t.Fatal("the installation's check opened no review issue for acme/widget")
	}

	if _, err := s.App.Queue.Client().Insert(context.Background(), jobs.SweepArgs{}, nil); err != nil {
		t.Fatal(err)
	}
	stillPublic("a sweep")
	s.deliver("repository", s.repoPayload("edited"))
	stillPublic("an edit")
	s.push("widget", map[string]string{"NOTES.md": "notes"})
	stillPublic("a push")
	s.comment("lead", "ospo", issue.Number, "/ospo recheck")
	stillPublic("a re-check")
	if log, _ := s.App.Store.AuditLog(context.Background(), "acme/widget"); len(log) != 0 {
		t.Errorf("audit: %+v", log)
	}

	// The event that made it public does (so the App could all along).
	s.deliver("repository", s.repoPayload("publicized"))
	s.settled()
	if !s.isPrivate("widget") {
		t.Fatal("publicized did not make the repository private")
	}
}
