package review

import (
	"context"
	"strings"

	"github.com/google/go-github/v66/github"

	"github.com/ospo-bot/ospo-bot/internal/authz"
)

// IssueComment runs what an issue_comment event on an issue (not a pull
// request) asks of review issues: a new comment's commands
// (HandleComment), what an edit adds or removes, as its editor, the
// event's sender, who may be someone other than the author, since anyone
// with write access may edit any comment (HandleEdit), or what a deleted
// comment decided (Withdraw). Who may decide is the reviewed
// repository's org's (authz.OfOrg). When it asks for a check,
// Handled.Repository names the reviewed repository as ospo-bot knows it
// now ("" when it does not).
func (m *Manager) IssueComment(ctx context.Context, client *github.Client, installationID int64, ev *github.IssueCommentEvent) (Handled, error) {
	cm := ev.GetComment()
	c := Comment{
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
	from := ev.GetChanges().GetBody()
	if from != nil {
		c.OldBody = from.GetFrom()
	}
	if c.Edited {
		c.At = cm.GetUpdatedAt().Time
	}
	authority := func(repoID int64) (authz.Authority, error) {
		full := m.reviewedName(ctx, repoID)
		if full == "" {
			full = c.Repo
		}
		owner, _, _ := strings.Cut(full, "/")
		return authz.OfOrg(ctx, client, owner)
	}
	sender := ev.GetSender()
	var handled Handled
	var err error
	switch ev.GetAction() {
	case "deleted":
		handled, err = m.Withdraw(ctx, client, c, sender.GetLogin(), "deleted", authority)
	case "edited":
		handled, err = m.HandleEdit(ctx, client, Edit{Comment: c, Editor: sender.GetLogin(),
			EditorIsBot: sender.GetType() == "Bot", OldKnown: from != nil && from.From != nil}, authority)
	default:
		handled, err = m.HandleComment(ctx, client, c, authority)
	}
	if err != nil || !handled.Recheck {
		return handled, err
	}
	handled.Repository = m.reviewedName(ctx, handled.RepositoryID)
	return handled, nil
}

// reviewedName is the current owner/name of a reviewed repository.
func (m *Manager) reviewedName(ctx context.Context, repoID int64) string {
	if row, err := m.Store.ReviewIssue(ctx, repoID); err == nil {
		return row.Repository
	}
	if r, err := m.Store.RepositoryByID(ctx, repoID); err == nil {
		return r.FullName
	}
	return ""
}
