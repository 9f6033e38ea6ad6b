package check

import (
	"slices"
	"testing"

	"github.com/google/go-github/v66/github"

	"github.com/ospo-bot/ospo-bot/internal/rules"
	"github.com/ospo-bot/ospo-bot/internal/snapshot"
	"github.com/ospo-bot/ospo-bot/internal/store"
)

// A merge group passes for its pull requests only when each passed into
// the group's base branch at the head it was queued with and every other
// commit is a merge GitHub made on the group's first-parent chain.
func TestPassedPullRequests(t *testing.T) {
	commit := func(sha, committer string, parents ...string) *github.RepositoryCommit {
		c := &github.RepositoryCommit{SHA: github.String(sha), Committer: &github.User{Login: github.String(committer)}}
		for _, p := range parents {
			c.Parents = append(c.Parents, &github.Commit{SHA: github.String(p)})
		}
		return c
	}
	result := func(number int, sha, baseRef, conclusion string) store.PullRequestResult {
		return store.PullRequestResult{PullRequestRef: store.PullRequestRef{Repository: "acme/widget", Number: number},
			HeadSHA: sha, BaseRef: baseRef, Conclusion: conclusion}
	}
	// base ← a1 (#1), base ← b1 (#2); the queue merges them: m1, then m2.
	queued := []*github.RepositoryCommit{commit("a1", "alice", "base"), commit("m1", "web-flow", "base", "a1"),
		commit("b1", "bob", "base"), commit("m2", "web-flow", "m1", "b1")}
	group := func(raw ...*github.RepositoryCommit) *snapshot.MergeGroup {
		return &snapshot.MergeGroup{Raw: raw, Snapshot: &rules.PullRequest{HeadSHA: "m2", CommitsComplete: true}}
	}
	passing := map[string][]store.PullRequestResult{"a1": {result(1, "a1", "main", "success")}, "b1": {result(2, "b1", "main", "neutral")}}
	tests := []struct {
		name    string
		baseRef string
		group   *snapshot.MergeGroup
		results map[string][]store.PullRequestResult
		passed  []int
		failed  int
	}{
		{name: "every pull request passed", baseRef: "main", group: group(queued...), results: passing, passed: []int{1, 2}},
		{name: "one failed", baseRef: "main", group: group(queued...), failed: 2,
			results: map[string][]store.PullRequestResult{"a1": passing["a1"], "b1": {result(2, "b1", "main", "failure")}}},
		{name: "one checked into another branch", baseRef: "main", group: group(queued...),
			results: map[string][]store.PullRequestResult{"a1": passing["a1"], "b1": {result(2, "b1", "dev", "success")}}},
		{name: "no base branch", baseRef: "", group: group(queued...), results: passing},
		{name: "a merge off the first-parent chain names web-flow", baseRef: "main", results: passing,
			group: group(append(queued[:4:4], commit("f", "web-flow", "a1", "b1"))...)},
		{name: "a merge on the chain by someone else", baseRef: "main", results: passing,
			group: group(queued[0], queued[1], queued[2], commit("m2", "mallory", "m1", "b1"))},
		{name: "a commit of no pull request", baseRef: "main", results: passing,
			group: group(queued[0], queued[1], queued[2], commit("m2", "web-flow", "m1", "b1"), commit("x", "eve", "m2"))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			passed, failed := passedPullRequests(tt.baseRef, tt.group, tt.results)
			var numbers []int
			for _, r := range passed {
				numbers = append(numbers, r.Number)
			}
			if !slices.Equal(numbers, tt.passed) {
				t.Errorf("passed %v, want %v", numbers, tt.passed)
			}
			got := 0
			if failed != nil {
				got = failed.Number
			}
			if got != tt.failed {
				t.Errorf("failed #%d, want #%d (0: none)", got, tt.failed)
			}
		})
	}
}
