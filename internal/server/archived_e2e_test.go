package server_test

import (
	"context"
	"strings"
	"testing"

	"github.com/ospo-bot/ospo-bot/internal/githubfake"
)

// An archived repository is read-only on GitHub: creating a label there
// is refused (403 "Repository was archived so is read-only."). With
// archived repositories in scope and labels.fix on, the check reports the
// missing labels and does not fail trying to create them.
func TestArchivedRepositoryLabelsAreNotFixed(t *testing.T) {
	policy := strings.Replace(orgPolicy, "repository:\n",
		"repository:\n  include_archived: true\n  labels: {mode: warn, fix: true, required: [{name: ospo, color: 0e8a16}]}\n", 1)
	s := newScenario(t, policy)
	r := s.archivedRepositoryEvent("edited")
	s.settled()
	if n := s.failedJobs(); n != 0 {
		t.Errorf("%d jobs failed: an archived repository's labels cannot be fixed, which is no failure", n)
	}
	if _, err := s.App.Store.RepositoryCheckOf(context.Background(), r.ID); err != nil {
		t.Errorf("the archived repository was not checked: %v", err)
	}
	for _, l := range s.GitHub.Labels("acme", "old") {
		if l.Name == "ospo" {
			t.Error("a label was created in an archived repository")
		}
	}
}

func strPtr(s string) *string { return &s }

// GitHub sends X-Accepted-GitHub-Permissions on every answer to an
// installation token, refusals for other reasons included: a refusal to
// make an archived repository private names the archive, not a permission
// the App holds.
func TestArchivedRepositoryRefusalIsNotBlamedOnPermissions(t *testing.T) {
	policy := strings.Replace(privatePolicy, "repository:\n", "repository:\n  include_archived: true\n", 1)
	s := newScenario(t, policy)
	s.withAdministration()
	s.archivedRepositoryEvent("publicized")
	s.settled()
	var body string
	for _, is := range s.reviewIssues() {
		if strings.Contains(is.Title, "acme/old") {
			body = is.Body
		}
	}
	if !strings.Contains(body, "could not be made private") || !strings.Contains(body, "archived") {
		t.Errorf("the review issue does not say the archive refused it:\n%s", body)
	}
	if strings.Contains(body, "lacks") {
		t.Errorf("the review issue blames a permission the App holds:\n%s", body)
	}
}

// archivedRepositoryEvent adds the archived repository acme/old to the
// installation, delivers a repository event about it and returns it.
func (s *scenario) archivedRepositoryEvent(action string) githubfake.Repo {
	s.t.Helper()
	if _, err := s.GitHub.AddRepo(githubfake.Repo{Owner: "acme", Name: "old", Archived: true, Files: map[string]string{"README.md": "# old"}}); err != nil {
		s.t.Fatal(err)
	}
	r, _ := s.GitHub.Repo("acme", "old")
	if err := s.GitHub.AddInstallationRepos(s.inst.ID, r.ID); err != nil {
		s.t.Fatal(err)
	}
	ev := s.repoPayload(action)
	ev.Repo.ID, ev.Repo.Name, ev.Repo.FullName = &r.ID, &r.Name, strPtr("acme/old")
	s.deliver("repository", ev)
	return r
}
