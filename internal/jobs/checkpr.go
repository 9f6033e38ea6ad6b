package jobs

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/google/go-github/v66/github"
	"github.com/riverqueue/river"
	"github.com/rs/zerolog"

	"github.com/ospo-bot/ospo-bot/internal/logging"
	"github.com/ospo-bot/ospo-bot/internal/policy"
	"github.com/ospo-bot/ospo-bot/internal/prcheck"
	"github.com/ospo-bot/ospo-bot/internal/rules"
	"github.com/ospo-bot/ospo-bot/internal/snapshot"
	"github.com/ospo-bot/ospo-bot/internal/store"
)

// CheckPullRequestArgs asks for a pull request's check, from outside a
// webhook about it (a CLA signature unblocks it, a check run's Recheck).
type CheckPullRequestArgs struct {
	InstallationID int64  `json:"installation_id"`
	Repository     string `json:"repository" river:"unique"`
	Number         int    `json:"number" river:"unique"`
	Reason         string `json:"reason"`
	// Round: see CheckRepositoryArgs.Round.
	Round int `json:"round,omitempty" river:"unique"`
}

// Kind names the job kind in River's tables.
func (CheckPullRequestArgs) Kind() string { return "check_pull_request" }

type checkPRWorker struct {
	river.WorkerDefaults[CheckPullRequestArgs]
	checker *checker
}

func (w *checkPRWorker) Work(ctx context.Context, job *river.Job[CheckPullRequestArgs]) error {
	a := job.Args
	logger := zerolog.Ctx(ctx).With().Str(logging.FieldRepository, a.Repository).Int(logging.FieldPR, a.Number).Logger()
	return w.checker.run(logger.WithContext(ctx), job.JobRow, fmt.Sprintf("pull request %s#%d", a.Repository, a.Number), a.InstallationID, a.Reason, func(ctx context.Context, client *github.Client) error {
		return w.checker.recheckPullRequest(ctx, client, a.InstallationID, a.Repository, a.Number)
	})
}

// insertPRCheck enqueues a pull request's check, unless one is waiting.
func insertPRCheck(ctx context.Context, a CheckPullRequestArgs) error {
	if _, err := enqueueFollowUp(ctx, a); err != nil {
		return fmt.Errorf("enqueue check of %s#%d: %w", a.Repository, a.Number, err)
	}
	return nil
}

// recheckPullRequest reads the pull request afresh and checks it, if open.
func (c *checker) recheckPullRequest(ctx context.Context, client *github.Client, installationID int64, repo string, number int) error {
	owner, name, _ := strings.Cut(repo, "/")
	pr, _, err := client.PullRequests.Get(ctx, owner, name, number)
	if err != nil {
		return fmt.Errorf("read %s#%d: %w", repo, number, err)
	}
	if pr.GetState() != "open" {
		if err := c.deps.Store.DeletePullRequestResult(ctx, repo, number); err != nil {
			return err
		}
		return c.deps.Store.SetBlockers(ctx, store.PullRequestRef{InstallationID: installationID, Repository: repo, Number: number}, nil)
	}
	return c.checkPullRequest(ctx, client, installationID, pr)
}

// checkPullRequest checks a pull request at its head commit: the check run
// goes in progress, the rules run over a fresh snapshot, the check run
// completes, the sticky comment follows, and the CLA blockers are recorded.
func (c *checker) checkPullRequest(ctx context.Context, client *github.Client, installationID int64, ghpr *github.PullRequest) error {
	defer c.locks.lock(-ghpr.GetID())() // negative: apart from repository IDs
	release, err := c.leaseHead(ctx, ghpr)
	if err != nil {
		return err
	}
	defer release()
	base := ghpr.GetBase().GetRepo()
	owner, name := base.GetOwner().GetLogin(), base.GetName()
	ref := store.PullRequestRef{InstallationID: installationID, Repository: owner + "/" + name, Number: ghpr.GetNumber()}
	pr := prcheck.PR{Owner: owner, Name: name, Number: ghpr.GetNumber(), HeadSHA: ghpr.GetHead().GetSHA(), HTMLURL: ghpr.GetHTMLURL(), Evaluation: evaluationID(ctx)}
	logger := zerolog.Ctx(ctx).With().Str(logging.FieldRepository, ref.Repository).Int(logging.FieldPR, ref.Number).Str("head_sha", pr.HeadSHA).Logger()
	ctx = logger.WithContext(ctx)

	eff, overrideErr, err := loadPolicy(ctx, client, owner, name)
	var orgErr *policy.InvalidError
	if errors.As(err, &orgErr) && orgErr.Org {
		if err := c.reportPolicy(ctx, client, owner, orgErr); err != nil {
			return err
		}
		st, err := c.prs.Start(ctx, client, pr)
		if err != nil {
			return err
		}
		return c.prs.Finish(ctx, client, pr, st, []rules.Finding{{Rule: "policy", Mode: policy.Enforce, Result: rules.Fail,
			Message: fmt.Sprintf("the org policy %s is invalid", orgErr.Source), Remediation: "an org admin fixes it; see the issue in " + owner + "/.github"}})
	}
	if err != nil {
		return err
	}
	pp := eff.Policy.PullRequest
	st, err := c.prs.Start(ctx, client, pr)
	if err != nil {
		return err
	}
	snap, err := snapshot.PullRequest(ctx, client, ghpr, pp)
	if err != nil {
		return err
	}
	if pp.CLA.Mode.On() {
		if err := c.gatherCLA(ctx, client, installationID, owner, snap, pp.CLA); err != nil {
			return err
		}
	}
	// Approvals matter too when GitHub's file list was cut short: only an
	// approval lets such a pull request pass.
	if pp.ProtectedPaths.Mode.On() && (!snap.FilesComplete || len(rules.ProtectedFiles(snap.Files, pp.ProtectedPaths.Paths)) > 0) {
		if err := c.gatherApprovals(ctx, client, owner, snap, ref, pp.ProtectedPaths.Paths, eff.Policy.Review.Approvers); err != nil {
			return err
		}
	}
	findings := rules.EvaluatePullRequest(snap, pp, eff.Policy.Review.Approvers)
	for i := range findings {
		findings[i].PolicyURL = eff.RuleURL(webBase(base.GetHTMLURL()), findings[i].Rule)
	}
	if overrideErr != nil {
		findings = append(findings, overrideFinding(overrideErr))
	}
	// The pull request's own result is recorded before the others at its
	// head are read (sameHeadFindings), so that of two checked at once the
	// later one reads the earlier one's.
	if err := c.deps.Store.SavePullRequestResult(ctx, store.PullRequestResult{PullRequestRef: ref, HeadSHA: pr.HeadSHA, BaseRef: ghpr.GetBase().GetRef(), Conclusion: prcheck.Conclusion(findings)}); err != nil {
		return err
	}
	others, err := c.sameHeadFindings(ctx, client, ref, pr.HeadSHA)
	if err != nil {
		return err
	}
	if err := c.prs.Finish(ctx, client, pr, st, append(findings, others...)); err != nil {
		return err
	}
	var blockers []int64
	note := ""
	if pp.CLA.Mode.On() {
		status := rules.CLAStatus(snap, pp.CLA)
		for _, a := range status.Blocking() {
			blockers = append(blockers, a.ID)
		}
		note = prcheck.ContributorNote(status, pp.CLA, dcoFinding(findings), pr.HTMLURL+"/commits")
	} else {
		note = prcheck.ContributorNote(rules.CLAResult{}, pp.CLA, dcoFinding(findings), pr.HTMLURL+"/commits")
	}
	if err := c.prs.Comment(ctx, client, pr, st, note); err != nil {
		return err
	}
	logger.Info().Str("conclusion", prcheck.Conclusion(findings)).Int("cla_blockers", len(blockers)).Msg("pull request checked")
	return c.deps.Store.SetBlockers(ctx, ref, blockers)
}

func dcoFinding(fs []rules.Finding) *rules.Finding {
	for i := range fs {
		if fs[i].Rule == rules.RuleDCO && fs[i].Result == rules.Fail {
			return &fs[i]
		}
	}
	return nil
}

// gatherCLA adds the accounts of old-style noreply addresses, the
// signatures on record and, for allow-listed orgs, the memberships of the
// people involved who have not signed. The commits name these people, so
// the account and membership lookups share one budget per check
// (snapshot.DefaultLookupBudget) and are cached across checks; the
// identities past the budget are snap.Unverified, and the CLA fails
// closed for them.
func (c *checker) gatherCLA(ctx context.Context, client *github.Client, installationID int64, org string, snap *rules.PullRequest, r policy.CLARule) error {
	lookups := snapshot.NewLookups(client, installationID, c.lookups, snapshot.DefaultLookupBudget)
	defer func() {
		snap.Unverified, snap.LookupBudget = lookups.Skipped(), lookups.Budget()
		if len(snap.Unverified) > 0 {
			zerolog.Ctx(ctx).Warn().Int("budget", lookups.Budget()).Int("skipped", len(snap.Unverified)).
				Msg("the commits name more identities to look up than a check's budget; the rest are not verified")
		}
	}()
	if logins := rules.NoreplyLogins(snap); len(logins) > 0 {
		users, err := lookups.Users(ctx, logins)
		if err != nil {
			return err
		}
		snap.Users = users
	}
	var ids []int64
	var logins []string
	for _, a := range rules.Involved(snap, r) {
		ids = append(ids, a.ID)
		logins = append(logins, a.Login)
	}
	sigs, err := c.deps.Store.Signatures(ctx, org, ids)
	if err != nil {
		return err
	}
	snap.Signatures = map[int64]rules.Signature{}
	for id, s := range sigs {
		snap.Signatures[id] = rules.Signature{UserID: s.UserID, Login: s.Login, Version: s.Version, At: s.SignedAt, URL: s.URL}
	}
	if len(r.Allow.Orgs) > 0 {
		var unsigned []string
		for i, id := range ids {
			if _, ok := sigs[id]; !ok {
				unsigned = append(unsigned, logins[i])
			}
		}
		if snap.OrgMembers, err = lookups.OrgMembers(ctx, r.Allow.Orgs, unsigned); err != nil {
			return err
		}
	}
	return nil
}
