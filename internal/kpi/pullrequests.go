package kpi

import (
	"slices"
	"strings"
	"time"
)

// PullRequest is a pull request's facts, as migration 011's
// pull_request_facts records them (zero times: not yet).
type PullRequest struct {
	Author, AuthorAssociation    string
	AuthorBot                    bool
	OpenedAt                     time.Time
	FirstResponseAt              time.Time
	FirstResponder               string
	ClosedAt                     time.Time // the last close; a reopen cleared the earlier one
	Merged                       bool
	CLABlockedAt, CLAUnblockedAt time.Time
}

// IsBot reports whether a login is a GitHub App's (login ending "[bot]"),
// or flagged so.
func IsBot(login string, flagged bool) bool {
	return flagged || strings.HasSuffix(strings.ToLower(login), "[bot]")
}

// IsMember reports whether GitHub's author_association makes the author a
// member of the org: OWNER, MEMBER or COLLABORATOR.
func IsMember(association string) bool {
	switch strings.ToUpper(association) {
	case "OWNER", "MEMBER", "COLLABORATOR":
		return true
	}
	return false
}

// PullRequests accumulates the pull request KPIs of [Since, Until), one
// pull request at a time, so a million rows need not be held. Pull requests
// opened by bots are left out of every one of them: they measure people.
type PullRequests struct {
	Since, Until time.Time

	opened, closed, external, member, blocked int
	response, close, unblock                  []time.Duration
}

// Add counts one pull request.
func (p *PullRequests) Add(pr PullRequest) {
	if IsBot(pr.Author, pr.AuthorBot) {
		return
	}
	if in(pr.OpenedAt, p.Since, p.Until) {
		p.opened++
		if IsMember(pr.AuthorAssociation) {
			p.member++
		} else {
			p.external++
		}
		// A response by the author or by a bot is no response.
		if in(pr.FirstResponseAt, p.Since, p.Until) && !IsBot(pr.FirstResponder, false) &&
			!strings.EqualFold(pr.FirstResponder, pr.Author) {
			p.response = append(p.response, pr.FirstResponseAt.Sub(pr.OpenedAt))
		}
	}
	if in(pr.ClosedAt, p.Since, p.Until) {
		p.closed++
		p.close = append(p.close, pr.ClosedAt.Sub(pr.OpenedAt))
	}
	if in(pr.CLABlockedAt, p.Since, p.Until) {
		p.blocked++
		if !pr.CLAUnblockedAt.IsZero() && pr.CLAUnblockedAt.Before(p.Until) {
			p.unblock = append(p.unblock, pr.CLAUnblockedAt.Sub(pr.CLABlockedAt))
		}
	}
}

// Summarise writes the pull request KPIs into s.
func (p *PullRequests) Summarise(s *Summary) {
	s.TimeToFirstResponse = Of(p.response)
	s.TimeToClose = Of(p.close)
	s.ChangeRequestClosure = Ratio{Num: p.closed, Den: p.opened}
	s.ExternalContributions, s.MemberContributions = p.external, p.member
	s.CLABlockedPRs = p.blocked
	s.CLATimeToUnblock = Of(p.unblock)
}

// AuthorFirst is when an author opened their first pull request in the org.
type AuthorFirst struct {
	Author string
	Bot    bool
	First  time.Time
}

// FirstTimeContributors counts the authors, bots aside, whose first pull
// request in the org was opened in [since, until).
func FirstTimeContributors(fs []AuthorFirst, since, until time.Time) int {
	n := 0
	for _, f := range fs {
		if !IsBot(f.Author, f.Bot) && in(f.First, since, until) {
			n++
		}
	}
	return n
}

// AuthorCount is how many pull requests an author merged in a repository
// within the absence factor's window.
type AuthorCount struct {
	Repository, Author string
	Bot                bool
	Merged             int
}

// AbsenceWindow is the window the Contributor Absence Factor looks back.
const AbsenceWindow = 90 * 24 * time.Hour

// AbsenceFactors computes each repository's Contributor Absence Factor
// (CHAOSS): the fewest contributors whose merged pull requests make up at
// least half of the repository's merged pull requests in the window, bots
// aside. Repositories without a merged pull request have none. The result
// is ordered by factor, then repository: the most at risk first.
func AbsenceFactors(cs []AuthorCount) []RepositoryFactor {
	by := map[string][]int{}
	for _, c := range cs {
		if c.Merged > 0 && !IsBot(c.Author, c.Bot) {
			by[c.Repository] = append(by[c.Repository], c.Merged)
		}
	}
	out := make([]RepositoryFactor, 0, len(by))
	for repo, counts := range by {
		slices.SortFunc(counts, func(a, b int) int { return b - a })
		total := 0
		for _, n := range counts {
			total += n
		}
		f, sum := 0, 0
		for sum*2 < total {
			sum += counts[f]
			f++
		}
		out = append(out, RepositoryFactor{Repository: repo, Factor: f, Contributors: len(counts), Merged: total})
	}
	slices.SortFunc(out, func(a, b RepositoryFactor) int {
		if a.Factor != b.Factor {
			return a.Factor - b.Factor
		}
		return strings.Compare(a.Repository, b.Repository)
	})
	return out
}
