package githubfake

import (
	"fmt"
	"slices"
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
