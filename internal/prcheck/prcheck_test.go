package prcheck

import (
	"strings"
	"testing"

	"github.com/ospo-bot/ospo-bot/internal/policy"
	"github.com/ospo-bot/ospo-bot/internal/rules"
)

func TestConclusionTitleSummary(t *testing.T) {
	pass := rules.Finding{Rule: "cla", Mode: policy.Enforce, Result: rules.Pass, Message: "everyone signed"}
	warn := rules.Finding{Rule: "pr-labels", Mode: policy.Warn, Result: rules.Fail, Message: "no kind/* label", Remediation: "add one | any"}
	fail := rules.Finding{Rule: "dco", Mode: policy.Enforce, Result: rules.Fail, Message: "abc1234 has no Signed-off-by", File: "README.md", Line: 3}
	for _, tc := range []struct {
		fs         []rules.Finding
		conclusion string
		title      string
	}{
		{[]rules.Finding{pass}, "success", "All policy checks pass"},
		{[]rules.Finding{pass, warn}, "neutral", "no kind/* label"},
		{[]rules.Finding{warn, fail}, "failure", "no kind/* label; abc1234 has no Signed-off-by"},
	} {
		if got := Conclusion(tc.fs); got != tc.conclusion {
			t.Errorf("Conclusion = %s, want %s", got, tc.conclusion)
		}
		if got := Title(tc.fs); got != tc.title {
			t.Errorf("Title = %q, want %q", got, tc.title)
		}
	}
	sum := Summary([]rules.Finding{pass, warn, fail, {Rule: "protected-paths", Result: rules.Skip}}, "https://github.com/acme/widget/pull/1")
	for _, want := range []string{"| `cla` (enforce) | ✅ pass: everyone signed |", "⚠️ fail (warn)", `add one \| any`, "❌ fail"} {
		if !strings.Contains(sum, want) {
			t.Errorf("summary lacks %q:\n%s", want, sum)
		}
	}
	if strings.Contains(sum, "protected-paths") {
		t.Error("a rule that is off is in the summary")
	}
	ann := Annotations([]rules.Finding{pass, warn, fail})
	if len(ann) != 1 || ann[0].GetPath() != "README.md" || ann[0].GetStartLine() != 3 || ann[0].GetAnnotationLevel() != "failure" {
		t.Fatalf("annotations %+v", ann)
	}
	if long := Title([]rules.Finding{{Result: rules.Fail, Message: strings.Repeat("x", 500)}}); len(long) != 200 {
		t.Errorf("title of %d characters", len(long))
	}
}

func TestContributorNote(t *testing.T) {
	r := policy.CLARule{Document: "https://acme.example/cla", Version: "2", Phrase: "I sign"}
	if got := ContributorNote(rules.CLAResult{}, r, nil, ""); got != "" {
		t.Fatalf("nothing to do, note %q", got)
	}
	note := ContributorNote(rules.CLAResult{
		Unsigned: []rules.Account{{Login: "ann"}, {Login: "bob"}},
		Stale:    []rules.Account{{Login: "cy"}},
		Unlinked: []rules.Person{{Name: "Dee", Email: "dee@laptop.local"}},
	}, r, &rules.Finding{Message: "2 commits lack a sign-off", Remediation: "git rebase HEAD~2 --signoff"}, "https://github.com/acme/widget/pull/1/commits")
	for _, want := range []string{"@ann, @bob must sign the [CLA](https://acme.example/cla) (version 2)", "@cy signed an earlier version",
		"```\nI sign\n```", "`Dee <dee@laptop.local>`", "git commit --amend", "git rebase HEAD~2 --signoff"} {
		if !strings.Contains(note, want) {
			t.Errorf("note lacks %q:\n%s", want, note)
		}
	}
}

// A finding about several places annotates each, at its level, up to
// 250 a run; its details follow the rules' table, and details
// too long for the check run are named, not cut mid-table.
func TestAnnotationsAndDetails(t *testing.T) {
	var places []rules.Annotation
	for i := range 260 {
		places = append(places, rules.Annotation{File: "src/f.go", Line: i, Message: "add the header"})
	}
	fail := rules.Finding{Rule: "spdx-headers", Mode: policy.Warn, Result: rules.Fail, Message: "60 files lack a header",
		File: "ignored.go", Annotations: places, Details: "| file |\n|---|\n| `src/f.go` |\n"}
	as := Annotations([]rules.Finding{fail})
	if len(as) != 250 || as[0].GetPath() != "src/f.go" || as[0].GetStartLine() != 1 || as[7].GetStartLine() != 7 ||
		as[0].GetAnnotationLevel() != "warning" || as[0].GetTitle() != "spdx-headers" || as[0].GetMessage() != "add the header" {
		t.Errorf("annotations: %d, first %+v", len(as), as[0])
	}
	sum := Summary([]rules.Finding{fail}, "https://github.com/o/r/pull/1")
	if !strings.Contains(sum, "|---|---|---|\n| `spdx-headers` (warn)") || !strings.HasSuffix(sum, "\n\n| file |\n|---|\n| `src/f.go` |\n") {
		t.Errorf("summary:\n%s", sum)
	}
	fail.Details = strings.Repeat("| `x` |\n", 10000)
	if sum := Summary([]rules.Finding{fail}, "https://github.com/o/r/pull/1"); len(sum) > 65535 ||
		!strings.Contains(sum, "The details of `spdx-headers` are too long for a check run; see [the pull request](https://github.com/o/r/pull/1).") ||
		strings.Contains(sum, "| `x` |") {
		t.Errorf("overlong details: %d bytes\n%.300s", len(sum), sum)
	}
}
