package rules

import (
	"slices"
	"testing"
	"time"

	"github.com/ospo-bot/ospo-bot/internal/policy"
)

func TestProtectedPaths(t *testing.T) {
	on := policy.ProtectedPathsRule{Mode: policy.Enforce} // nil paths: the defaults
	at := func(h int) time.Time { return time.Date(2024, 6, 1, h, 0, 0, 0, time.UTC) }
	changing := func(files []string, approvals ...PathApproval) *PullRequest {
		pr := pullRequest()
		pr.Files, pr.Approvals = files, approvals
		return pr
	}
	ospo := []string{"@acme/ospo-leads"}
	tests := []struct {
		name      string
		pr        *PullRequest
		r         policy.ProtectedPathsRule
		approvers []string
		want      Result
		fragments []string
		file      string
	}{
		{"off", changing([]string{"LICENSE"}), policy.ProtectedPathsRule{}, ospo, Skip, []string{"protected-paths rule is off"}, ""},
		{"no protected file", changing([]string{"main.go", "docs/LICENSE", "license", "src/CODEOWNERS"}), on, ospo, Pass,
			[]string{"changes no protected paths"}, ""},
		{"LICENSE.md", changing([]string{"main.go", "LICENSE.md"}), on, ospo, Fail, []string{
			"changes protected paths LICENSE.md without an OSPO approval",
			"a member of @acme/ospo-leads must approve the change: comment /ospo approve on this pull request or approve it in a review"}, "LICENSE.md"},
		{"several", changing([]string{".github/CODEOWNERS", "COPYING.LESSER", ".github/ospo.yml", "docs/CODEOWNERS"}), on, []string{"alice", "@acme/ospo"}, Fail, []string{
			"changes protected paths .github/CODEOWNERS, COPYING.LESSER, .github/ospo.yml and docs/CODEOWNERS",
			"an OSPO approver (@alice or @acme/ospo) must approve"}, ".github/CODEOWNERS"},
		{"no approvers named", changing([]string{"CODEOWNERS"}), on, nil, Fail, []string{"one of the org's owners must approve"}, "CODEOWNERS"},
		{"approved", changing([]string{"LICENSE"}, PathApproval{Login: "olga", Authorized: true, At: at(1)}), on, ospo, Pass,
			[]string{"changes to protected paths LICENSE approved by @olga"}, ""},
		{"latest approval named", changing([]string{"LICENSE"}, PathApproval{Login: "olga", Authorized: true, At: at(2)}, PathApproval{Login: "pat", Authorized: true, At: at(1)}), on, ospo, Pass,
			[]string{"approved by @olga"}, ""},
		{"voided", changing([]string{"LICENSE"}, PathApproval{Login: "olga", Authorized: true, Voided: true}), on, ospo, Fail,
			[]string{"(the approval by @olga was voided by a later push that changed protected paths or rewrote the approved commits)"}, "LICENSE"},
		{"not an approver", changing([]string{"LICENSE"}, PathApproval{Login: "eve"}, PathApproval{Login: "eve"}, PathApproval{Login: "mallory"}), on, ospo, Fail,
			[]string{"(@eve and @mallory are not OSPO approvers)"}, "LICENSE"},
		{"custom paths, case-sensitive", changing([]string{"legal/NOTICE", "Legal/notice"}), policy.ProtectedPathsRule{Mode: policy.Warn, Paths: []string{"legal/*"}}, ospo, Fail,
			[]string{"changes protected paths legal/NOTICE without"}, "legal/NOTICE"},
		{"no paths protected", changing([]string{"LICENSE"}), policy.ProtectedPathsRule{Mode: policy.Enforce, Paths: []string{}}, ospo, Pass,
			[]string{"the policy protects no paths"}, ""},
		{"files not all read, none protected so far", func() *PullRequest {
			pr := changing([]string{"a.go", "b.go"})
			pr.FilesComplete, pr.FilesRead = false, 2
			return pr
		}(), on, ospo, Fail, []string{"could not read all changed files (2 files read)", "not passing on a partial list", "or split it into smaller pull requests"}, ""},
		{"GitHub's list cut short, a rename counted once", func() *PullRequest {
			pr := changing([]string{"src/new.go", "src/old.go", "b.go"})
			pr.FilesComplete, pr.FilesRead, pr.FileCount = false, 2, 3001
			return pr
		}(), on, ospo, Fail, []string{"the list of changed files is incomplete: GitHub listed 2 of the 3001 changed files",
			"cannot be ruled out", "a member of @acme/ospo-leads must approve the pull request"}, ""},
		{"files not all read, approved", func() *PullRequest {
			pr := changing([]string{"a.go"}, PathApproval{Login: "olga", Authorized: true})
			pr.FilesComplete = false
			return pr
		}(), on, ospo, Pass, []string{"approved by @olga (the changed files could not all be read)"}, ""},
		{"files not all read, protected found", func() *PullRequest {
			pr := changing([]string{"LICENSE"})
			pr.FilesComplete = false
			return pr
		}(), on, ospo, Fail, []string{"changes protected paths LICENSE without an OSPO approval"}, "LICENSE"},
		{"nil pull request", nil, on, ospo, Fail, []string{"could not read all changed files (0 files read)"}, ""},
		{"a protected file renamed, one change", func() *PullRequest {
			pr := changing([]string{"LICENSE.md", "LICENSE", "main.go"})
			pr.Renamed = map[string]string{"LICENSE.md": "LICENSE"}
			return pr
		}(), on, ospo, Fail, []string{"changes protected paths LICENSE → LICENSE.md without"}, "LICENSE.md"},
		{"a protected file moved out of the protected paths", func() *PullRequest {
			pr := changing([]string{"legal/LICENSE", "LICENSE", "CODEOWNERS"})
			pr.Renamed = map[string]string{"legal/LICENSE": "LICENSE"}
			return pr
		}(), on, ospo, Fail, []string{"changes protected paths LICENSE → legal/LICENSE and CODEOWNERS without"}, "legal/LICENSE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := ProtectedPaths(tt.pr, tt.r, tt.approvers)
			check(t, f, RuleProtectedPaths, tt.want, tt.fragments...)
			if f.File != tt.file {
				t.Errorf("File = %q, want %q", f.File, tt.file)
			}
		})
	}
}

func TestProtectedFiles(t *testing.T) {
	files := []string{"LICENSE", "LICENSE.md", "docs/LICENSE", "/COPYING", "CODEOWNERS", ".github/CODEOWNERS", "a/.github/CODEOWNERS", "LICENSE"}
	got := ProtectedFiles(files, policy.DefaultProtectedPaths())
	want := []string{"LICENSE", "LICENSE.md", "COPYING", "CODEOWNERS", ".github/CODEOWNERS"}
	if !slices.Equal(got, want) {
		t.Errorf("ProtectedFiles = %q, want %q", got, want)
	}
	if got := ProtectedFiles(files, []string{"[", "LICENSE"}); !slices.Equal(got, []string{"LICENSE"}) {
		t.Errorf("a broken pattern: %q", got)
	}
}
