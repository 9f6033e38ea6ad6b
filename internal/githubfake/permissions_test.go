package githubfake

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/bradleyfalzon/ghinstallation/v2"
	"github.com/google/go-github/v66/github"
	"gopkg.in/yaml.v3"

	shipped "github.com/ospo-bot/ospo-bot/config"
)

// grant gives the world's installation one more permission and a token
// that carries it, as an org owner accepting a permission request would.
func (w *world) grant(t *testing.T, perm, lvl string) {
	t.Helper()
	perms := maps.Clone(w.inst.Permissions)
	perms[perm] = lvl
	if err := w.f.SetInstallationPermissions(w.inst.ID, perms); err != nil {
		t.Fatal(err)
	}
	w.inst.Permissions = perms
	tok, err := w.f.InstallationToken(w.inst.ID)
	if err != nil {
		t.Fatal(err)
	}
	w.token = tok
}

func TestEveryRouteHasItsPermission(t *testing.T) {
	for _, d := range routeTable() {
		tmpl := strings.ReplaceAll(d.pattern, "...}", "}")
		if _, ok := PermissionNeeded(d.method, tmpl); !ok {
			t.Errorf("%s %s has no entry in routePermissions", d.method, tmpl)
		}
		if n := routePermissions[d.method+" "+tmpl]; d.auth != authInstallation && len(n) > 0 {
			t.Errorf("%s %s takes no installation token but requires %s", d.method, tmpl, n.header())
		}
	}
}

func TestInstallationsGetTheManifestsPermissions(t *testing.T) {
	w := newWorld(t, Options{})
	var man struct {
		Permissions map[string]string `yaml:"default_permissions"`
	}
	if err := yaml.Unmarshal(shipped.AppManifest, &man); err != nil {
		t.Fatal(err)
	}
	if len(man.Permissions) == 0 || !maps.Equal(w.inst.Permissions, man.Permissions) {
		t.Errorf("installation permissions %v, want config/app.yml's %v", w.inst.Permissions, man.Permissions)
	}
}

func TestMissingPermissionIsRefused(t *testing.T) {
	w := newWorld(t, Options{})
	// config/app.yml asks for administration: read; editing a repository
	// takes write.
	resp, body := w.do(t, "PATCH", "/repos/acme/widgets", `{"private":true}`)
	if resp.StatusCode != http.StatusForbidden || resp.Header.Get("X-Accepted-GitHub-Permissions") != "administration=write" {
		t.Fatalf("PATCH without administration write: %d %q %s", resp.StatusCode, resp.Header.Get("X-Accepted-GitHub-Permissions"), body)
	}
	var e ghError
	decodeJSON(t, body, &e)
	if e.Message != "Resource not accessible by integration" || e.DocumentationURL == "" {
		t.Errorf("error body %s", body)
	}
	if r, _ := w.f.Repo("acme", "widgets"); r.Private {
		t.Error("the refused edit changed the repository")
	}

	// Pull requests write alone comments on pull requests, not on issues,
	// and opens no issue; either permission reads labels.
	if _, err := w.f.CreateBranch("acme", "widgets", "feature", "main"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.f.Push("acme", "widgets", "feature", NewCommit{Message: "x", Files: map[string]string{"x": "x"}}); err != nil {
		t.Fatal(err)
	}
	pr, err := w.f.AddPullRequest("acme", "widgets", PullRequest{Title: "PR", User: "alice", Head: "feature"})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.f.SetInstallationPermissions(w.inst.ID, map[string]string{"metadata": "read", "pull_requests": "write"}); err != nil {
		t.Fatal(err)
	}
	tok, err := w.f.InstallationToken(w.inst.ID)
	if err != nil {
		t.Fatal(err)
	}
	w.token = tok
	resp, body = w.do(t, "POST", "/repos/acme/widgets/issues", `{"title":"x"}`)
	if resp.StatusCode != http.StatusForbidden || resp.Header.Get("X-Accepted-GitHub-Permissions") != "issues=write" {
		t.Errorf("create issue with pull_requests only: %d %q %s", resp.StatusCode, resp.Header.Get("X-Accepted-GitHub-Permissions"), body)
	}
	if resp, body := w.do(t, "POST", fmt.Sprintf("/repos/acme/widgets/issues/%d/comments", pr.Number), `{"body":"x"}`); resp.StatusCode != http.StatusCreated {
		t.Errorf("comment on a pull request with pull_requests write: %d %s", resp.StatusCode, body)
	}
	if resp, body := w.do(t, "POST", fmt.Sprintf("/repos/acme/widgets/issues/%d/comments", w.issue.Number), `{"body":"x"}`); resp.StatusCode != http.StatusForbidden ||
		resp.Header.Get("X-Accepted-GitHub-Permissions") != "issues=write; pull_requests=write" {
		t.Errorf("comment on an issue with pull_requests write only: %d %q %s", resp.StatusCode, resp.Header.Get("X-Accepted-GitHub-Permissions"), body)
	}
	if resp, body := w.do(t, "GET", "/repos/acme/widgets/labels", ""); resp.StatusCode != http.StatusOK ||
		resp.Header.Get("X-Accepted-GitHub-Permissions") != "issues=read; pull_requests=read" {
		t.Errorf("labels with pull_requests read: %d %s", resp.StatusCode, body)
	}
	if resp, _ := w.do(t, "GET", "/rate_limit", ""); resp.Header.Get("X-Accepted-GitHub-Permissions") != "allows_permissionless_access=true" {
		t.Errorf("rate limit: X-Accepted-GitHub-Permissions %q", resp.Header.Get("X-Accepted-GitHub-Permissions"))
	}
	if resp, body := w.do(t, "GET", "/repos/acme/widgets/contents/README.md", ""); resp.StatusCode != http.StatusForbidden ||
		resp.Header.Get("X-Accepted-GitHub-Permissions") != "contents=read" {
		t.Errorf("contents without contents read: %d %q %s", resp.StatusCode, resp.Header.Get("X-Accepted-GitHub-Permissions"), body)
	}
	w.f.CheckNoViolations(t)
}

func TestTokenNarrowedToFewerPermissions(t *testing.T) {
	w := newWorld(t, Options{})
	gh := w.client(t)
	atr, err := ghinstallation.NewAppsTransport(http.DefaultTransport, testAppID, keyPEM(appKey(t)))
	if err != nil {
		t.Fatal(err)
	}
	atr.BaseURL = w.f.URL()
	jwtClient := github.NewClient(&http.Client{Transport: atr})
	jwtClient.BaseURL, _ = url.Parse(w.f.URL() + "/")
	tok, _, err := jwtClient.Apps.CreateInstallationToken(context.Background(), w.inst.ID, &github.InstallationTokenOptions{
		Permissions: &github.InstallationPermissions{Contents: github.String("read")},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := tok.GetPermissions(); got.GetContents() != "read" || got.GetMetadata() != "read" || got.GetIssues() != "" {
		t.Errorf("narrowed token permissions %+v, want contents and metadata read", got)
	}
	w.token = tok.GetToken()
	if resp, body := w.do(t, "POST", "/repos/acme/widgets/issues/1/comments", `{"body":"x"}`); resp.StatusCode != http.StatusForbidden ||
		resp.Header.Get("X-Accepted-GitHub-Permissions") != "issues=write; pull_requests=write" {
		t.Errorf("comment with a contents-only token: %d %q %s", resp.StatusCode, resp.Header.Get("X-Accepted-GitHub-Permissions"), body)
	}
	// The installation's own token still comments.
	if _, _, err := gh.Issues.CreateComment(context.Background(), "acme", "widgets", w.issue.Number, &github.IssueComment{Body: github.String("ok")}); err != nil {
		t.Errorf("comment with the installation's permissions: %v", err)
	}
}

func TestManifestEventsNeedTheirPermissions(t *testing.T) {
	var man appManifest
	if err := yaml.Unmarshal(shipped.AppManifest, &man); err != nil {
		t.Fatal(err)
	}
	// The shipped manifest passes GitHub's checks, filled in as register does.
	if p := eventProblems(man.DefaultPermissions, man.DefaultEvents); len(p) > 0 {
		t.Errorf("config/app.yml: %v", p)
	}
	for _, tc := range []struct {
		perms  map[string]string
		events []string
		want   string
	}{
		{map[string]string{"metadata": "read"}, []string{"pull_request"}, `"pull_request" needs the pull_requests permission`},
		{map[string]string{"pull_requests": "read"}, []string{"pull_request_review"}, ""},
		{map[string]string{"contents": "read"}, []string{"merge_group"}, `"merge_group" needs the merge_queues permission`},
		{map[string]string{"merge_queues": "read"}, []string{"merge_group"}, ""},
		{map[string]string{"issues": "write"}, []string{"team"}, `"team" needs the members permission`},
		{map[string]string{"issues": "write"}, []string{"no_such_event"}, `"no_such_event" is not an event`},
	} {
		got := strings.Join(eventProblems(tc.perms, tc.events), "; ")
		if (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
			t.Errorf("%v with %v: %q, want %q", tc.events, tc.perms, got, tc.want)
		}
	}
}

func TestManifestFormRefusesEventsWithoutPermission(t *testing.T) {
	w := newWorld(t, Options{})
	man := map[string]any{
		"name": "x", "url": "https://example.com", "hook_attributes": map[string]any{"url": "https://example.com/hook"},
		"redirect_url": "https://example.com/done", "default_permissions": map[string]string{"metadata": "read"},
		"default_events": []string{"push"},
	}
	b, _ := json.Marshal(man)
	resp, err := http.PostForm(w.f.ManifestFormURL("acme"), map[string][]string{"manifest": {string(b)}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("a manifest subscribing to push without contents: %d, want 422", resp.StatusCode)
	}
}

// The README's permission table is what config/app.yml asks for.
func TestREADMEPermissionTableMatchesTheManifest(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, table, found := strings.Cut(string(b), "Permissions, and why each is needed:")
	if !found {
		t.Fatal("README has no permission table")
	}
	table, _, _ = strings.Cut(strings.TrimLeft(table, "\n"), "\n\n")
	row := regexp.MustCompile(`^\| (?:Repository|Organization) → ([A-Za-z ]+) \| (read|write|admin) \|`)
	got := map[string]string{}
	for _, line := range strings.Split(table, "\n") {
		if m := row.FindStringSubmatch(line); m != nil {
			got[strings.ReplaceAll(strings.ToLower(m[1]), " ", "_")] = m[2]
		}
	}
	want := defaultPermissions()
	if !maps.Equal(got, want) {
		t.Errorf("README's permission table %v, config/app.yml %v", got, want)
	}
}
