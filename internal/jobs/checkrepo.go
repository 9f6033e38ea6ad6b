package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/google/go-github/v66/github"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/rs/zerolog"

	"github.com/ospo-bot/ospo-bot/internal/logging"
	"github.com/ospo-bot/ospo-bot/internal/policy"
	"github.com/ospo-bot/ospo-bot/internal/prcheck"
	"github.com/ospo-bot/ospo-bot/internal/review"
	"github.com/ospo-bot/ospo-bot/internal/rules"
	"github.com/ospo-bot/ospo-bot/internal/snapshot"
	"github.com/ospo-bot/ospo-bot/internal/store"
)

// checker runs repository checks: load the policy, gather a snapshot,
// evaluate the rules, act (review issue, labels, visibility) and record.
type checker struct {
	deps   Deps
	review *review.Manager
	prs    *prcheck.Reporter
	locks  keyedMutex
	// leaseTTL: see lease.
	leaseTTL time.Duration
	// lookups caches the CLA's account and membership lookups across
	// checks (see gatherCLA).
	lookups *snapshot.LookupCache
}

// insertCheck enqueues a repository check from inside a running job,
// unless one is waiting.
func insertCheck(ctx context.Context, a CheckRepositoryArgs) error {
	if _, err := enqueueFollowUp(ctx, a); err != nil {
		return fmt.Errorf("enqueue check of %s: %w", a.Repository, err)
	}
	return nil
}

type checkWorker struct {
	river.WorkerDefaults[CheckRepositoryArgs]
	checker *checker
}

func (w *checkWorker) Work(ctx context.Context, job *river.Job[CheckRepositoryArgs]) error {
	a := job.Args
	logger := zerolog.Ctx(ctx).With().Str(logging.FieldRepository, a.Repository).Logger()
	return w.checker.run(logger.WithContext(ctx), job.JobRow, fmt.Sprintf("repository %d", a.RepositoryID), a.InstallationID, a.Reason, func(ctx context.Context, client *github.Client) error {
		owner, name, _ := strings.Cut(a.Repository, "/")
		return w.checker.checkRepository(ctx, client, a.InstallationID, a.RepositoryID, owner, name, a.Publicized)
	})
}

// run runs a check job's work with the installation's client, then settles
// its error for River (a review issue being opened by another job: wait).
func (c *checker) run(ctx context.Context, job *rivertype.JobRow, subject string, installationID int64, reason string, work func(context.Context, *github.Client) error) error {
	logger := zerolog.Ctx(ctx).With().Int64(logging.FieldInstallation, installationID).Str("reason", reason).Logger()
	ctx = logger.WithContext(ctx)
	release, held, err := c.lease(ctx, job, subject)
	if err != nil {
		return err
	}
	if !held {
		logger.Debug().Str("subject", subject).Msg("another job checks this subject: snoozed")
		return river.JobSnooze(leaseSnooze)
	}
	defer release()
	client, err := c.deps.GitHub.NewInstallationClient(installationID)
	if err != nil {
		return err
	}
	err = work(ctx, client)
	if errors.Is(err, review.ErrBusy) {
		return river.JobSnooze(5 * time.Second)
	}
	v := settle(err, job, time.Now())
	if err != nil {
		logger.Warn().Err(err).Msg(v.note)
	}
	return v.err
}

// overrideFinding reports an invalid repository override beside the
// results, which the org policy alone decided.
func overrideFinding(inv *policy.InvalidError) rules.Finding {
	return rules.Finding{Rule: "policy", Mode: policy.Enforce, Result: rules.Fail,
		Message:     fmt.Sprintf("%s is invalid; the org policy applies without it", inv.Source),
		Remediation: strings.ReplaceAll(inv.Errors.Error(), "\n", "; ")}
}

// checkRepository checks one repository; publicized says the check runs for
// the event that made it public, the only one on which
// review.private_until_approved may make it private again.
func (c *checker) checkRepository(ctx context.Context, client *github.Client, installationID, repoID int64, owner, name string, publicized bool) error {
	defer c.locks.lock(repoID)()
	logger := zerolog.Ctx(ctx)
	eff, overrideErr, err := loadPolicy(ctx, client, owner, name)
	var orgErr *policy.InvalidError
	if errors.As(err, &orgErr) && orgErr.Org {
		logger.Warn().Err(err).Msg("the org policy is invalid: repositories are not checked until it is fixed")
		return c.reportPolicy(ctx, client, owner, orgErr)
	}
	if err != nil {
		return err
	}
	s, err := snapshot.Repository(ctx, client, owner, name, eff.Policy.Repository)
	if errors.Is(err, snapshot.ErrGone) {
		logger.Info().Msg("repository is gone; forgetting it")
		return c.deps.Store.DeleteRepositories(ctx, repoID)
	}
	if err != nil {
		return err
	}
	rr := eff.Policy.Repository
	if (s.Fork && !rr.IncludeForks) || (s.Archived && !rr.IncludeArchived) {
		logger.Debug().Bool("fork", s.Fork).Bool("archived", s.Archived).Msg("skipped: the policy leaves forks and archived repositories out")
		return nil
	}
	st, err := c.review.State(ctx, s.ID)
	if err != nil {
		return err
	}
	// An archived repository is read-only: GitHub refuses to create or
	// edit its labels (403 "Repository was archived so is read-only."),
	// so the labels rule reports them instead.
	if rr.Labels.Fix && rr.Labels.Mode.On() && !s.Archived {
		if err := fixLabels(ctx, client, s, rr.Labels); err != nil {
			return err
		}
	}
	findings := rules.Evaluate(s, rr)
	for i := range findings {
		findings[i].PolicyURL = eff.RuleURL(webBase(s.HTMLURL), findings[i].Rule)
	}
	var problem string
	if overrideErr != nil {
		problem = overrideErr.Error()
		findings = append(findings, overrideFinding(overrideErr))
	}
	findings = review.ApplyExemptions(findings, st)
	flagged, reasons := review.Assess(s, findings, st)

	madePrivate, notMadePrivate := false, ""
	// The intent is recorded before the PATCH: a retry of this job (its
	// evaluation) that finds the repository private completes what the
	// failed attempt left undone, the audit row and the note.
	privateKey := fmt.Sprintf("make private repository %d %s", s.ID, evaluationID(ctx))
	intended := false
	if publicized && s.Private && st.Status != review.Approved && eff.Policy.Review.PrivateUntilApproved {
		if _, intended, err = c.deps.Store.SideEffectOf(ctx, privateKey); err != nil {
			return err
		}
	}
	if publicized && (!s.Private || intended) && st.Status != review.Approved && eff.Policy.Review.PrivateUntilApproved {
		reasons = append(reasons, "it was made public without an approval")
		flagged = true
		why := ""
		if !s.Private {
			if _, _, err := c.deps.Store.IntendSideEffect(ctx, privateKey); err != nil {
				return err
			}
			if why, err = makePrivate(ctx, client, s); err != nil {
				return err
			}
		}
		if why != "" {
			if err := c.deps.Store.ForgetSideEffect(ctx, privateKey); err != nil {
				return err
			}
			notMadePrivate = why
			logger.Warn().Str("why", why).Msg("review.private_until_approved: the repository could not be made private")
		} else {
			madePrivate, s.Private = true, true
			if err := c.deps.Store.AppendAudit(ctx, store.AuditEntry{InstallationID: installationID, Actor: "ospo-bot",
				Action: "make private", Subject: s.Owner + "/" + s.Name, Reason: "made public without an OSPO approval (review.private_until_approved)",
				URL: s.HTMLURL, PolicyVersion: eff.Version, Key: privateKey}); err != nil {
				return err
			}
		}
	}
	rep := review.Report{
		Snapshot: s, Findings: findings, State: st, Approvers: eff.Policy.Review.Approvers, PolicyVersion: eff.Version,
		Flagged: flagged, Reasons: reasons, MadePrivate: madePrivate, NotMadePrivate: notMadePrivate, PrivateUntilApproved: eff.Policy.Review.PrivateUntilApproved,
		PolicyProblem: problem,
	}
	for _, n := range eff.Notices {
		rep.PolicyNotices = append(rep.PolicyNotices, n.String())
	}
	target := review.Target{InstallationID: installationID, Repo: eff.Policy.Review.Repository,
		Label: eff.Policy.Review.Label, AutoClose: eff.Policy.Review.AutoClose,
		Fallbacks: []string{s.Owner + "/.github"}} // where the org's admins read ospo-bot's problems
	err = c.review.Sync(ctx, client, target, rep)
	var disabled *review.IssuesDisabledError
	if errors.As(err, &disabled) {
		return permanent("%v", err)
	}
	if err != nil {
		return err
	}
	encoded, err := json.Marshal(findings)
	if err != nil {
		return err
	}
	logger.Info().Bool("flagged", flagged).Strs("failing", review.FailingEnforce(findings)).Str("policy_version", eff.Version).Msg("repository checked")
	return c.deps.Store.SaveRepositoryCheck(ctx, store.RepositoryCheck{RepositoryID: s.ID, Repository: s.Owner + "/" + s.Name,
		PolicyVersion: eff.Version, Findings: string(encoded), Flagged: flagged})
}

// makePrivate turns the repository private. A refusal by GitHub (403:
// the App lacks the Administration write permission; 422: the change is
// not allowed, as for a fork, whose visibility is its upstream's) is no
// failure of the check: it returns why, for the review issue to say.
// Other errors retry.
func makePrivate(ctx context.Context, client *github.Client, s *rules.Snapshot) (string, error) {
	_, _, err := client.Repositories.Edit(ctx, s.Owner, s.Name, &github.Repository{Private: github.Bool(true)})
	var e *github.ErrorResponse
	if errors.As(err, &e) && e.Response != nil && e.Response.StatusCode == http.StatusUnprocessableEntity {
		why := "GitHub refused (422 " + e.Message
		for _, fe := range e.Errors {
			if fe.Message != "" {
				why += ": " + fe.Message
			}
		}
		why += ")"
		if s.Fork {
			why += ": a fork is as visible as the repository it was forked from, and GitHub does not let its visibility change"
		}
		return why, nil
	}
	if errors.As(err, &e) && e.Response != nil && e.Response.StatusCode == http.StatusForbidden {
		why := "GitHub refused (403 " + e.Message + ")"
		// GitHub sends X-Accepted-GitHub-Permissions on every answer to an
		// installation token; only "Resource not accessible by
		// integration" says a permission is missing (an archived
		// repository is refused for being read-only).
		if e.Message == "Resource not accessible by integration" {
			if need := e.Response.Header.Get("X-Accepted-GitHub-Permissions"); need != "" {
				why += ": the App lacks the `" + need + "` permission (Administration: write)"
			} else {
				why += ": making a repository private takes the App's Administration: write permission"
			}
		}
		return why, nil
	}
	if err != nil {
		return "", fmt.Errorf("make %s/%s private until approved: %w", s.Owner, s.Name, err)
	}
	return "", nil
}

// loadPolicy loads the policy in force for a repository. An invalid
// repository override is returned beside the org policy, which applies
// without it; an invalid org policy is an error.
func loadPolicy(ctx context.Context, client *github.Client, owner, name string) (*policy.Effective, *policy.InvalidError, error) {
	eff, err := policy.Load(ctx, client, owner, name)
	var inv *policy.InvalidError
	if errors.As(err, &inv) && !inv.Org && inv.WithoutOverride != nil {
		return inv.WithoutOverride, inv, nil
	}
	return eff, nil, err
}

// loadOrgPolicy loads the org's own policy, which alone says who decides
// reviews.
func loadOrgPolicy(ctx context.Context, client *github.Client, org string) (*policy.Effective, error) {
	return policy.Load(ctx, client, org, ".github")
}

// fixLabels creates the missing standard labels and corrects colours, then
// records them in the snapshot.
func fixLabels(ctx context.Context, client *github.Client, s *rules.Snapshot, r policy.LabelsRule) error {
	create, update := rules.MissingLabels(s, r)
	for _, l := range create {
		_, _, err := client.Issues.CreateLabel(ctx, s.Owner, s.Name, &github.Label{Name: github.String(l.Name), Color: github.String(l.Color), Description: github.String(l.Description)})
		if alreadyExists(err) {
			// Created by an attempt whose response was lost, or by another
			// check meanwhile: it is there. A colour of its own is the next
			// check's to correct.
			zerolog.Ctx(ctx).Info().Str("label", l.Name).Msg("label already exists")
			err = nil
		}
		if err != nil {
			return fmt.Errorf("create label %q in %s/%s: %w", l.Name, s.Owner, s.Name, err)
		}
		s.Labels = append(s.Labels, l)
	}
	for _, l := range update {
		// go-github puts the name into the path unescaped: "kind/bug" would
		// reach the wrong route.
		_, _, err := client.Issues.EditLabel(ctx, s.Owner, s.Name, url.PathEscape(l.Name), &github.Label{Color: github.String(l.Color)})
		if err != nil {
			return fmt.Errorf("fix colour of label %q in %s/%s: %w", l.Name, s.Owner, s.Name, err)
		}
		for i := range s.Labels {
			if strings.EqualFold(s.Labels[i].Name, l.Name) {
				s.Labels[i].Color = l.Color
			}
		}
	}
	if n := len(create) + len(update); n > 0 {
		zerolog.Ctx(ctx).Info().Int("created", len(create)).Int("recoloured", len(update)).Msg("standard labels fixed")
	}
	return nil
}

// webBase is the GitHub web root of a repository URL ("https://github.com").
func webBase(htmlURL string) string {
	u, err := url.Parse(htmlURL)
	if err != nil || u.Host == "" {
		return "https://github.com"
	}
	return u.Scheme + "://" + u.Host
}

// keyedMutex serialises work on one key (a repository) in this process.
type keyedMutex struct {
	mu    sync.Mutex
	locks map[int64]*keyLock
}

type keyLock struct {
	sync.Mutex
	users int
}

func (k *keyedMutex) lock(key int64) (unlock func()) {
	k.mu.Lock()
	if k.locks == nil {
		k.locks = map[int64]*keyLock{}
	}
	l := k.locks[key]
	if l == nil {
		l = &keyLock{}
		k.locks[key] = l
	}
	l.users++
	k.mu.Unlock()
	l.Lock()
	return func() {
		l.Unlock()
		k.mu.Lock()
		if l.users--; l.users == 0 {
			delete(k.locks, key)
		}
		k.mu.Unlock()
	}
}
