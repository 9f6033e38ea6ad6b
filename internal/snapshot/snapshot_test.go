package snapshot

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/ospo-bot/ospo-bot/internal/githubfake"
	"github.com/ospo-bot/ospo-bot/internal/githubfake/fakeapp"
	"github.com/ospo-bot/ospo-bot/internal/policy"
	"github.com/ospo-bot/ospo-bot/internal/rules"
)

func allOn() policy.RepositoryRules {
	return policy.RepositoryRules{
		License:    policy.LicenseRule{Mode: policy.Enforce},
		Codeowners: policy.CodeownersRule{Mode: policy.Enforce},
		Files:      policy.FilesRule{Mode: policy.Warn, Required: []string{"README", "CONTRIBUTING", "SECURITY"}},
		Labels:     policy.LabelsRule{Mode: policy.Warn},
	}
}

func seed(t *testing.T, app *fakeapp.App) (int64, githubfake.Repo) {
	t.Helper()
	gh := app.GitHub
	if _, err := gh.AddRepo(githubfake.Repo{Owner: "acme", Name: ".github", Files: map[string]string{
		"profile/README.md": "hi", ".github/CONTRIBUTING.md": "how to contribute", "ospo.yml": "{}",
	}}); err != nil {
		t.Fatal(err)
	}
	repo, err := gh.AddRepo(githubfake.Repo{Owner: "acme", Name: "widget", Topics: []string{"ospo-public"}, DefaultBranch: "trunk", Files: map[string]string{
		"LICENSE":            "MIT License\n...",
		"README.md":          "# widget",
		".github/CODEOWNERS": "* @acme/widget-team\n",
		"docs/SECURITY.md":   "report to security@acme.example",
		"src/main.go":        "package main",
	}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := gh.AddLabel("acme", "widget", githubfake.Label{Name: "kind/bug", Color: "d73a4a"}); err != nil {
		t.Fatal(err)
	}
	if err := gh.SetCodeownersErrors("acme", "widget", []githubfake.CodeownersError{{Line: 1, Column: 3, Kind: "Unknown owner", Source: "* @acme/widget-team", Message: "Unknown owner on line 1"}}); err != nil {
		t.Fatal(err)
	}
	in, err := gh.AddInstallation(githubfake.Installation{Account: "acme"})
	if err != nil {
		t.Fatal(err)
	}
	return in.ID, repo
}

func TestRepository(t *testing.T) {
	app := fakeapp.New(t)
	inst, repo := seed(t, app)
	client := app.Installation(t, inst)
	ctx := context.Background()

	s, err := Repository(ctx, client, "acme", "widget", allOn())
	if err != nil {
		t.Fatal(err)
	}
	if s.ID != repo.ID || s.DefaultBranch != "trunk" || s.Private || !slices.Equal(s.Topics, []string{"ospo-public"}) {
		t.Fatalf("repository facts: %+v", s)
	}
	for _, p := range []string{"LICENSE", "README.md", ".github/", ".github/CODEOWNERS", "docs/", "docs/SECURITY.md", "src/"} {
		if !slices.Contains(s.Paths, p) {
			t.Errorf("paths %v lack %s", s.Paths, p)
		}
	}
	if slices.Contains(s.Paths, "src/main.go") {
		t.Error("listed a directory it should not descend into")
	}
	if s.Contents["LICENSE"] != "MIT License\n..." || s.Contents[".github/CODEOWNERS"] != "* @acme/widget-team\n" || len(s.Contents) != 2 {
		t.Errorf("contents: %v", s.Contents)
	}
	if len(s.CodeownersErrors) != 1 || s.CodeownersErrors[0].Kind != "Unknown owner" {
		t.Errorf("codeowners errors: %+v", s.CodeownersErrors)
	}
	if len(s.Labels) != 1 || s.Labels[0].Name != "kind/bug" {
		t.Errorf("labels: %+v", s.Labels)
	}
	if !slices.Contains(s.OrgDefaults, ".github/CONTRIBUTING.md") {
		t.Errorf("org defaults: %v", s.OrgDefaults)
	}

	// The call count, cold and then warm (every call revalidated: 304s).
	counted := func(notModified bool) int {
		return app.GitHub.CountRequests(func(r githubfake.Request) bool {
			return r.InstallationID == inst && r.NotModified == notModified
		})
	}
	cold := counted(false)
	// The org's .github is read to know it is public (in a check, loading
	// the policy has just read it: a conditional request).
	if cold != 11 {
		t.Errorf("cold snapshot took %d requests, want 11: repo, 3 trees, 2 files, codeowners errors, labels, org .github, 2 org trees", cold)
	}
	// The fan-out's estimate, from the rules' declared needs, bounds it.
	p := allOn()
	if most := MaxCalls(rules.NeedsOf(rules.Enabled(&policy.Policy{Repository: p}, rules.RepositoryScope))); cold > most {
		t.Errorf("cold snapshot took %d requests; MaxCalls says at most %d", cold, most)
	}
	if _, err := Repository(ctx, client, "acme", "widget", allOn()); err != nil {
		t.Fatal(err)
	}
	if warm := counted(true); warm != cold || counted(false) != cold {
		t.Errorf("warm snapshot: %d conditional 304s and %d more full requests, want %d and 0", warm, counted(false)-cold, cold)
	}
	t.Logf("one snapshot: %d requests cold, %d conditional (304) warm", cold, counted(true))
}

func TestRepositoryOnlyFetchesWhatRulesNeed(t *testing.T) {
	app := fakeapp.New(t)
	inst, _ := seed(t, app)
	if _, err := Repository(context.Background(), app.Installation(t, inst), "acme", "widget", policy.RepositoryRules{}); err != nil {
		t.Fatal(err)
	}
	if n := app.GitHub.CountRequests(func(r githubfake.Request) bool { return r.InstallationID == inst }); n != 1 {
		t.Fatalf("%d requests with every rule off, want 1 (the repository; no rule lists its files)", n)
	}
}

func TestEmptyAndMissingRepositories(t *testing.T) {
	app := fakeapp.New(t)
	if _, err := app.GitHub.AddRepo(githubfake.Repo{Owner: "acme", Name: "empty"}); err != nil {
		t.Fatal(err)
	}
	in, err := app.GitHub.AddInstallation(githubfake.Installation{Account: "acme"})
	if err != nil {
		t.Fatal(err)
	}
	client := app.Installation(t, in.ID)
	s, err := Repository(context.Background(), client, "acme", "empty", allOn())
	if err != nil || len(s.Paths) != 0 {
		t.Fatalf("empty repository: %+v, %v", s, err)
	}
	if _, err := Repository(context.Background(), client, "acme", "nope", allOn()); !errors.Is(err, ErrGone) {
		t.Fatalf("missing repository: %v", err)
	}
}
