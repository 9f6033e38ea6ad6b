package jobs

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/google/go-github/v66/github"
	"github.com/rs/zerolog"

	"github.com/ospo-bot/ospo-bot/internal/authz"
	"github.com/ospo-bot/ospo-bot/internal/inert"
	"github.com/ospo-bot/ospo-bot/internal/rules"
	"github.com/ospo-bot/ospo-bot/internal/snapshot"
	"github.com/ospo-bot/ospo-bot/internal/store"
)

// Approvals of changes to protected paths: what an approver approved, and
// whether it still holds at the pull request's head.

// maxCompareFiles is how many files compare lists, for the whole
// comparison: https://docs.github.com/rest/commits/commits#compare-two-commits
const maxCompareFiles = 300

// gatherApprovals collects the approvals of protected-path changes: the
// `/ospo approve` comments recorded for the pull request and approving
// reviews, each checked against the approvers live, and voided when a
// later commit touched protected paths again.
func (c *checker) gatherApprovals(ctx context.Context, client *github.Client, org string, snap *rules.PullRequest, ref store.PullRequestRef, patterns, approvers []string) error {
	type given struct {
		login, sha, url string
		at              time.Time
	}
	var all []given
	recorded, err := c.deps.Store.PathApprovals(ctx, ref.Repository, ref.Number)
	if err != nil {
		return err
	}
	for _, a := range recorded {
		all = append(all, given{a.Login, a.HeadSHA, a.URL, a.At})
	}
	opts := &github.ListOptions{PerPage: 100}
	for {
		reviews, resp, err := client.PullRequests.ListReviews(ctx, snap.Owner, snap.Name, snap.Number, opts)
		if err != nil {
			return fmt.Errorf("list reviews of %s#%d: %w", ref.Repository, ref.Number, err)
		}
		for _, rv := range reviews {
			if rv.GetState() == "APPROVED" {
				all = append(all, given{rv.GetUser().GetLogin(), rv.GetCommitID(), rv.GetHTMLURL(), rv.GetSubmittedAt().Time})
			}
		}
		if resp.NextPage == 0 {
			break
		}
		opts.Page = resp.NextPage
	}
	authority := authz.Authority{Org: org, Approvers: approvers}
	// Anyone who can review may approve many times: ask once a person.
	mayDecide := map[string]bool{}
	for _, g := range all {
		ok, asked := mayDecide[strings.ToLower(g.login)]
		if !asked {
			if ok, err = authz.MayDecide(ctx, client, authority, g.login); err != nil {
				return err
			}
			mayDecide[strings.ToLower(g.login)] = ok
		}
		voided := false
		if ok && g.sha != snap.HeadSHA {
			if voided, err = touchedSince(ctx, client, snap, g.sha, patterns); err != nil {
				return err
			}
		}
		snap.Approvals = append(snap.Approvals, rules.PathApproval{Login: g.login, At: g.at, Authorized: ok, Voided: voided, URL: g.url})
	}
	return nil
}

// touchedSince reports whether an approval given at sha no longer holds
// at the pull request's head: a later commit changed protected paths;
// or sha is no longer in the pull request's history (a force push
// rewrote it: compare answers 404 for a commit GitHub no longer has, and
// "diverged" or "behind" for one the head does not contain); or the
// changes since sha reach the 300 files compare lists, so the rest is
// unknown. Each of these voids the approval (fail closed).
func touchedSince(ctx context.Context, client *github.Client, snap *rules.PullRequest, sha string, patterns []string) (bool, error) {
	if sha == "" {
		return true, nil
	}
	if sha == snap.HeadSHA {
		return false, nil
	}
	// Paged (per_page), compare lists the files once, on the first page.
	cmp, _, err := client.Repositories.CompareCommits(ctx, snap.Owner, snap.Name, sha, snap.HeadSHA, &github.ListOptions{PerPage: 1})
	var e *github.ErrorResponse
	if errors.As(err, &e) && e.Response != nil && e.Response.StatusCode == http.StatusNotFound {
		zerolog.Ctx(ctx).Info().Str("approved_sha", sha).Msg("the approved commit is gone from the repository: approval void")
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("compare %s...%s: %w", sha, snap.HeadSHA, err)
	}
	if st := cmp.GetStatus(); st != "ahead" && st != "identical" {
		zerolog.Ctx(ctx).Info().Str("approved_sha", sha).Str("status", st).Msg("the approved commit is no longer in the pull request's history: approval void")
		return true, nil
	}
	if len(cmp.Files) >= maxCompareFiles {
		return true, nil
	}
	var files []string
	for _, f := range cmp.Files {
		files = append(files, f.GetFilename(), f.GetPreviousFilename())
	}
	return len(rules.ProtectedFiles(files, patterns)) > 0, nil
}

// approvePaths records an approver's approval of the pull request's
// protected-path changes at the head the approver saw: the head when the
// comment was written (created_at; updated_at for an edit, when it was
// written again), not the head when this job runs, which a push may have
// moved since. That head comes from GitHub's activity log of the head
// branch (snapshot.HeadAt: push times GitHub recorded, unlike commit
// dates, and force pushes included). When it cannot be told, nothing is
// approved and the reply says why.
func (h *commentHandler) approvePaths(ctx context.Context, client *github.Client, ref store.PullRequestRef, cm *github.IssueComment, version string) (string, error) {
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
	err = h.deps.Store.SavePathApproval(ctx, ref, store.PathApproval{CommentID: cm.GetID(), Login: login,
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
