package rules

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ospo-bot/ospo-bot/internal/inert"
	"github.com/ospo-bot/ospo-bot/internal/policy"
)

// DCOResult is the sign-off state of a pull request's commits.
type DCOResult struct {
	// Checked is the number of commits checked: not merges, not by bots.
	Checked int
	// Merges and Bots are the commits skipped, and Agents the commits AI
	// agents authored (pull_request.cla.agents: allow).
	Merges, Bots, Agents int
	// Sponsored are the commits AI agents authored that a human signed off
	// (pull_request.cla.agents: sponsor); they are among Checked.
	Sponsored int
	// Problems are the commits without a matching sign-off, oldest first.
	Problems []DCOProblem
	// Complete is false when the commits could not all be read.
	Complete bool
	// Commits is the number of commits in the pull request.
	Commits int
}

// DCOProblem is a commit without a valid Signed-off-by.
type DCOProblem struct {
	SHA    string
	Author string // "Jane Doe <jane@example.com>"
	// Reason: "no Signed-off-by", or what is wrong with the ones there.
	Reason string
}

// OK reports whether every commit was read and signed off.
func (r DCOResult) OK() bool { return r.Complete && len(r.Problems) == 0 }

// DCOStatus checks every non-merge commit (fewer than two parents) for a
// Signed-off-by trailer whose name and email are the commit's author's or
// committer's: the email ignoring case, the name exactly (trimmed).
// Commits by bots (GitHub links the author to an account of type Bot) are
// skipped; a [bot] email or name in commit text alone is not a bot.
//
// Commits by AI agents (cla.agents and cla.agent_identities, see
// BuiltinAgents) follow pull_request.cla.agents. An agent cannot certify
// the DCO, so under sponsor a commit an agent authored needs the
// Signed-off-by of a human who takes responsibility for it: its committer
// when the committer is neither an agent nor a bot (who rebased it with
// --signoff), or the human who opened the pull request, by one of their
// emails the pull request shows (a commit GitHub links to them, or their
// noreply address). Under allow such commits are skipped; under block
// they fail, and so do commits an agent co-authored.
func DCOStatus(pr *PullRequest, cla policy.CLARule) DCOResult {
	pr = orEmptyPR(pr)
	res := DCOResult{Complete: pr.CommitsComplete, Commits: commitCount(pr)}
	agents, pol := agentsOf(cla), agentPolicy(cla)
	var sponsor *Account
	if agents.isHuman(pr.Opener) {
		sponsor = &pr.Opener
	}
	sponsorEmails := emailsOf(pr, sponsor)
	for _, c := range pr.Commits {
		if c.Parents >= 2 {
			res.Merges++
			continue
		}
		agent := agents.match(c.Author.Account, c.Author.Email)
		coAgent := ""
		if pol == policy.AgentsBlock && agent == "" {
			coAgent = coAuthoringAgent(agents, c)
		}
		problem := func(reason string) {
			res.Problems = append(res.Problems, DCOProblem{SHA: c.SHA, Author: identity(c.Author.Name, c.Author.Email), Reason: reason})
		}
		switch {
		case agent != "" && pol == policy.AgentsAllow:
			res.Agents++
		case agent != "" && pol == policy.AgentsBlock:
			res.Checked++
			problem(fmt.Sprintf("authored by AI agent %s; %s", agent, agentsBlocked))
		case coAgent != "":
			res.Checked++
			problem(fmt.Sprintf("co-authored by AI agent %s; %s", coAgent, agentsBlocked))
		case agent != "":
			res.Checked++
			if sponsoredSignOff(c, agents, sponsorEmails) {
				res.Sponsored++
				continue
			}
			who := "its committer"
			if sponsor != nil {
				who += " or of " + atLogin(*sponsor) + ", who opened the pull request"
			}
			problem(fmt.Sprintf("authored by AI agent %s, which cannot certify the DCO: it needs the Signed-off-by of %s", agent, who))
		case isBotAuthor(c.Author):
			res.Bots++
		default:
			res.Checked++
			if reason := signOffProblem(c); reason != "" {
				problem(reason)
			}
		}
	}
	return res
}

const agentsBlocked = "the policy accepts no contributions by AI agents (pull_request.cla.agents: block)"

// coAuthoringAgent names the first AI agent among a commit's
// Co-authored-by trailers, or "".
func coAuthoringAgent(agents agentList, c Commit) string {
	for _, t := range Trailers(c.Message) {
		if _, email, ok := ParsePerson(t.Value); ok && t.Is(KeyCoAuthoredBy) {
			a, linked := noreplyAccount(email)
			var acc *Account
			if linked {
				acc = &a
			}
			if name := agents.match(acc, email); name != "" {
				return name
			}
		}
	}
	return ""
}

// sponsoredSignOff: a commit an agent authored carries the Signed-off-by
// of its human committer, or of the sponsor by one of their emails.
func sponsoredSignOff(c Commit, agents agentList, sponsorEmails []string) bool {
	humanCommitter := agents.match(c.Committer.Account, c.Committer.Email) == "" && !isBotAuthor(c.Committer)
	for _, t := range Trailers(c.Message) {
		if !t.Is(KeySignedOffBy) {
			continue
		}
		name, email, ok := ParsePerson(t.Value)
		switch {
		case !ok:
		case humanCommitter && samePerson(name, email, c.Committer):
			return true
		case slices.ContainsFunc(sponsorEmails, func(e string) bool { return strings.EqualFold(e, strings.TrimSpace(email)) }):
			return true
		}
	}
	return false
}

// emailsOf lists the emails the pull request shows are a's: the commit
// emails GitHub links to the account, and its noreply addresses.
func emailsOf(pr *PullRequest, a *Account) []string {
	if a == nil {
		return nil
	}
	var out []string
	if a.Login != "" {
		out = append(out, a.Login+"@"+noreplyDomain)
		if a.ID > 0 {
			out = append(out, fmt.Sprintf("%d+%s@%s", a.ID, a.Login, noreplyDomain))
		}
	}
	for _, c := range pr.Commits {
		for _, p := range []Person{c.Author, c.Committer} {
			if p.Account != nil && p.Account.ID > 0 && p.Account.ID == a.ID && strings.TrimSpace(p.Email) != "" {
				out = append(out, strings.TrimSpace(p.Email))
			}
		}
	}
	return out
}

// DCO checks that every non-merge commit is signed off (see DCOStatus;
// cla gives pull_request.cla.agents and agent_identities). It fails closed
// when the commits could not all be read.
func DCO(pr *PullRequest, r policy.DCORule, cla policy.CLARule) Finding {
	if !active(r.Mode) {
		return skipped(RuleDCO, r.Mode)
	}
	res := DCOStatus(pr, cla)
	if !res.Complete {
		return failed(RuleDCO, r.Mode, incompleteCommits(res.Commits),
			"re-run the check (push again or re-request it); if it persists, ask the OSPO to check the bot's access")
	}
	if res.OK() {
		msg := fmt.Sprintf("all %s signed off", plural(res.Checked, "commit"))
		switch {
		case res.Checked == 0 && res.Merges+res.Bots == 0:
			msg = "no commits to check"
		case res.Checked == 0:
			msg = "no commit needs a sign-off"
		case res.Checked == 1:
			msg = "the commit is signed off"
		}
		var notes []string
		if res.Sponsored > 0 {
			notes = append(notes, fmt.Sprintf("%d by an AI agent, signed off by a human", res.Sponsored))
		}
		if skipped := skippedCommits(res); skipped != "" {
			notes = append(notes, skipped+" skipped")
		}
		if len(notes) > 0 {
			msg += " (" + strings.Join(notes, "; ") + ")"
		}
		return passed(RuleDCO, r.Mode, msg)
	}
	var listed []string
	for i, p := range res.Problems {
		if i == maxListed {
			listed = append(listed, fmt.Sprintf("and %d more", len(res.Problems)-i))
			break
		}
		listed = append(listed, fmt.Sprintf("%s by %s: %s", shortSHA(p.SHA), inert.Code(p.Author), p.Reason))
	}
	msg := fmt.Sprintf("%d of %s not signed off (DCO): %s", len(res.Problems), plural(res.Checked, "commit"), strings.Join(listed, "; "))
	n := max(res.Commits, 1)
	fix := fmt.Sprintf("sign off every commit: `git rebase HEAD~%d --signoff`, then `git push --force-with-lease` "+
		"(the sign-off uses your git user.name and user.email, which must be the commit's author or committer)", n)
	if slices.ContainsFunc(res.Problems, func(p DCOProblem) bool { return strings.HasSuffix(p.Reason, agentsBlocked) }) {
		fix = "remove the AI agents' commits and Co-authored-by trailers (`git rebase -i`, then `git push --force-with-lease`), or ask the OSPO whether agents may contribute; " + fix
	}
	return failed(RuleDCO, r.Mode, msg, fix)
}

// signOffProblem tells what is wrong with a commit's sign-off, or "".
func signOffProblem(c Commit) string {
	var offs []Trailer
	for _, t := range Trailers(c.Message) {
		if t.Is(KeySignedOffBy) {
			offs = append(offs, t)
		}
	}
	if len(offs) == 0 {
		return "no Signed-off-by"
	}
	for _, t := range offs {
		name, email, ok := ParsePerson(t.Value)
		if ok && (samePerson(name, email, c.Author) || samePerson(name, email, c.Committer)) {
			return ""
		}
	}
	// Explain with the first one: it is usually the author's.
	name, email, ok := ParsePerson(offs[0].Value)
	if !ok {
		return "Signed-off-by " + inert.Code(offs[0].Value) + " is not `Name <email>`"
	}
	msg := fmt.Sprintf("Signed-off-by %s does not match the author %s", inert.Code(identity(name, email)), inert.Code(identity(c.Author.Name, c.Author.Email)))
	if !samePersonAs(c.Author, c.Committer) && c.Committer.Email != "" {
		msg += " or the committer " + inert.Code(identity(c.Committer.Name, c.Committer.Email))
	}
	return msg
}

// samePerson: the email ignoring case, the name exactly, both trimmed.
func samePerson(name, email string, p Person) bool {
	return strings.TrimSpace(p.Email) != "" && strings.EqualFold(strings.TrimSpace(email), strings.TrimSpace(p.Email)) &&
		strings.TrimSpace(name) == strings.TrimSpace(p.Name)
}

func samePersonAs(a, b Person) bool { return samePerson(a.Name, a.Email, b) }

// isBotAuthor: GitHub links the person to an account of type Bot. A bot's
// noreply address (ID+name[bot]@users.noreply.github.com) that GitHub does
// not link is commit text anyone can write: a person's.
func isBotAuthor(p Person) bool {
	return p.Account != nil && isBot(*p.Account)
}

func skippedCommits(res DCOResult) string {
	var parts []string
	if res.Merges > 0 {
		parts = append(parts, plural(res.Merges, "merge commit"))
	}
	if res.Bots > 0 {
		parts = append(parts, plural(res.Bots, "bot commit"))
	}
	if res.Agents > 0 {
		parts = append(parts, plural(res.Agents, "AI agent commit"))
	}
	return listAnd(parts)
}

// shortSHA is the first 7 hex digits, as git abbreviates.
func shortSHA(sha string) string {
	if len(sha) > 7 {
		return sha[:7]
	}
	if sha == "" {
		return "(no SHA)"
	}
	return sha
}

var dcoEntry = Rule{
	ID: RuleDCO, Scope: PullRequestScope, Section: "pull_request.dco",
	Anchor:  "pull_requestdco--signed-off-by-on-every-commit",
	Summary: "every non-merge commit is signed off (Signed-off-by) by its author or committer",
	Mode:    func(p *policy.Policy) policy.Mode { return p.PullRequest.DCO.Mode },
	Needs:   Needs{Commits: true},
	Check:   func(in Input) Finding { return DCO(in.PR, in.Policy.PullRequest.DCO, in.Policy.PullRequest.CLA) },
}
