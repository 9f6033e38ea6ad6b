package policy

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// fullExample is the example of DESIGN.md, adapted to the model: every key
// set, flow and block style mixed, comments kept.
const fullExample = `# acme/.github:ospo.yml
allow_repo_override: true
locked: [repository.license, review.approvers]
review:
  repository: acme/ospo            # where review issues are opened
  approvers: ["@acme/ospo-leads", alice]  # teams or users who may decide
  auto_close: true
  private_until_approved: false
  label: ospo/review
repository:
  include_forks: false
  include_archived: true
  license: {mode: enforce, allowed: [Apache-2.0, MIT, BSD-3-Clause, "MIT OR Apache-2.0", "(MIT AND BSD-2-Clause) OR GPL-2.0-only WITH Classpath-exception-2.0", LicenseRef-acme], min_coverage: 80, min_match: 97.5}
  codeowners: {mode: enforce, require_default_owner: true}
  files: {mode: warn, required: [README, CONTRIBUTING, SECURITY]}
  topics: {mode: off, one_of: [ospo-public, inner-source]}
  labels:
    mode: enforce
    fix: true
    required:
      - {name: kind/bug, color: d73a4a, description: Something is broken}
      - name: kind/docs
        color: 000000
      - name: needs review
`

func TestPolicyParseFullExample(t *testing.T) {
	got, err := Parse("ospo.yml", []byte(fullExample), true)
	if err != nil {
		t.Fatal(err)
	}
	yes := true
	want := Policy{
		AllowRepoOverride: &yes,
		Locked:            []string{"repository.license", "review.approvers"},
		Review: Review{
			Repository: "acme/ospo", Approvers: []string{"@acme/ospo-leads", "alice"},
			AutoClose: true, Label: "ospo/review",
		},
		Repository: RepositoryRules{
			IncludeArchived: true,
			License: LicenseRule{Mode: Enforce, Allowed: []string{"Apache-2.0", "MIT", "BSD-3-Clause", "MIT OR Apache-2.0",
				"(MIT AND BSD-2-Clause) OR GPL-2.0-only WITH Classpath-exception-2.0", "LicenseRef-acme"}, MinCoverage: 80, MinMatch: 97.5},
			Codeowners: CodeownersRule{Mode: Enforce, RequireDefaultOwner: true},
			Files:      FilesRule{Mode: Warn, Required: []string{"README", "CONTRIBUTING", "SECURITY"}},
			Topics:     TopicsRule{Mode: Off, OneOf: []string{"ospo-public", "inner-source"}},
			Labels: LabelsRule{Mode: Enforce, Fix: true, Required: []Label{
				{Name: "kind/bug", Color: "d73a4a", Description: "Something is broken"},
				{Name: "kind/docs", Color: "000000"},
				{Name: "needs review"},
			}},
		},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}

func TestPolicyParseEmpty(t *testing.T) {
	for _, in := range []string{"", "\n", "# only a comment\n", "---\n", "~\n", "null"} {
		got, err := Parse("ospo.yml", []byte(in), true)
		if err != nil || !reflect.DeepEqual(got, Policy{}) {
			t.Errorf("Parse(%q) = %+v, %v; want the empty policy", in, got, err)
		}
	}
}

// TestPolicyParseErrors checks each kind of problem, with its exact line
// and column.
func TestPolicyParseErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		org  bool
		want []string
	}{
		{"unknown top-level key", "reviews:\n  label: x\n", true,
			[]string{`ospo.yml:1:1: unknown key "reviews" (did you mean "review"?)`}},
		{"unknown nested key", "repository:\n  licence:\n    mode: warn\n", true,
			[]string{`ospo.yml:2:3: unknown key "licence" in repository (did you mean "license"?)`}},
		{"unknown key without a guess", "repository:\n  license:\n    colour: x\n", true,
			[]string{`ospo.yml:3:5: unknown key "colour" in repository.license (known keys: mode, allowed, min_coverage, min_match)`}},
		{"unknown pull_request key", "pull_request:\n  cla: {mode: enforce, document: https://acme.example/cla}\n  dco:\n    mode: warn\n    strict: true\n", true,
			[]string{`ospo.yml:5:5: unknown key "strict" in pull_request.dco (known keys: mode)`}},
		{"mapping expected", "repository: [license]\n", true,
			[]string{`ospo.yml:1:13: repository must be a mapping (keys include_forks, include_archived, license, codeowners, files, topics, labels, security_policy), found a list`}},
		{"top level not a mapping", "- review\n", true,
			[]string{`ospo.yml:1:1: the policy must be a mapping of keys (allow_repo_override, locked, review, repository, pull_request), found a list`}},
		{"list expected", "repository:\n  license:\n    allowed: MIT\n", true,
			[]string{`ospo.yml:3:14: repository.license.allowed must be a list, found the string "MIT" (for one entry write [MIT])`}},
		{"bool expected", "review:\n  auto_close: sometimes\n", true,
			[]string{`ospo.yml:2:15: review.auto_close must be true or false, found the string "sometimes"`}},
		{"number expected", "repository:\n  license:\n    min_coverage: 80%\n", true,
			[]string{`ospo.yml:3:19: repository.license.min_coverage must be a number, found the string "80%"`}},
		{"string expected", "review:\n  label: {name: x}\n", true,
			[]string{`ospo.yml:2:10: review.label must be a string, found a mapping`}},
		{"bool where a string is expected", "review:\n  label: true\n", true,
			[]string{`ospo.yml:2:10: review.label must be a string, found true (quote it if you mean the text: "true")`}},
		{"bad mode", "repository:\n  codeowners:\n    mode: strict\n", true,
			[]string{`ospo.yml:3:11: repository.codeowners.mode: "strict" is not a mode; use off, warn or enforce`}},
		{"mode in capitals", "repository:\n  files: {mode: Enforce}\n", true,
			[]string{`ospo.yml:2:17: repository.files.mode: "Enforce" is not a mode; use off, warn or enforce`}},
		{"label colour", "repository:\n  labels:\n    required:\n      - {name: bug, color: red}\n", true,
			[]string{`ospo.yml:4:28: repository.labels.required[0].color: "red" is not a colour as 6 hex digits (e.g. d73a4a)`}},
		{"label colour with #", "repository:\n  labels:\n    required:\n      - name: bug\n      - name: docs\n        color: '#0075ca'\n", true,
			[]string{`ospo.yml:6:16: repository.labels.required[1].color: "#0075ca": write the colour without '#' (0075ca)`}},
		{"label without a name", "repository:\n  labels:\n    required:\n      - {color: d73a4a}\n", true,
			[]string{`ospo.yml:4:9: repository.labels.required[0] needs a name`}},
		{"label listed twice", "repository:\n  labels:\n    required:\n      - {name: Bug}\n      - {name: bug}\n", true,
			[]string{`ospo.yml:5:16: repository.labels.required[1]: "bug" is listed twice (first at line 4)`}},
		{"review repository", "review:\n  repository: ospo\n", true,
			[]string{`ospo.yml:2:15: review.repository: "ospo" is not a repository as owner/name (e.g. acme/ospo)`}},
		{"approvers", "review:\n  approvers:\n    - '@alice'\n    - '@acme/'\n    - not a login\n    - -alice\n    - '@acme/ospo-leads'\n    - bob\n", true, []string{
			`ospo.yml:3:7: review.approvers[0]: "@alice": write a user's login without '@' (alice); '@' starts a team, @org/team-slug`,
			`ospo.yml:4:7: review.approvers[1]: "@acme/" is not a team as @org/team-slug`,
			`ospo.yml:5:7: review.approvers[2]: "not a login" is neither a team (@org/team-slug) nor a GitHub login`,
			`ospo.yml:6:7: review.approvers[3]: "-alice" is neither a team (@org/team-slug) nor a GitHub login`,
		}},
		{"percentages", "repository:\n  license:\n    min_coverage: 101\n    min_match: -0.5\n", true, []string{
			`ospo.yml:3:19: repository.license.min_coverage: 101 is not a percentage from 0 to 100`,
			`ospo.yml:4:16: repository.license.min_match: -0.5 is not a percentage from 0 to 100`,
		}},
		{"not a number", "repository:\n  license:\n    min_match: .nan\n", true, []string{
			`ospo.yml:3:16: repository.license.min_match: NaN is not a percentage from 0 to 100`,
		}},
		{"SPDX", "repository:\n  license:\n    allowed:\n      - ''\n      - MIT OR\n      - MIT or Apache-2.0\n      - (MIT\n      - MIT Apache-2.0\n      - MIT/Apache-2.0\n      - MIT)\n      - GPL-2.0 WITH\n      - AND\n      - Apache2\n", true, []string{
			`ospo.yml:4:9: repository.license.allowed[0]: empty entry; name an SPDX license id such as Apache-2.0`,
			`ospo.yml:5:9: repository.license.allowed[1]: "MIT OR" is not an SPDX license id or expression: expected a license id after OR`,
			`ospo.yml:6:9: repository.license.allowed[2]: "MIT or Apache-2.0" is not an SPDX license id or expression: operators are upper case: write OR, not or`,
			`ospo.yml:7:9: repository.license.allowed[3]: "(MIT" is not an SPDX license id or expression: missing ')'`,
			`ospo.yml:8:9: repository.license.allowed[4]: "MIT Apache-2.0" is not an SPDX license id or expression: expected OR, AND or WITH between MIT and Apache-2.0`,
			`ospo.yml:9:9: repository.license.allowed[5]: "MIT/Apache-2.0" is not an SPDX license id or expression: unexpected character '/'`,
			`ospo.yml:10:9: repository.license.allowed[6]: "MIT)" is not an SPDX license id or expression: unbalanced ')'`,
			`ospo.yml:11:9: repository.license.allowed[7]: "GPL-2.0 WITH" is not an SPDX license id or expression: expected an exception id after WITH`,
			`ospo.yml:12:9: repository.license.allowed[8]: "AND" is not an SPDX license id or expression: expected a license id, found AND`,
			`ospo.yml:13:9: repository.license.allowed[9]: "Apache2" is not on the SPDX license list (https://spdx.org/licenses/); write its SPDX id (e.g. Apache-2.0, GPL-3.0-only), or LicenseRef-<name> for a license of your own`,
		}},
		{"empty list entry", "repository:\n  files:\n    required: [README, ~]\n", true,
			[]string{`ospo.yml:3:24: repository.files.required[1] is empty`}},
		{"file path", "repository:\n  files:\n    required: [docs/README]\n", true,
			[]string{`ospo.yml:3:16: repository.files.required[0]: "docs/README" is a path; give the file name only (it is looked for in the root, .github/ and docs/)`}},
		{"topic", "repository:\n  topics:\n    one_of: [Inner-Source, ospo public]\n", true, []string{
			`ospo.yml:3:14: repository.topics.one_of[0]: "Inner-Source": topics are lower case (inner-source)`,
			`ospo.yml:3:28: repository.topics.one_of[1]: "ospo public" is not a GitHub topic (lower-case letters, digits and hyphens, at most 50)`,
		}},
		{"locked paths", "locked:\n  - repository.licence\n  - allow_repo_override\n  - repository.license.allowed.x\n  - repository.license\n", true, []string{
			`ospo.yml:2:5: locked[0]: "repository.licence" names no field (did you mean "repository.license"?)`,
			`ospo.yml:3:5: locked[1]: "allow_repo_override" cannot be locked: only the org's ospo.yml sets it`,
			`ospo.yml:4:5: locked[2]: "repository.license.allowed.x" names no field (did you mean "repository.license.allowed"?)`,
		}},
		{"org-only keys in an override", "allow_repo_override: false\nlocked: [review]\nreview:\n  label: x\n", false, []string{
			`ospo.yml:1:1: only the org's ospo.yml may set allow_repo_override; remove it from this repository override`,
			`ospo.yml:2:1: only the org's ospo.yml may set locked; remove it from this repository override`,
		}},
		{"duplicate key", "review:\n  label: a\n  label: b\n", true,
			[]string{`ospo.yml:3:3: duplicate key "label" in review (first at line 2)`}},
		{"duplicate entry", "repository:\n  license:\n    allowed: [MIT, Apache-2.0, MIT]\n", true,
			[]string{`ospo.yml:3:32: repository.license.allowed[2]: "MIT" is listed twice (first at line 3)`}},
		{"alias", "review:\n  label: &l x\nrepository:\n  files:\n    required: [*l]\n", true,
			[]string{`ospo.yml:5:16: aliases (*l) are not supported in ospo.yml; write the value out`}},
		{"merge key", "base: &b {mode: warn}\n", true,
			[]string{`ospo.yml:1:1: unknown key "base" (known keys: allow_repo_override, locked, review, repository, pull_request)`}},
		{"syntax error, scanner", "review:\n  label: x\n  approvers: [a\n  auto_close: true\nrepository: b: c\n", true,
			[]string{`ospo.yml:3: YAML syntax: did not find expected ',' or ']'`}},
		{"syntax error, parser", "review:\n  label: x\n- a\n", true,
			[]string{`ospo.yml:3: YAML syntax: did not find expected key`}},
		{"syntax error, tab", "review:\n\tlabel: x\n", true,
			[]string{`ospo.yml:2: YAML syntax: found character that cannot start any token`}},
		{"syntax error on line 1", "review: label: x\n", true,
			[]string{`ospo.yml:1: YAML syntax: mapping values are not allowed in this context`}},
		{"unknown anchor", "review:\n  label: x\n  approvers: [*team]\n", true,
			[]string{`ospo.yml:3:15: YAML syntax: alias *team refers to no anchor (&team)`}},
		{"second document", "review: {}\n---\nrepository: {}\n", true,
			[]string{`ospo.yml:3:1: a second YAML document (after ---); the policy must be one document`}},
		{"control character", "review:\n  label: a\x07b\n", true,
			[]string{`ospo.yml:2:11: control character U+0007 is not allowed`}},
		{"not UTF-8", "review:\n  label: caf\xe9\n", true,
			[]string{`ospo.yml:2:13: the file is not UTF-8 text`}},
		{"explicit tag", "review:\n  auto_close: !!str true\n", true,
			[]string{`ospo.yml:2:15: review.auto_close must be true or false, found the string "true"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("ospo.yml", []byte(tt.in), tt.org)
			var errs Errors
			if !errors.As(err, &errs) {
				t.Fatalf("error %v (%T), want Errors", err, err)
			}
			var got []string
			for _, e := range errs {
				got = append(got, e.Error())
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(tt.want, "\n  "))
			}
		})
	}
}

// TestPolicyParseAllErrorsAtOnce: one file, every problem reported, in file
// order, with File, Line and Column set.
func TestPolicyParseAllErrorsAtOnce(t *testing.T) {
	in := `review:
  repository: acme
  approvers: [alice, "@acme"]
repository:
  license: {mode: strict, allowed: [MIT, "MIT OR"], min_coverage: 150}
  codeowners: {mode: enforce, owners: [x]}
  labels:
    required:
      - {name: bug, color: blue}
extra: 1
`
	_, err := Parse("acme/.github:ospo.yml", []byte(in), true)
	var errs Errors
	if !errors.As(err, &errs) {
		t.Fatalf("error %v, want Errors", err)
	}
	want := []struct{ line, col int }{{2, 15}, {3, 22}, {5, 19}, {5, 42}, {5, 67}, {6, 31}, {9, 28}, {10, 1}}
	if len(errs) != len(want) {
		t.Fatalf("%d errors, want %d:\n%v", len(errs), len(want), err)
	}
	for i, w := range want {
		if e := errs[i]; e.File != "acme/.github:ospo.yml" || e.Line != w.line || e.Column != w.col || e.Message == "" {
			t.Errorf("error %d: %+v, want line %d column %d", i, e, w.line, w.col)
		}
	}
	if lines := strings.Split(err.Error(), "\n"); len(lines) != len(want) || !strings.HasPrefix(lines[0], "acme/.github:ospo.yml:2:15: ") {
		t.Errorf("Error() = %q, want one problem per line", err.Error())
	}
}

func TestPolicyParseValues(t *testing.T) {
	tests := []struct {
		in    string
		check func(Policy) bool
	}{
		{"repository:\n  license: {allowed: []}\n", func(p Policy) bool {
			return p.Repository.License.Allowed != nil && len(p.Repository.License.Allowed) == 0
		}},
		{"repository:\n  license: {allowed: }\n", func(p Policy) bool { return p.Repository.License.Allowed == nil }},
		{"repository:\n  license:\n", func(p Policy) bool { return reflect.DeepEqual(p, Policy{}) }},
		{"review:\n  auto_close: yes\n", func(p Policy) bool { return p.Review.AutoClose }},
		{"review:\n  repository: ''\n", func(p Policy) bool { return p.Review.Repository == "" }},
		{"repository:\n  license: {min_coverage: 0, min_match: 100}\n", func(p Policy) bool {
			return p.Repository.License.MinCoverage == 0 && p.Repository.License.MinMatch == 100
		}},
		{"repository:\n  labels:\n    required: [{name: '2024', color: 123456}]\n", func(p Policy) bool {
			return p.Repository.Labels.Required[0] == Label{Name: "2024", Color: "123456"}
		}},
		{"allow_repo_override: false\n", func(p Policy) bool { return p.AllowRepoOverride != nil && !*p.AllowRepoOverride }},
	}
	for _, tt := range tests {
		p, err := Parse("ospo.yml", []byte(tt.in), true)
		if err != nil || !tt.check(p) {
			t.Errorf("Parse(%q) = %+v, %v", tt.in, p, err)
		}
	}
}

func TestPolicyCheckSPDX(t *testing.T) {
	for _, ok := range []string{"MIT", "Apache-2.0", "GPL-2.0+", "GPL-2.0-or-later", "LicenseRef-acme-1.0",
		"DocumentRef-spdx-tool-1.2:LicenseRef-MIT-Style-2", "MIT OR Apache-2.0", "MIT AND (BSD-3-Clause OR ISC)",
		"((MIT))", "GPL-2.0-only WITH Classpath-exception-2.0 OR MIT", " MIT "} {
		if err := CheckSPDX(ok); err != nil {
			t.Errorf("CheckSPDX(%q) = %v, want nil", ok, err)
		}
	}
	for _, bad := range []string{"", " ", "OR", "MIT OR", "MIT AND", "()", "(MIT", "MIT)", "MIT Apache-2.0", "mit or apache-2.0",
		"MIT WITH", "MIT WITH (x)", "DocumentRef-x", "DocumentRef-x:MIT", "GPL+-2.0+", "MIT,Apache-2.0", strings.Repeat("(", 40) + "MIT" + strings.Repeat(")", 40)} {
		if err := CheckSPDX(bad); err == nil {
			t.Errorf("CheckSPDX(%q) = nil, want an error", bad)
		}
	}
}

func TestPolicyBlobSHA(t *testing.T) {
	// As `git hash-object` prints them.
	for in, want := range map[string]string{
		"":        "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391",
		"hello\n": "ce013625030ba8dba906f756967f9e9ca394464a",
	} {
		if got := BlobSHA([]byte(in)); got != want {
			t.Errorf("BlobSHA(%q) = %s, want %s", in, got, want)
		}
	}
}

// TestPolicyParseHugeInput: a pathological file gives a bounded report.
func TestPolicyParseHugeInput(t *testing.T) {
	in := "repository:\n  license:\n    allowed: [\"" + strings.Repeat("(", 100000) + "\"" + strings.Repeat(", x y", 500) + "]\n"
	_, err := Parse("ospo.yml", []byte(in), true)
	var errs Errors
	if !errors.As(err, &errs) || len(errs) != 101 {
		t.Fatalf("%d errors, want 100 and a summary", len(errs))
	}
	if last := errs[100].Error(); last != "ospo.yml:3:100269: 900 more problems from here on (only the first 100 are listed)" {
		t.Errorf("last error %q", last)
	}
	for _, e := range errs {
		if len(e.Message) > 310 {
			t.Errorf("message of %d bytes", len(e.Message))
		}
	}
	if _, err := Parse("ospo.yml", make([]byte, MaxFileSize+1), true); err == nil || err.Error() != "ospo.yml: the file is 1048577 bytes, more than the 1048576 allowed" {
		t.Errorf("oversized file: %v", err)
	}
}

func TestLicenseIDs(t *testing.T) {
	for expr, want := range map[string]string{
		"MIT":                                   "MIT",
		"(MIT OR Apache-2.0) AND BSD-3-Clause":  "MIT Apache-2.0 BSD-3-Clause",
		"GPL-2.0+ WITH Classpath-exception-2.0": "GPL-2.0+",
		"MIT or Apache-2.0":                     "error",
		"MIT OR":                                "error",
	} {
		ids, err := LicenseIDs(expr)
		got := strings.Join(ids, " ")
		if err != nil {
			got = "error"
		}
		if got != want {
			t.Errorf("LicenseIDs(%q) = %q (%v), want %q", expr, got, err, want)
		}
	}
}
