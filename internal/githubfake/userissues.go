package githubfake

import (
	"fmt"
	"strings"
)

// OpenIssue opens an issue as the person is.User would through GitHub,
// not as a seed: "Only users with push access can set labels for new
// issues. Labels are silently dropped otherwise."
// (https://docs.github.com/rest/issues/issues#create-an-issue, the labels
// parameter), so a contributor without push access cannot dress an issue
// up with the review label. AddIssue, the seed, keeps every label.
func (f *Fake) OpenIssue(owner, repoName string, is Issue) (Issue, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.st.repo(owner, repoName)
	if r == nil {
		return Issue{}, fmt.Errorf("githubfake: no repository %s/%s", owner, repoName)
	}
	if is.User == "" {
		return Issue{}, fmt.Errorf("githubfake: OpenIssue needs the user who opens it")
	}
	if is.State != "" && is.State != "open" {
		return Issue{}, fmt.Errorf("githubfake: a person opens issues open, not %q", is.State)
	}
	u := f.st.userFor(is.User, f.now())
	labels := is.Labels
	if !r.pushes(u) {
		labels = nil
	}
	it, err := f.newIssue(r, is.Title, is.Body, u.login, "open", labels)
	if err != nil {
		return Issue{}, err
	}
	return r.issueInfo(it), nil
}

// role is a person's role on the repository, as GET
// /repos/{owner}/{repo}/collaborators/{username}/permission names it
// (role_name): a collaborator's role, admin for the owner and the owning
// org's owners, read for anyone on a public repository, "" for none.
func (r *repo) role(u *account) string {
	if role := r.collaborators[strings.ToLower(u.login)]; role != "" {
		return role
	}
	if m := r.owner.members[strings.ToLower(u.login)]; u == r.owner || (m != nil && m.state == "active" && m.role == "admin") {
		return "admin"
	}
	if !r.private {
		return "read"
	}
	return ""
}

// pushes reports whether a person has push access to the repository.
func (r *repo) pushes(u *account) bool {
	switch r.role(u) {
	case "write", "maintain", "admin":
		return true
	}
	return false
}
