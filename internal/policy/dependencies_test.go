package policy

import (
	"reflect"
	"strings"
	"testing"
)

// TestPolicyDependencies: every key of pull_request.dependencies is read.
func TestPolicyDependencies(t *testing.T) {
	in := `pull_request:
  dependencies:
    mode: enforce
    allowed: [MIT, Apache-2.0, "MIT OR Apache-2.0", GPL-2.0-or-later WITH Classpath-exception-2.0, LicenseRef-acme]
    denied: [AGPL-3.0-only, GPL-3.0+]
    unknown: enforce
    scopes: [runtime, development]
    exceptions:
      - {package: "pkg:npm/left-pad@1.3.0", reason: vetted by legal}
      - {package: "pkg:npm/@acme/*", reason: our own}
`
	got, err := Parse("ospo.yml", []byte(in), true)
	if err != nil {
		t.Fatal(err)
	}
	want := DependenciesRule{Mode: Enforce,
		Allowed: []string{"MIT", "Apache-2.0", "MIT OR Apache-2.0", "GPL-2.0-or-later WITH Classpath-exception-2.0", "LicenseRef-acme"},
		Denied:  []string{"AGPL-3.0-only", "GPL-3.0+"}, Unknown: Enforce, Scopes: []string{"runtime", "development"},
		Exceptions: []DependencyException{{"pkg:npm/left-pad@1.3.0", "vetted by legal"}, {"pkg:npm/@acme/*", "our own"}}}
	if !reflect.DeepEqual(got.PullRequest.Dependencies, want) {
		t.Errorf("got  %+v\nwant %+v", got.PullRequest.Dependencies, want)
	}
}

// TestPolicyDependenciesErrors: each mistake is reported with what to
// write instead.
func TestPolicyDependenciesErrors(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     []string
	}{
		{"unknown off", "pull_request:\n  dependencies: {unknown: off}\n",
			[]string{`ospo.yml:2:27: pull_request.dependencies.unknown: "off": a dependency whose licence nobody knows is never passed silently; use warn (the check is neutral) or enforce (it fails)`}},
		{"unknown not a mode", "pull_request:\n  dependencies: {unknown: fail}\n",
			[]string{`pull_request.dependencies.unknown: "fail" is not a mode`}},
		{"allowed not SPDX", "pull_request:\n  dependencies:\n    allowed: [Apache 2.0, Apache2, '', mit or apache-2.0]\n", []string{
			`ospo.yml:3:15: pull_request.dependencies.allowed[0]: "Apache 2.0" is not an SPDX license id or expression: expected OR, AND or WITH between Apache and 2.0`,
			`ospo.yml:3:27: pull_request.dependencies.allowed[1]: "Apache2" is not on the SPDX license list (https://spdx.org/licenses/); write its SPDX id (e.g. Apache-2.0, GPL-3.0-only), or LicenseRef-<name> for a license of your own`,
			`ospo.yml:3:36: pull_request.dependencies.allowed[2]: empty entry; name an SPDX license id such as Apache-2.0`,
			`pull_request.dependencies.allowed[3]: "mit or apache-2.0" is not an SPDX license id or expression: operators are upper case`,
		}},
		{"denied an expression", "pull_request:\n  dependencies:\n    denied: [GPL-3.0-only OR AGPL-3.0-only, GPL-2.0-only WITH Nope-exception]\n", []string{
			`pull_request.dependencies.denied[0]: "GPL-3.0-only OR AGPL-3.0-only": denied lists single license ids; list each license on its own (e.g. [GPL-3.0-only, AGPL-3.0-only])`,
			`pull_request.dependencies.denied[1]: "GPL-2.0-only WITH Nope-exception": denied lists single license ids`,
		}},
		{"allowed unknown exception", "pull_request:\n  dependencies:\n    allowed: [GPL-2.0-only WITH Nope-exception]\n", []string{
			`"GPL-2.0-only WITH Nope-exception" is not an SPDX expression go-spdx can read (an exception after WITH must be on the SPDX exceptions list)`,
		}},
		{"scopes", "pull_request:\n  dependencies:\n    scopes: [runtime, dev, Runtime]\n", []string{
			`ospo.yml:3:23: pull_request.dependencies.scopes[1]: "dev" is not a scope; use runtime or development (a dependency of unknown scope is always judged)`,
			`pull_request.dependencies.scopes[2]: "Runtime" is not a scope`,
		}},
		{"exception not a purl", "pull_request:\n  dependencies:\n    exceptions:\n      - {package: left-pad, reason: x}\n      - {package: 'npm/left-pad@1.0', reason: x}\n      - {package: 'pkg:npm', reason: x}\n", []string{
			`ospo.yml:4:19: pull_request.dependencies.exceptions[0].package: "left-pad" is not a package URL: a package URL begins with pkg:<type>/ (e.g. pkg:npm/left-pad@1.3.0, or pkg:npm/left-pad for every version)`,
			`pull_request.dependencies.exceptions[1].package: "npm/left-pad@1.0" is not a package URL: a package URL begins with pkg:<type>/`,
			`pull_request.dependencies.exceptions[2].package: "pkg:npm" is not a package URL: a package URL names a type and a package: pkg:<type>/<name> (e.g. pkg:npm/left-pad@1.3.0)`,
		}},
		{"exception without a reason", "pull_request:\n  dependencies:\n    exceptions:\n      - {package: 'pkg:npm/x', reason: '  '}\n      - {package: 'pkg:npm/y'}\n", []string{
			`pull_request.dependencies.exceptions[0].reason: an exception needs a reason (why the package may be used whatever its licence), for the audit log`,
			`exceptions[1] needs a reason`,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("ospo.yml", []byte(tc.in), true)
			if err == nil {
				t.Fatal("no error")
			}
			got := err.Error()
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("errors lack %q:\n%s", w, got)
				}
			}
		})
	}
}
