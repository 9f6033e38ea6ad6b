package plan_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ospo-bot/ospo-bot/internal/fit"
	"github.com/ospo-bot/ospo-bot/internal/plan"
	"github.com/ospo-bot/ospo-bot/internal/policy"
	"github.com/ospo-bot/ospo-bot/internal/rules"
)

func TestMarkdownFitsACheckRunAndIsInert(t *testing.T) {
	p := &plan.Plan{Org: "acme", New: "acme/.github:ospo.yml@0123456789ab", Repositories: 20_000}
	var es []plan.Entry
	for i := range 10_000 {
		es = append(es, plan.Entry{Repository: fmt.Sprintf("acme/repo-%05d-%s", i, strings.Repeat("x", 60)),
			URL: fmt.Sprintf("https://github.com/acme/repo-%05d", i), Mode: policy.Enforce, Result: rules.Fail, Why: "enforce rules fail: license"})
	}
	es[0].Repository, es[0].URL = "@acme/leads [click](https://evil.example) <b>", "javascript:alert(1)"
	p.NewlyFlagged = es
	for _, id := range rules.IDs {
		p.Rules = append(p.Rules, plan.RuleChange{Rule: id, NewlyFailing: es, NewlyPassing: es, Unknown: es,
			ModeChanges: []plan.ModeChange{{From: policy.Warn, To: policy.Enforce, Repositories: es, Failing: es}}})
	}
	md := p.Markdown(fit.CheckOutput.Max, "see the CLI")
	if len(md) > fit.CheckOutput.Max {
		t.Fatalf("%d bytes, over GitHub's %d", len(md), fit.CheckOutput.Max)
	}
	for _, want := range []string{"**Flagged for OSPO review:** 10000 newly", "| `license` | 10000 | 10000 | warn → enforce: 10000 | 10000 |", "- … and 9975 more\n"} {
		if !strings.Contains(md, want) {
			t.Errorf("Markdown lacks %q", want)
		}
	}
	for _, bad := range []string{"@acme/leads", "[click](", "<b>", "(javascript:"} {
		if strings.Contains(md, bad) {
			t.Errorf("Markdown holds a live %q", bad)
		}
	}
	if txt := p.Text(); strings.Count(txt, "acme/repo-09999") < 5 {
		t.Error("the text does not name every repository")
	}
}
