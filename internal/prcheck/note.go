package prcheck

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ospo-bot/ospo-bot/internal/fit"
	"github.com/ospo-bot/ospo-bot/internal/inert"
	"github.com/ospo-bot/ospo-bot/internal/policy"
	"github.com/ospo-bot/ospo-bot/internal/rules"
)

// noteLimit leaves room in a comment body for the marker before the note.
var noteLimit = fit.Limit{Max: fit.Body.Max - len(commentMarker) - 1}

// ContributorNote is the sticky comment's text: what contributors must do
// (sign the CLA, link or fix commit emails, sign off commits), or "" when
// nothing. It fits in a comment: a list too long for it ends with "… and N
// more: see <commits>", commitsURL being the pull request's commits page.
//
// sections are more of what the author must do, each a paragraph of its
// own (DependenciesNote), after the CLA's and the DCO's.
func ContributorNote(cla rules.CLAResult, r policy.CLARule, dco *rules.Finding, commitsURL string, sections ...string) string {
	var b strings.Builder
	if len(cla.Unsigned) > 0 || len(cla.Stale) > 0 {
		b.WriteString("**Contributor License Agreement.** ")
		if len(cla.Unsigned) > 0 {
			fmt.Fprintf(&b, "%s must sign the [CLA](%s) (version %s). ", mentions(cla.Unsigned), r.Document, r.Version)
		}
		if len(cla.Stale) > 0 {
			fmt.Fprintf(&b, "%s signed an earlier version; the CLA changed to version %s: please sign again. ", mentions(cla.Stale), r.Version)
		}
		fmt.Fprintf(&b, "To sign, comment on this pull request with this line, exactly:\n\n%s\n", inert.Block(strings.TrimSpace(r.Phrase)))
	}
	var unlinked []string
	if len(cla.Unlinked) > 0 {
		if b.Len() > 0 {
			b.WriteString("\n")
		}
		b.WriteString("**Commit emails without a GitHub account.** These commits' authors cannot sign because GitHub links their email to no account:\n\n")
		for _, p := range cla.Unlinked {
			unlinked = append(unlinked, fmt.Sprintf("- %s\n", inert.Code(p.Name+" <"+p.Email+">")))
		}
	}
	var tail strings.Builder
	if len(cla.Unlinked) > 0 {
		tail.WriteString("\nAdd the email to your account (GitHub → Settings → Emails), or rewrite the commits with an email that is: `git commit --amend --author=\"Name <email>\"` (for older commits, `git rebase -i` with `--exec`), then `git push --force-with-lease`.\n")
	}
	if note := agentsNote(cla); note != "" {
		if b.Len() > 0 || tail.Len() > 0 {
			tail.WriteString("\n")
		}
		tail.WriteString(note)
	}
	if note := unverifiedNote(cla); note != "" {
		if b.Len() > 0 || tail.Len() > 0 {
			tail.WriteString("\n")
		}
		tail.WriteString(note)
	}
	if dco != nil {
		if b.Len() > 0 || tail.Len() > 0 {
			tail.WriteString("\n")
		}
		fmt.Fprintf(&tail, "**Developer Certificate of Origin.** %s\n\n%s\n", dco.Message, dco.Remediation)
	}
	for _, sec := range sections {
		if sec == "" {
			continue
		}
		if b.Len() > 0 || tail.Len() > 0 {
			tail.WriteString("\n")
		}
		tail.WriteString(sec)
	}
	if b.Len() == 0 && tail.Len() == 0 {
		return ""
	}
	tail.WriteString("\nThis comment updates itself; `/ospo recheck` checks again at once.")
	return noteLimit.List("### Before this pull request can be merged\n\n"+b.String(), unlinked, tail.String(),
		fmt.Sprintf("see [the commits](%s)", commitsURL))
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
			who = append(who, inert.Code(strings.TrimSpace(a.Person.Name+" <"+a.Person.Email+">")))
		case a.Person.Account != nil:
			who = append(who, inert.Code("@"+a.Person.Account.Login))
		default:
			who = append(who, inert.Code(a.Person.Name))
		}
		if !slices.Contains(names, a.Agent) {
			names = append(names, a.Agent)
		}
	}
	if cla.AgentPolicy == policy.AgentsBlock {
		return fmt.Sprintf("**AI agents.** This repository does not accept contributions by AI agents: %s. Remove their commits and their `Co-authored-by:` lines (`git rebase -i`), then `git push --force-with-lease`.\n", strings.Join(who, ", "))
	}
	return fmt.Sprintf("**AI agents.** No human vouches for the work of %s: the person responsible opens the pull request (or adds a commit of their own) and signs the CLA.\n", strings.Join(names, ", "))
}

// mentions names accounts: a mention of those GitHub linked, the others
// as code (see rules.Account.FromText).
func mentions(as []rules.Account) string {
	var out []string
	for _, a := range as {
		if a.FromText {
			out = append(out, inert.Code("@"+a.Login))
		} else {
			out = append(out, inert.Mention(a.Login))
		}
	}
	return strings.Join(out, ", ")
}

// DependenciesNote is the sticky comment's paragraph about dependencies,
// when the author must act (rules.DependenciesToFix names what), or "":
// brief, the check run holding the table of every dependency (checksURL,
// the pull request's checks page).
func DependenciesNote(toFix []string, checksURL string) string {
	if len(toFix) == 0 {
		return ""
	}
	const shown = 5
	list := strings.Join(toFix[:min(len(toFix), shown)], ", ")
	if len(toFix) > shown {
		list += fmt.Sprintf(" and %d more", len(toFix)-shown)
	}
	return fmt.Sprintf("**Dependency licences.** The policy does not allow what this pull request brings in: %s. "+
		"Use packages under allowed licences (and fix any file that could not be read), or ask an OSPO approver to comment "+
		"`/ospo allow <purl> <reason>`; every dependency and its licence is in [the `ospo/policy` check](%s).\n", list, checksURL)
}
