package server_test

import (
	"strings"
	"testing"

	"github.com/ospo-bot/ospo-bot/internal/config"
	"github.com/ospo-bot/ospo-bot/internal/depsdev/depsdevfake"
	"github.com/ospo-bot/ospo-bot/internal/githubfake"
	"github.com/ospo-bot/ospo-bot/internal/server"
	"github.com/ospo-bot/ospo-bot/internal/store"
)

// depsPolicy is prPolicy with pull_request.dependencies on: permissive
// licences only.
func depsPolicy(extra string) string {
	return strings.Replace(prPolicy, "  protected_paths: {mode: enforce}\n",
		"  protected_paths: {mode: enforce}\n  dependencies: {mode: enforce, allowed: [MIT, Apache-2.0, BSD-3-Clause, ISC]"+extra+"}\n", 1)
}

// newDepsScenario is a pull request scenario under policy with a fake
// deps.dev, alice (who signed the CLA), and a private repository
// acme/secret without GitHub Advanced Security (no dependency review).
func newDepsScenario(t *testing.T, policy string) (*scenario, *depsdevfake.Server) {
	t.Helper()
	dd := depsdevfake.New()
	t.Cleanup(dd.Close)
	s := newScenarioOn(t, store.SQLite, policy, func(c *config.Config, _ *server.Options) { c.DepsDevURL = dd.URL() })
	if _, err := s.GitHub.AddUser(githubfake.User{Login: "alice", Emails: []string{"alice@example.org"}}); err != nil {
		t.Fatal(err)
	}
	s.signed("alice")
	if _, err := s.GitHub.AddRepo(githubfake.Repo{Owner: "acme", Name: "secret", Private: true, Files: map[string]string{"README.md": "# secret"}}); err != nil {
		t.Fatal(err)
	}
	return s, dd
}

const npmManifest = `{
  "name": "widget",
  "dependencies": {
    "left-pad": "1.3.0"
  }
}
`

// requestsOf counts the requests the check of one new pull request made
// (but for its check run), all of them and the dependency review
// compares and contents reads.
func requestsOf(t *testing.T, repo, policy string, files map[string]string) (total, compares, contents int) {
	t.Helper()
	s, dd := newDepsScenario(t, policy)
	// Every licence allowed: the check then acts the same with the rule
	// on and off (no sticky comment), and only the gathering differs.
	// GitHub knows left-pad's licence, deps.dev every one.
	s.GitHub.SetPackageLicense("pkg:npm/left-pad@1.3.0", "MIT")
	dd.Set("NPM", "left-pad", "1.3.0", "MIT")
	dd.Set("GO", "golang.org/x/mod", "v0.42.0", "BSD-3-Clause")
	s.GitHub.Reset()
	n := s.openPR(repo, "change", "alice", []string{"kind/bug"}, githubfake.NewCommit{Message: "Change", Author: alice, Files: files})
	if runs := s.checks(repo, n); len(runs) == 0 || runs[len(runs)-1].Conclusion != "success" {
		t.Fatalf("check runs %+v: want one, a success", runs)
	}
	for _, r := range s.GitHub.Requests() {
		// A check run is created in progress first when the gathering
		// takes over a second (a loaded machine): not the rule's cost.
		if strings.Contains(r.Route, "/check-runs") {
			continue
		}
		total++
		switch r.Route {
		case "/repos/{owner}/{repo}/dependency-graph/compare/{basehead}":
			compares++
		case "/repos/{owner}/{repo}/contents/{path}":
			contents++
		}
	}
	return total, compares, contents
}

// TestDependenciesEconomy (issue 15, point 4): a pull request that
// touches no manifest costs no request more with the dependencies rule on
// than off; one that changes N manifests costs at most one compare and N
// reads more.
func TestDependenciesEconomy(t *testing.T) {
	code := map[string]string{"feature.go": "package feature\n"}
	off, _, _ := requestsOf(t, "widget", prPolicy, code)
	on, compares, _ := requestsOf(t, "widget", depsPolicy(""), code)
	t.Logf("no manifest: %d requests with the rule off, %d on (%d compares)", off, on, compares)
	if on != off || compares != 0 {
		t.Errorf("no manifest: %d requests with the rule on, %d off, %d compares: want the same, none", on, off, compares)
	}

	manifests := map[string]string{"feature.go": "package feature\n", "package.json": npmManifest,
		"go.mod": "module example.com/widget\n\ngo 1.22\n\nrequire golang.org/x/mod v0.42.0\n"}
	const n = 2
	for _, repo := range []string{"widget", "secret"} {
		off, _, offContents := requestsOf(t, repo, prPolicy, manifests)
		on, compares, contents := requestsOf(t, repo, depsPolicy(""), manifests)
		t.Logf("%s, %d manifests: %d requests with the rule off, %d on (%d compares, %d manifests read)", repo, n, off, on, compares, contents-offContents)
		if on-off > 1+n || compares != 1 {
			t.Errorf("%s, %d manifests: %d requests more with the rule on (%d compares, %d contents reads): want at most %d", repo, n, on-off, compares, contents, 1+n)
		}
	}
}
