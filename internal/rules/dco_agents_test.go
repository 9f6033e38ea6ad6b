package rules

import (
	"testing"

	"github.com/ospo-bot/ospo-bot/internal/policy"
)

// TestDCOAgents: an AI agent cannot certify the Developer Certificate of
// Origin. Under sponsor, a commit an agent authored needs the Signed-off-by
// of a human who takes responsibility for it: its committer (who rebased
// it with --signoff) or the human who opened the pull request; under
// allow it is skipped; under block it fails, and so does a commit an
// agent co-authored.
func TestDCOAgents(t *testing.T) {
	on := policy.DCORule{Mode: policy.Enforce}
	copilotP := by(copilotBot, "copilot-swe-agent[bot]", "198982749+Copilot@users.noreply.github.com")
	cursorP := unlinked("Cursor Agent", "cursoragent@cursor.com")
	committedBy := func(c Commit, p Person) Commit { c.Committer = p; return c }
	withHuman := func(cs ...Commit) *PullRequest {
		// alice opened the pull request and has a commit of her own, so her
		// commit email is known.
		return pullRequest(append([]Commit{commit(9, aliceP, signedOff(aliceP))}, cs...)...)
	}
	tests := []struct {
		name      string
		pr        *PullRequest
		agents    policy.AgentPolicy
		want      Result
		fragments []string
	}{
		{"sponsor: an agent's commit without a sign-off", withHuman(commit(1, copilotP, "Fix")), "", Fail,
			[]string{"1 of 2 commits not signed off (DCO): abc0001 by copilot-swe-agent[bot] <198982749+Copilot@users.noreply.github.com>: authored by AI agent GitHub Copilot, which cannot certify the DCO: it needs the Signed-off-by of its committer or of @alice, who opened the pull request",
				"`git rebase HEAD~2 --signoff`"}},
		{"sponsor: the agent signing itself off does not count", withHuman(commit(1, copilotP, signedOff(copilotP))), policy.AgentsSponsor, Fail,
			[]string{"authored by AI agent GitHub Copilot, which cannot certify the DCO"}},
		{"sponsor: signed off by the opener, with her commit email", withHuman(commit(1, copilotP, signedOff(aliceP))), "", Pass,
			[]string{"all 2 commits signed off (1 by an AI agent, signed off by a human)"}},
		{"sponsor: signed off by the opener, with her noreply email", pullRequest(commit(1, cursorP, "Fix\n\nSigned-off-by: Alice <1+alice@users.noreply.github.com>")), "", Pass,
			[]string{"the commit is signed off (1 by an AI agent, signed off by a human)"}},
		{"sponsor: rebased with --signoff by a human committer", pullRequest(committedBy(commit(1, cursorP, signedOff(bobP)), bobP)), "", Pass, nil},
		{"sponsor: signed off by someone else", pullRequest(commit(1, cursorP, signedOff(bobP))), "", Fail,
			[]string{"authored by AI agent Cursor, which cannot certify the DCO: it needs the Signed-off-by of its committer or of @alice"}},
		{"sponsor: a human's commit with an agent's trailer is the human's", pullRequest(commit(1, aliceP, signedOff(aliceP, claudeTrailer, copilotTrailer))), "", Pass,
			[]string{"the commit is signed off"}},
		{"allow: an agent's commit is skipped", withHuman(commit(1, copilotP, "Fix"), commit(2, cursorP, "Fix")), policy.AgentsAllow, Pass,
			[]string{"the commit is signed off (2 AI agent commits skipped)"}},
		{"block: an agent's commit fails", withHuman(commit(1, copilotP, signedOff(aliceP))), policy.AgentsBlock, Fail,
			[]string{"abc0001 by copilot-swe-agent[bot] <198982749+Copilot@users.noreply.github.com>: authored by AI agent GitHub Copilot; the policy accepts no contributions by AI agents (pull_request.cla.agents: block)",
				"remove the AI agents' commits and Co-authored-by trailers"}},
		{"block: a commit an agent co-authored fails", pullRequest(commit(1, aliceP, signedOff(aliceP, claudeTrailer))), policy.AgentsBlock, Fail,
			[]string{"abc0001 by Alice Liddell <alice@home.example>: co-authored by AI agent Claude; the policy accepts no contributions by AI agents"}},
		{"block: a human named Claude is a human", pullRequest(commit(1, aliceP, signedOff(aliceP, "Co-authored-by: Claude Smith <claude@smith.dev>"))), policy.AgentsBlock, Pass, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			check(t, DCO(tt.pr, on, policy.CLARule{Agents: tt.agents}), RuleDCO, tt.want, tt.fragments...)
		})
	}
}
