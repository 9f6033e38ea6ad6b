package ghclient

import (
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestRouteMatch(t *testing.T) {
	routes, err := parseRoutes(routesTxt)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		path, want string
	}{
		{"/", "/"},
		{"/app", "/app"},
		{"/app/installations/42/access_tokens", "/app/installations/{installation_id}/access_tokens"},
		{"/repos/o/r", "/repos/{owner}/{repo}"},
		{"/repos/o/r/", "/repos/{owner}/{repo}"},
		{"/repos/o/r?per_page=100", "/repos/{owner}/{repo}"},
		{"/repos/o/r/issues/12/labels", "/repos/{owner}/{repo}/issues/{issue_number}/labels"},
		{"/repos/o/r/issues/12/labels/kind%2Fbug", "/repos/{owner}/{repo}/issues/{issue_number}/labels/{name}"},
		{"/repos/o/r/labels/kind%2Fbug%20report", "/repos/{owner}/{repo}/labels/{name}"},
		// Literal beats parameter.
		{"/repos/o/r/issues/comments", "/repos/{owner}/{repo}/issues/comments"},
		{"/repos/o/r/issues/comments/99", "/repos/{owner}/{repo}/issues/comments/{comment_id}"},
		{"/repos/o/r/pulls/7/reviews", "/repos/{owner}/{repo}/pulls/{pull_number}/reviews"},
		{"/repos/o/r/git/refs", "/repos/{owner}/{repo}/git/refs"},
		// Parameters that may span segments.
		{"/repos/o/r/contents/README.md", "/repos/{owner}/{repo}/contents/{path}"},
		{"/repos/o/r/contents/docs/guide/intro.md", "/repos/{owner}/{repo}/contents/{path}"},
		{"/repos/o/r/contents/", "/repos/{owner}/{repo}/contents/{path}"},
		{"/repos/o/r/contents/.github/CODEOWNERS?ref=main", "/repos/{owner}/{repo}/contents/{path}"},
		{"/repos/o/r/compare/main...feature", "/repos/{owner}/{repo}/compare/{basehead}"},
		{"/repos/o/r/compare/a...b", "/repos/{owner}/{repo}/compare/{basehead}"},
		{"/repos/o/r/compare/release/1.x...user:feature/x", "/repos/{owner}/{repo}/compare/{basehead}"},
		{"/repos/o/r/git/ref/heads/main", "/repos/{owner}/{repo}/git/ref/{ref}"},
		{"/repos/o/r/git/refs/heads/feature/x", "/repos/{owner}/{repo}/git/refs/{ref}"},
		{"/repos/o/r/commits/abc123/check-runs", "/repos/{owner}/{repo}/commits/{ref}/check-runs"},
		{"/repos/o/r/commits/heads/main/status", "/repos/{owner}/{repo}/commits/{ref}/status"},
		{"/repos/o/r/branches/main/protection", "/repos/{owner}/{repo}/branches/{branch}/protection"},
		{"/repos/o/r/branches/feature/x", "/repos/{owner}/{repo}/branches/{branch}"},
		{"/orgs/acme/teams/ospo-leads/memberships/alice", "/orgs/{org}/teams/{team_slug}/memberships/{username}"},
		// Unknown paths.
		{"/repos/o/r/no-such-thing", "other"},
		{"/repos/o/r/pulls/7/no/such/thing", "other"},
		{"/repos/o/r/issues/12/labels/kind/bug", "other"},
		{"/repos//r", "other"},
		{"/nope", "other"},
	} {
		if got := routes.Match(tc.path); got != tc.want {
			t.Errorf("Match(%q) = %q, want %q", tc.path, got, tc.want)
		}
	}
}

func TestStripPrefix(t *testing.T) {
	for _, tc := range []struct {
		path, prefix, want string
	}{
		{"/repos/o/r", "", "/repos/o/r"},
		{"/api/v3/repos/o/r", "/api/v3", "/repos/o/r"},
		{"/api/v3", "/api/v3", "/"},
		{"/api/v3x/repos", "/api/v3", "/api/v3x/repos"},
		{"/repos/o/r", "/api/v3", "/repos/o/r"},
	} {
		if got := stripPrefix(tc.path, tc.prefix); got != tc.want {
			t.Errorf("stripPrefix(%q, %q) = %q, want %q", tc.path, tc.prefix, got, tc.want)
		}
	}
}

// TestEveryTemplateMatchesItself fills each template's parameters with
// sample values and expects that template back (or one of the same shape).
func TestEveryTemplateMatchesItself(t *testing.T) {
	routes, err := parseRoutes(routesTxt)
	if err != nil {
		t.Fatal(err)
	}
	param := regexp.MustCompile(`\{[^}]+\}`)
	templates := templateLines(t)
	if len(templates) < 500 {
		t.Fatalf("routes.txt has %d templates", len(templates))
	}
	for _, tpl := range templates {
		path := param.ReplaceAllString(tpl, "v1")
		got := routes.Match(path)
		if got != tpl && param.ReplaceAllString(got, "v1") != path {
			t.Errorf("Match(%q) = %q, want %q", path, got, tpl)
		}
	}
}

func templateLines(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, line := range strings.Split(routesTxt, "\n") {
		if line != "" && !strings.HasPrefix(line, "#") {
			out = append(out, line)
		}
	}
	return out
}

// TestRoutesMatchAPIDescription checks routes.txt against GitHub's REST
// API description when the shared copy is there (it is not part of the
// repository), so the file cannot silently drift from its source.
func TestRoutesMatchAPIDescription(t *testing.T) {
	data, err := os.ReadFile("../../../shared/github/openapi/api.github.com.json")
	if err != nil {
		t.Skipf("API description not available: %v", err)
	}
	var doc struct {
		Paths map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	octokitOnly := map[string]bool{
		"/repos/{owner}/{repo}/compare/{base}...{head}":     true,
		"/orgs/{org}/organization-fine-grained-permissions": true,
	}
	var want []string
	for p := range doc.Paths {
		if !octokitOnly[p] {
			want = append(want, p)
		}
	}
	slices.Sort(want)
	got := slices.Clone(templateLines(t))
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("routes.txt (%d templates) differs from the API description (%d paths); regenerate it with the command in its header", len(got), len(want))
	}
}
