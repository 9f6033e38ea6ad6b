package rules

import (
	"fmt"
	"strings"

	"github.com/ospo-bot/ospo-bot/internal/policy"
)

// DCOResult is the sign-off state of a pull request's commits.
type DCOResult struct {
	// Checked is the number of commits checked: not merges, not by bots.
	Checked int
	// Merges and Bots are the commits skipped.
	Merges, Bots int
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
// Commits by bots (an author account of type Bot, a login or a noreply
// email ending in [bot]) are skipped.
func DCOStatus(pr *PullRequest) DCOResult {
	pr = orEmptyPR(pr)
	res := DCOResult{Complete: pr.CommitsComplete, Commits: commitCount(pr)}
	for _, c := range pr.Commits {
		switch {
		case c.Parents >= 2:
			res.Merges++
			continue
		case isBotAuthor(c.Author):
			res.Bots++
			continue
		}
		res.Checked++
		if reason := signOffProblem(c); reason != "" {
			res.Problems = append(res.Problems, DCOProblem{SHA: c.SHA, Author: identity(c.Author.Name, c.Author.Email), Reason: reason})
		}
	}
	return res
}

// DCO checks that every non-merge commit is signed off (see DCOStatus).
// It fails closed when the commits could not all be read.
func DCO(pr *PullRequest, r policy.DCORule) Finding {
	if !active(r.Mode) {
		return skipped(RuleDCO, r.Mode)
	}
	res := DCOStatus(pr)
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
		if skipped := skippedCommits(res); skipped != "" {
			msg += " (" + skipped + " skipped)"
		}
		return passed(RuleDCO, r.Mode, msg)
	}
	var listed []string
	for i, p := range res.Problems {
		if i == maxListed {
			listed = append(listed, fmt.Sprintf("and %d more", len(res.Problems)-i))
			break
		}
		listed = append(listed, fmt.Sprintf("%s by %s: %s", shortSHA(p.SHA), p.Author, p.Reason))
	}
	msg := fmt.Sprintf("%d of %s not signed off (DCO): %s", len(res.Problems), plural(res.Checked, "commit"), strings.Join(listed, "; "))
	n := max(res.Commits, 1)
	fix := fmt.Sprintf("sign off every commit: `git rebase HEAD~%d --signoff`, then `git push --force-with-lease` "+
		"(the sign-off uses your git user.name and user.email, which must be the commit's author or committer)", n)
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
		return fmt.Sprintf("Signed-off-by %q is not Name <email>", offs[0].Value)
	}
	msg := fmt.Sprintf("Signed-off-by %s does not match the author %s", identity(name, email), identity(c.Author.Name, c.Author.Email))
	if !samePersonAs(c.Author, c.Committer) && c.Committer.Email != "" {
		msg += " or the committer " + identity(c.Committer.Name, c.Committer.Email)
	}
	return msg
}

// samePerson: the email ignoring case, the name exactly, both trimmed.
func samePerson(name, email string, p Person) bool {
	return strings.TrimSpace(p.Email) != "" && strings.EqualFold(strings.TrimSpace(email), strings.TrimSpace(p.Email)) &&
		strings.TrimSpace(name) == strings.TrimSpace(p.Name)
}

func samePersonAs(a, b Person) bool { return samePerson(a.Name, a.Email, b) }

// isBotAuthor: the author's account is a bot, or their email is a bot's
// noreply address (ID+name[bot]@users.noreply.github.com).
func isBotAuthor(p Person) bool {
	if p.Account != nil && isBot(*p.Account) {
		return true
	}
	return strings.HasSuffix(strings.ToLower(strings.TrimSpace(p.Email)), "[bot]@"+noreplyDomain)
}

func skippedCommits(res DCOResult) string {
	var parts []string
	if res.Merges > 0 {
		parts = append(parts, plural(res.Merges, "merge commit"))
	}
	if res.Bots > 0 {
		parts = append(parts, plural(res.Bots, "bot commit"))
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
