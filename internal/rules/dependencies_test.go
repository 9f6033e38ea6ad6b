package rules

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ospo-bot/ospo-bot/internal/policy"
)

// TestLicenceJudge: a dependency's expression passes when some choice it
// offers is allowed and includes no denied licence; what is no SPDX
// expression is unknown, saying what was given.
func TestLicenceJudge(t *testing.T) {
	permissive := []string{"MIT", "Apache-2.0", "BSD-2-Clause", "BSD-3-Clause", "ISC"}
	for _, tc := range []struct {
		allowed, denied []string
		licence         string
		known, ok       bool
		why             string // in the verdict's why
	}{
		{permissive, nil, "MIT", true, true, ""},
		{permissive, nil, "mit", true, true, ""}, // case
		{permissive, nil, "GPL-3.0-only", true, false, "GPL-3.0-only is not allowed"},
		{permissive, nil, "GPL-3.0-or-later", true, false, "not allowed"},
		{permissive, nil, "MIT OR GPL-3.0-only", true, true, ""},
		{permissive, nil, "mit or gpl-3.0-only", true, true, ""}, // lower-case operators, as registries write them
		{permissive, nil, "MIT AND GPL-3.0-only", true, false, "GPL-3.0-only is not allowed"},
		{permissive, nil, "MIT AND (LGPL-2.1-or-later OR BSD-3-Clause)", true, true, ""},
		{permissive, nil, "MIT AND (LGPL-2.1-or-later OR GPL-2.0-only)", true, false, "LGPL-2.1-or-later is not allowed, GPL-2.0-only is not allowed"},
		{permissive, nil, "(MIT OR Apache-2.0) AND BSD-3-Clause", true, true, ""},
		{permissive, nil, "Apache-2.0 WITH LLVM-exception", true, false, "Apache-2.0 WITH LLVM-exception is not allowed"},
		{[]string{"Apache-2.0 WITH LLVM-exception"}, nil, "Apache-2.0 WITH LLVM-exception", true, true, ""},
		{[]string{"GPL-2.0-only WITH Classpath-exception-2.0"}, nil, "GPL-2.0-or-later WITH Classpath-exception-2.0", true, true, ""},
		{[]string{"MIT OR Apache-2.0"}, nil, "Apache-2.0", true, true, ""}, // an allowed expression allows each licence it names
		{[]string{"LicenseRef-acme"}, nil, "LicenseRef-acme", true, true, ""},
		{[]string{"LicenseRef-acme"}, nil, "licenseref-acme", true, true, ""},
		{permissive, nil, "LicenseRef-other", true, false, "LicenseRef-other is not allowed"},
		// -only, -or-later and +.
		{[]string{"GPL-2.0-only"}, nil, "GPL-2.0-or-later", true, true, ""}, // may be taken under GPL-2.0
		{[]string{"GPL-2.0-only"}, nil, "GPL-2.0+", true, true, ""},
		{[]string{"GPL-2.0-only"}, nil, "GPL-2.0", true, true, ""}, // the deprecated id is GPL-2.0-only
		{[]string{"GPL-3.0-only"}, nil, "GPL-2.0-only", true, false, "not allowed"},
		{[]string{"GPL-2.0-or-later"}, nil, "GPL-3.0-only", true, true, ""}, // "2.0 or any later" allows 3.0
		{[]string{"GPL-3.0-or-later"}, nil, "GPL-2.0-only", true, false, "not allowed"},
		// Denied: nothing, or every version, under a denied licence.
		{nil, []string{"GPL-3.0-only"}, "GPL-3.0-only", true, false, "GPL-3.0-only is denied"},
		{nil, []string{"GPL-3.0-only"}, "GPL-3.0", true, false, "denied"},
		{nil, []string{"GPL-3.0-only"}, "GPL-2.0-or-later", true, true, ""}, // GPL-2.0 may be chosen
		{nil, []string{"GPL-2.0-or-later"}, "GPL-2.0-or-later", true, false, "denied"},
		{nil, []string{"GPL-2.0-or-later"}, "GPL-3.0-only", true, false, "denied"},
		{nil, []string{"AGPL-3.0-only"}, "MIT OR AGPL-3.0-only", true, true, ""},
		{nil, []string{"AGPL-3.0-only"}, "MIT AND AGPL-3.0-only", true, false, "AGPL-3.0-only is denied"},
		{nil, []string{"AGPL-3.0-only"}, "AGPL-3.0-or-later", true, false, "denied"}, // no later AGPL exists
		{permissive, []string{"MIT"}, "MIT", true, false, "MIT is denied"},           // denied wins over allowed
		{nil, nil, "SSPL-1.0", true, true, ""},                                       // nothing listed: anything not denied
		// Unknown: never a pass.
		{permissive, nil, "", false, false, "no licence is known"},
		{nil, nil, "", false, false, "no licence is known"},
		{permissive, nil, "NOASSERTION", false, false, "NOASSERTION"},
		{permissive, nil, "noassertion", false, false, "NOASSERTION"},
		{permissive, nil, "NONE", false, false, "NONE"},
		{permissive, nil, "Apache 2.0", false, false, `"Apache 2.0" is not an SPDX licence expression`},
		{permissive, nil, "Apache2", false, false, `"Apache2"`},
		{permissive, nil, "MIT AND", false, false, "not an SPDX"},
		{permissive, nil, "MIT OR NOASSERTION", false, false, "not an SPDX"},
		{permissive, nil, "(MIT", false, false, "not an SPDX"},
		{permissive, nil, strings.Repeat("MIT OR ", 200) + "MIT", false, false, "longer than"},
	} {
		v := newLicenceJudge(tc.allowed, tc.denied).judge(tc.licence)
		if v.known != tc.known || v.ok != tc.ok || !strings.Contains(v.why, tc.why) {
			t.Errorf("allowed %v denied %v: %q = %+v, want known %v ok %v why %q", tc.allowed, tc.denied, tc.licence, v, tc.known, tc.ok, tc.why)
		}
	}
}

func dep(purl, licence string) Dependency {
	name, version, _ := strings.Cut(strings.TrimPrefix(purl, "pkg:npm/"), "@")
	return Dependency{PURL: purl, Ecosystem: "npm", Name: name, Version: version, Manifest: "package.json", Line: 7,
		Scope: "runtime", License: licence, LicenseSource: "GitHub"}
}

func depsPR(deps ...Dependency) *PullRequest {
	return &PullRequest{Dependencies: &DependencyChanges{Source: "dependency review", Added: deps}}
}

func TestDependencies(t *testing.T) {
	permissive := policy.DependenciesRule{Mode: policy.Enforce, Allowed: []string{"MIT", "Apache-2.0", "ISC"}, Unknown: policy.Warn, Scopes: []string{"runtime"}}
	with := func(f func(*policy.DependenciesRule)) policy.DependenciesRule {
		r := permissive
		f(&r)
		return r
	}
	gpl := dep("pkg:npm/gpl-thing@2.0.0", "GPL-3.0-only")
	mit := dep("pkg:npm/left-pad@1.3.0", "MIT")
	unknown := dep("pkg:npm/mystery@0.1.0", "NOASSERTION")
	devGPL := gpl
	devGPL.Scope = "development"
	noScope := gpl
	noScope.Scope = ""
	lead := PackageAllowance{Package: "pkg:npm/gpl-thing", Reason: "vetted by legal", Login: "lead", At: time.Unix(1e9, 0)}

	for _, tc := range []struct {
		name    string
		pr      *PullRequest
		r       policy.DependenciesRule
		result  Result
		mode    policy.Mode
		message []string // in the message
		details []string // in the details
		notes   int      // annotations
	}{
		{"off", depsPR(gpl), with(func(r *policy.DependenciesRule) { r.Mode = policy.Off }), Skip, policy.Off, []string{"off"}, nil, 0},
		{"not gathered fails closed", &PullRequest{}, permissive, Fail, policy.Enforce, []string{"were not read"}, nil, 0},
		{"nil pull request fails closed", nil, permissive, Fail, policy.Enforce, []string{"were not read"}, nil, 0},
		{"no dependencies", depsPR(), permissive, Pass, policy.Enforce, []string{"adds no dependencies"}, nil, 0},
		{"allowed", depsPR(mit), permissive, Pass, policy.Enforce, []string{"1 dependency, all under allowed licences"}, []string{"`pkg:npm/left-pad@1.3.0`", "✅ allowed", "GitHub"}, 0},
		{"GPL under an allowlist", depsPR(mit, gpl), permissive, Fail, policy.Enforce,
			[]string{"`pkg:npm/gpl-thing@2.0.0` (`GPL-3.0-only`)", "does not allow"}, []string{"❌ GPL-3.0-only is not allowed", "✅ allowed"}, 1},
		{"GPL denied, warn mode", depsPR(gpl), with(func(r *policy.DependenciesRule) {
			r.Mode, r.Allowed, r.Denied = policy.Warn, nil, []string{"GPL-3.0-only"}
		}),
			Fail, policy.Warn, []string{"gpl-thing"}, []string{"GPL-3.0-only is denied"}, 1},
		{"unknown, warn: fails neutral", depsPR(unknown), permissive, Fail, policy.Warn, []string{"licence is unknown", "mystery"}, []string{"⚠️ unknown", "NOASSERTION"}, 1},
		{"unknown, enforce", depsPR(unknown), with(func(r *policy.DependenciesRule) { r.Unknown = policy.Enforce }), Fail, policy.Enforce, []string{"licence is unknown"}, nil, 1},
		{"unknown enforce under a warn rule is warn", depsPR(unknown), with(func(r *policy.DependenciesRule) { r.Mode, r.Unknown = policy.Warn, policy.Enforce }), Fail, policy.Warn, nil, nil, 1},
		{"unknown unset counts as warn", depsPR(unknown), with(func(r *policy.DependenciesRule) { r.Unknown = "" }), Fail, policy.Warn, nil, nil, 1},
		{"unknown and denied: the rule's mode", depsPR(unknown, gpl), permissive, Fail, policy.Enforce, []string{"does not allow", "unknown"}, nil, 2},
		{"empty licence is unknown, not a pass", depsPR(dep("pkg:npm/x@1.0.0", "")), with(func(r *policy.DependenciesRule) { r.Allowed = nil }), Fail, policy.Warn, []string{"unknown"}, []string{"no licence is known"}, 1},
		{"development scope not judged", depsPR(devGPL), permissive, Pass, policy.Enforce, []string{"no dependencies in the judged scopes", "1 development dependency not judged"}, nil, 0},
		{"development scope judged when listed", depsPR(devGPL), with(func(r *policy.DependenciesRule) { r.Scopes = []string{"runtime", "development"} }), Fail, policy.Enforce, nil, nil, 1},
		{"unknown scope always judged", depsPR(noScope), with(func(r *policy.DependenciesRule) { r.Scopes = []string{"development"} }), Fail, policy.Enforce, nil, nil, 1},
		{"nil scopes mean runtime", depsPR(devGPL, mit), with(func(r *policy.DependenciesRule) { r.Scopes = nil }), Pass, policy.Enforce, nil, []string{"Not judged", "1 development dependency"}, 0},
		{"allowed by an approver", func() *PullRequest { p := depsPR(gpl); p.Allowed = []PackageAllowance{lead}; return p }(), permissive, Pass, policy.Enforce,
			[]string{"allowed as exceptions (1)"}, []string{"✅ allowed by @lead: vetted by legal"}, 0},
		{"allowance of another version does not match", func() *PullRequest {
			p := depsPR(gpl)
			p.Allowed = []PackageAllowance{{Package: "pkg:npm/gpl-thing@1.0.0", Reason: "old", Login: "lead"}}
			return p
		}(), permissive, Fail, policy.Enforce, nil, nil, 1},
		{"exception in ospo.yml", depsPR(gpl, unknown), with(func(r *policy.DependenciesRule) {
			r.Exceptions = []policy.DependencyException{{Package: "pkg:npm/gpl-*", Reason: "our own"}, {Package: "PKG:NPM/mystery@0.1.0", Reason: "checked"}}
		}), Pass, policy.Enforce, nil, []string{"✅ exception in ospo.yml: our own", "✅ exception in ospo.yml: checked"}, 0},
		{"unread manifest fails closed", &PullRequest{Dependencies: &DependencyChanges{Added: []Dependency{mit}, Unread: []UnreadManifest{{Path: "package-lock.json", Why: "not JSON"}}}},
			permissive, Fail, policy.Enforce, []string{"could not read `package-lock.json` (not JSON)"}, []string{"Not read", "not JSON"}, 1},
		{"unread manifest with unknown warn stays enforce", &PullRequest{Dependencies: &DependencyChanges{Added: []Dependency{unknown}, Unread: []UnreadManifest{{Path: "go.mod", Why: "syntax"}}}},
			permissive, Fail, policy.Enforce, nil, nil, 2},
		{"changed version", depsPR(func() Dependency { d := gpl; d.Previous = "1.0.0"; return d }()), permissive, Fail, policy.Enforce, nil, []string{"`1.0.0` → `2.0.0`"}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := Dependencies(tc.pr, tc.r)
			wellFormed(t, f)
			if f.Rule != RuleDependencies || f.Result != tc.result || f.Mode != tc.mode {
				t.Fatalf("%s %s %s (%s), want %s %s", f.Rule, f.Result, f.Mode, f.Message, tc.result, tc.mode)
			}
			for _, s := range tc.message {
				if !strings.Contains(f.Message, s) {
					t.Errorf("message %q lacks %q", f.Message, s)
				}
			}
			for _, s := range tc.details {
				if !strings.Contains(f.Details, s) {
					t.Errorf("details lack %q:\n%s", s, f.Details)
				}
			}
			if len(f.Annotations) != tc.notes {
				t.Errorf("%d annotations, want %d: %+v", len(f.Annotations), tc.notes, f.Annotations)
			}
			for _, a := range f.Annotations {
				if a.File == "" || a.Message == "" || strings.ContainsAny(a.Message, "\n`") {
					t.Errorf("annotation %+v: want a file and one line of plain text", a)
				}
			}
		})
	}
}

// TestDependenciesAnnotation: the annotation is on the manifest's line
// and says what to do, in plain text.
func TestDependenciesAnnotation(t *testing.T) {
	r := policy.DependenciesRule{Mode: policy.Enforce, Allowed: []string{"MIT"}, Unknown: policy.Warn}
	f := Dependencies(depsPR(dep("pkg:npm/gpl-thing@2.0.0", "GPL-3.0-only")), r)
	a := f.Annotations[0]
	if a.File != "package.json" || a.Line != 7 || !strings.Contains(a.Message, "/ospo allow pkg:npm/gpl-thing@2.0.0 <reason>") ||
		!strings.Contains(a.Message, "under GPL-3.0-only") {
		t.Errorf("annotation %+v", a)
	}
	if !strings.Contains(f.Remediation, "/ospo allow <purl> <reason>") || !strings.Contains(f.Remediation, "`MIT`") {
		t.Errorf("remediation %q", f.Remediation)
	}
}

// TestDependenciesHostile: a package's name, version, licence and an
// approver's reason are shown as written and do nothing.
func TestDependenciesHostile(t *testing.T) {
	d := Dependency{PURL: "pkg:npm/evil|@x`y@1.0.0", Name: "evil", Version: "1.0.0 @everyone #1 [x](http://e.example)", Previous: "<img src=x>",
		License: "MIT | ![x](y)", Scope: "runtime", LicenseSource: "deps.dev\n# heading", Manifest: "package.json"}
	pr := depsPR(d)
	pr.Allowed = []PackageAllowance{{Package: "pkg:npm/other", Reason: "@org/team see #12 <b>", Login: "lead"}}
	f := Dependencies(pr, policy.DependenciesRule{Mode: policy.Enforce, Allowed: []string{"MIT"}})
	live := regexp.MustCompile("@everyone|@org/team|#1|[^\\\\`]\\]\\(http|[^\\\\`]<(img|b)|\n# heading")
	for _, s := range []string{f.Message, f.Details} {
		if m := live.FindString(stripCode(s)); m != "" {
			t.Errorf("%q rendered live:\n%s", m, s)
		}
	}
	for _, line := range strings.Split(strings.TrimSpace(f.Details), "\n") {
		if strings.HasPrefix(line, "| ") && strings.Count(strings.ReplaceAll(line, `\|`, ""), "|") != 6 {
			t.Errorf("row splits into other cells: %s", line)
		}
	}
}

// TestDependenciesCapped: a pull request that adds thousands of
// dependencies gets a table within the summary's budget, a message of
// one readable line and every failing dependency annotated for prcheck to
// cap.
func TestDependenciesCapped(t *testing.T) {
	var deps []Dependency
	for i := range 3000 {
		deps = append(deps, dep(fmt.Sprintf("pkg:npm/pkg-%04d-%s@1.0.0", i, strings.Repeat("x", 100)), "GPL-3.0-only"))
	}
	f := Dependencies(depsPR(deps...), policy.DependenciesRule{Mode: policy.Enforce, Allowed: []string{"MIT"}})
	if len(f.Details) > 20_000 || !strings.Contains(f.Details, "… and ") {
		t.Errorf("details: %d bytes, capped: %v", len(f.Details), strings.Contains(f.Details, "… and "))
	}
	if len(f.Message) > 8_000 || !strings.Contains(f.Message, "and 2980 more") {
		t.Errorf("message: %d bytes: %.300s", len(f.Message), f.Message)
	}
	if len(f.Annotations) != 3000 {
		t.Errorf("%d annotations", len(f.Annotations))
	}
}

// stripCode drops the code spans of Markdown (a run of backticks up to
// the next run of the same length), which show their text as written.
func stripCode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] != '`' {
			b.WriteByte(s[i])
			i++
			continue
		}
		n := 0
		for i+n < len(s) && s[i+n] == '`' {
			n++
		}
		fence := strings.Repeat("`", n)
		rest := s[i+n:]
		end := -1
		for j := 0; j < len(rest); {
			k := strings.Index(rest[j:], fence)
			if k < 0 {
				break
			}
			k += j
			m := 0
			for k+m < len(rest) && rest[k+m] == '`' {
				m++
			}
			if m == n {
				end = k
				break
			}
			j = k + m
		}
		if end < 0 {
			b.WriteString(fence)
			i += n
			continue
		}
		i += n + end + n
	}
	return b.String()
}

// BenchmarkDependencies judges a pull request that adds 1,000
// dependencies with a mix of licences under an allowlist and a denylist.
func BenchmarkDependencies(b *testing.B) {
	licences := []string{"MIT", "Apache-2.0", "MIT OR Apache-2.0", "GPL-2.0-or-later", "BSD-3-Clause AND (LGPL-2.1-or-later OR MIT)", "NOASSERTION"}
	var deps []Dependency
	for i := range 1000 {
		deps = append(deps, dep(fmt.Sprintf("pkg:npm/pkg-%d@1.0.%d", i, i), licences[i%len(licences)]))
	}
	pr := depsPR(deps...)
	pr.Allowed = []PackageAllowance{{Package: "pkg:npm/pkg-1*", Login: "lead", Reason: "ok"}}
	r := policy.DependenciesRule{Mode: policy.Enforce, Allowed: []string{"MIT", "Apache-2.0", "BSD-3-Clause", "ISC"}, Denied: []string{"AGPL-3.0-only"},
		Unknown: policy.Warn, Scopes: []string{"runtime"}, Exceptions: []policy.DependencyException{{Package: "pkg:npm/@acme/*", Reason: "ours"}}}
	b.ReportAllocs()
	for b.Loop() {
		Dependencies(pr, r)
	}
}
