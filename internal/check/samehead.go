package check

import (
	"context"
	"fmt"

	"github.com/google/go-github/v66/github"
	"github.com/rs/zerolog"

	"github.com/ospo-bot/ospo-bot/internal/inert"
	"github.com/ospo-bot/ospo-bot/internal/policy"
	"github.com/ospo-bot/ospo-bot/internal/rules"
	"github.com/ospo-bot/ospo-bot/internal/store"
)

// ruleSameHead names the findings about other pull requests at the head.
const ruleSameHead = "same-head"

// GitHub shows one ospo/policy per commit, the newest check run of that
// name, and a ruleset requiring the check reads the commit ("all required
// checks must pass against the latest commit SHA",
// https://docs.github.com/en/pull-requests/collaborating-with-pull-requests/collaborating-on-repositories-with-code-quality-features/troubleshooting-required-status-checks):
// were each run to hold its own pull request's result alone, re-checking
// a passing one (into another base branch, from a fork) would let a
// failing one merge. So every run holds the worst of them: a pull
// request's check fails for the other open pull requests of the
// repository with the same head commit whose own check fails (a neutral
// one warns).
//
// It reads the results recorded for the others, their own conclusions
// (without these findings: else two would hold each other failing for
// good). When one's own conclusion at the head changes, the others need
// no re-check: that one's new run is the newest on the head and holds
// theirs. A result whose pull request GitHub no longer has open at the
// head (closed, its closed webhook lost or not yet handled; pushed to) is
// left out. The pull request's own result is recorded before the others'
// are read, so that of two checked one after the other (the caller
// serialises them from their runs' creation to their completion) the
// later one, whose run is the newest on the head, reads the earlier one's.

// sameHead is another open pull request at the head whose own check did
// not pass.
type sameHead struct {
	number     int
	conclusion string
	baseRef    string
}

// storeResult is a pull request's own result at its head, as recorded.
func storeResult(pr PullRequest, conclusion string) store.PullRequestResult {
	return store.PullRequestResult{PullRequestRef: pr.Ref(), HeadSHA: pr.HeadSHA, BaseRef: pr.BaseRef, Conclusion: conclusion}
}

// gatherSameHead reads the results recorded at the pull request's head
// for the others, and asks GitHub whether those that did not pass are
// still open there.
func (c *Checker) gatherSameHead(ctx context.Context, client *github.Client, pr PullRequest) ([]sameHead, error) {
	at, err := c.Store.PullRequestsAt(ctx, pr.Repository(), pr.HeadSHA)
	if err != nil {
		return nil, fmt.Errorf("read the results at %s: %w", pr.HeadSHA, err)
	}
	var others []sameHead
	for _, r := range at {
		if r.Number == pr.Number || r.Conclusion == "success" {
			continue
		}
		o, _, err := client.PullRequests.Get(ctx, pr.Owner, pr.Name, r.Number)
		if err != nil {
			return nil, fmt.Errorf("read %s#%d, at the same head: %w", pr.Repository(), r.Number, err)
		}
		if o.GetState() != "open" || o.GetHead().GetSHA() != pr.HeadSHA {
			zerolog.Ctx(ctx).Info().Int("other_pr", r.Number).Str("state", o.GetState()).Msg("a result at the same head no longer counts")
			continue
		}
		others = append(others, sameHead{number: r.Number, conclusion: r.Conclusion, baseRef: o.GetBase().GetRef()})
	}
	return others, nil
}

// sameHeadFindings fails (or, for a neutral one, warns) for each other.
func sameHeadFindings(others []sameHead) []rules.Finding {
	var findings []rules.Finding
	for _, o := range others {
		f := rules.Finding{Rule: ruleSameHead, Mode: policy.Enforce, Result: rules.Fail,
			Message:     fmt.Sprintf("#%d (into %s) has this head commit and fails ospo/policy", o.number, inert.Code(o.baseRef)),
			Remediation: fmt.Sprintf("GitHub shows one ospo/policy per commit: fix #%d or close it", o.number)}
		if o.conclusion == "neutral" {
			f.Mode = policy.Warn
			f.Message = fmt.Sprintf("#%d (into %s) has this head commit and has ospo/policy warnings", o.number, inert.Code(o.baseRef))
		}
		findings = append(findings, f)
	}
	return findings
}
