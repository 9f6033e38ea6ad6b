package check

import (
	"context"
	"fmt"
	"time"

	"github.com/google/go-github/v66/github"
	"github.com/rs/zerolog"

	"github.com/ospo-bot/ospo-bot/internal/logging"
	"github.com/ospo-bot/ospo-bot/internal/policy"
	"github.com/ospo-bot/ospo-bot/internal/prcheck"
	"github.com/ospo-bot/ospo-bot/internal/rules"
	"github.com/ospo-bot/ospo-bot/internal/snapshot"
	"github.com/ospo-bot/ospo-bot/internal/store"
)

// PullRequest checks a pull request at its head commit: the rules run
// over a fresh snapshot, the check run completes (created completed when
// the gathering took less than ShowRunAfter, else created in progress
// meanwhile), the sticky comment follows, and the CLA blockers are
// recorded. The caller serialises the checks of the pull requests at one
// head commit (see samehead.go).
//
// Two orderings split stages: the check run goes in progress (act)
// while the pull request is gathered, if that is slow, and the pull
// request's own result is recorded before the others at its head are
// read (gather).
func (c *Checker) PullRequest(ctx context.Context, client *github.Client, pr PullRequest) error {
	logger := zerolog.Ctx(ctx).With().Str(logging.FieldRepository, pr.Repository()).Int(logging.FieldPR, pr.Number).Str("head_sha", pr.HeadSHA).Logger()
	ctx = logger.WithContext(ctx)
	pol, err := gatherPolicy(ctx, client, pr.Owner, pr.Name, pr.gh.GetBase().GetRepo().GetDefaultBranch())
	if err != nil {
		return err
	}
	if pol.orgInvalid != nil {
		return c.actInvalidPolicy(ctx, client, pr, pol.orgInvalid)
	}
	run, err := c.Reporter.Prepare(ctx, client, pr.PR) // a retry finds the run an earlier attempt created
	if err != nil {
		return err
	}
	in, run, err := c.gatherShowing(ctx, client, pr, pol, run)
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

// DefaultShowRunAfter is how long a pull request's gathering may take
// before its check run is created in progress to show the check under
// way: a check that is done sooner creates its run completed, in one
// request instead of two (issue 12).
const DefaultShowRunAfter = time.Second

func (c *Checker) showRunAfter() time.Duration {
	if c.ShowRunAfter != 0 {
		return c.ShowRunAfter
	}
	return DefaultShowRunAfter
}

// gatherShowing gathers the pull request (gatherPullRequest); if that
// takes longer than showRunAfter, the check run is created in progress
// meanwhile (act), so that GitHub shows the check under way. It returns
// the run as it then is: not created yet when the gathering was quick.
func (c *Checker) gatherShowing(ctx context.Context, client *github.Client, pr PullRequest, pol gathered, run prcheck.Run) (*pullRequestInput, prcheck.Run, error) {
	if run.Created() || c.showRunAfter() < 0 {
		run, err := c.Reporter.InProgress(ctx, client, pr.PR, run) // nothing to do when created
		if err != nil {
			return nil, run, err
		}
		in, err := c.gatherPullRequest(ctx, client, pr, pol)
		return in, run, err
	}
	type shown struct {
		run prcheck.Run
		err error
	}
	done, result := make(chan struct{}), make(chan shown, 1)
	go func() {
		t := time.NewTimer(c.showRunAfter())
		defer t.Stop()
		select {
		case <-done:
			result <- shown{run: run}
		case <-t.C:
			r, err := c.Reporter.InProgress(ctx, client, pr.PR, run)
			result <- shown{r, err}
		}
	}()
	in, err := c.gatherPullRequest(ctx, client, pr, pol)
	close(done)
	s := <-result
	if err == nil {
		err = s.err
	}
	return in, s.run, err
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
	if pp.Dependencies.Mode.On() {
		if _, err := snapshot.Dependencies(ctx, client, pr.gh, snap, c.Licenses); err != nil {
			return nil, err
		}
	}
	if pp.CLA.Mode.On() {
		if err := c.GatherCLA(ctx, client, pr.InstallationID, pr.Owner, snap, pp.CLA); err != nil {
			return nil, err
		}
	}
	if pp.SPDXHeaders.Mode.On() {
		if err := snapshot.SPDXHeads(ctx, client, snap, pp.SPDXHeaders); err != nil {
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
	if pp.Dependencies.Mode.On() && c.Allowances != nil {
		if err := c.gatherAllowances(ctx, pr, snap); err != nil {
			return nil, err
		}
	}
	return in, nil
}

// gatherAllowances reads the `/ospo allow`s recorded on the pull request
// (authorised when they were written, as every command is).
func (c *Checker) gatherAllowances(ctx context.Context, pr PullRequest, snap *rules.PullRequest) error {
	as, err := c.Allowances.PackageAllowances(ctx, pr.Repository(), pr.Number)
	if err != nil {
		return fmt.Errorf("read the allowances of %s#%d: %w", pr.Repository(), pr.Number, err)
	}
	for _, a := range as {
		snap.Allowed = append(snap.Allowed, rules.PackageAllowance{Package: a.Package, Reason: a.Reason, Login: a.Login, At: a.At, URL: a.URL})
	}
	return nil
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
	deps := prcheck.DependenciesNote(rules.DependenciesToFix(in.snap, pp.Dependencies), pr.HTMLURL+"/checks")
	out.note = prcheck.ContributorNote(status, pp.CLA, dcoFinding(findings), pr.HTMLURL+"/commits", deps)
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
func (c *Checker) actInvalidPolicy(ctx context.Context, client *github.Client, pr PullRequest, orgErr *policy.InvalidError) error {
	if err := c.reportPolicy(ctx, client, pr.Owner, orgErr); err != nil {
		return err
	}
	run, err := c.Reporter.Prepare(ctx, client, pr.PR)
	if err != nil {
		return err
	}
	_, err = c.Reporter.Complete(ctx, client, pr.PR, run, []rules.Finding{invalidPolicyFinding(pr.Owner, orgErr)})
	return err
}

// actPullRequest completes the check run with the pull request's findings
// and the others' at its head, then writes the sticky comment.
func (c *Checker) actPullRequest(ctx context.Context, client *github.Client, pr PullRequest, run prcheck.Run, out pullRequestOutcome, others []rules.Finding) error {
	run, err := c.Reporter.Complete(ctx, client, pr.PR, run, append(out.findings, others...))
	if err != nil {
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
// result at its head and its CLA blockers (closing is no unblocking).
func (c *Checker) Closed(ctx context.Context, ref store.PullRequestRef) error {
	if err := c.Store.DeletePullRequestResult(ctx, ref.Repository, ref.Number); err != nil {
		return err
	}
	return c.Store.ClearBlockers(ctx, ref)
}
