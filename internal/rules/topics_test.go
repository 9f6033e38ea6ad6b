package rules

import (
	"testing"

	"github.com/ospo-bot/ospo-bot/internal/policy"
)

func TestTopics(t *testing.T) {
	rule := policy.TopicsRule{Mode: policy.Enforce, OneOf: []string{"ospo-public", "Inner-Source"}}
	tests := []struct {
		name      string
		s         *Snapshot
		r         policy.TopicsRule
		want      Result
		fragments []string
	}{
		{"off", &Snapshot{}, policy.TopicsRule{}, Skip, []string{"topics rule is off"}},
		{"has one", &Snapshot{Topics: []string{"go", "inner-source"}}, rule, Pass, []string{"has the topic Inner-Source"}},
		{"none", &Snapshot{Owner: "acme", Name: "tool"}, rule, Fail, []string{
			"acme/tool has none of the topics ospo-public, Inner-Source (it has no topics)",
			"add one of the topics ospo-public or Inner-Source to the repository"}},
		{"nil snapshot", nil, rule, Fail, []string{"the repository has none of the topics"}},
		{"other topics", &Snapshot{Owner: "acme", Name: "tool", Topics: []string{"go", "cli"}}, rule, Fail, []string{"(its topics: go, cli)"}},
		{"policy names none", &Snapshot{Topics: []string{"go"}}, policy.TopicsRule{Mode: policy.Warn}, Fail,
			[]string{"the policy names no topics: repository.topics.one_of is empty"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			check(t, Topics(tt.s, tt.r), RuleTopics, tt.want, tt.fragments...)
		})
	}
}
