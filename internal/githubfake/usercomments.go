package githubfake

import (
	"fmt"
	"slices"
	"strings"
)

// DeleteComment deletes a comment as a person with write access would
// (anyone's comment, the app's included), for tests of what the app does
// when its comment is gone.
func (f *Fake) DeleteComment(owner, repoName string, commentID int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.st.repo(owner, repoName)
	if r == nil || r.comment(commentID) == nil {
		return fmt.Errorf("githubfake: no comment %d in %s/%s", commentID, owner, repoName)
	}
	r.comments = slices.DeleteFunc(r.comments, func(c *comment) bool { return c.id == commentID })
	return nil
}

// EditComment changes a comment's body as editor, and returns the comment
// before and after. As on GitHub, editor must be the comment's author or
// have write access to the repository (GraphQL's CommentCannotEditReason:
// "You must be the author or have write access to this repository to edit
// this comment",
// https://docs.github.com/graphql/reference/enums#commentcannoteditreason);
// anyone else is refused. The comment keeps its author: GitHub's
// issue_comment edited event names the editor only as its sender.
func (f *Fake) EditComment(owner, repoName string, commentID int64, editor, body string) (before, after Comment, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.st.repo(owner, repoName)
	if r == nil || r.comment(commentID) == nil {
		return before, after, fmt.Errorf("githubfake: no comment %d in %s/%s", commentID, owner, repoName)
	}
	cm := r.comment(commentID)
	a := f.st.account(editor)
	if a == nil {
		return before, after, fmt.Errorf("githubfake: no user %q", editor)
	}
	if a != cm.user && !r.writable(a) {
		return before, after, fmt.Errorf("githubfake: %s may not edit %s's comment %d: not its author and no write access to %s/%s",
			editor, cm.user.login, commentID, owner, repoName)
	}
	before = r.commentInfo(f.opts.WebURL, cm)
	cm.body, cm.updated = body, f.now()
	return before, r.commentInfo(f.opts.WebURL, cm), nil
}

// writable reports whether a user may push to the repository: a
// collaborator with write, maintain or admin, its owner, or an owner of
// its organization.
func (r *repo) writable(a *account) bool {
	switch r.collaborators[strings.ToLower(a.login)] {
	case "write", "maintain", "admin":
		return true
	}
	if a == r.owner {
		return true
	}
	m := r.owner.members[strings.ToLower(a.login)]
	return m != nil && m.state == "active" && m.role == "admin"
}
