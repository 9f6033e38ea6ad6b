package prcommand

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/go-github/v66/github"

	"github.com/ospo-bot/ospo-bot/internal/inert"
	"github.com/ospo-bot/ospo-bot/internal/snapshot"
	"github.com/ospo-bot/ospo-bot/internal/store"
)

// `/ospo approve` on a pull request: what an approver approved, at which
// head (check.PullRequest reads it back and asks whether it still holds).

// approvePaths records an approver's approval of the pull request's
// protected-path changes at the head the approver saw: the head when the
// comment was written (created_at; updated_at for an edit, when it was
// written again), not the head when this job runs, which a push may have
// moved since. That head comes from GitHub's activity log of the head
// branch (snapshot.HeadAt: push times GitHub recorded, unlike commit
// dates, and force pushes included). When it cannot be told, nothing is
// approved and the reply says why.
func (h *Handler) approvePaths(ctx context.Context, client *github.Client, ref store.PullRequestRef, cm *github.IssueComment, version string) (string, error) {
	login := cm.GetUser().GetLogin()
	written := cm.GetCreatedAt().Time
	if u := cm.GetUpdatedAt().Time; u.After(written) {
		written = u
	}
	sha, branch, ok, err := headWhen(ctx, client, ref, written)
	if err != nil {
		return "", err
	}
	if !ok {
		if err := h.audit(ctx, ref.InstallationID, login, "refuse approve", fmt.Sprintf("%s#%d", ref.Repository, ref.Number),
			"the head when the comment was written is unknown", cm.GetHTMLURL(), version,
			fmt.Sprintf("comment %d refuse approve at %s", cm.GetID(), written.UTC().Format(time.RFC3339Nano))); err != nil {
			return "", err
		}
		return unknownHeadReply(login, branch), nil
	}
	err = h.Store.SavePathApproval(ctx, ref, store.PathApproval{CommentID: cm.GetID(), Login: login,
		HeadSHA: sha, URL: cm.GetHTMLURL(), At: written})
	if err != nil {
		return "", err
	}
	return "", h.audit(ctx, ref.InstallationID, login, "approve protected paths",
		fmt.Sprintf("%s#%d", ref.Repository, ref.Number), "at "+sha, cm.GetHTMLURL(), version,
		fmt.Sprintf("comment %d approve protected paths at %s", cm.GetID(), written.UTC().Format(time.RFC3339Nano)))
}

// headWhen is the head commit of a pull request at a time, from GitHub's
// activity log of its head branch (snapshot.HeadAt); ok is false when it
// cannot be told. branch is the head branch's name.
func headWhen(ctx context.Context, client *github.Client, ref store.PullRequestRef, at time.Time) (sha, branch string, ok bool, err error) {
	owner, name, _ := strings.Cut(ref.Repository, "/")
	pr, _, err := client.PullRequests.Get(ctx, owner, name, ref.Number)
	if err != nil {
		return "", "", false, fmt.Errorf("read %s#%d: %w", ref.Repository, ref.Number, err)
	}
	head := pr.GetHead()
	if hr := head.GetRepo(); hr != nil && !at.IsZero() {
		if sha, ok, err = snapshot.HeadAt(ctx, client, hr.GetOwner().GetLogin(), hr.GetName(), head.GetRef(), at); err != nil {
			return "", "", false, err
		}
	}
	return sha, head.GetRef(), ok, nil
}

// unknownHeadReply says why an approval whose head is unknown approved
// nothing.
func unknownHeadReply(login, branch string) string {
	return fmt.Sprintf("%s, I could not tell which commit was the head of this pull request when you wrote your comment "+
		"(GitHub's activity log of its branch %s does not say), so I approved nothing: an approval must name what you saw. "+
		"Please comment `/ospo approve` again.", inert.Mention(login), inert.Code(branch))
}
