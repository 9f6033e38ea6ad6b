package check

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/google/go-github/v66/github"
	"github.com/rs/zerolog"

	"github.com/ospo-bot/ospo-bot/internal/ghclient"
	"github.com/ospo-bot/ospo-bot/internal/policy"
	"github.com/ospo-bot/ospo-bot/internal/review"
	"github.com/ospo-bot/ospo-bot/internal/rules"
	"github.com/ospo-bot/ospo-bot/internal/snapshot"
	"github.com/ospo-bot/ospo-bot/internal/store"
)

// Repository checks a repository: its standard labels fixed, its review
// issue opened, updated or closed, private again when
// review.private_until_approved asks, and its findings recorded.
func (c *Checker) Repository(ctx context.Context, client *github.Client, r Repository) error {
	in, err := c.gatherRepository(ctx, client, r)
	if err != nil {
		return err
	}
	out := evaluateRepository(r, in)
	if err := c.actRepository(ctx, client, r, in, out); err != nil {
		return err
	}
	return c.recordRepository(ctx, r, in, out)
}

// repositoryInput is what a repository check gathered.
type repositoryInput struct {
	gathered
	gone  bool // GitHub no longer has the repository
	snap  *rules.Snapshot
	state review.State
	at    time.Time // when it was gathered: the exemptions in force are those at this time
	// privateIntended: an earlier attempt of this evaluation meant to
	// make the repository private (and may have).
	privateIntended bool
}

// privateKey names the intent to make a repository private in an
// evaluation.
func privateKey(repoID int64, evaluation string) string {
	return fmt.Sprintf("make private repository %d %s", repoID, evaluation)
}

// leftOut: the policy leaves forks and archived repositories out.
func leftOut(s *rules.Snapshot, rr policy.RepositoryRules) bool {
	return (s.Fork && !rr.IncludeForks) || (s.Archived && !rr.IncludeArchived)
}

// mayMakePrivate: review.private_until_approved applies to this check.
func mayMakePrivate(r Repository, eff *policy.Effective, st review.State) bool {
	return r.Publicized && st.Status != review.Approved && eff.Policy.Review.PrivateUntilApproved
}

func (c *Checker) gatherRepository(ctx context.Context, client *github.Client, r Repository) (*repositoryInput, error) {
	pol, err := gatherPolicy(ctx, client, r.Owner, r.Name, "")
	in := &repositoryInput{gathered: pol, at: time.Now()}
	if c.Now != nil {
		in.at = c.Now()
	}
	if err != nil || pol.orgInvalid != nil {
		return in, err
	}
	in.snap, err = snapshot.Repository(ctx, client, r.Owner, r.Name, pol.eff.Policy.Repository)
	if errors.Is(err, snapshot.ErrGone) {
		in.gone = true
		return in, nil
	}
	if err != nil || leftOut(in.snap, pol.eff.Policy.Repository) {
		return in, err
	}
	if in.state, err = c.Review.State(ctx, in.snap.ID); err != nil {
		return in, err
	}
	if in.snap.Private && mayMakePrivate(r, pol.eff, in.state) {
		_, in.privateIntended, err = c.Store.SideEffectOf(ctx, privateKey(in.snap.ID, r.Evaluation))
	}
	return in, err
}

// repositoryOutcome is what a repository check decided.
type repositoryOutcome struct {
	skip bool // nothing to act on or record: the org policy is invalid, or the repository is gone or left out
	// snap is the snapshot as it is once the labels are fixed.
	snap           *rules.Snapshot
	create, recolr []policy.Label // the standard labels to create and to recolour
	findings       []rules.Finding
	// makePrivate: make the repository private (or complete an earlier
	// attempt of this evaluation that did).
	makePrivate bool
	privateKey  string
	report      review.Report // the review issue, but for MadePrivate and NotMadePrivate
	target      review.Target
}

// evaluateRepository is pure: the rules over the snapshot, the review's
// decisions applied, and what the review issue says.
func evaluateRepository(r Repository, in *repositoryInput) repositoryOutcome {
	if in.orgInvalid != nil || in.gone || leftOut(in.snap, in.eff.Policy.Repository) {
		return repositoryOutcome{skip: true}
	}
	eff, rr, st := in.eff, in.eff.Policy.Repository, in.state.InForce(in.at)
	out := repositoryOutcome{snap: in.snap}
	// An archived repository is read-only: GitHub refuses to create or
	// edit its labels (403 "Repository was archived so is read-only."),
	// so the labels rule reports them instead.
	if rr.Labels.Fix && rr.Labels.Mode.On() && !in.snap.Archived {
		out.create, out.recolr = rules.MissingLabels(in.snap, rr.Labels)
		out.snap = withLabels(in.snap, out.create, out.recolr)
	}
	s := out.snap
	findings := rules.Evaluate(s, rr)
	for i := range findings {
		findings[i].PolicyURL = eff.RuleURL(WebBase(s.HTMLURL), findings[i].Rule)
	}
	var problem string
	if in.override != nil {
		problem = in.override.Error()
		findings = append(findings, OverrideFinding(in.override))
	}
	out.findings = review.ApplyExemptions(findings, st, in.at)
	flagged, reasons := review.Assess(s, out.findings, st)
	out.makePrivate = (!s.Private || in.privateIntended) && mayMakePrivate(r, eff, st)
	out.privateKey = privateKey(s.ID, r.Evaluation)
	if out.makePrivate {
		reasons = append(reasons, "it was made public without an approval")
		flagged = true
	}
	out.report = review.Report{
		Snapshot: s, Findings: out.findings, State: st, Approvers: eff.Policy.Review.Approvers, PolicyVersion: eff.Version,
		Flagged: flagged, Reasons: reasons, PrivateUntilApproved: eff.Policy.Review.PrivateUntilApproved,
		PolicyProblem: problem,
	}
	for _, n := range eff.Notices {
		out.report.PolicyNotices = append(out.report.PolicyNotices, n.String())
	}
	out.target = review.Target{InstallationID: r.InstallationID, Repo: eff.Policy.Review.Repository,
		Label: eff.Policy.Review.Label, AutoClose: eff.Policy.Review.AutoClose,
		Fallbacks: []string{s.Owner + "/.github"}} // where the org's admins read ospo-bot's problems
	return out
}

// withLabels is the snapshot as it is once the labels are created and
// recoloured.
func withLabels(s *rules.Snapshot, create, recolour []policy.Label) *rules.Snapshot {
	fixed := *s
	fixed.Labels = append(slices.Clone(s.Labels), create...)
	for _, l := range recolour {
		for i := range fixed.Labels {
			if strings.EqualFold(fixed.Labels[i].Name, l.Name) {
				fixed.Labels[i].Color = l.Color
			}
		}
	}
	return &fixed
}

// actRepository fixes the labels, makes the repository private when the
// policy asks, and writes the review issue, in that order.
func (c *Checker) actRepository(ctx context.Context, client *github.Client, r Repository, in *repositoryInput, out repositoryOutcome) error {
	logger := zerolog.Ctx(ctx)
	if in.orgInvalid != nil {
		logger.Warn().Err(in.orgInvalid).Msg("the org policy is invalid: repositories are not checked until it is fixed")
		return c.reportPolicy(ctx, client, r.Owner, in.orgInvalid)
	}
	if out.skip {
		return nil
	}
	if err := fixLabels(ctx, client, r.Owner, r.Name, out.create, out.recolr); err != nil {
		return err
	}
	rep := out.report
	if out.makePrivate {
		var err error
		if rep.MadePrivate, rep.NotMadePrivate, err = c.makePrivate(ctx, client, r, out); err != nil {
			return err
		}
		if rep.MadePrivate {
			s := *rep.Snapshot
			s.Private = true
			rep.Snapshot = &s
		}
	}
	return c.Review.Sync(ctx, client, out.target, rep)
}

// makePrivate turns the repository private, unless it is already. It
// records too, out of the record stage, for a change of visibility must
// be found by a retry: the intent is recorded before the PATCH, so that a
// retry of this evaluation that finds the repository private completes
// what the failed attempt left undone (the audit row and the review
// issue's note); the audit row is written right after it, before the
// review issue, which may fail for good (issues disabled everywhere).
func (c *Checker) makePrivate(ctx context.Context, client *github.Client, r Repository, out repositoryOutcome) (made bool, why string, err error) {
	s := out.snap
	if !s.Private {
		if _, _, err := c.Store.IntendSideEffect(ctx, out.privateKey); err != nil {
			return false, "", err
		}
		if why, err = setPrivate(ctx, client, s); err != nil {
			return false, "", err
		}
	}
	if why != "" {
		if err := c.Store.ForgetSideEffect(ctx, out.privateKey); err != nil {
			return false, "", err
		}
		zerolog.Ctx(ctx).Warn().Str("why", why).Msg("review.private_until_approved: the repository could not be made private")
		return false, why, nil
	}
	return true, "", c.Store.AppendAudit(ctx, store.AuditEntry{InstallationID: r.InstallationID, Actor: "ospo-bot",
		Action: "make private", Subject: s.Owner + "/" + s.Name, Reason: "made public without an OSPO approval (review.private_until_approved)",
		URL: s.HTMLURL, PolicyVersion: out.report.PolicyVersion, Key: out.privateKey})
}

// recordRepository records the check's findings, or forgets a repository
// GitHub no longer has.
func (c *Checker) recordRepository(ctx context.Context, r Repository, in *repositoryInput, out repositoryOutcome) error {
	logger := zerolog.Ctx(ctx)
	if day, ok := repositoryDay(r, in, out, time.Now()); ok {
		if err := c.Store.RecordRepositoryDay(ctx, day); err != nil {
			return err
		}
	}
	if err := c.keepSnapshot(ctx, r, in, out); err != nil {
		return err
	}
	switch {
	case in.orgInvalid != nil:
		return nil
	case in.gone:
		logger.Info().Msg("repository is gone; forgetting it")
		return c.Store.DeleteRepositories(ctx, r.ID)
	case out.skip:
		logger.Debug().Bool("fork", in.snap.Fork).Bool("archived", in.snap.Archived).Msg("skipped: the policy leaves forks and archived repositories out")
		return nil
	}
	encoded, err := json.Marshal(out.findings)
	if err != nil {
		return err
	}
	s, flagged := out.snap, out.report.Flagged
	logger.Info().Bool("flagged", flagged).Strs("failing", review.FailingEnforce(out.findings)).Str("policy_version", in.eff.Version).Msg("repository checked")
	return c.Store.SaveRepositoryCheck(ctx, store.RepositoryCheck{RepositoryID: s.ID, Repository: s.Owner + "/" + s.Name,
		PolicyVersion: in.eff.Version, Findings: string(encoded), Flagged: flagged})
}

// setPrivate turns the repository private. A refusal by GitHub (403:
// the App lacks the Administration write permission; 422: the change is
// not allowed, as for a fork, whose visibility is its upstream's) is no
// failure of the check: it returns why, for the review issue to say.
// Other errors retry.
func setPrivate(ctx context.Context, client *github.Client, s *rules.Snapshot) (string, error) {
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

// fixLabels creates the missing standard labels and corrects colours.
func fixLabels(ctx context.Context, client *github.Client, owner, name string, create, recolour []policy.Label) error {
	for _, l := range create {
		_, _, err := client.Issues.CreateLabel(ctx, owner, name, &github.Label{Name: github.String(l.Name), Color: github.String(l.Color), Description: github.String(l.Description)})
		if ghclient.AlreadyExists(err) {
			// Created by an attempt whose response was lost, or by another
			// check meanwhile: it is there. A colour of its own is the next
			// check's to correct.
			zerolog.Ctx(ctx).Info().Str("label", l.Name).Msg("label already exists")
			err = nil
		}
		if err != nil {
			return fmt.Errorf("create label %q in %s/%s: %w", l.Name, owner, name, err)
		}
	}
	for _, l := range recolour {
		// go-github puts the name into the path unescaped: "kind/bug" would
		// reach the wrong route.
		_, _, err := client.Issues.EditLabel(ctx, owner, name, url.PathEscape(l.Name), &github.Label{Color: github.String(l.Color)})
		if err != nil {
			return fmt.Errorf("fix colour of label %q in %s/%s: %w", l.Name, owner, name, err)
		}
	}
	if n := len(create) + len(recolour); n > 0 {
		zerolog.Ctx(ctx).Info().Int("created", len(create)).Int("recoloured", len(recolour)).Msg("standard labels fixed")
	}
	return nil
}
