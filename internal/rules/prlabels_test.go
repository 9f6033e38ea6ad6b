package rules

import (
	"testing"

	"github.com/ospo-bot/ospo-bot/internal/policy"
)

func TestPRLabels(t *testing.T) {
	kinds := policy.LabelSets{{"kind/bug", "kind/feature", "kind/docs"}}
	withLabels := func(labels ...string) *PullRequest {
		pr := pullRequest()
		pr.Labels = labels
		return pr
	}
	tests := []struct {
		name      string
		pr        *PullRequest
		r         policy.PRLabelsRule
		want      Result
		fragments []string
	}{
		{"off", withLabels(), policy.PRLabelsRule{OneOf: kinds}, Skip, []string{"pr-labels rule is off"}},
		{"nothing required", withLabels(), policy.PRLabelsRule{Mode: policy.Enforce}, Pass, []string{"the policy requires no pull request labels"}},
		{"one of a set", withLabels("size/S", "Kind/Feature"), policy.PRLabelsRule{Mode: policy.Enforce, OneOf: kinds}, Pass,
			[]string{"has the labels Kind/Feature"}},
		{"none of a set", withLabels("size/S"), policy.PRLabelsRule{Mode: policy.Enforce, OneOf: kinds}, Fail, []string{
			"missing labels: one of kind/bug, kind/feature, kind/docs (its labels: size/S)",
			"add one of kind/bug, kind/feature or kind/docs to the pull request (Labels, in its sidebar)"}},
		{"no labels at all", withLabels(), policy.PRLabelsRule{Mode: policy.Enforce, OneOf: kinds}, Fail, []string{"(it has no labels)"}},
		{"two sets, one missing", withLabels("kind/bug"), policy.PRLabelsRule{Mode: policy.Enforce, OneOf: policy.LabelSets{{"kind/bug"}, {"size/S", "size/L"}}}, Fail,
			[]string{"missing labels: one of size/S, size/L (its labels: kind/bug)"}},
		{"a set of one", withLabels(), policy.PRLabelsRule{Mode: policy.Warn, OneOf: policy.LabelSets{{"triaged"}}}, Fail,
			[]string{"missing labels: the label triaged", "add triaged to the pull request"}},
		{"pattern matches", withLabels("area/api", "kind/bug"), policy.PRLabelsRule{Mode: policy.Enforce, OneOf: kinds, Patterns: []string{"^area/.+$"}}, Pass,
			[]string{"has the labels kind/bug and area/api"}},
		{"pattern is anchored", withLabels("x-area/api", "area/"), policy.PRLabelsRule{Mode: policy.Enforce, Patterns: []string{"area/.+"}}, Fail,
			[]string{"missing labels: a label matching area/.+", "add a label matching area/.+ to the pull request"}},
		{"pattern case-sensitive", withLabels("Area/API"), policy.PRLabelsRule{Mode: policy.Enforce, Patterns: []string{"area/.+"}}, Fail, nil},
		{"pattern (?i)", withLabels("Area/API"), policy.PRLabelsRule{Mode: policy.Enforce, Patterns: []string{"(?i)area/.+"}}, Pass, nil},
		{"set and pattern missing", withLabels(), policy.PRLabelsRule{Mode: policy.Enforce, OneOf: kinds, Patterns: []string{"^area/.+$"}}, Fail, []string{
			"missing labels: one of kind/bug, kind/feature, kind/docs; a label matching ^area/.+$",
			"add one of kind/bug, kind/feature or kind/docs, and a label matching ^area/.+$ to the pull request"}},
		{"broken pattern", withLabels("a"), policy.PRLabelsRule{Mode: policy.Enforce, Patterns: []string{"("}}, Fail,
			[]string{"the policy's label pattern `(` is not a regular expression", "fix pull_request.labels.patterns in ospo.yml"}},
		{"nil pull request", nil, policy.PRLabelsRule{Mode: policy.Enforce, OneOf: kinds}, Fail, []string{"(it has no labels)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			check(t, PRLabels(tt.pr, tt.r), RulePRLabels, tt.want, tt.fragments...)
		})
	}
}
