package rules

import (
	"slices"
	"testing"

	"github.com/ospo-bot/ospo-bot/internal/policy"
)

func TestEvaluatePullRequest(t *testing.T) {
	// The defaults: only protected paths are on.
	pr := pullRequest(commit(1, bobP, "x"))
	pr.Files = []string{"main.go"}
	fs := EvaluatePullRequest(pr, policy.Defaults().PullRequest, nil)
	var ids []string
	for _, f := range fs {
		ids = append(ids, f.Rule)
		wellFormed(t, f)
	}
	if !slices.Equal(ids, PullRequestIDs) {
		t.Fatalf("rules %v, want %v", ids, PullRequestIDs)
	}
	for i, want := range []Result{Skip, Skip, Skip, Pass, Skip} {
		if fs[i].Result != want {
			t.Errorf("%s: %s (%s), want %s", fs[i].Rule, fs[i].Result, fs[i].Message, want)
		}
	}

	// Everything on.
	p := policy.Defaults().PullRequest
	p.CLA = policy.CLARule{Mode: policy.Enforce, Document: claDoc}
	p.DCO.Mode = policy.Warn
	p.SPDXHeaders.Mode = policy.Warn
	p.Labels = policy.PRLabelsRule{Mode: policy.Enforce, OneOf: policy.LabelSets{{"kind/bug"}}}
	p.Dependencies.Mode = policy.Enforce // not gathered: fails closed
	pr.Files = append(pr.Files, "LICENSE")
	fs = EvaluatePullRequest(pr, p, []string{"@acme/ospo"})
	for i, want := range []Result{Fail, Fail, Fail, Fail, Fail} {
		if fs[i].Result != want {
			t.Errorf("%s: %s (%s), want %s", fs[i].Rule, fs[i].Result, fs[i].Message, want)
		}
		wellFormed(t, fs[i])
	}
	if !fs[0].Failing() || fs[1].Failing() {
		t.Error("an enforced failure must fail the check, a warning must not")
	}

	// A nil pull request fails closed wherever it has to.
	for _, f := range EvaluatePullRequest(nil, p, nil) {
		if f.Result != Fail {
			t.Errorf("nil pull request: %s %s", f.Rule, f.Result)
		}
	}
	// The pull request rules are not repository rules.
	for _, id := range PullRequestIDs {
		if slices.Contains(IDs, id) {
			t.Errorf("%s is in IDs", id)
		}
	}
}
