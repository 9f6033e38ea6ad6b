package server_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ospo-bot/ospo-bot/internal/githubfake"
)

const gplManifest = `{
  "name": "widget",
  "dependencies": {
    "left-pad": "1.3.0",
    "gpl-thing": "2.0.0"
  }
}
`

// openDeps opens a pull request by alice adding gplManifest as
// package.json to repo, and returns its number.
func openDeps(s *scenario, repo, branch, manifest string) int {
	s.t.Helper()
	return s.openPR(repo, branch, "alice", []string{"kind/bug"},
		githubfake.NewCommit{Message: "Add dependencies", Author: alice, Files: map[string]string{"package.json": manifest}})
}

func output(cr githubfake.CheckRun) string {
	return strings.ReplaceAll(cr.Output.Title+"\n"+cr.Output.Summary+"\n"+cr.Output.Text, "\u200b", "")
}

// TestDependencyGPLFails: a new GPL-3.0 npm dependency under an allowlist
// of permissive licences fails the check, naming the package; GitHub's
// dependency review gave the licence.
func TestDependencyGPLFails(t *testing.T) {
	s, dd := newDepsScenario(t, depsPolicy(""))
	s.GitHub.SetPackageLicense("pkg:npm/left-pad@1.3.0", "MIT")
	s.GitHub.SetPackageLicense("pkg:npm/gpl-thing@2.0.0", "GPL-3.0-only")
	n := openDeps(s, "widget", "gpl", gplManifest)
	cr := s.check("widget", n)
	if cr.Conclusion != "failure" || !strings.Contains(output(cr), "gpl-thing") || !strings.Contains(output(cr), "GPL-3.0-only") {
		t.Fatalf("check run %s:\n%s", cr.Conclusion, output(cr))
	}
	if dd.Requests() != 0 {
		t.Errorf("deps.dev was asked %d times: GitHub gave every licence", dd.Requests())
	}
}

// TestDependencyGPLFailsThroughTheManifests: the same on a private
// repository without GitHub Advanced Security, where GitHub refuses the
// dependency review: the manifest is read and deps.dev gives the licence.
func TestDependencyGPLFailsThroughTheManifests(t *testing.T) {
	s, dd := newDepsScenario(t, depsPolicy(""))
	dd.Set("NPM", "left-pad", "1.3.0", "MIT")
	dd.Set("NPM", "gpl-thing", "2.0.0", "GPL-3.0-only")
	s.GitHub.Reset()
	n := openDeps(s, "secret", "gpl", gplManifest)
	cr := s.check("secret", n)
	if cr.Conclusion != "failure" || !strings.Contains(output(cr), "gpl-thing") || !strings.Contains(output(cr), "deps.dev") {
		t.Fatalf("check run %s:\n%s", cr.Conclusion, output(cr))
	}
	refused := s.GitHub.CountRequests(func(r githubfake.Request) bool {
		return r.Route == "/repos/{owner}/{repo}/dependency-graph/compare/{basehead}" && r.Status == 403
	})
	read := s.GitHub.CountRequests(func(r githubfake.Request) bool {
		return r.Route == "/repos/{owner}/{repo}/contents/{path}" && strings.HasSuffix(r.Path, "/package.json")
	})
	if refused != 1 || read != 1 {
		t.Errorf("%d refused compares, %d reads of package.json: want 1 and 1", refused, read)
	}
}

// TestDependencyUnknownLicence: a dependency nobody knows the licence of
// fails under `unknown: enforce`, and makes the check neutral under
// `unknown: warn`; never a silent pass.
func TestDependencyUnknownLicence(t *testing.T) {
	for _, tc := range []struct{ unknown, want string }{{"enforce", "failure"}, {"warn", "neutral"}} {
		t.Run(tc.unknown, func(t *testing.T) {
			s, _ := newDepsScenario(t, depsPolicy(", unknown: "+tc.unknown))
			s.GitHub.SetPackageLicense("pkg:npm/left-pad@1.3.0", "MIT")
			n := openDeps(s, "widget", "mystery", strings.Replace(gplManifest, "gpl-thing", "mystery", 1))
			cr := s.check("widget", n)
			if cr.Conclusion != tc.want || !strings.Contains(output(cr), "mystery") {
				t.Fatalf("unknown: %s: check run %s, want %s:\n%s", tc.unknown, cr.Conclusion, tc.want, output(cr))
			}
		})
	}
}

// TestDependencyAllowed: an approver's `/ospo allow <purl> <reason>`
// lets the GPL dependency in: the check passes, and the decision is
// audited once.
func TestDependencyAllowed(t *testing.T) {
	s, _ := newDepsScenario(t, depsPolicy(""))
	s.GitHub.SetPackageLicense("pkg:npm/left-pad@1.3.0", "MIT")
	s.GitHub.SetPackageLicense("pkg:npm/gpl-thing@2.0.0", "GPL-3.0-only")
	n := openDeps(s, "widget", "gpl", gplManifest)
	if cr := s.check("widget", n); cr.Conclusion != "failure" {
		t.Fatalf("before the allowance: %s", cr.Conclusion)
	}
	s.prComment("widget", n, "lead", "/ospo allow pkg:npm/gpl-thing@2.0.0 Legal approved it for internal tools")
	s.until("the allowed dependency passes", func() bool { return s.check("widget", n).Conclusion == "success" })
	if got := s.countAudit(fmt.Sprintf("acme/widget#%d", n), "allow package"); got != 1 {
		t.Errorf("%d audit rows of the allowance, want 1", got)
	}
}
