package check

import (
	"context"

	"github.com/google/go-github/v66/github"
	"github.com/rs/zerolog"

	"github.com/ospo-bot/ospo-bot/internal/logging"
	"github.com/ospo-bot/ospo-bot/internal/policy"
	"github.com/ospo-bot/ospo-bot/internal/prcheck"
	"github.com/ospo-bot/ospo-bot/internal/rules"
	"github.com/ospo-bot/ospo-bot/internal/snapshot"
	"github.com/ospo-bot/ospo-bot/internal/store"
)

// PullRequest checks a pull request at its head commit: the check run
// goes in progress, the rules run over a fresh snapshot, the check run
// completes, the sticky comment follows, and the CLA blockers are
// recorded. The caller serialises the checks of the pull requests at one
// head commit (see samehead.go).
//
// Two orderings split stages: the check run goes in progress (act)
// before the pull request is gathered, and the pull request's own result
// is recorded before the others at its head are read (gather).
func (c *Checker) PullRequest(ctx context.Context, client *github.Client, pr PullRequest) error {
	logger := zerolog.Ctx(ctx).With().Str(logging.FieldRepository, pr.Repository()).Int(logging.FieldPR, pr.Number).Str("head_sha", pr.HeadSHA).Logger()
	ctx = logger.WithContext(ctx)
	// act, before the pull request is gathered: the run shows the check
	// under way. Every evaluation has its run, whatever the policy says,
	// so it is created while the policy is read, not after.
	var run prcheck.Run
	var runErr error
	started := make(chan struct{})
	go func() {
		defer close(started)
		run, runErr = c.Reporter.Start(ctx, client, pr.PR)
	}()
	pol, err := gatherPolicy(ctx, client, pr.Owner, pr.Name)
	<-started
	if err != nil {
		return err
	}
	if runErr != nil {
		return runErr
	}
	if pol.orgInvalid != nil {
		return c.actInvalidPolicy(ctx, client, pr, run, pol.orgInvalid)
	}
	in, err := c.gatherPullRequest(ctx, client, pr, pol)
	if err != nil {
		return err
	}
	out := evaluatePullRequest(pr, in)
	if err := c.recordResult(ctx, pr, out); err != nil { // record, before the others at the head are gathered
		return err
	}
	others, err := c.gatherSameHead(ctx, client, pr)
	if err != nil {
		return err
	}
	if err := c.actPullRequest(ctx, client, pr, run, out, sameHeadFindings(others)); err != nil {
		return err
	}
	return c.recordPullRequest(ctx, pr, out)
}

// pullRequestInput is what a pull request check gathered.
type pullRequestInput struct {
	gathered
	snap *rules.PullRequest
	web  string // GitHub's web root
}

func (c *Checker) gatherPullRequest(ctx context.Context, client *github.Client, pr PullRequest, pol gathered) (*pullRequestInput, error) {
	in := &pullRequestInput{gathered: pol, web: WebBase(pr.gh.GetBase().GetRepo().GetHTMLURL())}
	pp := pol.eff.Policy.PullRequest
	snap, err := snapshot.PullRequest(ctx, client, pr.gh, pp)
	if err != nil {
		return nil, err
	}
	in.snap = snap
	if pp.CLA.Mode.On() {
		if err := c.GatherCLA(ctx, client, pr.InstallationID, pr.Owner, snap, pp.CLA); err != nil {
			return nil, err
		}
	}
	// Approvals matter too when GitHub's file list was cut short: only an
	// approval lets such a pull request pass.
	if pp.ProtectedPaths.Mode.On() && (!snap.FilesComplete || len(rules.ProtectedFiles(snap.Files, pp.ProtectedPaths.Paths)) > 0) {
		if err := c.gatherApprovals(ctx, client, pr, snap, pp.ProtectedPaths.Paths, pol.eff.Policy.Review.Approvers); err != nil {
			return nil, err
		}
	}
	return in, nil
}

// pullRequestOutcome is what a pull request check decided.
type pullRequestOutcome struct {
	findings   []rules.Finding
	conclusion string  // the pull request's own, without the others at its head
	blockers   []int64 // the accounts whose CLA signature the pull request waits for
	note       string  // the sticky comment's text
}

// evaluatePullRequest is pure: the rules over the snapshot, and what the
// sticky comment says.
func evaluatePullRequest(pr PullRequest, in *pullRequestInput) pullRequestOutcome {
	eff, pp := in.eff, in.eff.Policy.PullRequest
	findings := rules.EvaluatePullRequest(in.snap, pp, eff.Policy.Review.Approvers)
	for i := range findings {
		findings[i].PolicyURL = eff.RuleURL(in.web, findings[i].Rule)
	}
	if in.override != nil {
		findings = append(findings, OverrideFinding(in.override))
	}
	out := pullRequestOutcome{findings: findings, conclusion: prcheck.Conclusion(findings)}
	status := rules.CLAResult{}
	if pp.CLA.Mode.On() {
		status = rules.CLAStatus(in.snap, pp.CLA)
		for _, a := range status.Blocking() {
			out.blockers = append(out.blockers, a.ID)
		}
	}
	out.note = prcheck.ContributorNote(status, pp.CLA, dcoFinding(findings), pr.HTMLURL+"/commits")
	return out
}

func dcoFinding(fs []rules.Finding) *rules.Finding {
	for i := range fs {
		if fs[i].Rule == rules.RuleDCO && fs[i].Result == rules.Fail {
			return &fs[i]
		}
	}
	return nil
}

// actInvalidPolicy reports the invalid org policy, and fails the check
// run for it.
func (c *Checker) actInvalidPolicy(ctx context.Context, client *github.Client, pr PullRequest, run prcheck.Run, orgErr *policy.InvalidError) error {
	if err := c.reportPolicy(ctx, client, pr.Owner, orgErr); err != nil {
		return err
	}
	return c.Reporter.Finish(ctx, client, pr.PR, run, []rules.Finding{invalidPolicyFinding(pr.Owner, orgErr)})
}

// actPullRequest completes the check run with the pull request's findings
// and the others' at its head, then writes the sticky comment.
func (c *Checker) actPullRequest(ctx context.Context, client *github.Client, pr PullRequest, run prcheck.Run, out pullRequestOutcome, others []rules.Finding) error {
	if err := c.Reporter.Finish(ctx, client, pr.PR, run, append(out.findings, others...)); err != nil {
		return err
	}
	return c.Reporter.Comment(ctx, client, pr.PR, run, out.note)
}

// recordResult records the pull request's own result at its head, which
// the checks of the others at the head read (sameHead) and merge groups
// too.
func (c *Checker) recordResult(ctx context.Context, pr PullRequest, out pullRequestOutcome) error {
	return c.Store.SavePullRequestResult(ctx, storeResult(pr, out.conclusion))
}

// recordPullRequest records who blocks the pull request on the CLA: a
// signature of theirs re-checks it.
func (c *Checker) recordPullRequest(ctx context.Context, pr PullRequest, out pullRequestOutcome) error {
	zerolog.Ctx(ctx).Info().Str("conclusion", out.conclusion).Int("cla_blockers", len(out.blockers)).Msg("pull request checked")
	return c.Store.SetBlockers(ctx, pr.Ref(), out.blockers)
}

// Closed forgets what was recorded of a pull request no longer open: its
// result at its head and its CLA blockers.
func (c *Checker) Closed(ctx context.Context, ref store.PullRequestRef) error {
	if err := c.Store.DeletePullRequestResult(ctx, ref.Repository, ref.Number); err != nil {
		return err
	}
	return c.Store.SetBlockers(ctx, ref, nil)
}
