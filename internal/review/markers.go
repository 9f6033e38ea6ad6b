package review

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/google/go-github/v66/github"
	"github.com/rs/zerolog"

	"github.com/ospo-bot/ospo-bot/internal/appbot"
	"github.com/ospo-bot/ospo-bot/internal/authz"
	"github.com/ospo-bot/ospo-bot/internal/store"
)

// A review issue is one the app opened: its author is the app's bot user
// (by ID), it lives where the policy puts review issues and it carries the
// review label. Anyone may copy the marker into an issue of their own;
// nobody else can write as the bot, and GitHub drops the labels of people
// without push access. A marker counts in such an issue only.

// reviewedRepository finds which repository the issue of c reviews, or 0
// when it is not the app's review issue: commands there act on nothing.
// Our record of the issues the app opened (or recognised) says so first;
// without one, the marker says which repository, when the issue is the
// app's.
func (m *Manager) reviewedRepository(ctx context.Context, client *github.Client, c Comment, auth func(int64) (authz.Authority, error)) (int64, error) {
	row, err := m.Store.ReviewIssueByNumber(ctx, c.Repo, c.IssueNumber)
	if err != nil && !store.IsNotFound(err) {
		return 0, err
	}
	recorded := err == nil
	marked, hasMarker := MarkedRepository(c.IssueBody)
	if !recorded && !hasMarker {
		return 0, nil // an issue like any other
	}
	bot, err := m.Bot.Resolve(ctx, client)
	if err != nil {
		return 0, err
	}
	logger := zerolog.Ctx(ctx).With().Str("issue", c.Repo+"#"+strconv.Itoa(c.IssueNumber)).Str("issue_author", c.IssueAuthor).Logger()
	if recorded {
		// The record names only issues the app opened or recognised, and
		// GitHub's payload always names the issue's author: one that names
		// another, or no one, is not the app's, whatever was recorded.
		if c.IssueAuthorID != bot.UserID {
			logger.Warn().Int64("repository_id", row.RepositoryID).Msg("ignored a recorded review issue that the app did not write")
			return 0, nil
		}
		return row.RepositoryID, nil
	}
	if c.IssueAuthorID != bot.UserID {
		logger.Warn().Int64("marked_repository_id", marked).Msg("ignored a review marker in an issue the app did not write: forged")
		return 0, nil
	}
	a, err := auth(marked)
	if err != nil {
		return 0, err
	}
	if !hasLabel(c.IssueLabels, a.Label) {
		logger.Warn().Int64("marked_repository_id", marked).Str("label", a.Label).Msg("ignored a review marker in an issue without the review label")
		return 0, nil
	}
	if !slices.ContainsFunc(m.reviewRepos(ctx, a, marked), func(r string) bool { return strings.EqualFold(r, c.Repo) }) {
		logger.Warn().Int64("marked_repository_id", marked).Msg("ignored a review marker in an issue outside the repository's review repositories")
		return 0, nil
	}
	return marked, nil
}

// reviewRepos lists where the app opens the review issue of a repository:
// review.repository (or the repository itself when it is not set, when we
// know its name), then the org's .github repository, the fallback.
func (m *Manager) reviewRepos(ctx context.Context, a authz.Authority, repositoryID int64) []string {
	var repos []string
	if a.Repository != "" {
		repos = append(repos, a.Repository)
	} else if r, err := m.Store.RepositoryByID(ctx, repositoryID); err == nil {
		repos = append(repos, r.FullName)
	}
	return append(repos, a.Org+"/.github")
}

// ownIssue reports whether a listed issue is the app's review issue of the
// repository: the app's bot user wrote it, with the label and the marker.
// A copy of the marker in anyone else's issue is logged and passed over.
func ownIssue(ctx context.Context, bot appbot.Identity, is *github.Issue, label string, repositoryID int64) bool {
	id, ok := MarkedRepository(is.GetBody())
	if !ok || id != repositoryID || is.IsPullRequest() {
		return false
	}
	var labels []string
	for _, l := range is.Labels {
		labels = append(labels, l.GetName())
	}
	if !bot.Wrote(is.GetUser()) || !hasLabel(labels, label) {
		zerolog.Ctx(ctx).Warn().Int("issue", is.GetNumber()).Str("issue_author", is.GetUser().GetLogin()).Int64("marked_repository_id", id).
			Msg("not adopting an issue that carries the review marker: the app did not write it (forged), or it lacks the review label")
		return false
	}
	return true
}

func hasLabel(labels []string, label string) bool {
	return label != "" && slices.ContainsFunc(labels, func(l string) bool { return strings.EqualFold(l, label) })
}

// once calls auth at most once per repository for one comment.
func once(auth func(int64) (authz.Authority, error)) func(int64) (authz.Authority, error) {
	type result struct {
		a   authz.Authority
		err error
	}
	seen := map[int64]result{}
	return func(id int64) (authz.Authority, error) {
		if r, ok := seen[id]; ok {
			return r.a, r.err
		}
		a, err := auth(id)
		seen[id] = result{a, err}
		return a, err
	}
}
