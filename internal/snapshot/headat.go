package snapshot

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/google/go-github/v66/github"
	"github.com/rs/zerolog"

	"github.com/ospo-bot/ospo-bot/internal/ghclient"
)

// maxActivityPages bounds how far back HeadAt reads a branch's log.
const maxActivityPages = 10

// branchChange is one entry of GitHub's repository activity log.
type branchChange struct {
	After     string    `json:"after"`
	Timestamp time.Time `json:"timestamp"`
	Type      string    `json:"activity_type"`
}

// HeadAt finds the commit a branch pointed at, at a moment, from GitHub's
// own log of the branch's changes, GET /repos/{owner}/{repo}/activity
// (https://docs.github.com/rest/repos/repos#list-repository-activities):
// each push, force push and branch creation with the time GitHub received
// it. Commit dates cannot tell: the pusher sets them, and a force push
// replaces history without a trace in the commits. The head at `at` is
// the after of the newest change strictly before `at`, compared to the
// second as GitHub's timestamps are: a push in the same second as `at`
// counts as after it, so the earlier head is the one returned (an
// approval bound to an earlier head is voided by more later changes,
// never fewer). ok is false when the log does not tell: no change of the
// branch before `at` within the pages read, the branch deleted then, or
// the log refused (a fork the app cannot read); the caller fails closed.
// Rate limits and server errors are returned, to retry.
func HeadAt(ctx context.Context, client *github.Client, owner, name, branch string, at time.Time) (sha string, ok bool, err error) {
	at = at.UTC().Truncate(time.Second)
	q := url.Values{"ref": {"refs/heads/" + branch}, "direction": {"desc"}, "per_page": {"100"}}
	for range maxActivityPages {
		req, err := client.NewRequest("GET", fmt.Sprintf("repos/%s/%s/activity?%s", owner, name, q.Encode()), nil)
		if err != nil {
			return "", false, err
		}
		var page []branchChange
		resp, err := client.Do(ctx, req, &page)
		if err != nil {
			if ghclient.Permanent(err) {
				zerolog.Ctx(ctx).Warn().Err(err).Str("branch", owner+"/"+name+":"+branch).Msg("cannot read the branch's activity")
				return "", false, nil
			}
			return "", false, fmt.Errorf("read the activity of %s/%s %s: %w", owner, name, branch, err)
		}
		for _, c := range page {
			if c.Timestamp.Before(at) {
				if c.Type == "branch_deletion" || c.After == "" {
					return "", false, nil
				}
				return c.After, true, nil
			}
		}
		if resp.After == "" || len(page) == 0 {
			return "", false, nil
		}
		q.Set("after", resp.After)
	}
	return "", false, nil
}
