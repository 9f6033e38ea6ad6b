package rules

import (
	"testing"

	"github.com/ospo-bot/ospo-bot/internal/policy"
)

func TestSecurityPolicy(t *testing.T) {
	on := policy.SecurityPolicyRule{Mode: policy.Enforce}
	yes, no := true, false
	tests := []struct {
		name      string
		s         *Snapshot
		r         policy.SecurityPolicyRule
		want      Result
		file      string
		fragments []string
	}{
		{"off", &Snapshot{}, policy.SecurityPolicyRule{Mode: policy.Off}, Skip, "", []string{"security-policy rule is off"}},
		{"unset is off", &Snapshot{}, policy.SecurityPolicyRule{}, Skip, "", nil},
		{"none", &Snapshot{DefaultBranch: "main", PrivateReporting: &no}, on, Fail, "",
			[]string{"no SECURITY.md in .github/, the root or docs/ of `main`, nor in the org's public .github repository", "add .github/SECURITY.md"}},
		{"none, reporting on", &Snapshot{PrivateReporting: &yes}, on, Fail, "",
			[]string{"private vulnerability reporting is on, but nothing tells reporters so"}},
		{"an email", &Snapshot{Paths: []string{".github/", ".github/SECURITY.md"}, Contents: map[string]string{".github/SECURITY.md": "Write to security@acme.example."}}, on, Pass,
			".github/SECURITY.md", []string{"`.github/SECURITY.md` names a private reporting channel: `security@acme.example`"}},
		{"a mailto link", &Snapshot{Paths: []string{"SECURITY.rst"}, Contents: map[string]string{"SECURITY.rst": "`Mail us <mailto:psirt@acme.example>`_"}}, on, Pass,
			"SECURITY.rst", []string{"`psirt@acme.example`"}},
		{"a URL", &Snapshot{Paths: []string{"docs/", "docs/security.md"}, Contents: map[string]string{"docs/security.md": "Report at https://hackerone.com/acme."}}, on, Pass,
			"docs/security.md", []string{"`https://hackerone.com/acme`"}},
		{"public issues are no private channel", &Snapshot{Paths: []string{"SECURITY.md"}, Contents: map[string]string{"SECURITY.md": "Open an issue: https://github.com/acme/widget/issues/new"}, PrivateReporting: &no}, on, Fail,
			"SECURITY.md", []string{"`SECURITY.md` names no private way to report a vulnerability (no email address or URL), and private vulnerability reporting is off"}},
		{"no channel but reporting on", &Snapshot{Paths: []string{"SECURITY.md"}, Contents: map[string]string{"SECURITY.md": "Use the Security tab."}, PrivateReporting: &yes}, on, Pass,
			"", []string{"`SECURITY.md` is there and private vulnerability reporting is on"}},
		{"GitHub's order: .github/ first", &Snapshot{Paths: []string{"SECURITY.md", ".github/SECURITY.md"},
			Contents: map[string]string{"SECURITY.md": "security@acme.example", ".github/SECURITY.md": "Ask around."}}, on, Fail,
			".github/SECURITY.md", []string{"`.github/SECURITY.md` names no private way"}},
		{"the org's default", &Snapshot{Paths: []string{"README.md"}, OrgDefaults: []string{"profile/", ".github/", ".github/SECURITY.md"},
			OrgContents: map[string]string{".github/SECURITY.md": "security@acme.example"}}, on, Pass,
			"", []string{"`.github/SECURITY.md` of the org's .github repository names a private reporting channel"}},
		{"the repository's own comes first", &Snapshot{Paths: []string{"SECURITY.md"}, Contents: map[string]string{"SECURITY.md": "nothing"},
			OrgDefaults: []string{"SECURITY.md"}, OrgContents: map[string]string{"SECURITY.md": "security@acme.example"}}, on, Fail, "SECURITY.md", nil},
		{"SECURITY in another directory does not count", &Snapshot{Paths: []string{"src/SECURITY.md"}, Contents: map[string]string{"src/SECURITY.md": "security@acme.example"}}, on, Fail, "", nil},
		{"nil snapshot", nil, on, Fail, "", []string{"no SECURITY.md"}},
		{"untrusted text stays inert", &Snapshot{Paths: []string{"SECURITY.md"}, Contents: map[string]string{"SECURITY.md": "https://evil.example/@everyone`<img>"}}, on, Pass, "SECURITY.md", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := SecurityPolicy(tt.s, tt.r)
			check(t, f, RuleSecurityPolicy, tt.want, tt.fragments...)
			if f.File != tt.file {
				t.Errorf("File = %q, want %q", f.File, tt.file)
			}
		})
	}
}

// TestSecurityPolicyStale: a change to the security policy re-checks the
// repository (the rule reads its text); other files do not.
func TestSecurityPolicyStale(t *testing.T) {
	for p, want := range map[string]bool{
		"SECURITY.md": true, ".github/SECURITY.md": true, "docs/security.rst": true, "SECURITY": true,
		"src/SECURITY.md": false, "SECURITY-old/x.md": false,
	} {
		if got := matchAny(securityPolicyEntry.Stale.Changed, p); got != want {
			t.Errorf("%s: stale = %v", p, got)
		}
	}
}
