package jobs

import (
	"context"
	"encoding/json"
	"path"
	"strings"

	"github.com/google/go-github/v66/github"
	"github.com/rs/zerolog"
)

// pushHandler re-checks a repository when a push to its default branch
// changes a file the rules read, and the whole installation when the org's
// ospo.yml changes.
type pushHandler struct {
	deps    Deps
	checker *checker
}

func (h *pushHandler) handle(ctx context.Context, d *DeliveryArgs) error {
	var ev github.PushEvent
	if err := json.Unmarshal(d.Payload, &ev); err != nil {
		return permanent("read push payload: %v", err)
	}
	repo := ev.GetRepo()
	if ev.GetRef() != "refs/heads/"+repo.GetDefaultBranch() || ev.GetDeleted() || d.InstallationID == 0 {
		return nil
	}
	changed := changedPaths(&ev)
	logger := zerolog.Ctx(ctx)
	if repo.GetName() == ".github" && (changed == nil || changed["ospo.yml"]) {
		logger.Info().Msg("the org policy changed: checking it and every repository")
		return h.checker.policyChanged(ctx, d.InstallationID, repo.GetOwner().GetLogin())
	}
	if changed != nil && !anyRelevant(changed) {
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

func anyRelevant(paths map[string]bool) bool {
	for p := range paths {
		if relevantPath(p) {
			return true
		}
	}
	return false
}

// communityNames are the files the files rule may require, by base name.
var communityNames = []string{"readme", "contributing", "security", "code_of_conduct", "support", "governance"}

// relevantPath reports whether a file the repository rules read changed:
// LICENSE*, LICENCE*, COPYING*, CODEOWNERS or a community file in the root, .github/
// or docs/, or the repository's policy override.
func relevantPath(p string) bool {
	if p == ".github/ospo.yml" {
		return true
	}
	dir := path.Dir(p)
	if dir != "." && dir != ".github" && dir != "docs" {
		return false
	}
	base := strings.ToLower(path.Base(p))
	stem := strings.TrimSuffix(base, path.Ext(base))
	switch {
	case strings.HasPrefix(base, "license"), strings.HasPrefix(base, "licence"), strings.HasPrefix(base, "copying"):
		return dir == "."
	case base == "codeowners":
		return true
	}
	for _, n := range communityNames {
		if stem == n {
			return true
		}
	}
	return false
}
