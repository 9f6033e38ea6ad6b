package rules

import (
	"testing"

	"github.com/ospo-bot/ospo-bot/internal/inert/inerttest"
	"github.com/ospo-bot/ospo-bot/internal/policy"
)

// evilText is what anyone may put in a label, a CODEOWNERS line or a
// commit: a team mention, references, a link, an image, HTML, a checkbox.
const evilText = "@acme/everyone #1 GH-2 [x](https://evil.example) ![i](https://evil.example/i.png) <img src=x> - [x] ok ` www.evil.example"

// TestFindingsAreInert: rule messages show labels, CODEOWNERS lines and
// GitHub's errors about them as text.
func TestFindingsAreInert(t *testing.T) {
	fs := []Finding{
		PRLabels(&PullRequest{Labels: []string{evilText}}, policy.PRLabelsRule{Mode: policy.Enforce, OneOf: policy.LabelSets{{"kind/" + evilText}}}),
		Codeowners(&Snapshot{Paths: []string{".github/CODEOWNERS"}, Contents: map[string]string{".github/CODEOWNERS": "* @acme/devs\n"},
			CodeownersErrors: []CodeownersError{{Line: 1, Kind: "Unknown owner " + evilText, Source: "* " + evilText, Suggestion: evilText}}},
			policy.CodeownersRule{Mode: policy.Enforce}),
		Codeowners(&Snapshot{DefaultBranch: "x`<img/src=x>@acme/everyone#1"}, policy.CodeownersRule{Mode: policy.Enforce}),
		Labels(&Snapshot{Labels: []policy.Label{{Name: evilText, Color: "ffffff"}}}, policy.LabelsRule{Mode: policy.Enforce,
			Required: []policy.Label{{Name: evilText, Color: "000000"}, {Name: "x" + evilText}}}),
	}
	for _, f := range fs {
		inerttest.Check(t, f.Rule+" message", f.Message, inerttest.Options{})
		inerttest.Check(t, f.Rule+" remediation", f.Remediation, inerttest.Options{})
	}
}
