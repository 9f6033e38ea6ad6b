package rules

import (
	"strings"

	"github.com/ospo-bot/ospo-bot/internal/policy"
)

// BuiltinAgents are the AI coding agents the cla and dco rules know
// without configuration (pull_request.cla.agent_identities adds to them).
// An agent is recognised by an email it commits or co-authors with, or by
// the login of its GitHub account, each compared exactly, ignoring case:
// never by a name, and never by a part of an email, so that a human named
// "Claude Smith <claude@smith.dev>" is a human. The README lists them.
//
// The forms below are the ones the agents write; each was found in public
// commits and in the agents' own instructions or issues.
var BuiltinAgents = []policy.AgentIdentity{
	// Claude Code: "Co-Authored-By: Claude <noreply@anthropic.com>", the
	// name varying with the model ("Claude Opus 4.7 (1M context)")
	// (anthropics/claude-code#29999, #53571; apache/pinot#18688).
	{Name: "Claude", Email: "noreply@anthropic.com"},
	// GitHub Copilot in the editor and Copilot Autofix:
	// "Co-authored-by: Copilot <175728472+Copilot@users.noreply.github.com>"
	// (erigontech/erigon commit for #15460).
	{Name: "GitHub Copilot", Email: "175728472+Copilot@users.noreply.github.com"},
	// The Copilot coding agent: commits by "copilot-swe-agent[bot]
	// <198982749+Copilot@users.noreply.github.com>", which GitHub links to
	// the Bot account Copilot (ID 198982749), and pull requests opened by
	// Copilot (Z3Prover/z3 merge commits).
	{Name: "GitHub Copilot", Email: "198982749+Copilot@users.noreply.github.com"},
	{Name: "GitHub Copilot", Login: "Copilot"},
	{Name: "GitHub Copilot", Login: "copilot-swe-agent[bot]"},
	// Cursor's agent: "Co-authored-by: Cursor <cursoragent@cursor.com>", or
	// as author "Cursor Agent <cursoragent@cursor.com>" (vllm-project/vllm
	// commits).
	{Name: "Cursor", Email: "cursoragent@cursor.com"},
	// Devin: "Co-Authored-By: Devin <158243242+devin-ai-integration[bot]@users.noreply.github.com>",
	// also without the ID, and its app account.
	{Name: "Devin", Email: "158243242+devin-ai-integration[bot]@users.noreply.github.com"},
	{Name: "Devin", Email: "devin-ai-integration[bot]@users.noreply.github.com"},
	{Name: "Devin", Login: "devin-ai-integration[bot]"},
	// OpenAI Codex: "Co-authored-by: Codex <noreply@openai.com>" (its
	// commit_attribution setting) and "<codex@openai.com>" in projects'
	// agent instructions.
	{Name: "Codex", Email: "noreply@openai.com"},
	{Name: "Codex", Email: "codex@openai.com"},
	// Google: Gemini Code Assist's app, Jules' app, and Gemini CLI as
	// projects configure it ("Co-Authored-By: Gemini <noreply@google.com>").
	{Name: "Gemini Code Assist", Email: "176961590+gemini-code-assist[bot]@users.noreply.github.com"},
	{Name: "Gemini Code Assist", Login: "gemini-code-assist[bot]"},
	{Name: "Jules", Email: "161369871+google-labs-jules[bot]@users.noreply.github.com"},
	{Name: "Jules", Login: "google-labs-jules[bot]"},
	{Name: "Gemini", Email: "noreply@google.com"},
	// Aider: "Co-authored-by: aider (<model>) <noreply@aider.chat>".
	{Name: "Aider", Email: "noreply@aider.chat"},
}

// agentList is the built-in agents and the policy's, matched against
// people and accounts.
type agentList []policy.AgentIdentity

func agentsOf(r policy.CLARule) agentList {
	return append(append(agentList{}, BuiltinAgents...), r.AgentIdentities...)
}

// agentPolicy is r.Agents, sponsor when unset.
func agentPolicy(r policy.CLARule) policy.AgentPolicy {
	if r.Agents == "" {
		return policy.AgentsSponsor
	}
	return r.Agents
}

// match returns the name of the agent with this account or one of these
// emails, or "": the account's login or an email equal to an entry's,
// ignoring case.
func (l agentList) match(a *Account, emails ...string) string {
	for _, id := range l {
		if a != nil && id.Login != "" && strings.EqualFold(strings.TrimSpace(id.Login), a.Login) {
			return id.Name
		}
		for _, e := range emails {
			if id.Email != "" && strings.EqualFold(strings.TrimSpace(id.Email), strings.TrimSpace(e)) {
				return id.Name
			}
		}
	}
	return ""
}

// isHuman: an account that is neither an agent nor a bot.
func (l agentList) isHuman(a Account) bool {
	return (a.ID > 0 || a.Login != "") && l.match(&a) == "" && !isBot(a)
}
