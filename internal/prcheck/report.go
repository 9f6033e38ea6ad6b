package prcheck

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/google/go-github/v66/github"

	"github.com/ospo-bot/ospo-bot/internal/rules"
	"github.com/ospo-bot/ospo-bot/internal/store"
)

// commentMarker finds the sticky comment among a pull request's comments.
const commentMarker = "<!-- ospo-bot:pull-request -->"

// resolved is the digest of a sticky comment turned into a ✅ note.
const resolved = "resolved"

// Reporter writes check runs and sticky comments, and keeps their IDs so a
// re-run edits instead of adding.
type Reporter struct {
	Store *store.Store
}

// PR names the pull request and the head commit being checked.
type PR struct {
	Owner, Name string
	Number      int
	HeadSHA     string
}

func (p PR) full() string { return p.Owner + "/" + p.Name }

// Start marks the head commit's check run in progress: created once per
// head commit, set back to in progress on a re-run.
func (r *Reporter) Start(ctx context.Context, client *github.Client, pr PR) (store.PullRequestState, error) {
	st, err := r.Store.PullRequestStateOf(ctx, pr.full(), pr.Number)
	if err != nil {
		return st, err
	}
	now := github.Timestamp{Time: time.Now()}
	if st.HeadSHA == pr.HeadSHA && st.CheckRunID != 0 {
		_, _, err := client.Checks.UpdateCheckRun(ctx, pr.Owner, pr.Name, st.CheckRunID, github.UpdateCheckRunOptions{
			Name: CheckName, Status: github.String("in_progress"),
		})
		if err != nil {
			return st, fmt.Errorf("restart check run of %s#%d: %w", pr.full(), pr.Number, err)
		}
		return st, nil
	}
	run, _, err := client.Checks.CreateCheckRun(ctx, pr.Owner, pr.Name, github.CreateCheckRunOptions{
		Name: CheckName, HeadSHA: pr.HeadSHA, Status: github.String("in_progress"), StartedAt: &now,
	})
	if err != nil {
		return st, fmt.Errorf("create check run on %s@%s: %w", pr.full(), pr.HeadSHA, err)
	}
	st.HeadSHA, st.CheckRunID = pr.HeadSHA, run.GetID()
	return st, r.Store.SavePullRequestState(ctx, st)
}

// Finish completes the check run with the findings.
func (r *Reporter) Finish(ctx context.Context, client *github.Client, pr PR, st store.PullRequestState, fs []rules.Finding) error {
	now := github.Timestamp{Time: time.Now()}
	_, _, err := client.Checks.UpdateCheckRun(ctx, pr.Owner, pr.Name, st.CheckRunID, github.UpdateCheckRunOptions{
		Name:        CheckName,
		Status:      github.String("completed"),
		Conclusion:  github.String(Conclusion(fs)),
		CompletedAt: &now,
		Output: &github.CheckRunOutput{
			Title:       github.String(Title(fs)),
			Summary:     github.String(Summary(fs)),
			Annotations: Annotations(fs),
		},
		Actions: []*github.CheckRunAction{{Label: "Recheck", Description: "Check this pull request again", Identifier: RecheckAction}},
	})
	if err != nil {
		return fmt.Errorf("complete check run of %s#%d: %w", pr.full(), pr.Number, err)
	}
	return nil
}

// Comment keeps the one sticky comment in step with what the contributor
// must do (body; empty when nothing): created only when there is something
// to do, edited in place when that changes, turned into a short ✅ note once
// resolved; never a second one, never one on a first-run pass.
func (r *Reporter) Comment(ctx context.Context, client *github.Client, pr PR, st store.PullRequestState, body string) error {
	digest := resolved
	if body != "" {
		sum := sha256.Sum256([]byte(body))
		digest = hex.EncodeToString(sum[:8])
	}
	if digest == st.CommentDigest {
		return nil
	}
	if st.CommentID == 0 {
		if body == "" {
			return nil // nothing to say and nothing said
		}
		id, err := findMarked(ctx, client, pr)
		if err != nil {
			return err
		}
		st.CommentID = id
	}
	text := commentMarker + "\n" + body
	if body == "" {
		text = commentMarker + "\n✅ Everything the policy asks of contributors is done. Thank you!"
	}
	if st.CommentID == 0 {
		c, _, err := client.Issues.CreateComment(ctx, pr.Owner, pr.Name, pr.Number, &github.IssueComment{Body: &text})
		if err != nil {
			return fmt.Errorf("comment on %s#%d: %w", pr.full(), pr.Number, err)
		}
		st.CommentID = c.GetID()
	} else if _, _, err := client.Issues.EditComment(ctx, pr.Owner, pr.Name, st.CommentID, &github.IssueComment{Body: &text}); err != nil {
		return fmt.Errorf("edit comment %d on %s#%d: %w", st.CommentID, pr.full(), pr.Number, err)
	}
	st.CommentDigest = digest
	return r.Store.SavePullRequestState(ctx, st)
}

// findMarked reads every page of comments for the sticky one.
func findMarked(ctx context.Context, client *github.Client, pr PR) (int64, error) {
	opts := &github.IssueListCommentsOptions{ListOptions: github.ListOptions{PerPage: 100}}
	for {
		page, resp, err := client.Issues.ListComments(ctx, pr.Owner, pr.Name, pr.Number, opts)
		if err != nil {
			return 0, fmt.Errorf("list comments of %s#%d: %w", pr.full(), pr.Number, err)
		}
		for _, c := range page {
			if strings.Contains(c.GetBody(), commentMarker) && strings.HasSuffix(c.GetUser().GetLogin(), "[bot]") {
				return c.GetID(), nil
			}
		}
		if resp.NextPage == 0 {
			return 0, nil
		}
		opts.Page = resp.NextPage
	}
}
