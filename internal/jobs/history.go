package jobs

import (
	"context"
	"strings"
	"time"

	"github.com/google/go-github/v66/github"

	"github.com/ospo-bot/ospo-bot/internal/store"
)

// The pull request facts of the history (store.PullRequestFact), from the
// webhooks that carry them, with the payload's times: every such webhook
// upserts the pull request's row, then records what its action says. A
// redelivery writes nothing new.

// isBot: a GitHub App's or other bot account (type Bot, or a login
// ending in [bot]).
func isBot(u *github.User) bool {
	return u.GetType() == "Bot" || strings.HasSuffix(u.GetLogin(), "[bot]")
}

// recordPullRequestEvent records a pull_request event: the row, a reopen,
// and a close (also on any event of a closed pull request, which changes
// nothing when a later reopen was recorded).
func recordPullRequestEvent(ctx context.Context, st *store.Store, installationID int64, ev *github.PullRequestEvent) error {
	pr, repo := ev.GetPullRequest(), ev.GetRepo().GetFullName()
	f, ok := pullRequestFact(installationID, ev.GetRepo(), pr.GetNumber(), pr.GetUser(), pr.GetAuthorAssociation(), pr.GetCreatedAt())
	if !ok {
		return nil
	}
	f.Opening = ev.GetAction() == "opened"
	if err := st.RecordPullRequestOpened(ctx, f); err != nil {
		return err
	}
	if ev.GetAction() == "reopened" {
		if err := st.RecordPullRequestReopened(ctx, repo, pr.GetNumber(), pr.GetUpdatedAt().Time); err != nil {
			return err
		}
	}
	if pr.GetState() == "closed" && pr.ClosedAt != nil {
		return st.RecordPullRequestClosed(ctx, repo, pr.GetNumber(), pr.GetMerged() || pr.MergedAt != nil, pr.GetClosedAt().Time)
	}
	return nil
}

// recordPullRequestComment records a comment on a pull request: the row,
// and the comment as a response when a human other than the author wrote
// it.
func recordPullRequestComment(ctx context.Context, st *store.Store, installationID int64, ev *github.IssueCommentEvent) error {
	is, cm, repo := ev.GetIssue(), ev.GetComment(), ev.GetRepo().GetFullName()
	f, ok := pullRequestFact(installationID, ev.GetRepo(), is.GetNumber(), is.GetUser(), is.GetAuthorAssociation(), is.GetCreatedAt())
	if !ok {
		return nil
	}
	if err := st.RecordPullRequestOpened(ctx, f); err != nil {
		return err
	}
	if a := ev.GetAction(); (a == "created" || a == "edited") && !isBot(cm.GetUser()) {
		if err := st.RecordPullRequestResponse(ctx, repo, is.GetNumber(), cm.GetUser().GetLogin(), cm.GetCreatedAt().Time); err != nil {
			return err
		}
	}
	if is.GetState() == "closed" && is.ClosedAt != nil {
		return st.RecordPullRequestClosed(ctx, repo, is.GetNumber(), !is.GetPullRequestLinks().GetMergedAt().IsZero(), is.GetClosedAt().Time)
	}
	return nil
}

// recordPullRequestReview records a review: the row, and the review as a
// response when a human other than the author submitted it.
func recordPullRequestReview(ctx context.Context, st *store.Store, installationID int64, ev *github.PullRequestReviewEvent) error {
	pr, rv, repo := ev.GetPullRequest(), ev.GetReview(), ev.GetRepo().GetFullName()
	f, ok := pullRequestFact(installationID, ev.GetRepo(), pr.GetNumber(), pr.GetUser(), pr.GetAuthorAssociation(), pr.GetCreatedAt())
	if !ok {
		return nil
	}
	if err := st.RecordPullRequestOpened(ctx, f); err != nil {
		return err
	}
	if rv.SubmittedAt != nil && !strings.EqualFold(rv.GetState(), "pending") && !isBot(rv.GetUser()) {
		if err := st.RecordPullRequestResponse(ctx, repo, pr.GetNumber(), rv.GetUser().GetLogin(), rv.GetSubmittedAt().Time); err != nil {
			return err
		}
	}
	if pr.GetState() == "closed" && pr.ClosedAt != nil {
		return st.RecordPullRequestClosed(ctx, repo, pr.GetNumber(), pr.MergedAt != nil, pr.GetClosedAt().Time)
	}
	return nil
}

// pullRequestFact is the row a webhook gives; ok is false when it lacks
// the repository, number, author or creation time.
func pullRequestFact(installationID int64, repo *github.Repository, number int, author *github.User, association string, created github.Timestamp) (f store.PullRequestFact, ok bool) {
	if repo.GetFullName() == "" || number == 0 || author.GetLogin() == "" || created.IsZero() {
		return f, false
	}
	return store.PullRequestFact{Repository: repo.GetFullName(), Number: number, InstallationID: installationID,
		RepositoryID: repo.GetID(), Org: repo.GetOwner().GetLogin(), Author: author.GetLogin(), AuthorID: author.GetID(),
		AuthorAssociation: association, AuthorBot: isBot(author), OpenedAt: created.Time}, true
}

// recordRepositoriesGone records that the repositories left the bot's view
// today (deleted, or removed from the installation): out of scope, with
// no results, so the day's earlier check no longer counts.
func recordRepositoriesGone(ctx context.Context, st *store.Store, installationID int64, repos []*github.Repository) error {
	now := time.Now()
	for _, r := range repos {
		full := r.GetFullName()
		org, _, _ := strings.Cut(full, "/")
		if r.GetID() == 0 || full == "" {
			continue
		}
		if err := st.RecordRepositoryDay(ctx, store.RepositoryDay{RepositoryID: r.GetID(), InstallationID: installationID,
			Org: org, Repository: full, Private: r.GetPrivate(), At: now}); err != nil {
			return err
		}
	}
	return nil
}
