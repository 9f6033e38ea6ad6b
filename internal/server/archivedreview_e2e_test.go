package server_test

import (
	"context"
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
	s.reviewFallsBackToDotGithub("`acme/ospo` (`review.repository`) is archived")
}
