package snapshot

import (
	"context"
	"strings"
	"testing"

	"github.com/ospo-bot/ospo-bot/internal/githubfake"
	"github.com/ospo-bot/ospo-bot/internal/githubfake/fakeapp"
	"github.com/ospo-bot/ospo-bot/internal/policy"
)

// TestRequiredNamesWithExtensions: `required: [README.md, SECURITY.md]`
// names files the repository has (README.md, docs/SECURITY.md), so the
// org's .github repository is not listed. The gatherer used to compare
// "security.md" with the files' base names and list it on every check.
func TestRequiredNamesWithExtensions(t *testing.T) {
	app := fakeapp.New(t)
	inst, _ := seed(t, app)
	p := policy.RepositoryRules{Files: policy.FilesRule{Mode: policy.Warn, Required: []string{"README.md", "SECURITY.md"}}}
	if _, err := Repository(context.Background(), app.Installation(t, inst), "acme", "widget", p); err != nil {
		t.Fatal(err)
	}
	org := app.GitHub.CountRequests(func(r githubfake.Request) bool {
		return r.InstallationID == inst && strings.HasPrefix(r.Path, "/repos/acme/.github/")
	})
	if org != 0 {
		t.Fatalf("%d requests to the org's .github repository; the required files are all here", org)
	}
}
