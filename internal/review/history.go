package review

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/go-github/v66/github"

	"github.com/ospo-bot/ospo-bot/internal/store"
)

// The review issue's life, kept as history (store.ReviewEvent): opened
// (GitHub's created_at), reopened and closed by the bot (recorded before
// the edit that does it, once per Sync attempt, so a lost response loses
// nothing), the first response of a human, and each accepted deciding
// command (the comment's time). A close or reopen by hand is seen by no
// webhook the app receives and is not recorded.

// issueKey names a review issue in event keys.
func issueKey(repositoryID int64, reviewRepo string, number int) string {
	return fmt.Sprintf("review %d issue %s#%d", repositoryID, reviewRepo, number)
}

// reviewEvent is an event about the review of repository (owner/name).
func reviewEvent(key string, repositoryID, installationID int64, repository, kind, actor string, at time.Time) store.ReviewEvent {
	org, _, _ := strings.Cut(repository, "/")
	return store.ReviewEvent{Key: key, RepositoryID: repositoryID, InstallationID: installationID, Org: org,
		Repository: repository, Kind: kind, Actor: actor, At: at}
}

// recordLife records that the review issue (as GitHub has it) was opened
// and, when state is set, that the bot is about to close or reopen it.
func (m *Manager) recordLife(ctx context.Context, t Target, rep Report, row store.ReviewIssue, issue *github.Issue, state *string) error {
	s := rep.Snapshot
	full, key := s.Owner+"/"+s.Name, issueKey(s.ID, row.ReviewRepo, row.IssueNumber)
	if issue.GetID() != 0 {
		key = fmt.Sprintf("review %d issue %d", s.ID, issue.GetID()) // the same after a transfer
	}
	opened := issue.GetCreatedAt().Time
	if opened.IsZero() {
		opened = time.Now()
	}
	if err := m.Store.RecordReviewEvent(ctx, reviewEvent(key+" opened", s.ID, t.InstallationID, full, store.ReviewOpened, issue.GetUser().GetLogin(), opened)); err != nil {
		return err
	}
	if state == nil {
		return nil
	}
	kind := store.ReviewClosed
	if *state == "open" {
		kind = store.ReviewReopened
	}
	// The row as this attempt read it names the change: every Sync that
	// gets through rewrites it (as the notes' keys do).
	key = fmt.Sprintf("%s %s %d", key, kind, row.UpdatedAt.UnixNano())
	return m.Store.RecordReviewEvent(ctx, reviewEvent(key, s.ID, t.InstallationID, full, kind, "", time.Now()))
}

// recordResponse records a human's comment on a review issue as its first
// response, when it is the earliest.
func (m *Manager) recordResponse(ctx context.Context, c Comment, repoID int64) error {
	if c.AuthorIsBot || strings.HasSuffix(c.Author, "[bot]") || c.Edited {
		return nil
	}
	full := m.reviewedName(ctx, repoID)
	if full == "" {
		return nil
	}
	key := issueKey(repoID, c.Repo, c.IssueNumber) + " responded"
	return m.Store.RecordReviewEvent(ctx, reviewEvent(key, repoID, c.InstallationID, full, store.ReviewResponded, c.Author, c.At))
}

// recordDecisions records accepted deciding commands as decided events,
// keyed by keyOf(i).
func (m *Manager) recordDecisions(ctx context.Context, installationID, repoID int64, actor string, ds []store.ReviewDecision, keyOf func(i int) string) error {
	full := m.reviewedName(ctx, repoID)
	if full == "" {
		return nil
	}
	for i, d := range ds {
		e := reviewEvent("review decided "+keyOf(i), repoID, installationID, full, store.ReviewDecided, actor, d.At)
		e.Verb, e.Rule = d.Verb, d.Rule
		if err := m.Store.RecordReviewEvent(ctx, e); err != nil {
			return err
		}
	}
	return nil
}
