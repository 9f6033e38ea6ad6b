package jobs

import (
	"context"

	"github.com/google/go-github/v66/github"
	"github.com/rs/zerolog"

	"github.com/ospo-bot/ospo-bot/internal/prcommand"
)

// commentHandler routes a comment: on a review issue to review (the
// /ospo commands that decide a repository's review), on a pull request to
// prcommand (its /ospo commands and the CLA phrase); then it enqueues the
// checks the comment asks for, so the issue or pull request shows it.
type commentHandler struct {
	deps    Deps
	checker *checker
	pr      *prcommand.Handler
}

func (h *commentHandler) handle(ctx context.Context, d *DeliveryArgs) error {
	ev, err := decode[github.IssueCommentEvent](d)
	if err != nil {
		return err
	}
	if a := ev.GetAction(); (a != "created" && a != "edited" && a != "deleted") || d.InstallationID == 0 {
		return nil
	}
	if ev.GetIssue().IsPullRequest() {
		if err := recordPullRequestComment(ctx, h.deps.Store, d.InstallationID, ev); err != nil {
			return err
		}
	}
	client, err := h.deps.GitHub.NewInstallationClient(d.InstallationID)
	if err != nil {
		return err
	}
	if ev.GetIssue().IsPullRequest() {
		return h.pullRequest(ctx, client, d.InstallationID, ev)
	}
	return h.reviewIssue(ctx, client, d.InstallationID, ev)
}

// pullRequest hands a comment on a pull request to prcommand and
// enqueues the checks it asks for.
func (h *commentHandler) pullRequest(ctx context.Context, client *github.Client, installationID int64, ev *github.IssueCommentEvent) error {
	var rechecks []prcommand.Recheck
	var err error
	switch ev.GetAction() {
	case "deleted":
		rechecks, err = h.pr.Delete(ctx, installationID, ev)
	case "edited":
		rechecks, err = h.pr.Edit(ctx, client, installationID, ev)
	default:
		rechecks, err = h.pr.Comment(ctx, client, installationID, ev)
	}
	if err != nil {
		return err
	}
	// Each its own job: a failure of a check must not handle the comment again.
	for _, r := range rechecks {
		if err := insertPRCheck(ctx, CheckPullRequestArgs{InstallationID: r.PullRequest.InstallationID,
			Repository: r.PullRequest.Repository, Number: r.PullRequest.Number, Reason: r.Reason}); err != nil {
			return err
		}
	}
	return nil
}

// reviewIssue hands a comment on an issue to review, which acts on the
// /ospo commands written on review issues, and enqueues a check of the
// reviewed repository when a decision changed.
func (h *commentHandler) reviewIssue(ctx context.Context, client *github.Client, installationID int64, ev *github.IssueCommentEvent) error {
	handled, err := h.checker.review.IssueComment(ctx, client, installationID, ev)
	if err != nil || !handled.Recheck {
		return err
	}
	if handled.Repository == "" {
		zerolog.Ctx(ctx).Warn().Int64("repository_id", handled.RepositoryID).Msg("review issue of a repository ospo-bot does not know: cannot re-check it")
		return nil
	}
	if err := enqueueDashboard(ctx, installationID, ev.GetRepo().GetOwner().GetLogin(), "a review decision"); err != nil {
		return err
	}
	// Its own job: a failure of the check must not handle the comment again.
	a := CheckRepositoryArgs{InstallationID: installationID, RepositoryID: handled.RepositoryID,
		Repository: handled.Repository, Reason: "a command on its review issue"}
	if err := insertCheck(ctx, a); err != nil {
		return err
	}
	for _, at := range handled.Expiries {
		if err := insertExpiryCheck(ctx, a, at); err != nil {
			return err
		}
	}
	return nil
}
