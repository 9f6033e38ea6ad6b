package server_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-github/v66/github"

	"github.com/ospo-bot/ospo-bot/internal/githubfake"
)

// A public fork created in the org cannot be made private: GitHub refuses
// to change a fork's visibility ("You cannot change the visibility of a
// fork", https://docs.github.com/en/pull-requests/collaborating-with-pull-requests/working-with-forks/about-permissions-and-visibility-of-forks).
// With forks in scope and review.private_until_approved on, the check
// does not fail on that refusal: the review issue opens and says the
// repository could not be made private, and why.
func TestForkCreatedPublicCannotBeMadePrivate(t *testing.T) {
	policy := strings.Replace(privatePolicy, "repository:\n", "repository:\n  include_forks: true\n", 1)
	s := newScenario(t, policy)
	s.withAdministration()
	if _, err := s.GitHub.AddRepo(githubfake.Repo{Owner: "upstream", Name: "lib", Files: map[string]string{"README.md": "# lib"}}); err != nil {
		t.Fatal(err)
	}
	fork, err := s.GitHub.AddFork("upstream", "lib", "acme")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.GitHub.AddInstallationRepos(s.inst.ID, fork.ID); err != nil {
		t.Fatal(err)
	}
	s.deliver("repository", &github.RepositoryEvent{
		Action: github.String("created"),
		Repo: &github.Repository{ID: github.Int64(fork.ID), Name: github.String("lib"), FullName: github.String("acme/lib"),
			Owner: &github.User{Login: github.String("acme")}, Private: github.Bool(false), Visibility: github.String("public"),
			Fork: github.Bool(true), DefaultBranch: github.String("main")},
		Installation: &github.Installation{ID: github.Int64(s.inst.ID)},
		Sender:       &github.User{Login: github.String("admin")},
	})
	s.settled()
	if s.isPrivate("lib") {
		t.Fatal("the fork was made private, which GitHub refuses")
	}
	if n := s.failedJobs(); n != 0 {
		t.Errorf("%d jobs failed: a refused visibility change must not fail the check", n)
	}
	var body string
	for _, is := range s.reviewIssues() {
		if strings.Contains(is.Title, "acme/lib") {
			body = is.Body
		}
	}
	for _, want := range []string{"could not be made private", "made public without an approval"} {
		if !strings.Contains(body, want) {
			t.Errorf("the fork's review issue lacks %q:\n%s", want, body)
		}
	}
	if log, _ := s.App.Store.AuditLog(context.Background(), "acme/lib"); len(log) != 0 {
		t.Errorf("audited an action that did not happen: %+v", log)
	}
}
