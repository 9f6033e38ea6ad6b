package jobs

import (
	"context"
	"strings"

	"github.com/google/go-github/v66/github"
	"github.com/rs/zerolog"

	"github.com/ospo-bot/ospo-bot/internal/authz"
	"github.com/ospo-bot/ospo-bot/internal/prcommand"
	"github.com/ospo-bot/ospo-bot/internal/review"
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
	cm := ev.GetComment()
	c := review.Comment{
		InstallationID: installationID,
		Repo:           ev.GetRepo().GetFullName(),
		IssueNumber:    ev.GetIssue().GetNumber(),
		IssueBody:      ev.GetIssue().GetBody(),
		IssueAuthor:    ev.GetIssue().GetUser().GetLogin(),
		IssueAuthorID:  ev.GetIssue().GetUser().GetID(),
		ID:             cm.GetID(),
		Body:           cm.GetBody(),
		Edited:         ev.GetAction() == "edited",
		Author:         cm.GetUser().GetLogin(),
		AuthorIsBot:    cm.GetUser().GetType() == "Bot",
		URL:            cm.GetHTMLURL(),
		At:             cm.GetCreatedAt().Time,
	}
	for _, l := range ev.GetIssue().Labels {
		c.IssueLabels = append(c.IssueLabels, l.GetName())
	}
	if ev.Changes != nil && ev.Changes.Body != nil {
		c.OldBody = ev.Changes.Body.GetFrom()
	}
	if c.Edited {
		c.At = cm.GetUpdatedAt().Time
	}
	// An edit is the editor's (the event's sender, who may be someone
	// other than the author: anyone with write access may edit any
	// comment): only what it adds or removes acts, as the editor.
	sender := ev.GetSender()
	from := ev.GetChanges().GetBody()
	oldKnown := from != nil && from.From != nil
	authority := func(repoID int64) (authz.Authority, error) {
		owner := h.reviewedOwner(ctx, repoID, c.Repo)
		eff, err := loadOrgPolicy(ctx, client, owner)
		if err != nil {
			return authz.Authority{}, err
		}
		return authz.Authority{Org: owner, Approvers: eff.Policy.Review.Approvers, PolicyVersion: eff.Version,
			Label: eff.Policy.Review.Label, Repository: eff.Policy.Review.Repository}, nil
	}
	var handled review.Handled
	var err error
	switch ev.GetAction() {
	case "deleted":
		handled, err = h.checker.review.Withdraw(ctx, client, c, sender.GetLogin(), "deleted", authority)
	case "edited":
		handled, err = h.checker.review.HandleEdit(ctx, client, review.Edit{Comment: c, Editor: sender.GetLogin(),
			EditorIsBot: sender.GetType() == "Bot", OldKnown: oldKnown}, authority)
	default:
		handled, err = h.checker.review.HandleComment(ctx, client, c, authority)
	}
	if err != nil || !handled.Recheck {
		return err
	}
	fullName := h.reviewedName(ctx, handled.RepositoryID)
	if fullName == "" {
		zerolog.Ctx(ctx).Warn().Int64("repository_id", handled.RepositoryID).Msg("review issue of a repository ospo-bot does not know: cannot re-check it")
		return nil
	}
	// Its own job: a failure of the check must not handle the comment again.
	return insertCheck(ctx, CheckRepositoryArgs{InstallationID: installationID, RepositoryID: handled.RepositoryID,
		Repository: fullName, Reason: "a command on its review issue"})
}

// reviewedName is the current owner/name of a reviewed repository.
func (h *commentHandler) reviewedName(ctx context.Context, repoID int64) string {
	if row, err := h.deps.Store.ReviewIssue(ctx, repoID); err == nil {
		return row.Repository
	}
	if r, err := h.deps.Store.RepositoryByID(ctx, repoID); err == nil {
		return r.FullName
	}
	return ""
}

func (h *commentHandler) reviewedOwner(ctx context.Context, repoID int64, issueRepo string) string {
	full := h.reviewedName(ctx, repoID)
	if full == "" {
		full = issueRepo
	}
	owner, _, _ := strings.Cut(full, "/")
	return owner
}
