package githubfake

import "fmt"

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
