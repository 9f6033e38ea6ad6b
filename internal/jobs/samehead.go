package jobs

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/go-github/v66/github"
	"github.com/rs/zerolog"

	"github.com/ospo-bot/ospo-bot/internal/inert"
	"github.com/ospo-bot/ospo-bot/internal/policy"
	"github.com/ospo-bot/ospo-bot/internal/rules"
	"github.com/ospo-bot/ospo-bot/internal/store"
)

// ruleSameHead names the findings about other pull requests at the head.
const ruleSameHead = "same-head"

// sameHeadFindings fails a pull request's check for the other open pull
// requests of the repository with the same head commit whose own check
// fails (a neutral one warns). GitHub shows one ospo/policy per commit,
// the newest check run of that name, and a ruleset requiring the check
// reads the commit ("all required checks must pass against the latest
// commit SHA", https://docs.github.com/en/pull-requests/collaborating-with-pull-requests/collaborating-on-repositories-with-code-quality-features/troubleshooting-required-status-checks):
// were each run to hold its own pull request's result
// alone, re-checking a passing one (into another base branch, from a fork)
// would let a failing one merge. So every run holds the worst of them.
//
// It reads the results recorded for the others, their own conclusions
// (without these findings: else two would hold each other failing for
// good). When one's own conclusion at the head changes, the others need
// no re-check: that one's new run is the newest on the head and holds
// theirs. A result whose pull request GitHub no longer has open at the
// head (closed, its closed webhook lost or not yet handled; pushed to) is
// left out.
func (c *checker) sameHeadFindings(ctx context.Context, client *github.Client, ref store.PullRequestRef, sha string) ([]rules.Finding, error) {
	at, err := c.deps.Store.PullRequestsAt(ctx, ref.Repository, sha)
	if err != nil {
		return nil, fmt.Errorf("read the results at %s: %w", sha, err)
	}
	owner, name, _ := strings.Cut(ref.Repository, "/")
	var findings []rules.Finding
	for _, r := range at {
		if r.Number == ref.Number || r.Conclusion == "success" {
			continue
		}
		pr, _, err := client.PullRequests.Get(ctx, owner, name, r.Number)
		if err != nil {
			return nil, fmt.Errorf("read %s#%d, at the same head: %w", ref.Repository, r.Number, err)
		}
		if pr.GetState() != "open" || pr.GetHead().GetSHA() != sha {
			zerolog.Ctx(ctx).Info().Int("other_pr", r.Number).Str("state", pr.GetState()).Msg("a result at the same head no longer counts")
			continue
		}
		f := rules.Finding{Rule: ruleSameHead, Mode: policy.Enforce, Result: rules.Fail,
			Message:     fmt.Sprintf("#%d (into %s) has this head commit and fails ospo/policy", r.Number, inert.Code(pr.GetBase().GetRef())),
			Remediation: fmt.Sprintf("GitHub shows one ospo/policy per commit: fix #%d or close it", r.Number)}
		if r.Conclusion == "neutral" {
			f.Mode = policy.Warn
			f.Message = fmt.Sprintf("#%d (into %s) has this head commit and has ospo/policy warnings", r.Number, inert.Code(pr.GetBase().GetRef()))
		}
		findings = append(findings, f)
	}
	return findings, nil
}

// leaseHead serialises, across replicas, the checks of the pull requests
// of a repository at one head commit, from their runs' creation to their
// completion: the one whose run is created later, the newest on the head,
// then reads the result of the earlier one (recorded before the others
// are read, see checkPullRequest). It takes the pull request's lease,
// then the head's; while another job holds either, it returns
// errLeaseHeld, which snoozes the job.
func (c *checker) leaseHead(ctx context.Context, pr *github.PullRequest) (release func(), err error) {
	base := pr.GetBase().GetRepo()
	repo := base.GetOwner().GetLogin() + "/" + base.GetName()
	releasePR, err := c.leaseInJob(ctx, fmt.Sprintf("pull request %s#%d", repo, pr.GetNumber()))
	if err != nil {
		return nil, err
	}
	releaseHead, err := c.leaseInJob(ctx, "head "+repo+"@"+pr.GetHead().GetSHA())
	if err != nil {
		releasePR()
		return nil, err
	}
	return func() { releaseHead(); releasePR() }, nil
}
