package policy

import (
	"context"
	"errors"
	"fmt"
	"path"
	"sync"

	"github.com/google/go-github/v66/github"
)

// overrideKnown remembers, by the SHA of a repository's .github tree,
// whether that tree holds the override. A git tree's SHA names its
// content, so an entry is never stale and holds for every repository and
// installation; the set is only bounded.
var overrideKnown = struct {
	sync.Mutex
	m map[string]bool
}{m: map[string]bool{}}

// maxOverrideKnown bounds overrideKnown: past it, it starts again empty.
const maxOverrideKnown = 50_000

// overrideDir and overrideFile split OverridePath.
var overrideDir, overrideFile = path.Split(OverridePath)

// overridePresent says whether owner/repo may have its override at the
// head of branch (its default branch; "" reads it from GitHub), without
// asking for the file itself: GitHub answers a missing file 404, which
// carries no ETag and so counts against the rate limit on every check.
// The root tree (GET /git/trees/{branch}, answered 304 from the ETag
// cache while the branch's tree does not change) says whether there is a
// .github directory; that directory's tree, known by its SHA, whether it
// holds ospo.yml. A name in the tree is enough to say "present" (whatever
// its type: the contents API then decides); only its absence is
// conclusive.
//
// An error leaves the question open: the caller reads the file as before.
func overridePresent(ctx context.Context, client *github.Client, owner, repo, branch string) (bool, error) {
	if branch == "" {
		r, _, err := client.Repositories.Get(ctx, owner, repo)
		if err != nil {
			return true, fmt.Errorf("read %s/%s: %w", owner, repo, err)
		}
		branch = r.GetDefaultBranch()
	}
	if branch == "" {
		return true, errors.New("no default branch")
	}
	root, _, err := client.Git.GetTree(ctx, owner, repo, branch, false)
	if err != nil {
		return true, fmt.Errorf("list the tree of %s/%s@%s: %w", owner, repo, branch, err)
	}
	dir := entry(root, overrideDir[:len(overrideDir)-1])
	if dir == nil {
		return false, nil
	}
	if dir.GetType() != "tree" || root.GetTruncated() {
		return true, nil
	}
	sha := dir.GetSHA()
	overrideKnown.Lock()
	present, known := overrideKnown.m[sha]
	overrideKnown.Unlock()
	if known {
		return present, nil
	}
	sub, _, err := client.Git.GetTree(ctx, owner, repo, sha, false)
	if err != nil {
		return true, fmt.Errorf("list the tree of %s/%s:%s: %w", owner, repo, overrideDir, err)
	}
	if sub.GetTruncated() {
		return true, nil
	}
	present = entry(sub, overrideFile) != nil
	overrideKnown.Lock()
	if len(overrideKnown.m) >= maxOverrideKnown {
		overrideKnown.m = map[string]bool{}
	}
	overrideKnown.m[sha] = present
	overrideKnown.Unlock()
	return present, nil
}

// entry finds name among a non-recursive tree's entries.
func entry(t *github.Tree, name string) *github.TreeEntry {
	for _, e := range t.Entries {
		if e.GetPath() == name {
			return e
		}
	}
	return nil
}
