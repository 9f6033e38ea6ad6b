package policy

import (
	"errors"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// prExample sets every pull_request key.
const prExample = `pull_request:
  cla:
    mode: enforce
    document: https://acme.example/cla
    version: 2
    resign: true
    phrase: I agree to the CLA
    include_opener: true
    allow:
      bots: false
      users: [dependabot-preview, "release-*", "renovate[bot]"]
      orgs: [acme]
      email_domains: [acme.example, Corp.Acme.example]
  dco: {mode: warn}
  labels:
    mode: enforce
    one_of: [[kind/bug, kind/feature, kind/docs], [size/S, size/L]]
    patterns: ["^area/.+$", "(?i)team/[a-z]+"]
  protected_paths:
    mode: warn
    paths: [LICENSE*, "docs/legal/*.md", "[Cc]OPYING"]
`

func TestPolicyParsePullRequest(t *testing.T) {
	got, err := Parse("ospo.yml", []byte(prExample), true)
	if err != nil {
		t.Fatal(err)
	}
	no := false
	want := PullRequestRules{
		CLA: CLARule{Mode: Enforce, Document: "https://acme.example/cla", Version: "2", Resign: true,
			Phrase: "I agree to the CLA", IncludeOpener: true, Allow: CLAAllow{Bots: &no,
				Users: []string{"dependabot-preview", "release-*", "renovate[bot]"}, Orgs: []string{"acme"},
				EmailDomains: []string{"acme.example", "Corp.Acme.example"}}},
		DCO: DCORule{Mode: Warn},
		Labels: PRLabelsRule{Mode: Enforce, OneOf: LabelSets{{"kind/bug", "kind/feature", "kind/docs"}, {"size/S", "size/L"}},
			Patterns: []string{"^area/.+$", "(?i)team/[a-z]+"}},
		ProtectedPaths: ProtectedPathsRule{Mode: Warn, Paths: []string{"LICENSE*", "docs/legal/*.md", "[Cc]OPYING"}},
	}
	if !reflect.DeepEqual(got.PullRequest, want) {
		t.Errorf("got  %+v\nwant %+v", got.PullRequest, want)
	}
	if got.PullRequest.CLA.Allow.BotsAllowed() {
		t.Error("bots: false is not honoured")
	}
}

// TestPolicyLabelSetsShapes: one_of as a list of lists, or one set as a
// flat list.
func TestPolicyLabelSetsShapes(t *testing.T) {
	tests := []struct {
		in   string
		want LabelSets
	}{
		{"one_of: [kind/bug, kind/feature]", LabelSets{{"kind/bug", "kind/feature"}}},
		{"one_of: [[kind/bug, kind/feature]]", LabelSets{{"kind/bug", "kind/feature"}}},
		{"one_of:\n      - kind/bug\n      - kind/docs", LabelSets{{"kind/bug", "kind/docs"}}},
		{"one_of:\n      - [kind/bug, kind/docs]\n      - [size/S]", LabelSets{{"kind/bug", "kind/docs"}, {"size/S"}}},
		{"one_of:\n      - - a\n        - b\n      - - c", LabelSets{{"a", "b"}, {"c"}}},
		{"one_of: [2024]", LabelSets{{"2024"}}},
		{"one_of: []", LabelSets{}},
		{"one_of:", nil},
	}
	for _, tt := range tests {
		in := "pull_request:\n  labels:\n    " + tt.in + "\n"
		p, err := Parse("ospo.yml", []byte(in), true)
		if err != nil {
			t.Errorf("%q: %v", tt.in, err)
			continue
		}
		if got := p.PullRequest.Labels.OneOf; !reflect.DeepEqual(got, tt.want) || (got == nil) != (tt.want == nil) {
			t.Errorf("%q: one_of = %#v, want %#v", tt.in, got, tt.want)
		}
	}
}

func TestPolicyParsePullRequestErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		org  bool
		want []string
	}{
		{"CLA on without a document", "pull_request:\n  cla:\n    mode: warn\n", true,
			[]string{`ospo.yml:3:5: pull_request.cla.document is required when pull_request.cla.mode is warn: the http(s) URL of the CLA contributors sign`}},
		{"document not a URL", "pull_request:\n  cla:\n    mode: enforce\n    document: acme.example/cla\n", true,
			[]string{`ospo.yml:4:15: pull_request.cla.document: "acme.example/cla" is not an http(s) URL (e.g. https://acme.example/cla)`}},
		{"document not http", "pull_request:\n  cla: {document: 'ftp://acme.example/cla'}\n", true,
			[]string{`ospo.yml:2:19: pull_request.cla.document: "ftp://acme.example/cla" is not an http(s) URL (e.g. https://acme.example/cla)`}},
		{"version with a space", "pull_request:\n  cla: {version: 2 beta}\n", true,
			[]string{`ospo.yml:2:18: pull_request.cla.version: "2 beta": a version is a short word without spaces, e.g. 2 or 2024-06`}},
		{"blank phrase", "pull_request:\n  cla: {phrase: '  '}\n", true,
			[]string{`ospo.yml:2:17: pull_request.cla.phrase: a blank phrase; leave it out for the default ("I have read the CLA Document and I hereby sign the CLA")`}},
		{"phrase on two lines", "pull_request:\n  cla:\n    phrase: |\n      I agree\n      to the CLA\n", true,
			[]string{`ospo.yml:3:13: pull_request.cla.phrase: the phrase must be one line: contributors comment it`}},
		{"resign not a bool", "pull_request:\n  cla: {resign: always}\n", true,
			[]string{`ospo.yml:2:17: pull_request.cla.resign must be true or false, found the string "always"`}},
		{"allow users", "pull_request:\n  cla:\n    allow:\n      users: ['@alice', '*', 'a b', release-*, '**[bot]', 'Release-*', release-*]\n", true, []string{
			`ospo.yml:4:15: pull_request.cla.allow.users[0]: "@alice": write the login without '@' (alice)`,
			`ospo.yml:4:25: pull_request.cla.allow.users[1]: "*" exempts everyone; turn the cla rule off instead`,
			`ospo.yml:4:30: pull_request.cla.allow.users[2]: "a b" is not a login or a login pattern (letters, digits, hyphens, * for any characters, e.g. release-*)`,
			`ospo.yml:4:48: pull_request.cla.allow.users[4]: "**[bot]" exempts everyone; turn the cla rule off instead`,
			`ospo.yml:4:72: pull_request.cla.allow.users[6]: "release-*" is listed twice (first at line 4)`,
		}},
		{"allow orgs", "pull_request:\n  cla:\n    allow:\n      orgs: ['@acme', acme corp]\n", true, []string{
			`ospo.yml:4:14: pull_request.cla.allow.orgs[0]: "@acme": write the org's login without '@' (acme)`,
			`ospo.yml:4:23: pull_request.cla.allow.orgs[1]: "acme corp" is not a GitHub org login`,
		}},
		{"allow email domains", "pull_request:\n  cla:\n    allow:\n      email_domains: [jane@acme.example, '*.acme.example', .acme.example, localhost, acme..example]\n", true, []string{
			`ospo.yml:4:23: pull_request.cla.allow.email_domains[0]: "jane@acme.example": write the domain only (acme.example)`,
			`ospo.yml:4:42: pull_request.cla.allow.email_domains[1]: "*.acme.example": subdomains are included; write acme.example`,
			`ospo.yml:4:60: pull_request.cla.allow.email_domains[2]: ".acme.example": subdomains are included; write acme.example`,
			`ospo.yml:4:75: pull_request.cla.allow.email_domains[3]: "localhost" is not an email domain such as acme.example`,
			`ospo.yml:4:86: pull_request.cla.allow.email_domains[4]: "acme..example" is not an email domain such as acme.example`,
		}},
		{"bots not a bool", "pull_request:\n  cla:\n    allow: {bots: [x]}\n", true,
			[]string{`ospo.yml:3:19: pull_request.cla.allow.bots must be true or false, found a list`}},
		{"one_of mixed", "pull_request:\n  labels:\n    one_of: [[kind/bug], kind/docs]\n", true,
			[]string{`ospo.yml:3:26: pull_request.labels.one_of[1]: pull_request.labels.one_of mixes labels and lists of labels; write each set as a list ([[a, b], [c]]), or one set as a flat list ([a, b])`}},
		{"one_of a string", "pull_request:\n  labels:\n    one_of: kind/bug\n", true,
			[]string{`ospo.yml:3:13: pull_request.labels.one_of must be a list of labels, or a list of lists of labels, found the string "kind/bug" (for one label write [kind/bug])`}},
		{"one_of empty set", "pull_request:\n  labels:\n    one_of: [[a], []]\n", true,
			[]string{`ospo.yml:3:19: pull_request.labels.one_of[1] is an empty set, which no pull request can satisfy; remove it`}},
		{"one_of entries", "pull_request:\n  labels:\n    one_of:\n      - [Bug, bug, '', ~, true, {a: b}]\n      - [" + strings.Repeat("x", 51) + "]\n", true, []string{
			`ospo.yml:4:15: pull_request.labels.one_of[0][1]: "bug" is listed twice (first at line 4)`,
			`ospo.yml:4:20: pull_request.labels.one_of[0][2]: empty label name`,
			`ospo.yml:4:24: pull_request.labels.one_of[0][3] is empty`,
			`ospo.yml:4:27: pull_request.labels.one_of[0][4] must be a string, found true (quote it if you mean the text: "true")`,
			`ospo.yml:4:33: pull_request.labels.one_of[0][5] must be a string, found a mapping`,
			`ospo.yml:5:10: pull_request.labels.one_of[1][0]: "` + strings.Repeat("x", 51) + `" is longer than GitHub's 50 characters for a label`,
		}},
		{"one_of flat entries", "pull_request:\n  labels:\n    one_of: [a, A]\n", true,
			[]string{`ospo.yml:3:17: pull_request.labels.one_of[1]: "A" is listed twice (first at line 3)`}},
		{"one_of alias", "review:\n  label: &l x\npull_request:\n  labels:\n    one_of: [[*l]]\n", true,
			[]string{`ospo.yml:5:15: aliases (*l) are not supported in ospo.yml; write the value out`}},
		{"patterns", "pull_request:\n  labels:\n    patterns: ['area/(', '', '^area/.+$', 'a{2000}']\n", true, []string{
			"ospo.yml:3:16: pull_request.labels.patterns[0]: \"area/(\" is not a regular expression: missing closing ): `area/(`",
			`ospo.yml:3:26: pull_request.labels.patterns[1]: empty pattern; write a regular expression such as ^area/.+$`,
			"ospo.yml:3:43: pull_request.labels.patterns[3]: \"a{2000}\" is not a regular expression: invalid repeat count: `{2000}`",
		}},
		{"protected paths", "pull_request:\n  protected_paths:\n    paths: [/LICENSE, ./COPYING, 'docs/**', docs/, '[a-', 'docs\\LICENSE', '']\n", true, []string{
			`ospo.yml:3:13: pull_request.protected_paths.paths[0]: "/LICENSE": paths are relative to the repository root; write LICENSE`,
			`ospo.yml:3:23: pull_request.protected_paths.paths[1]: "./COPYING": paths are relative to the repository root; write COPYING`,
			`ospo.yml:3:34: pull_request.protected_paths.paths[2]: "docs/**": ** is not supported; * matches within one directory (docs/* matches docs/a.md, not docs/a/b.md), so list each depth`,
			`ospo.yml:3:45: pull_request.protected_paths.paths[3]: "docs/" is a directory; patterns match files: write docs/*`,
			`ospo.yml:3:52: pull_request.protected_paths.paths[4]: "[a-" is not a glob pattern (unbalanced [ ])`,
			`ospo.yml:3:59: pull_request.protected_paths.paths[5]: "docs\\LICENSE": paths use /, and \ escapes a character; write the path with /`,
			`ospo.yml:3:75: pull_request.protected_paths.paths[6]: empty path; name a file such as LICENSE or a pattern such as LICENSE*`,
		}},
		{"spdx headers", "pull_request:\n  spdx_headers:\n    paths: ['src/[a-', /x.go, 'vendor/', '', '**/*.go']\n    exclude: ['{a,b']\n    allowed: [MIT or Apache-2.0, MIT, Apache2]\n", true, []string{
			`ospo.yml:3:13: pull_request.spdx_headers.paths[0]: "src/[a-" is not a glob pattern (an unclosed [ or {, or a trailing \); * matches within a directory, ** across directories, e.g. src/**/*.go`,
			`ospo.yml:3:24: pull_request.spdx_headers.paths[1]: "/x.go": paths are relative to the repository root; write x.go`,
			`ospo.yml:3:31: pull_request.spdx_headers.paths[2]: "vendor/" is a directory; patterns match files: write vendor/**`,
			`ospo.yml:3:42: pull_request.spdx_headers.paths[3]: empty pattern; write a glob such as **/*.go`,
			`ospo.yml:4:15: pull_request.spdx_headers.exclude[0]: "{a,b" is not a glob pattern (an unclosed [ or {, or a trailing \); * matches within a directory, ** across directories, e.g. src/**/*.go`,
			`ospo.yml:5:15: pull_request.spdx_headers.allowed[0]: "MIT or Apache-2.0" is not an SPDX license id or expression: operators are upper case: write OR, not or`,
			`ospo.yml:5:39: pull_request.spdx_headers.allowed[2]: "Apache2" is not on the SPDX license list (https://spdx.org/licenses/); write its SPDX id (e.g. Apache-2.0, GPL-3.0-only), or LicenseRef-<name> for a license of your own`,
		}},
		{"bad modes", "pull_request:\n  dco: {mode: on}\n  protected_paths: {mode: Enforce}\n", true, []string{
			`ospo.yml:2:15: pull_request.dco.mode: "on" is not a mode; use off, warn or enforce`,
			`ospo.yml:3:27: pull_request.protected_paths.mode: "Enforce" is not a mode; use off, warn or enforce`,
		}},
		{"unknown rule", "pull_request:\n  protected_path: {}\n", true,
			[]string{`ospo.yml:2:3: unknown key "protected_path" in pull_request (did you mean "protected_paths"?)`}},
		{"lock a pull request field", "locked: [pull_request.cla.allow.user]\n", true,
			[]string{`ospo.yml:1:10: locked[0]: "pull_request.cla.allow.user" names no field (did you mean "pull_request.cla.allow.users"?)`}},
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

// TestPolicyPullRequestValid: values that look odd but are fine.
func TestPolicyPullRequestValid(t *testing.T) {
	for _, in := range []string{
		// An override may turn the CLA on: the org may name the document.
		"pull_request:\n  cla: {mode: enforce}\n",
		"pull_request:\n  cla: {mode: off}\n",
		"pull_request:\n  cla: {document: 'HTTP://acme.example/cla?v=2#sign', version: 2024-06-01}\n",
		"pull_request:\n  cla:\n    allow: {users: ['renovate[bot]', 'release-*-bot', '*-ci'], email_domains: [ACME.example, a-b.c-d.example]}\n",
		"pull_request:\n  protected_paths: {paths: []}\n",
		"pull_request:\n  spdx_headers: {mode: enforce, paths: ['**/*.{go,rs}', 'src/**'], exclude: ['vendor/**', '**/zz_generated.*'], allowed: [MIT, 'MIT OR Apache-2.0', LicenseRef-acme]}\n",
		"pull_request:\n  protected_paths: {paths: ['LICENSE*', '.github/workflows/*.yml', 'docs/[A-Z]*']}\n",
		"pull_request:\n  labels: {one_of: [[x], [X]], patterns: ['(?i)^kind/']}\n",
	} {
		if _, err := Parse("ospo.yml", []byte(in), false); err != nil {
			t.Errorf("%q: %v", in, err)
		}
	}
	// The org file itself must name the document when it turns the rule on.
	if _, err := Parse("ospo.yml", []byte("pull_request:\n  cla: {mode: enforce}\n"), true); err == nil {
		t.Error("an org file turning the CLA on without a document is valid")
	}
}

func TestPolicyMergePullRequest(t *testing.T) {
	const org = `locked: [pull_request.cla.allow, pull_request.protected_paths]
pull_request:
  cla:
    mode: warn
    document: https://acme.example/cla
    allow: {orgs: [acme]}
  labels: {mode: enforce, one_of: [kind/bug, kind/feature]}
`
	const repo = `pull_request:
  cla:
    mode: enforce
    version: 3
    allow:
      users: [mallory]
  labels:
    one_of: [[kind/bug], [size/S, size/L]]
  protected_paths: {mode: off}
  dco: {mode: enforce}
`
	p, notices := Merge(mustDoc(t, "acme/.github:ospo.yml", org, true), mustDoc(t, ".github/ospo.yml", repo, false))
	pr := p.PullRequest
	if pr.CLA.Mode != Enforce || pr.CLA.Version != "3" || pr.CLA.Document != "https://acme.example/cla" ||
		len(pr.CLA.Allow.Users) != 0 || !slices.Equal(pr.CLA.Allow.Orgs, []string{"acme"}) || !pr.CLA.Allow.BotsAllowed() {
		t.Errorf("cla %+v", pr.CLA)
	}
	if !reflect.DeepEqual(pr.Labels.OneOf, LabelSets{{"kind/bug"}, {"size/S", "size/L"}}) || pr.Labels.Mode != Enforce {
		t.Errorf("labels %+v: the override's sets replace the org's", pr.Labels)
	}
	if pr.ProtectedPaths.Mode != Enforce || pr.DCO.Mode != Enforce {
		t.Errorf("protected paths %+v, dco %+v", pr.ProtectedPaths, pr.DCO)
	}
	want := []string{
		".github/ospo.yml:6:7: pull_request.cla.allow.users is locked by the org policy (locked: pull_request.cla.allow); the org's value applies",
		".github/ospo.yml:9:21: pull_request.protected_paths.mode is locked by the org policy (locked: pull_request.protected_paths); the org's value applies",
	}
	var got []string
	for _, n := range notices {
		got = append(got, n.String())
	}
	if !slices.Equal(got, want) {
		t.Errorf("notices\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}

	// allow_repo_override: false keeps every pull request rule the org's.
	p, notices = Merge(mustDoc(t, "o.yml", "allow_repo_override: false\n", true), mustDoc(t, ".github/ospo.yml", repo, false))
	if p.PullRequest.CLA.Mode != Off || p.PullRequest.ProtectedPaths.Mode != Enforce || len(notices) != 6 {
		t.Errorf("allow_repo_override false: %+v, %d notices", p.PullRequest, len(notices))
	}
}

// TestPolicyMergeCLAWithoutDocument: an override that turns the CLA on
// where no file names the document is reported; so is one that clears the
// org's document.
func TestPolicyMergeCLAWithoutDocument(t *testing.T) {
	tests := []struct {
		org, repo string
		want      []string
	}{
		{"", "pull_request:\n  cla:\n    mode: enforce\n", []string{
			".github/ospo.yml:3:5: pull_request.cla.mode is enforce but no pull_request.cla.document is set, here or in the org's ospo.yml: the cla rule fails until one is"}},
		{"pull_request:\n  cla: {mode: warn, document: 'https://a.example/cla'}\n", "pull_request:\n  cla: {document: ''}\n", []string{
			".github/ospo.yml:2:9: pull_request.cla.mode is warn but no pull_request.cla.document is set, here or in the org's ospo.yml: the cla rule fails until one is"}},
		{"pull_request:\n  cla: {document: 'https://a.example/cla'}\n", "pull_request:\n  cla:\n    mode: enforce\n", nil},
		{"locked: [pull_request.cla]\n", "pull_request:\n  cla:\n    mode: enforce\n", []string{
			".github/ospo.yml:3:5: pull_request.cla.mode is locked by the org policy (locked: pull_request.cla); the org's value applies"}},
	}
	for _, tt := range tests {
		_, notices := Merge(mustDoc(t, "ospo.yml", tt.org, true), mustDoc(t, ".github/ospo.yml", tt.repo, false))
		var got []string
		for _, n := range notices {
			got = append(got, n.String())
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("org %q repo %q: notices\n  %s\nwant\n  %s", tt.org, tt.repo, strings.Join(got, "\n  "), strings.Join(tt.want, "\n  "))
		}
	}
}

func TestPolicyExplainPullRequest(t *testing.T) {
	org := mustDoc(t, "ospo.yml", prExample, true)
	repo := mustDoc(t, ".github/ospo.yml", "pull_request:\n  labels:\n    one_of: [kind/bug, kind/docs]\n", false)
	for _, tc := range []struct {
		org, repo *Document
		contains  []string
	}{
		{nil, nil, []string{"pull_request:\n  cla:\n    mode: off # default\n", "version: \"1\" # default",
			"phrase: I have read the CLA Document and I hereby sign the CLA # default", "    allow:\n      bots: true # default\n",
			"  protected_paths:\n    mode: enforce # default\n", "paths: [LICENSE*, COPYING*, CODEOWNERS, .github/CODEOWNERS, docs/CODEOWNERS, .github/ospo.yml] # default",
			"one_of: [] # default"}},
		{org, repo, []string{"version: \"2\" # ospo.yml:5", "bots: false # ospo.yml:10",
			"one_of: [[kind/bug, kind/docs]] # .github/ospo.yml:3", "patterns: [^area/.+$, '(?i)team/[a-z]+'] # ospo.yml:18"}},
		{org, nil, []string{"one_of: [[kind/bug, kind/feature, kind/docs], [size/S, size/L]] # ospo.yml:17"}},
	} {
		e := Resolve(tc.org, tc.repo)
		out := string(e.YAML())
		for _, s := range tc.contains {
			if !strings.Contains(out, s) {
				t.Errorf("explain output lacks %q:\n%s", s, out)
			}
		}
		back, err := Parse("explained.yml", []byte(out), true)
		if err != nil {
			t.Fatalf("explain output does not parse: %v\n%s", err, out)
		}
		if want := e.Policy; !reflect.DeepEqual(back.WithDefaults(), normalizeLists(want)) {
			t.Errorf("explain output parses to\n%+v\nwant\n%+v", back.WithDefaults(), want)
		}
	}
}

func TestPolicyPullRequestDefaults(t *testing.T) {
	// Values set are kept, nothing is shared, bots: false stays false.
	no := false
	p := Policy{PullRequest: PullRequestRules{
		CLA:            CLARule{Mode: Warn, Version: "7", Allow: CLAAllow{Bots: &no, Users: []string{"a"}}},
		Labels:         PRLabelsRule{OneOf: LabelSets{{"a", "b"}}},
		ProtectedPaths: ProtectedPathsRule{Mode: Off, Paths: []string{}},
	}}
	got := p.WithDefaults().PullRequest
	if got.CLA.Mode != Warn || got.CLA.Version != "7" || got.CLA.Phrase != DefaultCLAPhrase || got.CLA.Allow.BotsAllowed() ||
		got.CLA.Allow.Bots == p.PullRequest.CLA.Allow.Bots || got.ProtectedPaths.Mode != Off ||
		got.ProtectedPaths.Paths == nil || len(got.ProtectedPaths.Paths) != 0 {
		t.Errorf("WithDefaults() = %+v", got)
	}
	got.CLA.Allow.Users[0] = "changed"
	got.Labels.OneOf[0][0] = "changed"
	if p.PullRequest.CLA.Allow.Users[0] != "a" || p.PullRequest.Labels.OneOf[0][0] != "a" {
		t.Error("WithDefaults shares lists with its receiver")
	}
	d := Defaults()
	d.PullRequest.ProtectedPaths.Paths[0] = "changed"
	if Defaults().PullRequest.ProtectedPaths.Paths[0] != "LICENSE*" {
		t.Error("Defaults shares the protected paths")
	}
}

func TestPolicyRuleURLPullRequest(t *testing.T) {
	org := mustDoc(t, "acme/.github:ospo.yml", "repository:\n  labels: {mode: warn}\npull_request:\n  dco: {mode: warn}\n  labels:\n    mode: enforce\n", true)
	org.Source.Repo, org.Source.Path, org.Source.Ref = "acme/.github", "ospo.yml", "main"
	e := Resolve(org, nil)
	for rule, want := range map[string]string{
		"dco":             "https://github.com/acme/.github/blob/main/ospo.yml#L4",
		"pr-labels":       "https://github.com/acme/.github/blob/main/ospo.yml#L5",
		"labels":          "https://github.com/acme/.github/blob/main/ospo.yml#L2",
		"cla":             ReferenceURL,
		"protected-paths": ReferenceURL,
		"pull_request":    "https://github.com/acme/.github/blob/main/ospo.yml#L3",
	} {
		if got := e.RuleURL("https://github.com", rule); got != want {
			t.Errorf("RuleURL(%q) = %s, want %s", rule, got, want)
		}
	}
}

func TestCompileLabelPattern(t *testing.T) {
	for _, tt := range []struct {
		pattern, label string
		match          bool
	}{
		{"area/.+", "area/api", true},
		{"area/.+", "x-area/api", false}, // anchored at the start
		{"area", "area/api", false},      // and at the end
		{"^area/.+$", "area/api", true},
		{"a|b", "b", true},
		{"a|b", "ab", false},
		{"(?i)kind/bug", "Kind/Bug", true},
		{"kind/bug", "Kind/Bug", false},
	} {
		re, err := CompileLabelPattern(tt.pattern)
		if err != nil {
			t.Fatal(err)
		}
		if got := re.MatchString(tt.label); got != tt.match {
			t.Errorf("%q matches %q: %v, want %v", tt.pattern, tt.label, got, tt.match)
		}
	}
	if _, err := CompileLabelPattern("a)(|b"); err == nil {
		t.Error("a)(|b compiles: anchoring must not hide a broken pattern")
	}
}

// TestPolicyReferenceDocumentsPullRequest: every pull_request key is in
// the README's policy reference, under its rule's heading.
func TestPolicyReferenceDocumentsPullRequest(t *testing.T) {
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, _ := strings.Cut(string(data), "\n## Policy reference\n")
	section, _, _ = strings.Cut(section, "\n## ")
	for _, p := range fieldPaths() {
		parts := strings.Split(p, ".")
		if t, _ := typeAt(p); parts[0] != "pull_request" || len(parts) < 3 || isMapping(t) {
			continue
		}
		heading := "##### `pull_request." + parts[1] + "`"
		_, rest, ok := strings.Cut(section, heading)
		if !ok {
			t.Errorf("no heading %s", heading)
			continue
		}
		rest, _, _ = strings.Cut(rest, "\n#####")
		if key := "`" + strings.Join(parts[2:], ".") + "`"; !strings.Contains(rest, "| "+key+" |") {
			t.Errorf("%s is not in the table under %s", p, heading)
		}
	}
}
