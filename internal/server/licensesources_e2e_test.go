package server_test

import (
	"strings"
	"testing"

	"github.com/ospo-bot/ospo-bot/internal/rules"
)

const licenseSourcesPolicy = `review:
  repository: acme/ospo
  approvers: ["@acme/ospo-leads"]
repository:
  license: {mode: enforce, allowed: [MIT, Apache-2.0]}
  codeowners: {mode: off}
  files: {mode: off}
`

// TestLicenceSourcesDisagree plays a repository whose LICENSE is MIT and
// whose package.json declares Apache-2.0: the push of either file
// re-checks it, the license rule fails naming both sources, and the
// review issue says so; declaring MIT in package.json passes.
func TestLicenceSourcesDisagree(t *testing.T) {
	mit := licenseText(t, "MIT.txt")
	// licensecheck builds its matcher once per process, which under -race
	// on a loaded machine can outlast a delivery's deadline: build it first.
	rules.LicenseID(&rules.Snapshot{Paths: []string{"LICENSE"}, Contents: map[string]string{"LICENSE": mit}})
	s := newScenario(t, licenseSourcesPolicy)
	expect := func(step string, act func(), result rules.Result, fragments ...string) rules.Finding {
		t.Helper()
		f := s.recheckedFinding(rules.RuleLicense, step, act)
		if f.Result != result {
			t.Fatalf("%s: %s %q, want %s", step, f.Result, f.Message, result)
		}
		for _, frag := range fragments {
			if !strings.Contains(f.Message+" "+f.Remediation, frag) {
				t.Fatalf("%s: %q / %q lacks %q", step, f.Message, f.Remediation, frag)
			}
		}
		return f
	}

	expect("LICENSE says MIT, package.json Apache-2.0", func() {
		s.push("widget", map[string]string{"LICENSE": mit, "package.json": "{\n  \"name\": \"widget\",\n  \"license\": \"Apache-2.0\"\n}\n"})
	}, rules.Fail, "licence sources disagree", "`package.json` (line 3) declares `Apache-2.0`, but the text of `LICENSE` is MIT",
		"the licence field of `package.json` (line 3)")
	body := s.theReviewIssue().Body
	for _, want := range []string{"licence sources disagree", "package.json", "Apache-2.0", "decide which licence the project is under"} {
		if !strings.Contains(body, want) {
			t.Fatalf("the review issue lacks %q:\n%s", want, body)
		}
	}

	expect("package.json declares MIT", func() {
		s.push("widget", map[string]string{"package.json": "{\n  \"name\": \"widget\",\n  \"license\": \"MIT\"\n}\n"})
	}, rules.Pass, "`LICENSE` is MIT", "`package.json` (line 3) declares it too")
}
