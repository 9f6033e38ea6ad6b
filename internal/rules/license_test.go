package rules

import (
	"math/rand"
	"slices"
	"strings"
	"testing"

	"github.com/ospo-bot/ospo-bot/internal/policy"
)

func licenseSnapshot(path, text string) *Snapshot {
	return &Snapshot{DefaultBranch: "main", Paths: []string{"README.md", path}, Contents: map[string]string{path: text}}
}

var permissive = []string{"MIT", "Apache-2.0", "BSD-3-Clause"}

// TestLicenseTestdata runs the rule on the real texts of testdata/licenses
// and logs what licensecheck reports for each (coverage, and the share of
// each matched license's standard text).
func TestLicenseTestdata(t *testing.T) {
	tests := []struct {
		file      string
		allowed   []string
		want      Result
		fragments []string
	}{
		{"MIT.txt", permissive, Pass, []string{"LICENSE is MIT"}},
		{"MIT-copyright-filled.txt", permissive, Pass, []string{"LICENSE is MIT"}},
		{"Apache-2.0.txt", permissive, Pass, []string{"LICENSE is Apache-2.0"}},
		{"Apache-2.0-appendix-filled.txt", permissive, Pass, []string{"LICENSE is Apache-2.0"}},
		{"Apache-2.0-no-appendix.txt", permissive, Pass, []string{"LICENSE is Apache-2.0"}},
		{"BSD-3-Clause.txt", permissive, Pass, []string{"LICENSE is BSD-3-Clause"}},
		{"GPL-3.0.txt", []string{"GPL-3.0-or-later"}, Pass, []string{"LICENSE is GPL-3.0"}},
		{"GPL-3.0.txt", permissive, Fail, []string{"LICENSE is GPL-3.0, which the policy does not allow (allowed: MIT, Apache-2.0, BSD-3-Clause)"}},
		{"MIT-edited.txt", permissive, Fail, []string{"LICENSE looks like MIT but 6% of its text differs from it: restore the standard text"}},
		{"MIT-extra-notice.txt", permissive, Fail, []string{"LICENSE looks like MIT but 14% of its text differs"}},
		{"Apache-2.0-notice-only.txt", permissive, Fail, []string{"LICENSE looks like Apache-2.0 but 95% of its text differs"}},
		{"empty.txt", permissive, Fail, []string{"LICENSE is empty", "put the unmodified text of MIT, Apache-2.0 or BSD-3-Clause into LICENSE"}},
		{"MIT-and-Apache-2.0.txt", permissive, Fail, []string{"LICENSE contains MIT and Apache-2.0; declare dual licensing as an SPDX expression in license.allowed", `"MIT OR Apache-2.0"`}},
		{"MIT-and-Apache-2.0.txt", []string{"MIT OR Apache-2.0"}, Pass, []string{"LICENSE is MIT and Apache-2.0"}},
		{"MIT-and-Apache-2.0.txt", []string{"(Apache-2.0 AND MIT)"}, Pass, nil},
		{"MIT-and-Apache-2.0.txt", []string{"MIT OR Apache-2.0 OR BSD-3-Clause"}, Fail, []string{"declare dual licensing"}},
		{"MIT-and-Apache-2.0.txt", []string{"MIT"}, Fail, []string{"LICENSE contains MIT and Apache-2.0; the policy does not allow Apache-2.0"}},
		{"MIT.txt", []string{"MIT OR Apache-2.0"}, Fail, []string{"LICENSE is MIT, which the policy does not allow"}},
	}
	for _, tt := range tests {
		t.Run(tt.file+"/"+strings.Join(tt.allowed, ","), func(t *testing.T) {
			text := readLicense(t, tt.file)
			res := scanLicense(text)
			t.Logf("%s: coverage %.2f%%, ids %v, lowest share of standard text %.2f%% (%s)", tt.file, res.coverage, res.ids, res.share, res.weakest)
			if like, ok := closestLicense(words(text), lookalikeFloor); ok && len(res.ids) == 0 {
				t.Logf("%s: closest license %s, similarity %.2f%%", tt.file, like.id, like.similarity)
			}
			f := License(licenseSnapshot("LICENSE", text), policy.LicenseRule{Mode: policy.Enforce, Allowed: tt.allowed})
			check(t, f, RuleLicense, tt.want, tt.fragments...)
			if f.File != "LICENSE" {
				t.Errorf("File = %q, want LICENSE", f.File)
			}
		})
	}
}

func TestLicenseFile(t *testing.T) {
	mit := readLicense(t, "MIT.txt")
	tests := []struct {
		name  string
		paths []string
		want  []string // nil for none
	}{
		{"plain", []string{"LICENSE"}, []string{"LICENSE"}},
		{"lower case markdown", []string{"README.md", "license.md"}, []string{"license.md"}},
		{"LICENSE before COPYING", []string{"COPYING", "LICENSE.txt"}, []string{"LICENSE.txt", "COPYING"}},
		{"LICENSE.md before LICENSE.txt", []string{"LICENSE.txt", "LICENSE.md"}, []string{"LICENSE.md", "LICENSE.txt"}},
		{"British spelling", []string{"Licence"}, []string{"Licence"}},
		{"British spelling, suffixed", []string{"LICENCE-MIT"}, []string{"LICENCE-MIT"}},
		{"COPYING.txt", []string{"docs/", "COPYING.txt"}, []string{"COPYING.txt"}},
		{"COPYING.md", []string{"COPYING.md"}, []string{"COPYING.md"}},
		{"reStructuredText", []string{"LICENSE.rst"}, []string{"LICENSE.rst"}},
		{"one of a dual license", []string{"LICENSE-MIT"}, []string{"LICENSE-MIT"}},
		{"suffix with a version", []string{"LICENSE-APACHE-2.0.txt"}, []string{"LICENSE-APACHE-2.0.txt"}},
		{"suffixed after plain", []string{"LICENSE-MIT", "LICENSE"}, []string{"LICENSE", "LICENSE-MIT"}},
		{"not at the root", []string{"docs/LICENSE", ".github/LICENSE.md", "docs/LICENSE-MIT"}, nil},
		{"not license files", []string{"LICENSES/", "license-checker.js", "LICENSE.sh", "licensed.txt", "COPYING.LESSER.go", "LICENSE-"}, nil},
		{"nothing", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := LicenseFiles(tt.paths)
			if !slices.Equal(got, tt.want) {
				t.Fatalf("LicenseFiles(%v) = %q; want %q", tt.paths, got, tt.want)
			}
			if len(tt.want) != 1 {
				return
			}
			s := &Snapshot{Paths: tt.paths, Contents: map[string]string{tt.want[0]: mit}}
			f := License(s, policy.LicenseRule{Mode: policy.Warn, Allowed: []string{"MIT"}})
			check(t, f, RuleLicense, Pass, tt.want[0]+" is MIT")
			if f.File != tt.want[0] || f.Mode != policy.Warn {
				t.Errorf("File, Mode = %q, %q", f.File, f.Mode)
			}
		})
	}
}

// TestLicenseSeveralFiles: every license file at the root is read; a
// repository with LICENSE-MIT and LICENSE-APACHE is dual-licensed, as Rust
// projects are.
func TestLicenseSeveralFiles(t *testing.T) {
	mit, apache := readLicense(t, "MIT.txt"), readLicense(t, "Apache-2.0.txt")
	dual := &Snapshot{DefaultBranch: "main", Paths: []string{"Cargo.toml", "LICENSE-MIT", "LICENSE-APACHE"},
		Contents: map[string]string{"LICENSE-MIT": mit, "LICENSE-APACHE": apache}}
	rule := func(allowed ...string) policy.LicenseRule {
		return policy.LicenseRule{Mode: policy.Enforce, Allowed: allowed}
	}
	tests := []struct {
		name      string
		s         *Snapshot
		r         policy.LicenseRule
		want      Result
		fragments []string
	}{
		{"dual, allowed as an expression", dual, rule("MIT OR Apache-2.0"), Pass,
			[]string{"LICENSE-APACHE and LICENSE-MIT are Apache-2.0 and MIT"}},
		{"dual, allowed as an AND expression", dual, rule("Apache-2.0 AND MIT"), Pass, nil},
		{"dual, only single ids allowed", dual, rule("MIT", "Apache-2.0"), Fail,
			[]string{"LICENSE-APACHE and LICENSE-MIT contain Apache-2.0 and MIT; declare dual licensing as an SPDX expression in license.allowed",
				`add "Apache-2.0 OR MIT"`}},
		{"dual, one not allowed", dual, rule("MIT"), Fail,
			[]string{"LICENSE-APACHE and LICENSE-MIT contain Apache-2.0 and MIT; the policy does not allow Apache-2.0"}},
		{"one file edited", &Snapshot{Paths: []string{"LICENSE-MIT", "LICENSE-APACHE"},
			Contents: map[string]string{"LICENSE-MIT": readLicense(t, "MIT-edited.txt"), "LICENSE-APACHE": apache}}, rule("MIT OR Apache-2.0"), Fail,
			[]string{"LICENSE-MIT looks like MIT but 6% of its text differs from it"}},
		{"one file not read", &Snapshot{Paths: []string{"LICENSE-MIT", "LICENSE-APACHE"},
			Contents: map[string]string{"LICENSE-APACHE": apache}}, rule("MIT OR Apache-2.0"), Fail,
			[]string{"LICENSE-MIT exists but its text was not read"}},
		{"the same license twice", &Snapshot{Paths: []string{"LICENSE", "LICENSE.md"},
			Contents: map[string]string{"LICENSE": mit, "LICENSE.md": mit}}, rule("MIT"), Pass, []string{"LICENSE and LICENSE.md are MIT"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := License(tt.s, tt.r)
			check(t, f, RuleLicense, tt.want, tt.fragments...)
			if f.File == "" {
				t.Errorf("File is empty")
			}
		})
	}
}

func TestLicenseBranches(t *testing.T) {
	mit := readLicense(t, "MIT.txt")
	noAppendix := readLicense(t, "Apache-2.0-no-appendix.txt")
	rule := func(allowed ...string) policy.LicenseRule {
		return policy.LicenseRule{Mode: policy.Enforce, Allowed: allowed}
	}
	tests := []struct {
		name      string
		s         *Snapshot
		r         policy.LicenseRule
		want      Result
		fragments []string
	}{
		{"off", licenseSnapshot("LICENSE", mit), policy.LicenseRule{Mode: policy.Off}, Skip, []string{"license rule is off"}},
		{"empty mode is off", nil, policy.LicenseRule{}, Skip, []string{"off"}},
		{"unknown mode", nil, policy.LicenseRule{Mode: "enforced"}, Skip, []string{`mode "enforced"`}},
		{"nil snapshot", nil, rule("MIT"), Fail, []string{"no LICENSE file at the root of the default branch"}},
		{"no file", &Snapshot{DefaultBranch: "trunk", Paths: []string{"README.md"}}, rule("MIT", "ISC"), Fail,
			[]string{"no LICENSE file at the root of trunk", "add a LICENSE file to the root of trunk with the unmodified text of MIT or ISC"}},
		{"not read", &Snapshot{Paths: []string{"LICENSE"}}, rule("MIT"), Fail, []string{"LICENSE exists but its text was not read"}},
		{"blank", licenseSnapshot("LICENSE", " \n\t\n"), rule("MIT"), Fail, []string{"LICENSE is empty"}},
		{"nothing allowed", licenseSnapshot("LICENSE", mit), rule(), Fail, []string{"repository.license.allowed is empty"}},
		{"unknown text", licenseSnapshot("LICENSE", "All rights reserved. Do not copy this software.\n"), rule("MIT"), Fail,
			[]string{"LICENSE does not match a known license", "replace LICENSE with the unmodified text of MIT"}},
		{"only a URL", licenseSnapshot("LICENSE", "See http://www.apache.org/licenses/LICENSE-2.0\n"), rule("Apache-2.0"), Fail,
			[]string{"LICENSE only links to Apache-2.0 instead of containing the license text"}},
		{"stricter coverage", licenseSnapshot("LICENSE", mit), policy.LicenseRule{Mode: policy.Enforce, Allowed: []string{"MIT"}, MinCoverage: 99.5}, Fail,
			[]string{"LICENSE looks like MIT but 2% of its text differs"}},
		{"stricter match", licenseSnapshot("LICENSE", noAppendix), policy.LicenseRule{Mode: policy.Enforce, Allowed: []string{"Apache-2.0"}, MinMatch: 95}, Fail,
			[]string{"LICENSE looks like Apache-2.0 but 12% of its text differs"}},
		{"invalid allowed entry named", licenseSnapshot("LICENSE", mit), rule("Apache-2.0", "MIT OR"), Fail,
			[]string{"LICENSE is MIT, which the policy does not allow", `unmodified text of Apache-2.0 or "MIT OR", or ask`, `invalid entries: "MIT OR" (expected a license id after OR)`}},
		{"edited and not allowed", licenseSnapshot("LICENSE", readLicense(t, "MIT-edited.txt")), rule("Apache-2.0"), Fail,
			[]string{"LICENSE looks like MIT (6% of its text differs from it), which the policy does not allow (allowed: Apache-2.0)", "replace LICENSE with the unmodified text of Apache-2.0, or ask the OSPO for an exemption"}},
		{"case-insensitive id", licenseSnapshot("LICENSE", mit), rule("mit"), Pass, []string{"LICENSE is MIT"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			check(t, License(tt.s, tt.r), RuleLicense, tt.want, tt.fragments...)
		})
	}
}

func TestLicenseIDs(t *testing.T) {
	for expr, want := range map[string]string{
		"MIT":                                   "MIT",
		"MIT OR Apache-2.0":                     "MIT,Apache-2.0",
		"(MIT AND BSD-3-Clause)":                "MIT,BSD-3-Clause",
		"MIT OR MIT":                            "MIT",
		"GPL-3.0-only OR GPL-3.0":               "GPL-3.0-only", // the same license text
		"GPL-2.0+ WITH Classpath-exception-2.0": "GPL-2.0+",
		"MIT Apache-2.0":                        "error",
		"mit or apache-2.0":                     "error", // operators are upper case
	} {
		ids, err := licenseIDs(expr)
		got := strings.Join(ids, ",")
		if err != nil {
			got = "error"
		}
		if got != want {
			t.Errorf("licenseIDs(%q) = %q (%v), want %q", expr, got, err, want)
		}
	}
}

func TestSameLicense(t *testing.T) {
	same := [][2]string{{"GPL-3.0", "gpl-3.0-only"}, {"GPL-3.0-or-later", "GPL-3.0"}, {"LGPL-2.1+", "LGPL-2.1"}, {"MIT", "mit"}}
	for _, p := range same {
		if !sameLicense(p[0], p[1]) {
			t.Errorf("sameLicense(%q, %q) = false", p[0], p[1])
		}
	}
	if sameLicense("MIT", "MIT-0") || sameLicense("GPL-2.0", "GPL-3.0") {
		t.Error("different licenses compare equal")
	}
}

// TestEditDistance checks the Myers implementation against the textbook
// dynamic programme on random word sequences.
func TestEditDistance(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	alphabet := []string{"a", "b", "c", "d"}
	seq := func() []string {
		s := make([]string, rng.Intn(12))
		for i := range s {
			s[i] = alphabet[rng.Intn(len(alphabet))]
		}
		return s
	}
	for i := 0; i < 2000; i++ {
		a, b := seq(), seq()
		want := len(a) + len(b) - 2*lcsDP(a, b)
		got, ok := editDistance(a, b, len(a)+len(b))
		if !ok || got != want {
			t.Fatalf("editDistance(%v, %v) = %d, %v; want %d", a, b, got, ok, want)
		}
		if want > 0 {
			if _, ok := editDistance(a, b, want-1); ok {
				t.Fatalf("editDistance(%v, %v, %d) claims success below the distance %d", a, b, want-1, want)
			}
		}
		if lcs, ok := commonWords(a, b, 0); !ok || lcs != lcsDP(a, b) {
			t.Fatalf("commonWords(%v, %v) = %d, %v", a, b, lcs, ok)
		}
	}
}

func lcsDP(a, b []string) int {
	prev := make([]int, len(b)+1)
	for i := range a {
		cur := make([]int, len(b)+1)
		for j := range b {
			switch {
			case a[i] == b[j]:
				cur[j+1] = prev[j] + 1
			default:
				cur[j+1] = max(prev[j+1], cur[j])
			}
		}
		prev = cur
	}
	return prev[len(b)]
}

func FuzzLicense(f *testing.F) {
	for _, name := range []string{"MIT.txt", "MIT-edited.txt", "BSD-3-Clause.txt", "Apache-2.0-notice-only.txt", "empty.txt"} {
		f.Add(readLicense(f, name))
	}
	f.Add("See http://www.apache.org/licenses/LICENSE-2.0\n")
	f.Add("\x00\xff\u2028Copyright")
	rule := policy.LicenseRule{Mode: policy.Enforce, Allowed: []string{"MIT", "MIT OR Apache-2.0", "(BSD-3-Clause"}}
	// Build licensecheck's scanner and the references before fuzzing, so
	// that the fuzzer does not take the first, slow input for a hang.
	License(licenseSnapshot("LICENSE", readLicense(f, "MIT-edited.txt")), rule)
	f.Fuzz(func(t *testing.T, text string) {
		fd := License(licenseSnapshot("LICENSE", text), rule)
		if fd.Rule != RuleLicense || fd.File != "LICENSE" || (fd.Result != Pass && fd.Result != Fail) {
			t.Fatalf("unexpected finding %+v", fd)
		}
		wellFormed(t, fd)
	})
}

func TestLicenseID(t *testing.T) {
	mit, apache := readLicense(t, "MIT.txt"), readLicense(t, "Apache-2.0.txt")
	tests := []struct {
		name string
		s    *Snapshot
		want string
	}{
		{"none", &Snapshot{Paths: []string{"README.md"}}, ""},
		{"nil snapshot", nil, ""},
		{"MIT", licenseSnapshot("LICENSE", mit), "MIT"},
		{"edited but identified", licenseSnapshot("LICENSE", readLicense(t, "MIT-extra-notice.txt")), "MIT"},
		{"dual in one file", licenseSnapshot("COPYING", readLicense(t, "MIT-and-Apache-2.0.txt")), "Apache-2.0 AND MIT"},
		{"dual in two files", &Snapshot{Paths: []string{"LICENSE-MIT", "LICENSE-APACHE"},
			Contents: map[string]string{"LICENSE-MIT": mit, "LICENSE-APACHE": apache}}, "Apache-2.0 AND MIT"},
		{"not read", &Snapshot{Paths: []string{"LICENSE"}}, "NOASSERTION"},
		{"empty", licenseSnapshot("LICENSE", ""), "NOASSERTION"},
		{"unknown text", licenseSnapshot("LICENSE", "All rights reserved. Do not copy."), "NOASSERTION"},
	}
	for _, tt := range tests {
		if got := LicenseID(tt.s); got != tt.want {
			t.Errorf("%s: LicenseID = %q, want %q", tt.name, got, tt.want)
		}
	}
}
