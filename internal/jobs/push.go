package jobs

import (
	"context"
	"slices"

	"github.com/google/go-github/v66/github"
	"github.com/rs/zerolog"

	"github.com/ospo-bot/ospo-bot/internal/rules"
)

// pushHandler re-checks a repository when a push to its default branch
// changes a file the rules read, and the whole installation when the org's
// ospo.yml changes.
type pushHandler struct {
	deps    Deps
	checker *checker
}

func (h *pushHandler) handle(ctx context.Context, d *DeliveryArgs) error {
	ev, err := decode[github.PushEvent](d)
	if err != nil {
		return err
	}
	repo := ev.GetRepo()
	if ev.GetRef() != "refs/heads/"+repo.GetDefaultBranch() || ev.GetDeleted() || d.InstallationID == 0 {
		return nil
	}
	changed := changedPaths(ev)
	logger := zerolog.Ctx(ctx)
	if repo.GetName() == ".github" && (changed == nil || changed["ospo.yml"]) {
		logger.Info().Msg("the org policy changed: checking it and every repository")
		return h.checker.policyChanged(ctx, d.InstallationID, repo.GetOwner().GetLogin())
	}
	if changed != nil && !anyRelevant(changed, addedOrRemoved(ev)) {
		return nil
	}
	return insertCheck(ctx, CheckRepositoryArgs{
		InstallationID: d.InstallationID, RepositoryID: repo.GetID(),
		Repository: repo.GetFullName(), Reason: "push to " + repo.GetDefaultBranch(),
	})
}

// changedPaths lists the files a push added, modified or removed; nil when
// the payload cannot tell (GitHub lists at most 20 commits; a force push
// lists its new commits, not what the history it replaced had changed).
func changedPaths(ev *github.PushEvent) map[string]bool {
	if ev.GetForced() || len(ev.Commits) >= 20 || (len(ev.Commits) == 0 && ev.GetHeadCommit() == nil) {
		return nil
	}
	out := map[string]bool{}
	commits := ev.Commits
	if len(commits) == 0 {
		commits = []*github.HeadCommit{ev.GetHeadCommit()}
	}
	for _, c := range commits {
		for _, list := range [][]string{c.Added, c.Modified, c.Removed} {
			for _, p := range list {
				out[p] = true
			}
		}
	}
	return out
}

// addedOrRemoved lists the files a push added or removed (a rename is
// both), as far as the payload tells.
func addedOrRemoved(ev *github.PushEvent) map[string]bool {
	out := map[string]bool{}
	commits := ev.Commits
	if len(commits) == 0 && ev.GetHeadCommit() != nil {
		commits = []*github.HeadCommit{ev.GetHeadCommit()}
	}
	for _, c := range commits {
		for _, p := range append(slices.Clone(c.Added), c.Removed...) {
			out[p] = true
		}
	}
	return out
}

// anyRelevant reports whether a changed path can change a repository
// rule's result (the registry's rules.Stale patterns) or the policy in
// force (the repository's .github/ospo.yml); existence lists the paths
// added or removed.
func anyRelevant(changed, existence map[string]bool) bool {
	for p := range changed {
		if p == ".github/ospo.yml" || rules.StaleAfterPush(p, existence[p]) {
			return true
		}
	}
	return false
}

// pushIsRelevant reports whether a push can change a repository rule's
// result.
func pushIsRelevant(ev *github.PushEvent) bool {
	changed := changedPaths(ev)
	return changed == nil || anyRelevant(changed, addedOrRemoved(ev))
}
