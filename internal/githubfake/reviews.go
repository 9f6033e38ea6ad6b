package githubfake

import (
	"fmt"
	"slices"
)

// DismissReview dismisses a pull request review, as a maintainer does:
// its state becomes DISMISSED, and it no longer approves
// (https://docs.github.com/en/rest/pulls/reviews#dismiss-a-review-for-a-pull-request).
func (f *Fake) DismissReview(owner, repoName string, number int, reviewID int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.st.repo(owner, repoName)
	if r == nil || r.issue(number) == nil || r.issue(number).pr == nil {
		return fmt.Errorf("githubfake: no pull request %s/%s#%d", owner, repoName, number)
	}
	for _, rv := range r.issue(number).pr.reviews {
		if rv.id == reviewID {
			rv.state = "DISMISSED"
			return nil
		}
	}
	return fmt.Errorf("githubfake: no review %d on %s/%s#%d", reviewID, owner, repoName, number)
}

// DeleteComment deletes a comment as its author or a maintainer does.
func (f *Fake) DeleteComment(owner, repoName string, id int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.st.repo(owner, repoName)
	if r == nil || r.comment(id) == nil {
		return fmt.Errorf("githubfake: no comment %d in %s/%s", id, owner, repoName)
	}
	r.comments = slices.DeleteFunc(r.comments, func(x *comment) bool { return x.id == id })
	return nil
}
