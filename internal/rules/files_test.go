package rules

import (
	"testing"

	"github.com/ospo-bot/ospo-bot/internal/policy"
)

func TestFiles(t *testing.T) {
	// The defaults are the policy's: the rule has none of its own.
	on := policy.Defaults().Repository.Files
	on.Mode = policy.Enforce
	all := []string{"README.md", ".github/CONTRIBUTING.md", "docs/security.rst", "CODE_OF_CONDUCT"}
	tests := []struct {
		name      string
		s         *Snapshot
		r         policy.FilesRule
		want      Result
		fragments []string
	}{
		{"off", &Snapshot{}, policy.FilesRule{Mode: policy.Off, Required: []string{"README"}}, Skip, []string{"files rule is off"}},
		{"defaults present in three places", &Snapshot{Paths: all}, on, Pass, []string{"README, CONTRIBUTING, SECURITY and CODE_OF_CONDUCT present"}},
		{"nothing", &Snapshot{DefaultBranch: "main"}, on, Fail, []string{
			"missing README, CONTRIBUTING, SECURITY and CODE_OF_CONDUCT in the root, .github/ or docs/ of main",
			"add README.md, CONTRIBUTING.md, SECURITY.md and CODE_OF_CONDUCT.md",
			"CONTRIBUTING, SECURITY or CODE_OF_CONDUCT may instead live in the org's .github repository"}},
		{"nil snapshot", nil, on, Fail, []string{"missing README, CONTRIBUTING"}},
		{"one missing", &Snapshot{Paths: []string{"README.md", "CONTRIBUTING.adoc", "CODE_OF_CONDUCT.txt"}}, on, Fail,
			[]string{"missing SECURITY in", "add SECURITY.md", "SECURITY may instead live"}},
		{"README never from the org", &Snapshot{Paths: []string{"CONTRIBUTING.md", "SECURITY.md", "CODE_OF_CONDUCT.md"}, OrgDefaults: []string{"README.md", "profile/README.md"}}, on, Fail,
			[]string{"missing README in"}},
		{"no org hint for README", &Snapshot{Paths: []string{"CONTRIBUTING.md", "SECURITY.md", "CODE_OF_CONDUCT.md"}}, on, Fail, nil},
		{"org defaults", &Snapshot{Paths: []string{"README"}, OrgDefaults: []string{"SECURITY.md", ".github/CONTRIBUTING.md", "docs/CODE_OF_CONDUCT.md"}}, on, Pass,
			[]string{"README, CONTRIBUTING, SECURITY and CODE_OF_CONDUCT present; CONTRIBUTING, SECURITY and CODE_OF_CONDUCT from the org's .github repository"}},
		{"configured names with extensions", &Snapshot{Paths: []string{"readme.rst", "docs/Support.md"}}, policy.FilesRule{Mode: policy.Warn, Required: []string{"README.md", "SUPPORT", "support.txt"}}, Pass, []string{"README and SUPPORT present"}},
		{"configured name missing", &Snapshot{Paths: []string{"README.md"}, OrgDefaults: []string{"GOVERNANCE.md"}}, policy.FilesRule{Mode: policy.Warn, Required: []string{"README.md", "MAINTAINERS", "GOVERNANCE"}}, Fail,
			[]string{"missing MAINTAINERS in", "add MAINTAINERS.md to the root, .github/ or docs/"}},
		{"wrong directory", &Snapshot{Paths: []string{"src/README.md", "docs/sub/SECURITY.md", ".github/x/CONTRIBUTING.md", "CODE_OF_CONDUCT.md"}}, on, Fail,
			[]string{"missing README, CONTRIBUTING and SECURITY"}},
		{"translations and directories do not count", &Snapshot{Paths: []string{"README.zh-CN.md", "README/", "CONTRIBUTING.md", "SECURITY.md", "CODE_OF_CONDUCT.md"}}, on, Fail,
			[]string{"missing README in"}},
		{"prefix is not a match", &Snapshot{Paths: []string{"README_OLD.md", "CONTRIBUTING.md", "SECURITY.md", "CODE_OF_CONDUCT.md"}}, on, Fail, []string{"missing README in"}},
		{"template directory", &Snapshot{Paths: []string{".github/ISSUE_TEMPLATE/"}, OrgDefaults: []string{".github/PULL_REQUEST_TEMPLATE.md"}},
			policy.FilesRule{Mode: policy.Enforce, Required: []string{"ISSUE_TEMPLATE", "PULL_REQUEST_TEMPLATE"}}, Pass, []string{"PULL_REQUEST_TEMPLATE from the org's"}},
		{"blank configured names are ignored", &Snapshot{Paths: []string{"README"}}, policy.FilesRule{Mode: policy.Enforce, Required: []string{" ", "README"}}, Pass, []string{"README present"}},
		{"only blank names", &Snapshot{}, policy.FilesRule{Mode: policy.Enforce, Required: []string{" "}}, Pass, []string{"the policy requires no files"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := Files(tt.s, tt.r)
			check(t, f, RuleFiles, tt.want, tt.fragments...)
			if tt.name == "no org hint for README" && f.Remediation != "add README.md to the root, .github/ or docs/" {
				t.Errorf("remediation %q", f.Remediation)
			}
		})
	}
}
