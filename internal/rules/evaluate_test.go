package rules

import (
	"testing"

	"github.com/ospo-bot/ospo-bot/internal/policy"
)

// TestEvaluateOrderAndModes checks the order of the findings, that each
// mode is carried into its finding, and that only a failing enforce rule is
// Failing.
func TestEvaluateOrderAndModes(t *testing.T) {
	s := &Snapshot{
		Owner: "acme", Name: "tool", DefaultBranch: "main",
		Paths:    []string{"LICENSE", "README.md"},
		Contents: map[string]string{"LICENSE": readLicense(t, "MIT.txt")},
		Topics:   []string{"ospo-public"},
		Labels:   []policy.Label{},
	}
	p := policy.RepositoryRules{
		License:    policy.LicenseRule{Mode: policy.Enforce, Allowed: []string{"MIT"}},        // pass
		Codeowners: policy.CodeownersRule{Mode: policy.Enforce},                               // fail: none
		Files:      policy.FilesRule{Mode: policy.Warn, Required: []string{"SECURITY"}},       // fail, warn only
		Topics:     policy.TopicsRule{Mode: policy.Off, OneOf: []string{"x"}},                 // skip
		Labels:     policy.LabelsRule{Mode: "", Required: []policy.Label{{Name: "kind/bug"}}}, // skip: "" is off
	}
	want := []struct {
		rule    string
		mode    policy.Mode
		result  Result
		failing bool
	}{
		{RuleLicense, policy.Enforce, Pass, false},
		{RuleCodeowners, policy.Enforce, Fail, true},
		{RuleFiles, policy.Warn, Fail, false},
		{RuleTopics, policy.Off, Skip, false},
		{RuleLabels, "", Skip, false},
		{RuleSecurityPolicy, "", Skip, false},
	}
	got := Evaluate(s, p)
	if len(got) != len(want) {
		t.Fatalf("got %d findings, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		f := got[i]
		if f.Rule != w.rule || f.Mode != w.mode || f.Result != w.result || f.Failing() != w.failing {
			t.Errorf("finding %d = {%s %q %s failing=%v}, want {%s %q %s failing=%v} (%s)",
				i, f.Rule, f.Mode, f.Result, f.Failing(), w.rule, w.mode, w.result, w.failing, f.Message)
		}
		wellFormed(t, f)
	}

	// The same failure is Failing only under enforce.
	for _, m := range []policy.Mode{policy.Off, policy.Warn, policy.Enforce, ""} {
		p.Topics = policy.TopicsRule{Mode: m, OneOf: []string{"inner-source"}}
		f := Evaluate(s, p)[3]
		wantResult := Fail
		if m == policy.Off || m == "" {
			wantResult = Skip
		}
		if f.Rule != RuleTopics || f.Result != wantResult || f.Failing() != (m == policy.Enforce) {
			t.Errorf("mode %q: %s failing=%v", m, f.Result, f.Failing())
		}
	}
	if (Finding{Result: Exempt, Mode: policy.Enforce}).Failing() {
		t.Error("an exempt finding is failing")
	}
}

func TestEvaluateExcluded(t *testing.T) {
	enforceAll := policy.RepositoryRules{
		License:        policy.LicenseRule{Mode: policy.Enforce, Allowed: []string{"MIT"}},
		Codeowners:     policy.CodeownersRule{Mode: policy.Enforce},
		Files:          policy.FilesRule{Mode: policy.Enforce},
		Topics:         policy.TopicsRule{Mode: policy.Enforce, OneOf: []string{"x"}},
		Labels:         policy.LabelsRule{Mode: policy.Enforce},
		SecurityPolicy: policy.SecurityPolicyRule{Mode: policy.Enforce},
	}
	tests := []struct {
		name    string
		s       *Snapshot
		include func(*policy.RepositoryRules)
		skipped bool
		message string
	}{
		{"fork", &Snapshot{Owner: "acme", Name: "f", Fork: true}, nil, true, "not checked: acme/f is a fork and repository.include_forks is false"},
		{"fork included", &Snapshot{Fork: true}, func(p *policy.RepositoryRules) { p.IncludeForks = true }, false, ""},
		{"archived", &Snapshot{Owner: "acme", Name: "a", Archived: true}, nil, true, "not checked: acme/a is archived and repository.include_archived is false"},
		{"archived included", &Snapshot{Archived: true}, func(p *policy.RepositoryRules) { p.IncludeArchived = true }, false, ""},
		{"nil snapshot", nil, nil, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := enforceAll
			if tt.include != nil {
				tt.include(&p)
			}
			got := Evaluate(tt.s, p)
			if len(got) != len(IDs) {
				t.Fatalf("got %d findings", len(got))
			}
			for _, f := range got {
				wellFormed(t, f)
				if (f.Result == Skip) != tt.skipped || (tt.skipped && f.Message != tt.message) || f.Mode != policy.Enforce {
					t.Errorf("%s: %s %q (mode %q)", f.Rule, f.Result, f.Message, f.Mode)
				}
			}
		})
	}
}
