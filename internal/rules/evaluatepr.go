package rules

import (
	"fmt"
	"strings"

	"github.com/ospo-bot/ospo-bot/internal/inert"
	"github.com/ospo-bot/ospo-bot/internal/policy"
)

// EvaluatePullRequest runs every pull request rule, in registry order
// (PullRequestIDs). approvers are who may approve changes to protected
// paths ("@org/team-slug" or logins, as review.approvers; empty: the org's
// owners). A nil pull request is an empty one whose commits were not read.
func EvaluatePullRequest(pr *PullRequest, p policy.PullRequestRules, approvers []string) []Finding {
	pol := &policy.Policy{PullRequest: p, Review: policy.Review{Approvers: approvers}}
	return evaluate(PullRequestScope, Input{PR: orEmptyPR(pr), Policy: pol})
}

// orEmptyPR lets the rules accept a nil pull request.
func orEmptyPR(pr *PullRequest) *PullRequest {
	if pr == nil {
		return &PullRequest{}
	}
	return pr
}

// commitCount is the number of commits in the pull request: GitHub's
// count, or the commits read when it is larger or unknown.
func commitCount(pr *PullRequest) int { return max(pr.CommitCount, len(pr.Commits)) }

// incompleteCommits is the message of a rule that fails closed.
func incompleteCommits(n int) string {
	if n <= 0 {
		return "could not read the pull request's commits; not passing on a partial list"
	}
	return fmt.Sprintf("could not read all %s; not passing on a partial list", plural(n, "commit"))
}

// maxListed is how many names or commits a message lists before "and N
// more": a message stays one readable line.
const maxListed = 20

// capList joins items as "a, b and c", at most maxListed of them.
func capList(items []string) string {
	if len(items) <= maxListed {
		return listAnd(items)
	}
	return strings.Join(items[:maxListed], ", ") + fmt.Sprintf(" and %d more", len(items)-maxListed)
}

// atLogin names an account in Markdown: a mention of an account GitHub
// linked, "@login" as code for one only commit text names (see
// Account.FromText), or "user 123" without a login.
func atLogin(a Account) string {
	switch {
	case a.Login == "":
		return fmt.Sprintf("user %d", a.ID)
	case a.FromText:
		return inert.Code("@" + a.Login)
	}
	return inert.Mention(a.Login)
}

func atLogins(as []Account) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = atLogin(a)
	}
	return out
}

// personName names a person: their account, or "Name <email>".
func personName(p Person) string {
	if p.Account != nil {
		return atLogin(*p.Account)
	}
	return inert.Code(identity(p.Name, p.Email))
}

// identity is "Name <email>" as git writes it.
func identity(name, email string) string {
	name = strings.TrimSpace(name)
	if name == "" {
		return "<" + email + ">"
	}
	return name + " <" + email + ">"
}
