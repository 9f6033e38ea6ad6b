package check

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/go-github/v66/github"
	"github.com/rs/zerolog"

	"github.com/ospo-bot/ospo-bot/internal/logging"
	"github.com/ospo-bot/ospo-bot/internal/policy"
	"github.com/ospo-bot/ospo-bot/internal/prcheck"
	"github.com/ospo-bot/ospo-bot/internal/rules"
	"github.com/ospo-bot/ospo-bot/internal/snapshot"
	"github.com/ospo-bot/ospo-bot/internal/store"
)

// MergeGroup is the merge queue's group a check is about, as its
// merge_group webhook names it
// (https://docs.github.com/en/webhooks/webhook-events-and-payloads#merge_group).
type MergeGroup struct {
	InstallationID int64
	Owner, Name    string
	// HTMLURL is the repository's page.
	HTMLURL          string
	HeadRef, HeadSHA string
	BaseRef, BaseSHA string
}

// Repository is the repository's owner/name.
func (g MergeGroup) Repository() string { return g.Owner + "/" + g.Name }

// webFlow is the account GitHub commits merge-queue merges as.
const webFlow = "web-flow"

// MergeGroup reports ospo/policy on a merge queue's group, on its head
// commit, so that a ruleset can require the check with a merge queue.
//
// The group passes when every pull request in it passed at the head it
// was queued with: each of the group's commits is then one of those pull
// requests' commits, or a merge commit GitHub made. Otherwise (squashed or
// rebased groups, a pull request the bot has not passed) the CLA and DCO
// rules read the group's new commits, base_sha...head_sha.
//
// Nothing is recorded: the check run on the group's head is all a merge
// group leaves, and a retry finds it (prcheck.ReportMergeGroup).
func (c *Checker) MergeGroup(ctx context.Context, client *github.Client, g MergeGroup) error {
	logger := zerolog.Ctx(ctx).With().Str(logging.FieldRepository, g.Repository()).Str("merge_group", g.HeadRef).Str("head_sha", g.HeadSHA).Logger()
	ctx = logger.WithContext(ctx)
	// One check of a group at a time: two deliveries of it (a redelivery
	// under a new ID, two replicas) would otherwise each find no run and
	// create one.
	release, err := c.lease(ctx, "merge group "+g.Repository()+"@"+g.HeadSHA)
	if err != nil {
		return err
	}
	defer release()
	in, err := c.gatherMergeGroup(ctx, client, g)
	if err != nil {
		return err
	}
	findings := evaluateMergeGroup(g, in)
	return c.actMergeGroup(ctx, client, g, in, findings)
}

// mergeGroupInput is what a merge group check gathered.
type mergeGroupInput struct {
	gathered
	web   string // GitHub's web root
	group *snapshot.MergeGroup
	// passed are the pull requests that account for every commit of the
	// group; none when the group's own commits are checked (and the CLA's
	// data gathered for them, under cla).
	passed []store.PullRequestResult
	cla    policy.CLARule
}

func (c *Checker) gatherMergeGroup(ctx context.Context, client *github.Client, g MergeGroup) (*mergeGroupInput, error) {
	pol, err := gatherPolicy(ctx, client, g.Owner, g.Name, "")
	in := &mergeGroupInput{gathered: pol, web: WebBase(g.HTMLURL)}
	if err != nil || pol.orgInvalid != nil {
		return in, err
	}
	if in.group, err = snapshot.GroupCommits(ctx, client, g.Owner, g.Name, g.BaseSHA, g.HeadSHA); err != nil {
		return nil, err
	}
	baseRef := strings.TrimPrefix(g.BaseRef, "refs/heads/")
	if in.group.Snapshot.CommitsComplete {
		results, err := c.gatherGroupResults(ctx, g, in.group)
		if err != nil {
			return nil, err
		}
		var failed *store.PullRequestResult
		in.passed, failed = passedPullRequests(baseRef, in.group, results)
		if failed != nil {
			zerolog.Ctx(ctx).Info().Int("number", failed.Number).Str("conclusion", failed.Conclusion).Msg("a queued pull request did not pass at its head; checking the group's commits")
		}
	}
	if len(in.passed) > 0 {
		return in, nil
	}
	in.cla = pol.eff.Policy.PullRequest.CLA
	in.cla.IncludeOpener = false // a merge group has no opener; its commits name everyone
	if in.cla.Mode.On() {
		if err := c.GatherCLA(ctx, client, g.InstallationID, g.Owner, in.group.Snapshot, in.cla); err != nil {
			return nil, err
		}
	}
	return in, nil
}

// gatherGroupResults reads the pull requests' own results recorded at
// each commit of the group (Results), by commit.
func (c *Checker) gatherGroupResults(ctx context.Context, g MergeGroup, group *snapshot.MergeGroup) (map[string][]store.PullRequestResult, error) {
	results := map[string][]store.PullRequestResult{}
	for _, cm := range group.Raw {
		at, err := c.Results.PullRequestsAt(ctx, g.Repository(), cm.GetSHA())
		if err != nil {
			return nil, err
		}
		results[cm.GetSHA()] = at
	}
	return results, nil
}

// evaluateMergeGroup is pure: the group passes for the pull requests that
// passed, or the CLA and DCO rules decide over its commits.
func evaluateMergeGroup(g MergeGroup, in *mergeGroupInput) []rules.Finding {
	if in.orgInvalid != nil {
		return []rules.Finding{invalidPolicyFinding(g.Owner, in.orgInvalid)}
	}
	var findings []rules.Finding
	if len(in.passed) > 0 {
		for _, r := range in.passed {
			findings = append(findings, rules.Finding{Rule: "pull-requests", Mode: policy.Enforce, Result: rules.Pass,
				Message: fmt.Sprintf("#%d passed ospo/policy at %s, the head it was queued with", r.Number, short(r.HeadSHA))})
		}
	} else {
		snap := in.group.Snapshot
		findings = []rules.Finding{rules.CLA(snap, in.cla), rules.DCO(snap, in.eff.Policy.PullRequest.DCO, in.cla)}
		for i := range findings {
			findings[i].PolicyURL = in.eff.RuleURL(in.web, findings[i].Rule)
		}
	}
	if in.override != nil {
		findings = append(findings, OverrideFinding(in.override))
	}
	return findings
}

// passedPullRequests returns the pull requests a merge group holds when
// each passed ospo/policy at the head it was queued with and every commit
// of the group is accounted for: a commit of one of them (reachable from
// its head within the group) or a merge commit GitHub made for the queue
// (on the group's first-parent chain, committed by web-flow). It returns
// none when any commit is not, so that the group's commits are checked,
// and the first result that did not pass, if one is why. Only results of
// pull requests into the group's base branch count: a result checked
// against another branch covers only the head's commits not on that
// branch, fewer than the group holds. results are those recorded at each
// of the group's commits, whose list is complete.
func passedPullRequests(baseRef string, group *snapshot.MergeGroup, results map[string][]store.PullRequestResult) (passed []store.PullRequestResult, failed *store.PullRequestResult) {
	byID := map[string]*github.RepositoryCommit{}
	for _, c := range group.Raw {
		byID[c.GetSHA()] = c
	}
	covered := map[string]bool{}
	for _, c := range group.Raw {
		for _, r := range results[c.GetSHA()] {
			if r.BaseRef != baseRef || baseRef == "" {
				continue
			}
			if !r.Passed() {
				return nil, &r
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

// actMergeGroup reports the invalid org policy, if it is, then ospo/policy
// on the group's head commit: once, found again by its external ID on a
// retry (prcheck.ReportMergeGroup).
func (c *Checker) actMergeGroup(ctx context.Context, client *github.Client, g MergeGroup, in *mergeGroupInput, findings []rules.Finding) error {
	if in.orgInvalid != nil {
		if err := c.reportPolicy(ctx, client, g.Owner, in.orgInvalid); err != nil {
			return err
		}
	}
	if err := prcheck.ReportMergeGroup(ctx, client, g.Owner, g.Name, g.HeadSHA, g.HTMLURL+"/commit/"+g.HeadSHA, findings); err != nil {
		return err
	}
	zerolog.Ctx(ctx).Info().Str("conclusion", prcheck.Conclusion(findings)).Msg("merge group checked")
	return nil
}

func short(sha string) string {
	if len(sha) > 7 {
		return sha[:7]
	}
	return sha
}
