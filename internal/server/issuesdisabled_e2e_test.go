package server_test

import (
	"strings"
	"testing"

	"github.com/ospo-bot/ospo-bot/internal/githubfake"
)

// reviewIssueIn returns the review issue of acme/widget in repo, if any.
func (s *scenario) reviewIssueIn(repo string) (githubfake.Issue, bool) {
	for _, is := range s.GitHub.Issues("acme", repo) {
		if is.Title == "OSPO review: acme/widget" {
			return is, true
		}
	}
	return githubfake.Issue{}, false
}

func (s *scenario) disableIssues(repo string) {
	s.t.Helper()
	if err := s.GitHub.SetIssuesEnabled("acme", repo, false); err != nil {
		s.t.Fatal(err)
	}
}

// reviewFallsBackToDotGithub makes acme/widget public and requires its
// review to open in acme/.github, no job failing, with one comment that
// says why (note).
func (s *scenario) reviewFallsBackToDotGithub(note string) githubfake.Issue {
	s.t.Helper()
	s.deliver("repository", s.repoPayload("publicized"))
	s.settled()
	if n := s.failedJobs(); n != 0 {
		s.t.Errorf("%d jobs failed", n)
	}
	issue, ok := s.reviewIssueIn(".github")
	if !ok {
		s.t.Fatalf("no review issue in acme/.github; acme/.github holds %+v", s.GitHub.Issues("acme", ".github"))
	}
	comments := s.GitHub.Comments("acme", ".github", issue.Number)
	if len(comments) != 1 || !strings.Contains(comments[0].Body, note) {
		s.t.Errorf("the fallback issue does not say why it is there: %+v", comments)
	}
	return issue
}

// The review repository has issues disabled: the review is opened in the
// org's .github repository, which says why, and the job succeeds.
func TestReviewRepositoryWithoutIssuesFallsBackToDotGithub(t *testing.T) {
	s := newScenario(t, orgPolicy) // review.repository: acme/ospo
	s.disableIssues("ospo")
	issue := s.reviewFallsBackToDotGithub("Issues are disabled in `acme/ospo` (`review.repository`)")
	// It stays the review: a re-check updates it, opens nothing more, and
	// does not repeat the note.
	s.push("widget", map[string]string{"LICENSE": licenseText(t, "MIT.txt")})
	s.settled()
	if got := len(s.GitHub.Issues("acme", ".github")); got != 1 {
		t.Errorf("%d issues in acme/.github after a re-check, want the one review", got)
	}
	if is, _ := s.reviewIssueIn(".github"); strings.Contains(is.Body, "❌ **license**") {
		t.Errorf("the review was not updated:\n%s", is.Body)
	}
	// Approvers decide it there.
	s.comment("lead", ".github", issue.Number, "/ospo approve")
	s.settled()
	if is, _ := s.reviewIssueIn(".github"); is.State != "closed" {
		t.Errorf("the approved review is %s", is.State)
	}
}

// review.repository unset: the repository itself has issues disabled.
func TestRepositoryWithoutIssuesFallsBackToDotGithub(t *testing.T) {
	s := newScenario(t, strings.Replace(orgPolicy, "  repository: acme/ospo\n", "", 1))
	s.disableIssues("widget")
	s.deliver("repository", s.repoPayload("publicized"))
	s.settled()
	if n := s.failedJobs(); n != 0 {
		t.Errorf("%d jobs failed", n)
	}
	issue, ok := s.reviewIssueIn(".github")
	if !ok {
		t.Fatalf("no review issue in acme/.github")
	}
	comments := s.GitHub.Comments("acme", ".github", issue.Number)
	if len(comments) != 1 || !strings.Contains(comments[0].Body, "Issues are disabled in `acme/widget` itself") {
		t.Errorf("comments: %+v", comments)
	}
}

// Nowhere to open it: the job stops with an error that says what to do,
// and nothing pretends it went well.
func TestNoRepositoryWithIssuesFailsLoudly(t *testing.T) {
	s := newScenario(t, orgPolicy)
	s.disableIssues("ospo")
	s.disableIssues(".github")
	s.deliver("repository", s.repoPayload("publicized"))
	s.settled()
	var errs string
	if err := s.App.Store.DB.QueryRow(`SELECT errors FROM river_job WHERE kind = 'check_repository' AND state IN ('cancelled', 'discarded')`).Scan(&errs); err != nil {
		t.Fatalf("the check did not fail: %v", err)
	}
	if !strings.Contains(errs, "issues are disabled in acme/ospo and acme/.github") {
		t.Errorf("the job's error does not say why: %s", errs)
	}
	if _, ok := s.reviewIssueIn("ospo"); ok {
		t.Error("a review issue exists in acme/ospo")
	}
}
