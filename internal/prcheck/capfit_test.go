package prcheck

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ospo-bot/ospo-bot/internal/fit"
	"github.com/ospo-bot/ospo-bot/internal/inert"
	"github.com/ospo-bot/ospo-bot/internal/inert/inerttest"
	"github.com/ospo-bot/ospo-bot/internal/policy"
	"github.com/ospo-bot/ospo-bot/internal/rules"
)

// TestCappedSummaryStillFits: turning mentions past the 10th into text
// makes the summary longer; it still fits in a check run.
func TestCappedSummaryStillFits(t *testing.T) {
	var fs []rules.Finding
	for i := range 400 {
		var who []string
		for j := range 40 {
			who = append(who, fmt.Sprintf("@u%d", i*40+j))
		}
		fs = append(fs, rules.Finding{Rule: fmt.Sprintf("r%d", i), Mode: policy.Enforce, Result: rules.Fail, Message: strings.Join(who, " "), Remediation: "x"})
	}
	s := Summary(fs, "https://github.com/acme/widget/pull/1")
	if n := fit.CheckOutput.Len(s); n > fit.CheckOutput.Max {
		t.Fatalf("summary of %d bytes, over GitHub's %d", n, fit.CheckOutput.Max)
	}
	if !strings.Contains(s, "more: see [the pull request]") {
		t.Fatalf("the summary does not say what it left out")
	}
}

// TestSummaryCellsHoldInertText: a "|" in anyone's text, in code or in
// escaped text, stays in its cell.
func TestSummaryCellsHoldInertText(t *testing.T) {
	evil := "a|b\\|c\\\\|d ` [x](https://evil.example) | <img src=x> | @acme/everyone"
	fs := []rules.Finding{{Rule: "cla", Mode: policy.Enforce, Result: rules.Fail,
		Message: "names " + inert.Code(evil) + " and " + inert.Text(evil), Remediation: inert.Text(evil)}}
	s := Summary(fs, "https://github.com/acme/widget/pull/1")
	inerttest.Check(t, "summary", s, inerttest.Options{Links: []string{"https://github.com/acme/"}})
	h := inerttest.Render(t, s)
	if n := strings.Count(h, "<td>"); n != 3 {
		t.Errorf("the row has %d cells, want 3:\n%s\n%s", n, s, h)
	}
}
