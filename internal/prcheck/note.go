package prcheck

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ospo-bot/ospo-bot/internal/policy"
	"github.com/ospo-bot/ospo-bot/internal/rules"
)

// ContributorNote is the sticky comment's text: what contributors must do
// (sign the CLA, link or fix commit emails, sign off commits), or "" when
// nothing.
func ContributorNote(cla rules.CLAResult, r policy.CLARule, dco *rules.Finding) string {
	var parts []string
	if len(cla.Unsigned) > 0 || len(cla.Stale) > 0 {
		var b strings.Builder
		b.WriteString("**Contributor License Agreement.** ")
		if len(cla.Unsigned) > 0 {
			fmt.Fprintf(&b, "%s must sign the [CLA](%s) (version %s). ", mentions(cla.Unsigned), r.Document, r.Version)
		}
		if len(cla.Stale) > 0 {
			fmt.Fprintf(&b, "%s signed an earlier version; the CLA changed to version %s: please sign again. ", mentions(cla.Stale), r.Version)
		}
		fmt.Fprintf(&b, "To sign, comment on this pull request with this line, exactly:\n\n```\n%s\n```\n", strings.TrimSpace(r.Phrase))
		parts = append(parts, b.String())
	}
	if len(cla.Unlinked) > 0 {
		var b strings.Builder
		b.WriteString("**Commit emails without a GitHub account.** These commits' authors cannot sign because GitHub links their email to no account:\n\n")
		for _, p := range cla.Unlinked {
			fmt.Fprintf(&b, "- `%s <%s>`\n", p.Name, p.Email)
		}
		b.WriteString("\nAdd the email to your account (GitHub → Settings → Emails), or rewrite the commits with an email that is: `git commit --amend --author=\"Name <email>\"` (for older commits, `git rebase -i` with `--exec`), then `git push --force-with-lease`.\n")
		parts = append(parts, b.String())
	}
	if note := agentsNote(cla); note != "" {
		parts = append(parts, note)
	}
	if dco != nil {
		parts = append(parts, fmt.Sprintf("**Developer Certificate of Origin.** %s\n\n%s\n", dco.Message, dco.Remediation))
	}
	if len(parts) == 0 {
		return ""
	}
	return "### Before this pull request can be merged\n\n" + strings.Join(parts, "\n") +
		"\nThis comment updates itself; `/ospo recheck` checks again at once."
}

// agentsNote explains a CLA that fails because of AI agents (see
// pull_request.cla.agents), or "".
func agentsNote(cla rules.CLAResult) string {
	if len(cla.Agents) == 0 || cla.AgentPolicy != policy.AgentsBlock && len(cla.Sponsors) > 0 {
		return ""
	}
	var who, names []string
	for _, a := range cla.Agents {
		switch {
		case a.Person.Email != "":
			who = append(who, strings.TrimSpace(a.Person.Name+" <"+a.Person.Email+">"))
		case a.Person.Account != nil:
			who = append(who, "@"+a.Person.Account.Login)
		default:
			who = append(who, a.Person.Name)
		}
		if !slices.Contains(names, a.Agent) {
			names = append(names, a.Agent)
		}
	}
	if cla.AgentPolicy == policy.AgentsBlock {
		return fmt.Sprintf("**AI agents.** This repository does not accept contributions by AI agents: `%s`. Remove their commits and their `Co-authored-by:` lines (`git rebase -i`), then `git push --force-with-lease`.\n", strings.Join(who, "`, `"))
	}
	return fmt.Sprintf("**AI agents.** No human vouches for the work of %s: the person responsible opens the pull request (or adds a commit of their own) and signs the CLA.\n", strings.Join(names, ", "))
}

func mentions(as []rules.Account) string {
	var out []string
	for _, a := range as {
		out = append(out, "@"+a.Login)
	}
	return strings.Join(out, ", ")
}
