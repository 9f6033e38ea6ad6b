package githubfake

import (
	"encoding/json"
	"fmt"
	"maps"
	"strings"

	"github.com/google/go-github/v66/github"
)

// Forks and pull requests from them.
//
// A fork shares its network's git objects: a commit pushed to a fork can be
// read through the parent repository's API, which is how a pull request
// from a fork lists its commits and files in the base repository
// (https://docs.github.com/en/pull-requests/collaborating-with-pull-requests/working-with-forks/about-forks).
// The fork here shares the parent's commit, tree and blob maps.
//
// What GitHub tells apps about such pull requests is less than for a
// branch of the base repository: the check_suite and check_run webhooks of
// a commit pushed to a fork carry an empty pull_requests array and a null
// head_branch ("When the check suite's head_branch is in a forked
// repository it will be null and the pull_requests array will be empty":
// https://docs.github.com/en/webhooks/webhook-events-and-payloads#check_suite,
// and the Checks API note "Pushes to a branch in a forked repository are
// not detected and return an empty pull_requests array",
// https://docs.github.com/en/rest/checks/suites). CheckSuiteEvent and
// CheckRunEvent build those payloads as GitHub does.

// AddFork forks owner/name into forkOwner's account (a user, created when
// unknown), with every branch of the parent, as GitHub's default fork does.
func (f *Fake) AddFork(owner, name, forkOwner string) (Repo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	parent := f.st.repo(owner, name)
	if parent == nil {
		return Repo{}, fmt.Errorf("githubfake: no repository %s/%s", owner, name)
	}
	if f.st.repo(forkOwner, name) != nil {
		return Repo{}, fmt.Errorf("githubfake: repository %s/%s already exists", forkOwner, name)
	}
	now := f.now()
	fo := f.st.userFor(forkOwner, now)
	fk := &repo{
		id: f.st.id(0), owner: fo, name: parent.name, private: parent.private, visibility: parent.visibility,
		fork: true, parent: parent, defaultBranch: parent.defaultBranch, description: parent.description,
		created: now, updated: now, pushed: now,
		branches: maps.Clone(parent.branches),
		commits:  parent.commits, trees: parent.trees, blobs: parent.blobs, seq: parent.seq,
		issues: map[int]*issue{}, nextNumber: 1, suites: map[string]int64{}, collaborators: map[string]string{},
	}
	f.st.repos[repoKey(fo.login, fk.name)] = fk
	f.st.reposByID[fk.id] = fk
	return fk.info(), nil
}

// source is the root of a fork's network.
func (r *repo) source() *repo {
	for r.parent != nil {
		r = r.parent
	}
	return r
}

// headOf finds a pull request's head as GitHub's "Create a pull request"
// takes it: a branch of the base repository, or "user:branch" for a
// branch of user's fork of it
// (https://docs.github.com/en/rest/pulls/pulls#create-a-pull-request).
// The returned repository is nil for the base repository.
func (f *Fake) headOf(base *repo, head string) (*repo, string, error) {
	user, branch, qualified := strings.Cut(head, ":")
	in := base
	if qualified && !strings.EqualFold(user, base.owner.login) {
		in = f.st.repo(user, base.name)
		if in == nil || in.source() != base.source() {
			return nil, "", fmt.Errorf("githubfake: %s has no fork of %s named %s/%s", user, base.fullName(), user, base.name)
		}
	} else if !qualified {
		branch = head
	}
	if _, ok := in.branches[branch]; !ok {
		return nil, "", fmt.Errorf("githubfake: no head branch %q in %s (push commits first)", branch, in.fullName())
	}
	if in == base {
		return nil, branch, nil
	}
	return in, branch, nil
}

// headRepo is the repository holding a pull request's head branch.
func (r *repo) headRepo(it *issue) *repo {
	if it.pr.headRepo != nil {
		return it.pr.headRepo
	}
	return r
}

// pullHeadSHA is a pull request's head commit.
func (r *repo) pullHeadSHA(it *issue) string { return r.headRepo(it).branches[it.pr.head] }

// forkJSON adds what GET /repos/{owner}/{repo} says of a fork: its parent
// and the network's source (full repository only).
type forkJSON struct {
	*repoOut
	Parent *repoOut `json:"parent,omitempty"`
	Source *repoOut `json:"source,omitempty"`
}

func (f *Fake) fullRepoJSON(c *call, r *repo) any {
	out := f.repoJSON(c, r)
	if r.parent == nil {
		return out
	}
	return forkJSON{repoOut: out, Parent: f.repoJSON(c, r.parent), Source: f.repoJSON(c, r.source())}
}

// checkPulls lists the pull requests GitHub puts in a check suite's or
// check run's pull_requests: the open pull requests of the repository whose
// head branch, in the repository itself, points at sha. A pull request from
// a fork is never listed. The head branch is empty when no branch of the
// repository points at sha.
func (f *Fake) checkPulls(r *repo, sha string) (string, []*github.PullRequest) {
	headBranch := ""
	for name, at := range r.branches {
		if at == sha && (headBranch == "" || name < headBranch) {
			headBranch = name
		}
	}
	out := []*github.PullRequest{}
	for _, it := range r.sortedIssues() {
		if it.pr == nil || it.state != "open" || it.pr.headRepo != nil || r.branches[it.pr.head] != sha {
			continue
		}
		ref := func(branch string) *github.PullRequestBranch {
			return &github.PullRequestBranch{Ref: ptr(branch), SHA: ptr(r.branches[branch]),
				Repo: &github.Repository{ID: ptr(r.id), Name: ptr(r.name), URL: ptr(apiBase + "/repos/" + r.fullName())}}
		}
		out = append(out, &github.PullRequest{ID: ptr(it.pr.id), Number: ptr(it.number),
			URL:  ptr(fmt.Sprintf("%s/repos/%s/pulls/%d", apiBase, r.fullName(), it.number)),
			Head: ref(it.pr.head), Base: ref(it.pr.base)})
	}
	return headBranch, out
}

// apiBase is the API root webhook payloads name (api.github.com's).
const apiBase = "https://api.github.com"

func (f *Fake) hookRepo(r *repo) *github.Repository {
	return &github.Repository{ID: ptr(r.id), Name: ptr(r.name), FullName: ptr(r.fullName()), Private: ptr(r.private),
		Fork: ptr(r.fork), DefaultBranch: ptr(r.defaultBranch),
		Owner: &github.User{ID: ptr(r.owner.id), Login: ptr(r.owner.login), Type: ptr(r.owner.typ)}}
}

// hookSuite is a check suite as webhooks carry it: head_branch null and
// pull_requests [] rather than left out, as go-github would.
type hookSuite struct {
	*github.CheckSuite
	HeadBranch   *string               `json:"head_branch"`
	PullRequests []*github.PullRequest `json:"pull_requests"`
}

// hookRun is a check run as webhooks carry it.
type hookRun struct {
	*github.CheckRun
	CheckSuite   hookSuite             `json:"check_suite"`
	PullRequests []*github.PullRequest `json:"pull_requests"`
}

func suiteOf(id int64, sha, branch string, prs []*github.PullRequest) hookSuite {
	s := hookSuite{CheckSuite: &github.CheckSuite{ID: ptr(id), HeadSHA: ptr(sha)}, PullRequests: prs}
	if branch != "" {
		s.HeadBranch = ptr(branch)
	}
	return s
}

// CheckSuiteEvent builds the check_suite webhook GitHub sends the app for
// its check suite on sha in owner/name (action "requested" or
// "rerequested"), with pull_requests and head_branch as GitHub fills them.
func (f *Fake) CheckSuiteEvent(installationID int64, owner, name, sha, action string) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.st.repo(owner, name)
	if r == nil || r.commits[sha] == nil {
		return nil, fmt.Errorf("githubfake: no commit %s in %s/%s", sha, owner, name)
	}
	branch, prs := f.checkPulls(r, sha)
	suite := suiteOf(f.suite(r, f.opts.AppID, sha), sha, branch, prs)
	suite.Status = ptr("queued")
	suite.App = &github.App{ID: ptr(f.opts.AppID), Slug: ptr(f.opts.AppSlug)}
	return json.Marshal(struct {
		Action       string               `json:"action"`
		CheckSuite   hookSuite            `json:"check_suite"`
		Repo         *github.Repository   `json:"repository"`
		Installation *github.Installation `json:"installation"`
	}{action, suite, f.hookRepo(r), &github.Installation{ID: ptr(installationID)}})
}

// CheckRunEvent builds the check_run webhook GitHub sends when someone
// presses Re-run ("rerequested") or one of the run's buttons
// ("requested_action", identifier naming it) on a check run.
func (f *Fake) CheckRunEvent(installationID int64, owner, name string, runID int64, action, identifier string) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.st.repo(owner, name)
	if r == nil || r.checkRun(runID) == nil {
		return nil, fmt.Errorf("githubfake: no check run %d in %s/%s", runID, owner, name)
	}
	cr := r.checkRun(runID)
	branch, prs := f.checkPulls(r, cr.headSHA)
	run := hookRun{CheckRun: &github.CheckRun{ID: ptr(cr.id), Name: ptr(cr.name), HeadSHA: ptr(cr.headSHA), Status: ptr(cr.status),
		App: &github.App{ID: ptr(cr.appID)}}, CheckSuite: suiteOf(cr.suiteID, cr.headSHA, branch, prs), PullRequests: prs}
	if cr.conclusion != "" {
		run.Conclusion = ptr(cr.conclusion)
	}
	ev := struct {
		Action          string                  `json:"action"`
		CheckRun        hookRun                 `json:"check_run"`
		RequestedAction *github.RequestedAction `json:"requested_action,omitempty"`
		Repo            *github.Repository      `json:"repository"`
		Installation    *github.Installation    `json:"installation"`
	}{Action: action, CheckRun: run, Repo: f.hookRepo(r), Installation: &github.Installation{ID: ptr(installationID)}}
	if action == "requested_action" {
		ev.RequestedAction = &github.RequestedAction{Identifier: identifier}
	}
	return json.Marshal(ev)
}

// forkVisibilityFixed refuses a change of a fork's visibility: "A fork is
// a new repository that shares code and visibility settings with the
// upstream repository. All forks of public repositories are public. You
// cannot change the visibility of a fork."
// (https://docs.github.com/en/pull-requests/collaborating-with-pull-requests/working-with-forks/about-permissions-and-visibility-of-forks).
// PATCH /repos/{owner}/{repo} documents 422 for a change it refuses; the
// wording here is the fake's. Asking for the visibility the fork has
// changes nothing and is accepted.
func forkVisibilityFixed(r *repo, private *bool, visibility *string) *reply {
	if r.parent == nil {
		return nil
	}
	now := map[bool]string{true: "private", false: "public"}[r.private]
	if r.visibility != "" {
		now = r.visibility
	}
	want := now
	if private != nil {
		want = map[bool]string{true: "private", false: "public"}[*private]
	}
	if visibility != nil {
		want = *visibility
	}
	if want == now {
		return nil
	}
	rep := invalid("Repository", "visibility", "custom", "the visibility of a fork cannot be changed")
	return &rep
}
