package jobs

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/google/go-github/v66/github"
	"github.com/rs/zerolog"

	"github.com/ospo-bot/ospo-bot/internal/check"
	"github.com/ospo-bot/ospo-bot/internal/logging"
	"github.com/ospo-bot/ospo-bot/internal/policy"
	"github.com/ospo-bot/ospo-bot/internal/prcheck"
	"github.com/ospo-bot/ospo-bot/internal/rules"
	"github.com/ospo-bot/ospo-bot/internal/snapshot"
	"github.com/ospo-bot/ospo-bot/internal/store"
)

// mergeGroupEvent is what a merge_group webhook says that matters here
// (https://docs.github.com/en/webhooks/webhook-events-and-payloads#merge_group).
type mergeGroupEvent struct {
	Action     string `json:"action"`
	MergeGroup struct {
		HeadSHA string `json:"head_sha"`
		HeadRef string `json:"head_ref"`
		BaseSHA string `json:"base_sha"`
		BaseRef string `json:"base_ref"`
	} `json:"merge_group"`
	Repository struct {
		Name    string `json:"name"`
		HTMLURL string `json:"html_url"`
		Owner   struct {
			Login string `json:"login"`
		} `json:"owner"`
	} `json:"repository"`
}

// webFlow is the account GitHub commits merge-queue merges as.
const webFlow = "web-flow"

// handleMergeGroup reports ospo/policy on a merge queue's group, so that a
// ruleset can require the check with a merge queue: "checks_requested"
// asks for it on the group's head commit; "destroyed" needs nothing.
//
// The group passes when every pull request in it passed at the head it
// was queued with: each of the group's commits is then one of those pull
// requests' commits, or a merge commit GitHub made. Otherwise (squashed or
// rebased groups, a pull request the bot has not passed) the CLA and DCO
// rules read the group's new commits, base_sha...head_sha.
func (h *prHandler) handleMergeGroup(ctx context.Context, d *DeliveryArgs) error {
	ev, err := decode[mergeGroupEvent](d)
	if err != nil {
		return err
	}
	g := ev.MergeGroup
	if ev.Action != "checks_requested" || d.InstallationID == 0 || g.HeadSHA == "" || g.BaseSHA == "" {
		return nil
	}
	owner, name := ev.Repository.Owner.Login, ev.Repository.Name
	full := owner + "/" + name
	logger := zerolog.Ctx(ctx).With().Str(logging.FieldRepository, full).Str("merge_group", g.HeadRef).Str("head_sha", g.HeadSHA).Logger()
	ctx = logger.WithContext(ctx)
	client, err := h.deps.GitHub.NewInstallationClient(d.InstallationID)
	if err != nil {
		return err
	}
	findings, err := h.mergeGroupFindings(ctx, client, d.InstallationID, owner, name, check.WebBase(ev.Repository.HTMLURL), g.BaseRef, g.BaseSHA, g.HeadSHA)
	if err != nil {
		return err
	}
	if err := prcheck.ReportMergeGroup(ctx, client, owner, name, g.HeadSHA, ev.Repository.HTMLURL+"/commit/"+g.HeadSHA, findings); err != nil {
		return err
	}
	logger.Info().Str("conclusion", prcheck.Conclusion(findings)).Msg("merge group checked")
	return nil
}

func (h *prHandler) mergeGroupFindings(ctx context.Context, client *github.Client, installationID int64, owner, name, web, baseRef, base, head string) ([]rules.Finding, error) {
	eff, overrideErr, err := check.LoadPolicy(ctx, client, owner, name)
	var orgErr *policy.InvalidError
	if errors.As(err, &orgErr) && orgErr.Org {
		if err := h.checker.reportPolicy(ctx, client, owner, orgErr); err != nil {
			return nil, err
		}
		return []rules.Finding{{Rule: "policy", Mode: policy.Enforce, Result: rules.Fail,
			Message: fmt.Sprintf("the org policy %s is invalid", orgErr.Source), Remediation: "an org admin fixes it; see the issue in " + owner + "/.github"}}, nil
	}
	if err != nil {
		return nil, err
	}
	group, err := snapshot.GroupCommits(ctx, client, owner, name, base, head)
	if err != nil {
		return nil, err
	}
	var findings []rules.Finding
	if passed, err := h.passedPullRequests(ctx, owner+"/"+name, strings.TrimPrefix(baseRef, "refs/heads/"), group); err != nil {
		return nil, err
	} else if len(passed) > 0 {
		for _, r := range passed {
			findings = append(findings, rules.Finding{Rule: "pull-requests", Mode: policy.Enforce, Result: rules.Pass,
				Message: fmt.Sprintf("#%d passed ospo/policy at %s, the head it was queued with", r.Number, short(r.HeadSHA))})
		}
	} else {
		pp := eff.Policy.PullRequest
		cla := pp.CLA
		cla.IncludeOpener = false // a merge group has no opener; its commits name everyone
		snap := group.Snapshot
		if cla.Mode.On() {
			if err := h.checker.check.GatherCLA(ctx, client, installationID, owner, snap, cla); err != nil {
				return nil, err
			}
		}
		findings = []rules.Finding{rules.CLA(snap, cla), rules.DCO(snap, pp.DCO, cla)}
		for i := range findings {
			findings[i].PolicyURL = eff.RuleURL(web, findings[i].Rule)
		}
	}
	if overrideErr != nil {
		findings = append(findings, check.OverrideFinding(overrideErr))
	}
	return findings, nil
}

// passedPullRequests returns the pull requests a merge group holds when
// each passed ospo/policy at the head it was queued with and every commit
// of the group is accounted for: a commit of one of them (reachable from
// its head within the group) or a merge commit GitHub made for the queue
// (on the group's first-parent chain, committed by web-flow). It returns
// none when any commit is not, so that the group's commits are checked.
// Only results of pull requests into the group's base branch count: a
// result checked against another branch covers only the head's commits
// not on that branch, fewer than the group holds.
func (h *prHandler) passedPullRequests(ctx context.Context, repo, baseRef string, group *snapshot.MergeGroup) ([]store.PullRequestResult, error) {
	if !group.Snapshot.CommitsComplete {
		return nil, nil
	}
	byID := map[string]*github.RepositoryCommit{}
	for _, c := range group.Raw {
		byID[c.GetSHA()] = c
	}
	var passed []store.PullRequestResult
	covered := map[string]bool{}
	for _, c := range group.Raw {
		at, err := h.deps.Store.PullRequestsAt(ctx, repo, c.GetSHA())
		if err != nil {
			return nil, err
		}
		for _, r := range at {
			if r.BaseRef != baseRef || baseRef == "" {
				continue
			}
			if !r.Passed() {
				zerolog.Ctx(ctx).Info().Int("number", r.Number).Str("conclusion", r.Conclusion).Msg("a queued pull request did not pass at its head; checking the group's commits")
				return nil, nil
			}
			passed = append(passed, r)
			// Everything reachable from the head within the group is the
			// pull request's, as checked.
			stack := []string{c.GetSHA()}
			for len(stack) > 0 {
				sha := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				if covered[sha] || byID[sha] == nil {
					continue
				}
				covered[sha] = true
				for _, p := range byID[sha].Parents {
					stack = append(stack, p.GetSHA())
				}
			}
		}
	}
	// The merge commits GitHub made for the queue are the group's chain of
	// first parents from its head. Any other merge commit naming web-flow
	// as its committer proves nothing: GitHub links the committer by its
	// email, which whoever pushes a commit writes.
	spine := map[string]bool{}
	for sha := group.Snapshot.HeadSHA; byID[sha] != nil && !spine[sha]; {
		spine[sha] = true
		ps := byID[sha].Parents
		if len(ps) == 0 {
			break
		}
		sha = ps[0].GetSHA()
	}
	for _, c := range group.Raw {
		if covered[c.GetSHA()] {
			continue
		}
		if !spine[c.GetSHA()] || len(c.Parents) < 2 || !strings.EqualFold(c.GetCommitter().GetLogin(), webFlow) {
			return nil, nil // a commit no passed pull request accounts for
		}
	}
	return passed, nil
}

func short(sha string) string {
	if len(sha) > 7 {
		return sha[:7]
	}
	return sha
}
