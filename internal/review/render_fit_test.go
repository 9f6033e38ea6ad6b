package review

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/ospo-bot/ospo-bot/internal/policy"
	"github.com/ospo-bot/ospo-bot/internal/rules"
)

// TestBodyFitsGitHubsLimit: however many and however long the findings,
// the body stays within 65,536 characters, keeps its marker and decision
// line, and says how many findings it left out and where to look.
func TestBodyFitsGitHubsLimit(t *testing.T) {
	snap := &rules.Snapshot{ID: 7, Owner: "acme", Name: "widget", HTMLURL: "https://ghe.acme.example/acme/widget", DefaultBranch: "main"}
	huge := rules.Finding{Rule: "files", Mode: policy.Enforce, Result: rules.Fail, Message: strings.Repeat("missing FILE ", 20000), Remediation: strings.Repeat("add it ", 20000)}
	fs := []rules.Finding{huge}
	for i := range 300 {
		fs = append(fs, rules.Finding{Rule: fmt.Sprintf("rule-%d", i), Mode: policy.Warn, Result: rules.Fail, Message: strings.Repeat("é", 300), Remediation: "fix it"})
	}
	body := Body(Report{Snapshot: snap, Findings: fs})
	if n := utf8.RuneCountInString(body); n > 65536 {
		t.Fatalf("body of %d characters", n)
	}
	for _, want := range []string{Marker(7), "**files** (enforce): missing FILE", "more characters", "more: see [the repository](https://ghe.acme.example/acme/widget)", "**Decision:** pending"} {
		if !strings.Contains(body, want) {
			t.Errorf("body lacks %q", want)
		}
	}
	if small := Body(Report{Snapshot: snap, Findings: fs[1:3]}); strings.Contains(small, "… and") {
		t.Errorf("a short body is cut:\n%s", small)
	}
}
