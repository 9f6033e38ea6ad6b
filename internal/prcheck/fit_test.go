package prcheck

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/ospo-bot/ospo-bot/internal/policy"
	"github.com/ospo-bot/ospo-bot/internal/rules"
)

// TestWithinGitHubsLimits: the summary (65,535 bytes) and the note
// (65,536 characters with the marker) fit however long the lists, and say
// how much they left out and where to see it.
func TestWithinGitHubsLimits(t *testing.T) {
	var fs []rules.Finding
	for i := range 400 {
		fs = append(fs, rules.Finding{Rule: fmt.Sprintf("r%d", i), Mode: policy.Enforce, Result: rules.Fail, Message: strings.Repeat("€", 100), Remediation: strings.Repeat("x|", 4000)})
	}
	sum := Summary(fs, "https://ghe.acme.example/acme/widget/pull/1")
	if len(sum) > 65535 || !strings.Contains(sum, "more: see [the pull request](https://ghe.acme.example/acme/widget/pull/1)") || !strings.Contains(sum, "more characters") {
		t.Errorf("summary of %d bytes ends %q", len(sum), sum[max(0, len(sum)-200):])
	}

	var res rules.CLAResult
	for i := range 400 {
		res.Unsigned = append(res.Unsigned, rules.Account{ID: int64(i + 1), Login: fmt.Sprintf("user-%d", i)})
		res.Unlinked = append(res.Unlinked, rules.Person{Name: strings.Repeat("N", 300), Email: fmt.Sprintf("p%d@laptop.local", i)})
	}
	note := ContributorNote(res, policy.CLARule{Document: "https://acme.example/cla", Version: "1", Phrase: "I sign"},
		&rules.Finding{Message: "1 commit lacks a sign-off", Remediation: "git rebase HEAD~1 --signoff"}, "https://ghe.acme.example/acme/widget/pull/1/commits")
	if n := utf8.RuneCountInString(commentMarker + "\n" + note); n > 65536 {
		t.Fatalf("comment of %d characters", n)
	}
	for _, want := range []string{"@user-399", "`" + strings.Repeat("N", 300) + " <p0@laptop.local>`", "more: see [the commits](https://ghe.acme.example/acme/widget/pull/1/commits)",
		"git push --force-with-lease", "**Developer Certificate of Origin.**", "This comment updates itself"} {
		if !strings.Contains(note, want) {
			t.Errorf("note lacks %q", want)
		}
	}
}
