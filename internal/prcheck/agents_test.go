package prcheck

import (
	"strings"
	"testing"

	"github.com/ospo-bot/ospo-bot/internal/policy"
	"github.com/ospo-bot/ospo-bot/internal/rules"
)

// TestContributorNoteAgents: when the CLA fails because of AI agents (block,
// or no human to vouch for them), the note says so rather than nothing.
func TestContributorNoteAgents(t *testing.T) {
	r := policy.CLARule{Document: "https://acme.example/cla", Version: "1", Phrase: "I sign"}
	claude := rules.AgentWork{Agent: "Claude", Person: rules.Person{Name: "Claude", Email: "noreply@anthropic.com"}}
	blocked := ContributorNote(rules.CLAResult{Complete: true, AgentPolicy: policy.AgentsBlock, Agents: []rules.AgentWork{claude}}, r, nil, "https://github.com/acme/widgets/pull/1/commits")
	for _, want := range []string{"**AI agents.**", "does not accept contributions by AI agents", "Claude <noreply@anthropic.com>", "Co-authored-by"} {
		if !strings.Contains(blocked, want) {
			t.Errorf("note lacks %q:\n%s", want, blocked)
		}
	}
	unsponsored := ContributorNote(rules.CLAResult{Complete: true, AgentPolicy: policy.AgentsSponsor, Agents: []rules.AgentWork{claude}}, r, nil, "https://github.com/acme/widgets/pull/1/commits")
	if !strings.Contains(unsponsored, "No human vouches for the work of Claude") {
		t.Errorf("note:\n%s", unsponsored)
	}
	sponsored := rules.CLAResult{Complete: true, AgentPolicy: policy.AgentsSponsor, Agents: []rules.AgentWork{claude},
		Sponsors: []rules.Account{{ID: 1, Login: "alice"}}, Signed: []rules.Account{{ID: 1, Login: "alice"}}}
	if got := ContributorNote(sponsored, r, nil, "https://github.com/acme/widgets/pull/1/commits"); got != "" {
		t.Errorf("a sponsored pull request needs no note: %q", got)
	}
}
