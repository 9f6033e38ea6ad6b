package snapshot

import (
	"context"
	"testing"

	"github.com/ospo-bot/ospo-bot/internal/githubfake"
	"github.com/ospo-bot/ospo-bot/internal/githubfake/fakeapp"
	"github.com/ospo-bot/ospo-bot/internal/policy"
)

// TestPrivateOrgDotGithubGivesNoDefaults: GitHub shows an org's default
// community health files only from a public repository named .github
// (https://docs.github.com/en/communities/setting-up-your-project-for-healthy-contributions/creating-a-default-community-health-file).
// An OSPO that keeps ospo.yml in a private .github has no defaults, and a
// CONTRIBUTING.md there must not pass the files rule.
func TestPrivateOrgDotGithubGivesNoDefaults(t *testing.T) {
	app := fakeapp.New(t)
	gh := app.GitHub
	if _, err := gh.AddRepo(githubfake.Repo{Owner: "acme", Name: ".github", Private: true, Files: map[string]string{
		"CONTRIBUTING.md": "how to contribute", "ospo.yml": "{}",
	}}); err != nil {
		t.Fatal(err)
	}
	if _, err := gh.AddRepo(githubfake.Repo{Owner: "acme", Name: "widget", Files: map[string]string{"README.md": "# widget"}}); err != nil {
		t.Fatal(err)
	}
	in, err := gh.AddInstallation(githubfake.Installation{Account: "acme"})
	if err != nil {
		t.Fatal(err)
	}
	p := policy.RepositoryRules{Files: policy.FilesRule{Mode: policy.Warn, Required: []string{"README", "CONTRIBUTING"}}}
	s, err := Repository(context.Background(), app.Installation(t, in.ID), "acme", "widget", p)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.OrgDefaults) != 0 {
		t.Fatalf("org defaults from a private .github: %v", s.OrgDefaults)
	}
}
