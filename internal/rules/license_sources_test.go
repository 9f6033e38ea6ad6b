package rules

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/ospo-bot/ospo-bot/internal/inert"
	"github.com/ospo-bot/ospo-bot/internal/policy"
)

// repo builds a snapshot from files (path → text) and the manifests'
// declarations; every file is listed and read.
func repo(files map[string]string, declared ...Declared) *Snapshot {
	s := &Snapshot{DefaultBranch: "main", Contents: map[string]string{}, Declared: declared}
	for p, text := range files {
		s.Paths = append(s.Paths, p)
		s.Contents[p] = text
	}
	for _, d := range declared {
		s.Paths = append(s.Paths, d.File)
	}
	return s
}

func standardText(t *testing.T, id string) string {
	t.Helper()
	b, err := os.ReadFile("licenses/" + id + ".txt")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func enforce(allowed ...string) policy.LicenseRule {
	return policy.LicenseRule{Mode: policy.Enforce, Allowed: allowed}
}

// TestLicenseSourcesAgree: sources that say the same licence pass, and
// the message says which agreed.
func TestLicenseSourcesAgree(t *testing.T) {
	mit, apache := readLicense(t, "MIT.txt"), readLicense(t, "Apache-2.0.txt")
	tests := []struct {
		name    string
		s       *Snapshot
		allowed []string
		frags   []string
	}{
		{"LICENSE and package.json", repo(map[string]string{"LICENSE": mit}, Declared{File: "package.json", Expr: "MIT", Line: 15}),
			permissive, []string{"LICENSE is MIT", "package.json (line 15) declares it too"}},
		{"dual licensed crate", repo(map[string]string{"LICENSE-MIT": mit, "LICENSE-APACHE": apache}, Declared{File: "Cargo.toml", Expr: "MIT OR Apache-2.0", Line: 5}),
			[]string{"MIT OR Apache-2.0"}, []string{"Cargo.toml (line 5) declares it too"}},
		{"AND form of the same licences", repo(map[string]string{"LICENSE-MIT": mit, "LICENSE-APACHE": apache}, Declared{File: "Cargo.toml", Expr: "Apache-2.0 AND MIT", Line: 5}),
			[]string{"MIT OR Apache-2.0"}, nil},
		{"or-later is the same text", repo(map[string]string{"COPYING": readLicense(t, "GPL-3.0.txt")}, Declared{File: "pyproject.toml", Expr: "GPL-3.0-or-later", Line: 6}),
			[]string{"GPL-3.0-or-later"}, []string{"pyproject.toml (line 6) declares it too"}},
		{"two manifests", repo(map[string]string{"LICENSE": apache},
			Declared{File: "package.json", Expr: "Apache-2.0", Line: 4}, Declared{File: "pom.xml", Expr: "Apache-2.0", Line: 20}),
			permissive, []string{"package.json (line 4) and pom.xml (line 20) declare it too"}},
		{"a manifest that declares nothing", repo(map[string]string{"LICENSE": mit}, Declared{File: "Cargo.toml"}),
			permissive, []string{"LICENSE is MIT"}},
		{"SPDX id in LICENSE", repo(map[string]string{"LICENSE": "SPDX-License-Identifier: MIT\n\n" + mit}),
			permissive, []string{"LICENSE is MIT"}},
		{"SPDX ids in each of two files", repo(map[string]string{
			"LICENSE-MIT":    "# SPDX-License-Identifier: MIT\n" + mit,
			"LICENSE-APACHE": apache + "\nSPDX-License-Identifier: Apache-2.0\n"}, Declared{File: "Cargo.toml", Expr: "MIT OR Apache-2.0", Line: 5}),
			[]string{"MIT OR Apache-2.0"}, []string{"Cargo.toml (line 5) declares it too"}},
		{"LICENSE and LICENSES/", repo(map[string]string{"LICENSE": apache, "LICENSES/Apache-2.0.txt": apache, "LICENSES/CC0-1.0.txt": standardText(t, "CC0-1.0")},
			Declared{File: "package.json", Expr: "Apache-2.0", Line: 2}),
			append([]string{"CC0-1.0"}, permissive...), []string{"LICENSE is Apache-2.0", "package.json (line 2) declares it too"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := License(tt.s, enforce(tt.allowed...))
			check(t, f, RuleLicense, Pass, tt.frags...)
		})
	}
}

// TestLicenseSourcesDisagree: every kind of disagreement fails the rule,
// naming each source, what it says, and what to do.
func TestLicenseSourcesDisagree(t *testing.T) {
	mit, apache, gpl := readLicense(t, "MIT.txt"), readLicense(t, "Apache-2.0.txt"), readLicense(t, "GPL-3.0.txt")
	tests := []struct {
		name    string
		s       *Snapshot
		allowed []string
		frags   []string
	}{
		{"LICENSE says MIT, package.json Apache-2.0", repo(map[string]string{"LICENSE": mit}, Declared{File: "package.json", Expr: "Apache-2.0", Line: 15}),
			permissive, []string{"the repository's licence sources disagree: package.json (line 15) declares Apache-2.0, but the text of LICENSE is MIT",
				"decide which licence the project is under, then make every source name it: the text of LICENSE and the licence field of package.json (line 15)"}},
		{"a manifest offers a licence the files do not hold", repo(map[string]string{"LICENSE": apache}, Declared{File: "package.json", Expr: "Apache-2.0 OR MIT", Line: 3}),
			permissive, []string{"package.json (line 3) declares Apache-2.0 OR MIT, but the text of LICENSE is Apache-2.0"}},
		{"LICENSES/ has GPL-3.0, Cargo.toml MIT", repo(map[string]string{"LICENSES/GPL-3.0-or-later.txt": gpl}, Declared{File: "Cargo.toml", Expr: "MIT", Line: 5}),
			[]string{"GPL-3.0-or-later", "MIT"}, []string{"Cargo.toml (line 5) declares MIT, but LICENSES/ has no text for MIT (it holds GPL-3.0-or-later)",
				"the files in LICENSES/ (one per licence, named by its SPDX id)"}},
		{"LICENSE not in LICENSES/", repo(map[string]string{"LICENSE": mit, "LICENSES/Apache-2.0.txt": apache}),
			permissive, []string{"the text of LICENSE is MIT, but LICENSES/ has no text for MIT (it holds Apache-2.0)"}},
		{"SPDX id in LICENSE disagrees with its text", repo(map[string]string{"LICENSE": "SPDX-License-Identifier: Apache-2.0\n" + mit}),
			permissive, []string{"LICENSE (line 1) declares Apache-2.0, but the text of LICENSE is MIT", "the SPDX-License-Identifier line of LICENSE (line 1)"}},
		{"SPDX id in one of two files", repo(map[string]string{"LICENSE-MIT": "SPDX-License-Identifier: GPL-3.0-only\n" + mit, "LICENSE-APACHE": apache}),
			[]string{"MIT OR Apache-2.0"}, []string{"LICENSE-MIT (line 1) declares GPL-3.0-only, but the text of LICENSE-MIT is MIT"}},
		{"two manifests, one also allows MIT (go-spdx)", repo(map[string]string{"LICENSES/Apache-2.0.txt": apache, "LICENSES/MIT.txt": mit},
			Declared{File: "Cargo.toml", Expr: "Apache-2.0", Line: 5}, Declared{File: "package.json", Expr: "Apache-2.0 OR MIT", Line: 3}),
			permissive, []string{"Cargo.toml (line 5) declares Apache-2.0 and package.json (line 3) Apache-2.0 OR MIT: only the second can be used under MIT"}},
		{"OR against AND", repo(map[string]string{"LICENSE-MIT": mit, "LICENSE-APACHE": apache},
			Declared{File: "Cargo.toml", Expr: "MIT OR Apache-2.0", Line: 5}, Declared{File: "package.json", Expr: "MIT AND Apache-2.0", Line: 3}),
			[]string{"MIT OR Apache-2.0"}, []string{"only the first can be used under Apache-2.0 or MIT"}},
		{"UNLICENSED", repo(map[string]string{"LICENSE": mit}, Declared{File: "package.json", Expr: "UNLICENSED", Line: 4}),
			permissive, []string{"package.json (line 4) declares UNLICENSED: no open-source licence"}},
		{"not an SPDX expression", repo(map[string]string{"LICENSE": readLicense(t, "BSD-3-Clause.txt")}, Declared{File: "setup.cfg", Expr: "BSD", Line: 8}),
			permissive, []string{"setup.cfg (line 8) declares BSD, which is not an SPDX licence expression", "write licence fields as SPDX expressions"}},
		{"a manifest that does not parse", repo(map[string]string{"LICENSE": mit}, Declared{File: "package.json", Problem: "invalid character '}' looking for beginning of value"}),
			permissive, []string{"package.json could not be read: invalid character"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := License(tt.s, enforce(tt.allowed...))
			check(t, f, RuleLicense, Fail, tt.frags...)
			for _, d := range tt.s.Declared {
				if !slices.ContainsFunc(f.Annotations, func(a Annotation) bool { return a.File == d.File && a.Line == d.Line }) {
					t.Errorf("no annotation on %s line %d: %+v", d.File, d.Line, f.Annotations)
				}
			}
		})
	}
}

// TestLicenseSourcesWithFailingText: a disagreement is added to the
// licence files' own failure, not hidden by it.
func TestLicenseSourcesWithFailingText(t *testing.T) {
	f := License(repo(map[string]string{"LICENSE": readLicense(t, "GPL-3.0.txt")}, Declared{File: "package.json", Expr: "MIT", Line: 2}), enforce(permissive...))
	check(t, f, RuleLicense, Fail, "LICENSE is GPL-3.0, which the policy does not allow",
		"also, the repository's licence sources disagree: package.json (line 2) declares MIT", "then decide which licence")
}

// TestLicenseSourcesWarn: under warn, a disagreement warns.
func TestLicenseSourcesWarn(t *testing.T) {
	f := License(repo(map[string]string{"LICENSE": readLicense(t, "MIT.txt")}, Declared{File: "package.json", Expr: "ISC", Line: 2}),
		policy.LicenseRule{Mode: policy.Warn, Allowed: permissive})
	if f.Result != Fail || f.Mode != policy.Warn || f.Failing() {
		t.Errorf("finding %+v, want a warning", f)
	}
}

// TestLicenseREUSE: a repository with no root LICENSE but REUSE's
// LICENSES/ is licensed by those files.
func TestLicenseREUSE(t *testing.T) {
	apache, cc0, mit := readLicense(t, "Apache-2.0.txt"), standardText(t, "CC0-1.0"), readLicense(t, "MIT.txt")
	tests := []struct {
		name    string
		files   map[string]string
		allowed []string
		want    Result
		frags   []string
	}{
		{"one licence", map[string]string{"LICENSES/Apache-2.0.txt": apache}, permissive, Pass, []string{"LICENSES/ (REUSE) holds Apache-2.0, allowed"}},
		{"code and data, each allowed", map[string]string{"LICENSES/Apache-2.0.txt": apache, "LICENSES/CC0-1.0.txt": cc0}, []string{"Apache-2.0", "CC0-1.0"}, Pass,
			[]string{"holds Apache-2.0 and CC0-1.0"}},
		{"together as one allowed expression", map[string]string{"LICENSES/Apache-2.0.txt": apache, "LICENSES/MIT.txt": mit}, []string{"MIT OR Apache-2.0"}, Pass, nil},
		{"one not allowed", map[string]string{"LICENSES/Apache-2.0.txt": apache, "LICENSES/CC0-1.0.txt": cc0}, permissive, Fail,
			[]string{"LICENSES/ holds CC0-1.0, which the policy does not allow (allowed: MIT, Apache-2.0, BSD-3-Clause)"}},
		{"text of another licence", map[string]string{"LICENSES/MIT.txt": apache}, permissive, Fail,
			[]string{"LICENSES/MIT.txt is named MIT but holds the text of Apache-2.0"}},
		{"not an SPDX id", map[string]string{"LICENSES/my licence.txt": mit}, permissive, Fail,
			[]string{"is not named by an SPDX licence id", "LICENSES/Apache-2.0.txt"}},
		{"empty", map[string]string{"LICENSES/MIT.txt": "\n"}, permissive, Fail, []string{"LICENSES/MIT.txt is empty"}},
		{"a LicenseRef text licensecheck does not know", map[string]string{"LICENSES/LicenseRef-acme.txt": "Acme may use this."}, []string{"LicenseRef-acme"}, Pass, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := repo(tt.files)
			f := License(s, enforce(tt.allowed...))
			check(t, f, RuleLicense, tt.want, tt.frags...)
			if !strings.HasPrefix(f.File, "LICENSES/") {
				t.Errorf("File = %q, want a file of LICENSES/", f.File)
			}
		})
	}
	if id := LicenseID(repo(map[string]string{"LICENSES/MIT.txt": mit, "LICENSES/Apache-2.0.txt": apache})); id != "Apache-2.0 AND MIT" {
		t.Errorf("LicenseID of a REUSE repository = %q", id)
	}
}

// TestLicenseNoFileNamesTheManifests: without any licence file, the
// remediation says what the manifests declare.
func TestLicenseNoFileNamesTheManifests(t *testing.T) {
	f := License(repo(nil, Declared{File: "package.json", Expr: "MIT", Line: 5}), enforce(permissive...))
	check(t, f, RuleLicense, Fail, "no LICENSE file at the root", "(package.json (line 5) declares MIT)")
}

// TestLicenseSourcesInert: a manifest's text cannot format, mention or
// link in the finding.
func TestLicenseSourcesInert(t *testing.T) {
	f := License(repo(map[string]string{"LICENSE": readLicense(t, "MIT.txt")},
		Declared{File: "package.json", Expr: "@acme/ospo [x](https://evil) `", Line: 2}), enforce(permissive...))
	if f.Result != Fail {
		t.Fatalf("finding %+v", f)
	}
	if !strings.Contains(f.Message, inert.Code("@acme/ospo [x](https://evil) `")) {
		t.Errorf("the declared text is not an inert code span: %q", f.Message)
	}
}

func TestSPDXIdentifier(t *testing.T) {
	for text, want := range map[string]string{
		"SPDX-License-Identifier: MIT\n":                 "MIT",
		"// SPDX-License-Identifier: Apache-2.0 OR MIT":  "Apache-2.0 OR MIT",
		"/* SPDX-License-Identifier: GPL-2.0-only */\n":  "GPL-2.0-only",
		"<!-- SPDX-License-Identifier: CC-BY-4.0 -->":    "CC-BY-4.0",
		"Copyright\n\n# SPDX-License-Identifier: ISC\nx": "ISC",
		"MIT License\n\nPermission is hereby granted":    "",
	} {
		got, _, _ := spdxIdentifier(text)
		if got != want {
			t.Errorf("spdxIdentifier(%q) = %q, want %q", text, got, want)
		}
	}
}

func TestLicenseStaleOnSources(t *testing.T) {
	for _, p := range []string{"LICENSES/MIT.txt", "package.json", "Cargo.toml", "pyproject.toml", "pom.xml", "setup.cfg", "acme.gemspec", "LICENSE"} {
		if !StaleAfterPush(p, false) {
			t.Errorf("a push changing %s does not re-check the repository", p)
		}
	}
	for _, p := range []string{"src/package.json", "LICENSES/sub/x.txt"} {
		if matchAny(licenseEntry.Stale.Changed, p) {
			t.Errorf("a push changing %s re-checks the licence", p)
		}
	}
}

// BenchmarkLicenseSources: the license rule on a repository whose LICENSE
// and two manifests agree, and on one whose manifests disagree as
// expressions (the go-spdx comparison), as the policy plan runs it on
// every kept snapshot.
func BenchmarkLicenseSources(b *testing.B) {
	mit := readLicense(b, "MIT.txt")
	apache := readLicense(b, "Apache-2.0.txt")
	for _, bc := range []struct {
		name string
		s    *Snapshot
	}{
		{"LICENSE only", repo(map[string]string{"LICENSE": mit})},
		{"LICENSE and two manifests", repo(map[string]string{"LICENSE": mit}, Declared{File: "package.json", Expr: "MIT", Line: 3}, Declared{File: "Cargo.toml", Expr: "MIT", Line: 5})},
		{"dual, manifests differ", repo(map[string]string{"LICENSE-MIT": mit, "LICENSE-APACHE": apache},
			Declared{File: "Cargo.toml", Expr: "MIT OR Apache-2.0", Line: 5}, Declared{File: "package.json", Expr: "MIT AND Apache-2.0", Line: 3})},
	} {
		b.Run(bc.name, func(b *testing.B) {
			r := enforce("MIT", "MIT OR Apache-2.0")
			License(bc.s, r) // licensecheck's one-time set-up, and the texts' scans, kept
			for b.Loop() {
				License(bc.s, r)
			}
		})
	}
}
