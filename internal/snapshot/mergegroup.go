package snapshot

import (
	"context"
	"fmt"

	"github.com/google/go-github/v66/github"

	"github.com/ospo-bot/ospo-bot/internal/ghclient"
	"github.com/ospo-bot/ospo-bot/internal/rules"
)

// MergeGroup is what the merge-group check reads: the commits a merge
// queue's group adds to its base, oldest first, as GitHub returns them
// (parents and linked accounts included), and the same commits as the
// pull request rules read them.
type MergeGroup struct {
	Raw      []*github.RepositoryCommit
	Snapshot *rules.PullRequest
}

// GroupCommits reads the commits of base...head through the compare
// endpoint, page by page (1 call per 100 commits). The list is marked
// complete only when it holds as many commits as GitHub counts, so the CLA
// and DCO rules fail closed on a partial one.
func GroupCommits(ctx context.Context, client *github.Client, owner, name, base, head string) (*MergeGroup, error) {
	out := &MergeGroup{Snapshot: &rules.PullRequest{Owner: owner, Name: name, HeadSHA: head}}
	total := 0
	raw, err := ghclient.All(&github.ListOptions{PerPage: 100}, comparePage(ctx, client, owner, name, base, head, &total))
	if err != nil {
		return nil, fmt.Errorf("compare %s...%s in %s/%s: %w", base, head, owner, name, err)
	}
	for _, c := range raw {
		out.Raw = append(out.Raw, c)
		out.Snapshot.Commits = append(out.Snapshot.Commits, commitOf(c))
	}
	out.Snapshot.CommitCount = total
	out.Snapshot.CommitsComplete = len(out.Raw) == total
	return out, nil
}
