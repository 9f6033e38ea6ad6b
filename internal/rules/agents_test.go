package rules

import (
	"strings"
	"testing"

	"github.com/ospo-bot/ospo-bot/internal/policy"
)

// Trailers and authors as the agents write them (see BuiltinAgents).
const (
	claudeTrailer      = "Co-Authored-By: Claude <noreply@anthropic.com>"
	claudeModelTrailer = "Co-Authored-By: Claude Opus 4.7 (1M context) <noreply@anthropic.com>"
	copilotTrailer     = "Co-authored-by: Copilot <175728472+Copilot@users.noreply.github.com>"
	copilotSWETrailer  = "Co-authored-by: copilot-swe-agent[bot] <198982749+Copilot@users.noreply.github.com>"
	cursorTrailer      = "Co-Authored-By: Cursor Agent <cursoragent@cursor.com>"
	devinTrailer       = "Co-authored-by: devin-ai-integration[bot] <158243242+devin-ai-integration[bot]@users.noreply.github.com>"
	codexTrailer       = "Co-authored-by: Codex <noreply@openai.com>"
	geminiTrailer      = "Co-authored-by: gemini-code-assist[bot] <176961590+gemini-code-assist[bot]@users.noreply.github.com>"
	aiderTrailer       = "Co-authored-by: aider (gpt-4o) <noreply@aider.chat>"
)

// copilotBot is the account GitHub links the Copilot coding agent's
// commits and pull requests to.
var copilotBot = bot(198982749, "Copilot")

func agentRule(p policy.AgentPolicy, mut ...func(*policy.CLARule)) policy.CLARule {
	return claRule(append([]func(*policy.CLARule){func(r *policy.CLARule) { r.Agents = p }}, mut...)...)
}

func TestCLAAgents(t *testing.T) {
	// alice (signed) opens a pull request whose commits carry agents'
	// trailers.
	coAuthored := func(trailers ...string) *PullRequest {
		return signed(pullRequest(commit(1, aliceP, "Change\n\n"+strings.Join(trailers, "\n"))), "1", alice)
	}
	tests := []struct {
		name      string
		pr        *PullRequest
		r         policy.CLARule
		want      Result
		fragments []string
		absent    []string
	}{
		{"sponsor: Claude and Copilot covered by the signed opener", coAuthored(claudeTrailer, copilotTrailer), agentRule(""), Pass,
			[]string{"@alice signed the CLA (version 1); the work of AI agents Claude and GitHub Copilot is covered by @alice, who opened the pull request"},
			[]string{"no GitHub account", "noreply@anthropic.com"}},
		{"sponsor: every real trailer form", coAuthored(claudeModelTrailer, copilotSWETrailer, cursorTrailer, devinTrailer, codexTrailer, geminiTrailer, aiderTrailer),
			agentRule(policy.AgentsSponsor), Pass,
			[]string{"AI agents Claude, GitHub Copilot, Cursor, Devin, Codex, Gemini Code Assist and Aider is covered by @alice"}, nil},
		{"sponsor: the opener has no commit and has not signed", signed(pullRequest(commit(1, bobP, "x\n\n"+claudeTrailer)), "1", bob), agentRule(""), Fail,
			[]string{"AI agent Claude cannot sign; @alice vouches for its work and must sign", "not signed by @alice", "@alice: read the CLA"},
			[]string{"no GitHub account"}},
		{"sponsor: two agents, the opener has not signed", signed(pullRequest(commit(1, bobP, "x\n\n"+claudeTrailer+"\n"+copilotTrailer)), "1", bob), agentRule(""), Fail,
			[]string{"AI agents Claude and GitHub Copilot cannot sign; @alice vouches for their work and must sign"}, nil},
		{"sponsor: the opener has no commit and signed", signed(pullRequest(commit(1, bobP, "x\n\n"+claudeTrailer)), "1", bob, alice), agentRule(""), Pass,
			[]string{"all 2 contributors signed the CLA (version 1); the work of AI agent Claude is covered by @alice, who opened the pull request"}, nil},
		{"sponsor: a commit authored by the Copilot coding agent", func() *PullRequest {
			pr := signed(pullRequest(commit(1, by(copilotBot, "copilot-swe-agent[bot]", "198982749+Copilot@users.noreply.github.com"), "Fix\n\nCo-authored-by: Alice <1+alice@users.noreply.github.com>")), "1", alice)
			return pr
		}(), agentRule(""), Pass, []string{"the work of AI agent GitHub Copilot is covered by @alice"}, []string{"(bot)"}},
		{"sponsor: opened by Copilot, the human co-author vouches", func() *PullRequest {
			pr := signed(pullRequest(commit(1, by(copilotBot, "copilot-swe-agent[bot]", "198982749+Copilot@users.noreply.github.com"), "Fix\n\nCo-authored-by: Bob <2+bob@users.noreply.github.com>")), "1", bob)
			pr.Opener = *copilotBot
			return pr
		}(), agentRule(""), Pass, []string{"@bob signed the CLA (version 1); the work of AI agent GitHub Copilot is covered by @bob"}, []string{"who opened"}},
		{"sponsor: opened by Copilot, no human at all", func() *PullRequest {
			pr := pullRequest(commit(1, by(copilotBot, "copilot-swe-agent[bot]", "198982749+Copilot@users.noreply.github.com"), "Fix"))
			pr.Opener = *copilotBot
			return pr
		}(), agentRule(""), Fail, []string{"no human vouches for the work of AI agent GitHub Copilot", "a person who takes responsibility for the agents' work"}, nil},
		{"allow: agents need nothing", coAuthored(claudeTrailer, copilotTrailer), agentRule(policy.AgentsAllow), Pass,
			[]string{"@alice signed the CLA (version 1); exempt: Claude <noreply@anthropic.com> (AI agent) and @Copilot (AI agent)"}, []string{"covered"}},
		{"allow: the opener need not sign for them", signed(pullRequest(commit(1, bobP, "x\n\n"+claudeTrailer)), "1", bob), agentRule(policy.AgentsAllow), Pass,
			[]string{"@bob signed"}, []string{"@alice"}},
		{"block: an agent's contribution fails", coAuthored(claudeTrailer, copilotTrailer), agentRule(policy.AgentsBlock), Fail,
			[]string{"CLA: the policy accepts no contributions by AI agents (pull_request.cla.agents: block): `Claude <noreply@anthropic.com>` and `@Copilot`",
				"remove the agents' commits and their Co-authored-by trailers"},
			[]string{"no GitHub account", "@alice"}},
		{"block: a bot-exempt agent account still fails", pullRequest(commit(1, by(copilotBot, "copilot-swe-agent[bot]", "198982749+Copilot@users.noreply.github.com"), "Fix")),
			agentRule(policy.AgentsBlock), Fail, []string{"(pull_request.cla.agents: block): `@Copilot`"}, nil},
		{"a human named Claude is a human", coAuthored("Co-authored-by: Claude Smith <claude@smith.dev>", "Co-authored-by: Claude <claude@anthropic.example>"), agentRule(policy.AgentsAllow), Fail,
			[]string{"no GitHub account for claude@smith.dev and claude@anthropic.example"}, []string{"AI agent"}},
		{"an email that merely contains an agent's is a human's", coAuthored("Co-authored-by: X <x.noreply@anthropic.com>", "Co-authored-by: Y <noreply@anthropic.com.evil.example>"), agentRule(policy.AgentsAllow), Fail,
			[]string{"no GitHub account for x.noreply@anthropic.com and noreply@anthropic.com.evil.example"}, nil},
		{"the email is matched ignoring case", coAuthored("Co-authored-by: CLAUDE <NoReply@Anthropic.com>"), agentRule(policy.AgentsAllow), Pass, []string{"(AI agent)"}, nil},
		{"the policy adds an agent by email", coAuthored("Co-authored-by: Acme Coder <coder@acme.example>"),
			agentRule(policy.AgentsBlock, func(r *policy.CLARule) {
				r.AgentIdentities = []policy.AgentIdentity{{Name: "Acme Coder", Email: "coder@acme.example"}}
			}), Fail, []string{"(pull_request.cla.agents: block): `Acme Coder <coder@acme.example>`"}, nil},
		{"the policy adds an agent by login", pullRequest(commit(1, by(bot(555, "acme-coder[bot]"), "acme-coder", "555+acme-coder[bot]@users.noreply.github.com"), "x")),
			agentRule("", func(r *policy.CLARule) {
				r.AgentIdentities = []policy.AgentIdentity{{Name: "Acme Coder", Login: "ACME-coder[bot]"}}
			}), Fail, []string{"AI agent Acme Coder cannot sign; @alice vouches for its work and must sign"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := CLA(tt.pr, tt.r)
			check(t, f, RuleCLA, tt.want, tt.fragments...)
			for _, s := range tt.absent {
				if strings.Contains(f.Message+f.Remediation, s) {
					t.Errorf("%q in %q / %q", s, f.Message, f.Remediation)
				}
			}
		})
	}
}

// TestCLAAgentsInvolved: the sponsoring opener's signature is read; the
// agents' accounts never are.
func TestCLAAgentsInvolved(t *testing.T) {
	pr := pullRequest(commit(1, by(copilotBot, "copilot-swe-agent[bot]", "198982749+Copilot@users.noreply.github.com"), "x\n\n"+claudeTrailer))
	got := Involved(pr, claRule())
	if len(got) != 1 || got[0].ID != alice.ID {
		t.Errorf("Involved = %+v, want only the opener", got)
	}
	if got := Involved(pr, agentRule(policy.AgentsAllow)); len(got) != 0 {
		t.Errorf("Involved under allow = %+v, want none", got)
	}
}
