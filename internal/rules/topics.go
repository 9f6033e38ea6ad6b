package rules

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ospo-bot/ospo-bot/internal/inert"
	"github.com/ospo-bot/ospo-bot/internal/policy"
)

// Topics checks that the repository has one of the policy's topics.
func Topics(s *Snapshot, r policy.TopicsRule) Finding {
	if !active(r.Mode) {
		return skipped(RuleTopics, r.Mode)
	}
	s = orEmpty(s)
	if len(r.OneOf) == 0 {
		return failed(RuleTopics, r.Mode,
			"the policy names no topics: repository.topics.one_of is empty",
			"list the topics to choose from in repository.topics.one_of in ospo.yml, or turn the topics rule off")
	}
	for _, want := range r.OneOf {
		if slices.ContainsFunc(s.Topics, func(t string) bool { return strings.EqualFold(strings.TrimSpace(t), strings.TrimSpace(want)) }) {
			return passed(RuleTopics, r.Mode, fmt.Sprintf("has the topic %s", inert.Code(want)))
		}
	}
	have := "it has no topics"
	if len(s.Topics) > 0 {
		have = "its topics: " + strings.Join(codes(s.Topics), ", ")
	}
	return failed(RuleTopics, r.Mode,
		fmt.Sprintf("%s has none of the topics %s (%s)", repoName(s), strings.Join(codes(r.OneOf), ", "), have),
		fmt.Sprintf("add one of the topics %s to the repository (About → Topics on its main page)", listOr(codes(r.OneOf))))
}

var topicsEntry = Rule{
	ID: RuleTopics, Scope: RepositoryScope, Section: "repository.topics",
	Anchor:  "repositorytopics--a-policy-topic",
	Summary: "one of the policy's topics on the repository",
	Mode:    func(p *policy.Policy) policy.Mode { return p.Repository.Topics.Mode },
	Check:   func(in Input) Finding { return Topics(in.Repo, in.Policy.Repository.Topics) },
}
