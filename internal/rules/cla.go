package rules

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ospo-bot/ospo-bot/internal/inert"
	"github.com/ospo-bot/ospo-bot/internal/policy"
)

// CLAResult is who has and has not signed the CLA for a pull request: what
// the cla rule decides on, the sticky comment lists and the "who blocks
// which pull request" index records.
type CLAResult struct {
	// Version is the CLA version in force.
	Version string
	// Signed signed the CLA (with resign, this version).
	Signed []Account
	// Stale signed another version while the policy asks contributors to
	// sign again (resign: true).
	Stale []Account
	// Unsigned have no signature on record.
	Unsigned []Account
	// Unlinked are commit authors and co-authors whose email belongs to no
	// GitHub account (and is not allow-listed), so no signature can be
	// theirs; a Co-authored-by without a readable <email> is listed with
	// its text as Name and no Email.
	Unlinked []Person
	// Exempt need not sign, each with the reason.
	Exempt []Exemption
	// Complete is false when the pull request's commits could not all be
	// read: the lists above are then partial, and the rule fails.
	Complete bool
	// Commits is the number of commits in the pull request (GitHub's
	// count when it is known).
	Commits int
	// Agents are the AI coding agents among the contributors (see
	// BuiltinAgents) under the sponsor and block policies; under allow
	// they are Exempt.
	Agents []AgentWork
	// AgentPolicy is pull_request.cla.agents (sponsor when unset).
	AgentPolicy policy.AgentPolicy
	// Sponsors vouch for the agents' work under sponsor: the human who
	// opened the pull request or, when an agent or a bot opened it, its
	// human contributors. They sign like everyone (they are also among
	// Signed, Stale, Unsigned or Exempt).
	Sponsors []Account
	// SponsorOpened: the sponsor is the human who opened the pull request.
	SponsorOpened bool
	// Unverified are the identities not looked up (see
	// PullRequest.Unverified); any fails the rule. LookupBudget is the
	// check's budget of lookups.
	Unverified   []string
	LookupBudget int
}

// AgentWork is an AI coding agent that contributed to a pull request, as
// a commit author or a Co-authored-by.
type AgentWork struct {
	Agent  string // the agent's name in the list: "Claude"
	Person Person // as the commit names it
}

// Exemption is a contributor who need not sign, and why: "bot",
// "allow.users release-*", "member of acme", "email domain acme.example".
type Exemption struct {
	Person Person
	Reason string
}

// OK reports whether the pull request passes: every commit read, no one
// left to sign, and any agents' work sponsored by a human.
func (r CLAResult) OK() bool {
	return r.Complete && len(r.Stale) == 0 && len(r.Unsigned) == 0 && len(r.Unlinked) == 0 && len(r.Unverified) == 0 && r.agentsOK()
}

// agentsOK: no agent contributed, or (sponsor) a human vouches for them.
func (r CLAResult) agentsOK() bool {
	return len(r.Agents) == 0 || r.AgentPolicy != policy.AgentsBlock && len(r.Sponsors) > 0
}

// Blocking are the accounts that must sign before the pull request
// passes: the unsigned, then those who must sign again.
func (r CLAResult) Blocking() []Account {
	return append(slices.Clone(r.Unsigned), r.Stale...)
}

// claParty is one person who may have to sign.
type claParty struct {
	agent    string   // the AI agent's name, or ""
	account  *Account // nil: unlinked
	name     string   // as first seen (unlinked: the identity)
	email    string
	emails   []string // every email of theirs in the pull request, lower case
	coAuthor bool     // seen only as a co-author
	// gitHubBot: GitHub gave the account, as a commit's author or as the
	// opener, with type Bot. claimsBot: the identity looks like a bot's
	// (a [bot] login or noreply address), which commit text can claim.
	gitHubBot, claimsBot bool
}

// textBot: the person claims a bot's identity only in commit text.
func (p *claParty) textBot() bool { return p.claimsBot && !p.gitHubBot && p.agent == "" }

// CLAStatus finds who has to sign the CLA for a pull request and who has:
// every commit author, every Co-authored-by of every commit, and the
// opener when the policy includes them. People are told apart by their
// GitHub account (user ID). A commit's committer is never credited for
// its author.
//
// A co-author (or an author GitHub did not link) is linked to an account
// when their email is a GitHub noreply address (ID+login@… gives the
// account; the older login@… gives the account of that login in the pull
// request, or the one GitHub gave for it in pr.Users) or is the email of a
// linked commit author of the pull request; anyone else is unlinked.
func CLAStatus(pr *PullRequest, r policy.CLARule) CLAResult {
	res, _ := claStatus(orEmptyPR(pr), r)
	return res
}

// claStatus is CLAStatus, also telling for each of res.Unlinked whether
// the person appears only as a co-author.
func claStatus(pr *PullRequest, r policy.CLARule) (res CLAResult, coAuthorOnly []bool) {
	res = CLAResult{Version: claVersion(r), Complete: pr.CommitsComplete, Commits: commitCount(pr), AgentPolicy: agentPolicy(r),
		Unverified: slices.Clone(pr.Unverified), LookupBudget: pr.LookupBudget}
	parties := claParties(pr, r)
	vouch := r.Allow.BotsAllowed() && agentsOf(r).isHuman(pr.Opener)
	for _, p := range parties {
		if p.agent != "" {
			person := Person{Name: p.name, Email: p.email, Account: p.account}
			if res.AgentPolicy == policy.AgentsAllow {
				res.Exempt = append(res.Exempt, Exemption{Person: person, Reason: "AI agent"})
			} else {
				res.Agents = append(res.Agents, AgentWork{Agent: p.agent, Person: person})
			}
			continue
		}
		if p.textBot() && vouch {
			// Commit text names a bot GitHub did not confirm: the human who
			// opened the pull request vouches, as for an AI agent.
			person := Person{Name: p.name, Email: p.email}
			res.Exempt = append(res.Exempt, Exemption{Person: person, Reason: "bot only by commit text, vouched for by " + atLogin(pr.Opener) + ", who opened the pull request"})
			continue
		}
		if reason := exemption(pr, r.Allow, p); reason != "" {
			person := Person{Name: p.name, Email: p.email, Account: p.account}
			res.Exempt = append(res.Exempt, Exemption{Person: person, Reason: reason})
			continue
		}
		if p.account == nil && notLookedUp(res.Unverified, p.email) {
			continue // not looked up: among res.Unverified, not unlinked
		}
		if p.account == nil {
			res.Unlinked = append(res.Unlinked, Person{Name: p.name, Email: p.email})
			coAuthorOnly = append(coAuthorOnly, p.coAuthor)
			continue
		}
		a := *p.account
		sig, ok := signatureOf(pr, a)
		switch {
		case !ok:
			res.Unsigned = append(res.Unsigned, a)
		case r.Resign && strings.TrimSpace(sig.Version) != res.Version:
			res.Stale = append(res.Stale, a)
		default:
			res.Signed = append(res.Signed, a)
		}
	}
	if len(res.Agents) > 0 && res.AgentPolicy == policy.AgentsSponsor {
		res.Sponsors, res.SponsorOpened = sponsors(pr, agentsOf(r), parties)
	}
	return res, coAuthorOnly
}

// sponsors are who vouch for the agents' work: the opener when a human
// opened the pull request, else its human contributors (linked accounts
// that are neither agents nor bots).
func sponsors(pr *PullRequest, agents agentList, parties []*claParty) (out []Account, opened bool) {
	if agents.isHuman(pr.Opener) {
		return []Account{pr.Opener}, true
	}
	for _, p := range parties {
		if p.agent == "" && !p.claimsBot && p.account != nil && agents.isHuman(*p.account) {
			out = append(out, *p.account)
		}
	}
	return out, false
}

// CLA checks that everyone who contributed to the pull request signed the
// CLA (see CLAStatus). It fails closed when the commits could not all be
// read.
func CLA(pr *PullRequest, r policy.CLARule) Finding {
	if !active(r.Mode) {
		return skipped(RuleCLA, r.Mode)
	}
	if strings.TrimSpace(r.Document) == "" {
		return failed(RuleCLA, r.Mode, "the policy names no CLA document: pull_request.cla.document is empty",
			"set pull_request.cla.document in ospo.yml to the URL of the CLA, or turn the cla rule off")
	}
	pr = orEmptyPR(pr)
	res, coAuthorOnly := claStatus(pr, r)
	if !res.Complete {
		return failed(RuleCLA, r.Mode, incompleteCommits(res.Commits),
			"re-run the check (push again or re-request it); if it persists, ask the OSPO to check the bot's access")
	}
	if res.OK() {
		return passed(RuleCLA, r.Mode, claPassMessage(res))
	}

	problems, fixes := agentProblems(res)
	signers := append(atLogins(res.Unsigned), atLogins(res.Stale)...)
	if len(res.Unsigned) > 0 {
		problems = append(problems, "not signed by "+capList(atLogins(res.Unsigned)))
	}
	for i, a := range res.Stale {
		if i == maxListed {
			problems = append(problems, fmt.Sprintf("%d more signed another version and must sign again", len(res.Stale)-i))
			break
		}
		sig, _ := signatureOf(pr, a)
		problems = append(problems, fmt.Sprintf("%s signed version %s, the CLA changed to version %s: sign again",
			atLogin(a), orUnknown(sig.Version), res.Version))
	}
	if len(signers) > 0 {
		fixes = append(fixes, fmt.Sprintf("%s: read the CLA at %s, then comment on this pull request with exactly: %s",
			capList(signers), r.Document, inert.Code(claPhrase(r))))
	}
	var emails, noEmail []string
	authors, coAuthors := false, false
	for i, p := range res.Unlinked {
		switch {
		case p.Email == "" && coAuthorOnly[i]:
			noEmail = append(noEmail, inert.Code("Co-authored-by: "+p.Name))
		case p.Email == "":
			noEmail = append(noEmail, "commit author "+inert.Code(p.Name))
		default:
			emails = append(emails, inert.Code(p.Email))
			authors = authors || !coAuthorOnly[i]
			coAuthors = coAuthors || coAuthorOnly[i]
		}
	}
	if len(emails) > 0 {
		problems = append(problems, "no GitHub account for "+capList(emails))
		fix := fmt.Sprintf("link %s to your GitHub account in Settings → Emails, then sign", capList(emails))
		if authors {
			fix += "; or amend the commit author: `git commit --amend --author=\"Your Name <email of your GitHub account>\"` (older commits: `git rebase -i`), then `git push --force-with-lease`"
		}
		if coAuthors {
			fix += "; or write the Co-authored-by with an email of the co-author's GitHub account (`ID+login@users.noreply.github.com` works)"
		}
		fixes = append(fixes, fix)
	}
	if len(noEmail) > 0 {
		problems = append(problems, "no email to identify "+capList(noEmail))
		fixes = append(fixes, "write each Co-authored-by as `Co-authored-by: Name <email>` and give every commit an author email (amend the commits, then `git push --force-with-lease`)")
	}
	if n := len(res.Unverified); n > 0 {
		var names []string
		for _, l := range res.Unverified {
			names = append(names, inert.Code(l)) // commit text: no mention
		}
		problems = append(problems, fmt.Sprintf("%d %s named in the commits could not be verified: the bot looks up at most %d accounts and org memberships per check (not looked up: %s)",
			n, map[bool]string{true: "identity", false: "identities"}[n == 1], res.LookupBudget, capList(names)))
		fixes = append(fixes, "name fewer distinct authors and co-authors: split the pull request, or drop the Co-authored-by trailers of people who need not be credited; "+
			"write co-authors as `ID+login@users.noreply.github.com`, which needs no lookup; a person listed who signs the CLA needs no membership lookup")
	}
	return failed(RuleCLA, r.Mode, "CLA: "+strings.Join(problems, "; "), strings.Join(fixes, "; "))
}

// agentProblems explains what the agents among the contributors need.
func agentProblems(res CLAResult) (problems, fixes []string) {
	if len(res.Agents) == 0 {
		return nil, nil
	}
	names := agentNames(res.Agents)
	switch {
	case res.AgentPolicy == policy.AgentsBlock:
		var who []string
		for _, a := range res.Agents {
			who = append(who, agentName(a.Person)) // commit text: inert
		}
		problems = append(problems, fmt.Sprintf("the policy accepts no contributions by AI agents (pull_request.cla.agents: block): %s", capList(who)))
		fixes = append(fixes, "remove the agents' commits and their Co-authored-by trailers (`git rebase -i`, then `git push --force-with-lease`), or ask the OSPO whether agents may contribute")
	case len(res.Sponsors) == 0:
		problems = append(problems, fmt.Sprintf("no human vouches for the work of %s: an agent or a bot opened the pull request and no human is among its authors or co-authors", names))
		fixes = append(fixes, "a person who takes responsibility for the agents' work opens the pull request, or adds a commit or a Co-authored-by of their own, and signs the CLA")
	default:
		var owing []string
		for _, s := range res.Sponsors {
			if slices.ContainsFunc(res.Blocking(), func(b Account) bool { return sameAccount(b, s) }) {
				owing = append(owing, atLogin(s))
			}
		}
		if len(owing) > 0 {
			their := "its"
			if strings.HasPrefix(names, "AI agents ") {
				their = "their"
			}
			problems = append(problems, fmt.Sprintf("%s cannot sign; %s vouches for %s work and must sign", names, listAnd(owing), their))
		}
	}
	return problems, fixes
}

// agentName names an agent's commit identity as code: never a mention.
func agentName(p Person) string {
	if p.Account != nil && p.Account.Login != "" {
		return inert.Code("@" + p.Account.Login)
	}
	return inert.Code(identity(p.Name, p.Email))
}

// agentNames lists the agents once each: "AI agents Claude and GitHub Copilot".
func agentNames(work []AgentWork) string {
	var names []string
	for _, w := range work {
		if !slices.Contains(names, w.Agent) {
			names = append(names, w.Agent)
		}
	}
	if len(names) == 1 {
		return "AI agent " + names[0]
	}
	return "AI agents " + capList(names)
}

func sameAccount(a, b Account) bool {
	if a.ID > 0 || b.ID > 0 {
		return a.ID == b.ID
	}
	return strings.EqualFold(a.Login, b.Login)
}

func claPassMessage(res CLAResult) string {
	msg := claPassSigners(res)
	if len(res.Agents) > 0 {
		msg += fmt.Sprintf("; the work of %s is covered by %s", agentNames(res.Agents), listAnd(atLogins(res.Sponsors)))
		if res.SponsorOpened {
			msg += ", who opened the pull request"
		}
	}
	return msg
}

func claPassSigners(res CLAResult) string {
	var msg string
	switch n := len(res.Signed); {
	case n == 0 && len(res.Exempt) == 0:
		return "no one needs to sign the CLA: the pull request has no commits"
	case n == 0:
		msg = "no one needs to sign the CLA"
	case n == 1:
		msg = fmt.Sprintf("%s signed the CLA (version %s)", atLogin(res.Signed[0]), res.Version)
	default:
		msg = fmt.Sprintf("all %d contributors signed the CLA (version %s)", n, res.Version)
	}
	if len(res.Exempt) > 0 {
		var ex []string
		for _, e := range res.Exempt {
			ex = append(ex, fmt.Sprintf("%s (%s)", personName(e.Person), inert.Text(e.Reason)))
		}
		msg += "; exempt: " + capList(ex)
	}
	return msg
}

// Involved lists the GitHub accounts whose CLA signatures the rule reads:
// commit authors, co-authors GitHub can link, and the opener when asked
// or when they vouch for an AI agent's work; never the agents.
func Involved(pr *PullRequest, r policy.CLARule) []Account {
	var out []Account
	for _, p := range claParties(orEmptyPR(pr), r) {
		if p.agent == "" && p.account != nil && p.account.ID > 0 {
			out = append(out, *p.account)
		}
	}
	return out
}

// claParties lists the people who may have to sign, deduplicated, in the
// order they first appear: commit authors and their co-authors, commit
// by commit, then the opener (with include_opener, or as the human who
// vouches for an AI agent's work under the sponsor policy).
func claParties(pr *PullRequest, r policy.CLARule) []*claParty {
	ix := newIdentityIndex(pr)
	agents := agentsOf(r)
	var out []*claParty
	byKey := map[string]*claParty{}
	add := func(a *Account, name, email string, coAuthor, linked bool) {
		var key string
		switch {
		case a != nil && a.ID > 0:
			key = fmt.Sprintf("id:%d", a.ID)
		case a != nil:
			key = "login:" + strings.ToLower(a.Login)
		case email != "":
			key = "email:" + strings.ToLower(email)
		default:
			key = "name:" + name
		}
		p := byKey[key]
		if p == nil {
			p = &claParty{account: a, name: name, email: email, coAuthor: coAuthor}
			byKey[key] = p
			out = append(out, p)
		}
		if p.agent == "" {
			p.agent = agents.match(a, email)
		}
		p.coAuthor = p.coAuthor && coAuthor
		p.gitHubBot = p.gitHubBot || linked && a != nil && isBot(*a)
		p.claimsBot = p.claimsBot || a != nil && (isBot(*a) || strings.HasSuffix(strings.ToLower(a.Login), "[bot]")) ||
			strings.HasSuffix(strings.ToLower(strings.TrimSpace(email)), "[bot]@"+noreplyDomain)
		if e := strings.ToLower(strings.TrimSpace(email)); e != "" && !slices.Contains(p.emails, e) {
			p.emails = append(p.emails, e)
		}
	}
	for _, c := range pr.Commits {
		linked := c.Author.Account != nil && (c.Author.Account.ID > 0 || c.Author.Account.Login != "")
		a := ix.resolve(c.Author.Account, c.Author.Email)
		add(a, c.Author.Name, c.Author.Email, false, linked)
		for _, t := range Trailers(c.Message) {
			if !t.Is(KeyCoAuthoredBy) {
				continue
			}
			name, email, ok := ParsePerson(t.Value)
			if !ok {
				add(nil, t.Value, "", true, false)
				continue
			}
			add(ix.resolve(nil, email), name, email, true, false)
		}
	}
	// The human opener vouches for AI agents (under sponsor) and for bots
	// that only commit text claims.
	sponsor := agents.isHuman(pr.Opener) &&
		(agentPolicy(r) == policy.AgentsSponsor && slices.ContainsFunc(out, func(p *claParty) bool { return p.agent != "" }) ||
			r.Allow.BotsAllowed() && slices.ContainsFunc(out, (*claParty).textBot))
	if (r.IncludeOpener || sponsor) && (pr.Opener.ID > 0 || pr.Opener.Login != "") {
		o := pr.Opener
		add(ix.resolve(&o, ""), o.Login, "", false, true)
	}
	return out
}

// identityIndex links emails and logins to the accounts known in a pull
// request.
type identityIndex struct {
	byID    map[int64]*Account
	byLogin map[string]*Account // lower-case login → an account with an ID
	byEmail map[string]*Account // lower-case email of a linked commit author
}

func newIdentityIndex(pr *PullRequest) *identityIndex {
	ix := &identityIndex{byID: map[int64]*Account{}, byLogin: map[string]*Account{}, byEmail: map[string]*Account{}}
	know := func(a *Account) {
		if a == nil || a.ID <= 0 {
			return
		}
		have := ix.byID[a.ID]
		if have != nil && !a.FromText {
			have.FromText = false // GitHub linked it: it may be mentioned
		}
		if have == nil || have.Type == "" && a.Type != "" {
			c := *a
			c.FromText = a.FromText && (have == nil || have.FromText)
			ix.byID[a.ID] = &c
			if a.Login != "" {
				ix.byLogin[strings.ToLower(a.Login)] = &c
			}
		}
	}
	for _, c := range pr.Commits {
		know(c.Author.Account)
		know(c.Committer.Account)
	}
	o := pr.Opener
	know(&o)
	for _, c := range pr.Commits {
		for _, t := range Trailers(c.Message) {
			if t.Is(KeyCoAuthoredBy) {
				if _, email, ok := ParsePerson(t.Value); ok {
					if a, ok := noreplyAccount(email); ok && a.ID > 0 {
						know(&a)
					}
				}
			}
		}
	}
	for _, a := range pr.Users {
		a.FromText = true // GitHub gave the account of a login the text names
		know(&a)
	}
	for _, c := range pr.Commits {
		if a := c.Author.Account; a != nil && (a.ID > 0 || a.Login != "") {
			if e := strings.ToLower(strings.TrimSpace(c.Author.Email)); e != "" && ix.byEmail[e] == nil {
				ix.byEmail[e] = ix.canonical(a)
			}
		}
	}
	return ix
}

// canonical returns the best-known copy of an account: the one with an ID
// for a login-only account seen elsewhere in the pull request.
func (ix *identityIndex) canonical(a *Account) *Account {
	if a.ID > 0 {
		if k := ix.byID[a.ID]; k != nil {
			return k
		}
		return a
	}
	if a.Login == "" {
		return nil
	}
	if k := ix.byLogin[strings.ToLower(a.Login)]; k != nil {
		return k
	}
	c := *a
	return &c
}

// resolve finds the account of a person: the one GitHub linked, else one
// their email names (a noreply address) or shares with a linked commit
// author of the pull request. Nil: unlinked.
func (ix *identityIndex) resolve(linked *Account, email string) *Account {
	if linked != nil && (linked.ID > 0 || linked.Login != "") {
		return ix.canonical(linked)
	}
	email = strings.TrimSpace(email)
	if a, ok := noreplyAccount(email); ok {
		if a.ID == 0 {
			// login@…: the account of that login, as the pull request or
			// GitHub (pr.Users) knows it; else the address is unlinked.
			return ix.byLogin[strings.ToLower(a.Login)]
		}
		return ix.canonical(&a)
	}
	if a := ix.byEmail[strings.ToLower(email)]; a != nil && email != "" {
		return a
	}
	return nil
}

// NoreplyLogins lists, lower case and once each, the logins of old-style
// noreply addresses (login@users.noreply.github.com) of the pull request's
// co-authors and unlinked commit authors that no account in the pull
// request has: the gather stage looks them up (pr.Users).
func NoreplyLogins(pr *PullRequest) []string {
	if pr == nil {
		return nil
	}
	ix := newIdentityIndex(pr)
	var out []string
	need := func(email string) {
		a, ok := noreplyAccount(strings.TrimSpace(email))
		if l := strings.ToLower(a.Login); ok && a.ID == 0 && ix.byLogin[l] == nil && !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	for _, c := range pr.Commits {
		if a := c.Author.Account; a == nil || a.ID <= 0 && a.Login == "" {
			need(c.Author.Email)
		}
		for _, t := range Trailers(c.Message) {
			if _, email, ok := ParsePerson(t.Value); ok && t.Is(KeyCoAuthoredBy) {
				need(email)
			}
		}
	}
	return out
}

// exemption says why a person need not sign, or "".
func exemption(pr *PullRequest, allow policy.CLAAllow, p *claParty) string {
	if a := p.account; a != nil {
		if allow.BotsAllowed() && p.gitHubBot {
			return "bot"
		}
		for _, pattern := range allow.Users {
			if matchLogin(pattern, a.Login) {
				return "allow.users " + pattern
			}
		}
		for _, org := range allow.Orgs {
			if isOrgMember(pr, org, a.Login) {
				return "member of " + org
			}
		}
	}
	if d := allowedDomain(allow.EmailDomains, p.emails); d != "" {
		return "email domain " + d
	}
	return ""
}

// isBot: an account GitHub gave with type Bot. A "[bot]" login or email
// in commit text is a claim anyone can write, not a bot.
func isBot(a Account) bool {
	return strings.EqualFold(a.Type, "Bot")
}

// notLookedUp: email is the old-style noreply address of a login the
// gather stage did not look up.
func notLookedUp(unverified []string, email string) bool {
	a, ok := noreplyAccount(strings.TrimSpace(email))
	return ok && a.ID == 0 && slices.Contains(unverified, strings.ToLower(a.Login))
}

func isOrgMember(pr *PullRequest, org, login string) bool {
	if login == "" {
		return false
	}
	for o, members := range pr.OrgMembers {
		if strings.EqualFold(o, org) && slices.ContainsFunc(members, func(m string) bool { return strings.EqualFold(m, login) }) {
			return true
		}
	}
	return false
}

// allowedDomain returns the allow-listed domain that covers every one of
// emails (at least one), or "": someone who also commits with another
// email must sign.
func allowedDomain(domains, emails []string) string {
	if len(emails) == 0 || len(domains) == 0 {
		return ""
	}
	found := ""
	for _, e := range emails {
		d := domainIn(domains, e)
		if d == "" {
			return ""
		}
		if found == "" {
			found = d
		}
	}
	return found
}

// domainIn returns the entry of domains that email's domain is, or is a
// subdomain of (ignoring case), or "".
func domainIn(domains []string, email string) string {
	at := strings.LastIndexByte(email, '@')
	if at < 0 {
		return ""
	}
	host := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(email[at+1:])), ".")
	for _, d := range domains {
		ld := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(d)), ".")
		if ld != "" && (host == ld || strings.HasSuffix(host, "."+ld)) {
			return d
		}
	}
	return ""
}

// matchLogin matches a login against an allow.users entry: * stands for
// any characters (none included), everything else is literal; the whole
// login must match, ignoring case.
func matchLogin(pattern, login string) bool {
	if login == "" {
		return false
	}
	p, s := strings.ToLower(strings.TrimSpace(pattern)), strings.ToLower(login)
	// Greedy matching with backtracking to the last star: linear enough
	// for logins.
	pi, si, star, mark := 0, 0, -1, 0
	for si < len(s) {
		switch {
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, si
			pi++
		case pi < len(p) && p[pi] == s[si]:
			pi++
			si++
		case star >= 0:
			pi, mark = star+1, mark+1
			si = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

// signatureOf finds an account's signature: by user ID, or for an
// account known only by login, by the login it was signed with.
func signatureOf(pr *PullRequest, a Account) (Signature, bool) {
	if a.ID > 0 {
		s, ok := pr.Signatures[a.ID]
		return s, ok
	}
	var found Signature
	ok := false
	for _, s := range pr.Signatures {
		// Deterministic when several match: the lowest user ID.
		if a.Login != "" && strings.EqualFold(s.Login, a.Login) && (!ok || s.UserID < found.UserID) {
			found, ok = s, true
		}
	}
	return found, ok
}

func claVersion(r policy.CLARule) string {
	if v := strings.TrimSpace(r.Version); v != "" {
		return v
	}
	return policy.DefaultCLAVersion
}

func claPhrase(r policy.CLARule) string {
	if strings.TrimSpace(r.Phrase) != "" {
		return r.Phrase
	}
	return policy.DefaultCLAPhrase
}

func orUnknown(v string) string {
	if strings.TrimSpace(v) == "" {
		return "(unknown)"
	}
	return v
}

var claEntry = Rule{
	ID: RuleCLA, Scope: PullRequestScope, Section: "pull_request.cla",
	Anchor:  "pull_requestcla--a-signed-contributor-license-agreement",
	Summary: "every commit author and co-author has signed the CLA",
	Mode:    func(p *policy.Policy) policy.Mode { return p.PullRequest.CLA.Mode },
	Needs:   Needs{Commits: true, Signatures: true},
	Check:   func(in Input) Finding { return CLA(in.PR, in.Policy.PullRequest.CLA) },
}
