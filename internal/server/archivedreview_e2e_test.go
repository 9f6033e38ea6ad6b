package server_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-github/v66/github"
)

// The review repository is archived (read-only: GitHub answers 403
// "Repository was archived so is read-only." to every write): the review
// is opened in the org's .github repository, which says why, as when the
// review repository has issues disabled; the check never stops silently.
func TestArchivedReviewRepositoryFallsBackToDotGithub(t *testing.T) {
	s := newScenario(t, orgPolicy) // review.repository: acme/ospo
	if _, _, err := s.admin.Repositories.Edit(context.Background(), "acme", "ospo", &github.Repository{Archived: github.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	s.deliver("repository", s.repoPayload("publicized"))
	s.settled()
	if n := s.failedJobs(); n != 0 {
		t.Errorf("%d jobs failed", n)
	}
	issue, ok := s.reviewIssueIn(".github")
	if !ok {
		t.Fatalf("no review issue in acme/.github; acme/.github holds %+v", s.GitHub.Issues("acme", ".github"))
	}
	comments := s.GitHub.Comments("acme", ".github", issue.Number)
	if len(comments) != 1 || !strings.Contains(comments[0].Body, "`acme/ospo` (`review.repository`) is archived") {
		t.Errorf("the fallback issue does not say why it is there: %+v", comments)
	}
}
