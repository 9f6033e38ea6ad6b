package githubfake

import (
	"fmt"
	"net/http"
)

// Repositories whose issues are disabled (has_issues: false). GitHub then
// answers 410 Gone, "Issues are disabled for this repo", to creating an
// issue and to reading, editing, labelling or commenting on one; pull
// requests and their comments are unaffected. The API description lists 410
// for these endpoints (issues/create, issues/get, issues/update, the issue
// labels and comments; https://docs.github.com/en/rest/issues/issues#create-an-issue),
// not for listing a repository's issues or labels.

// SetIssuesEnabled turns a repository's issues on or off, as its settings
// page does.
func (f *Fake) SetIssuesEnabled(owner, repoName string, enabled bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.st.repo(owner, repoName)
	if r == nil {
		return fmt.Errorf("githubfake: no repository %s/%s", owner, repoName)
	}
	r.issuesDisabled = !enabled
	return nil
}

// issuesGone answers 410 when the repository's issues are disabled and the
// request is about an issue (it nil: a new one), not a pull request.
func issuesGone(r *repo, it *issue) *reply {
	if !r.issuesDisabled || (it != nil && it.pr != nil) {
		return nil
	}
	rep := jsonReply(http.StatusGone, ghError{Message: "Issues are disabled for this repo",
		DocumentationURL: "https://docs.github.com/v3/issues/", Status: "410"})
	return &rep
}
