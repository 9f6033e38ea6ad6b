package githubfake

import "fmt"

// PushMerge pushes to branch a merge commit of its head and other (a
// branch, SHA or SHA prefix), as `git merge` then `git push` would: its
// first parent is the branch's head, its second other's commit, and its
// tree the branch's files with nc's changes. Its author and committer are
// whatever nc says: git lets the pusher write any, and GitHub links each
// by its email (a committer "GitHub <noreply@github.com>" is shown as
// web-flow; set Login to say which account GitHub links).
func (f *Fake) PushMerge(owner, repoName, branch, other string, nc NewCommit) (Commit, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.st.repo(owner, repoName)
	if r == nil {
		return Commit{}, fmt.Errorf("githubfake: no repository %s/%s", owner, repoName)
	}
	before, ok := r.branches[branch]
	if !ok {
		return Commit{}, fmt.Errorf("githubfake: no branch %q to merge into", branch)
	}
	second := r.resolve(other)
	if second == nil {
		return Commit{}, fmt.Errorf("githubfake: no commit for %q", other)
	}
	c := r.addCommit(before, nc, f.now())
	delete(r.commits, c.sha)
	c.parents = append(c.parents, second.sha)
	c.sha = gitHash("commit", []byte(c.sha+"\nparent "+second.sha))
	r.commits[c.sha] = c
	r.branches[branch] = c.sha
	f.recordActivity(r, branch, before, c.sha, false, f.signatureUser(c.committer))
	return c.info(), nil
}
