package githubfake

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/google/go-github/v66/github"
)

// maxPullCommits is how many commits GitHub lists for a pull request; use
// compare for more.
const maxPullCommits = 250

// maxPullFiles is how many files GitHub lists for a pull request.
const maxPullFiles = 3000

func (f *Fake) pullFor(c *call) (*repo, *issue, *reply) {
	r, rep := f.repoFor(c, false)
	if rep != nil {
		return nil, nil, rep
	}
	n, err := strconv.Atoi(c.param("pull_number"))
	if err != nil || r.issue(n) == nil || r.issue(n).pr == nil {
		rep := notFound()
		return nil, nil, &rep
	}
	return r, r.issue(n), nil
}

// pullCommits are the commits on the head branch that the base lacks.
func (r *repo) pullCommits(it *issue) []*commit {
	return r.between(r.branches[it.pr.base], r.pullHeadSHA(it))
}

func (r *repo) pullDiff(it *issue) []fileDiff {
	head := r.commits[r.pullHeadSHA(it)]
	mb := r.mergeBase(r.branches[it.pr.base], head.sha)
	var from map[string]string
	if mb != nil {
		from = mb.files
	}
	return diff(from, head.files)
}

// pullOut is a pull request as GitHub sends it: go-github's, with its
// labels always present and its branches' repositories as repoOut.
type pullOut struct {
	*github.PullRequest
	Labels []*github.Label `json:"labels"`
	Head   *branchOut      `json:"head"`
	Base   *branchOut      `json:"base"`
}

type branchOut struct {
	*github.PullRequestBranch
	Repo *repoOut `json:"repo"`
}

func (f *Fake) pullJSON(c *call, r *repo, it *issue, full bool) *pullOut {
	api := c.base + "/repos/" + r.fullName() + "/pulls/" + strconv.Itoa(it.number)
	html := fmt.Sprintf("%s/%s/pull/%d", f.opts.WebURL, r.fullName(), it.number)
	branch := func(in *repo, ref string) *branchOut {
		return &branchOut{PullRequestBranch: &github.PullRequestBranch{Label: ptr(in.owner.login + ":" + ref), Ref: ptr(ref),
			SHA: ptr(in.branches[ref]), User: f.userJSON(c, in.owner)}, Repo: f.repoJSON(c, in)}
	}
	link := func(href string) *github.PRLink { return &github.PRLink{HRef: ptr(href)} }
	out := &github.PullRequest{
		ID: ptr(it.pr.id), NodeID: ptr(nodeID("PR_", it.pr.id)), Number: ptr(it.number),
		State: ptr(it.state), Locked: ptr(false), Title: ptr(it.title), Body: ptr(it.body),
		CreatedAt: ts(it.created), UpdatedAt: ts(it.updated), ClosedAt: ts(it.closed), MergedAt: ts(it.pr.mergedAt),
		Labels: f.labelsJSON(c, r, it.labels), User: f.userJSON(c, it.user), Draft: ptr(it.pr.draft),
		URL: ptr(api), HTMLURL: ptr(html), IssueURL: ptr(fmt.Sprintf("%s/repos/%s/issues/%d", c.base, r.fullName(), it.number)),
		CommitsURL: ptr(api + "/commits"), ReviewCommentsURL: ptr(api + "/comments"),
		ReviewCommentURL: ptr(c.base + "/repos/" + r.fullName() + "/pulls/comments{/number}"),
		CommentsURL:      ptr(fmt.Sprintf("%s/repos/%s/issues/%d/comments", c.base, r.fullName(), it.number)),
		StatusesURL:      ptr(c.base + "/repos/" + r.fullName() + "/statuses/" + r.pullHeadSHA(it)),
		DiffURL:          ptr(html + ".diff"), PatchURL: ptr(html + ".patch"),
		AuthorAssociation: ptr(f.association(r, it.user)),
		Assignees:         []*github.User{}, RequestedReviewers: []*github.User{}, RequestedTeams: []*github.Team{},
	}
	out.Links = &github.PRLinks{Self: link(api), HTML: link(html), Issue: link(out.GetIssueURL()),
		Comments: link(out.GetCommentsURL()), ReviewComments: link(api + "/comments"),
		ReviewComment: link(c.base + "/repos/" + r.fullName() + "/pulls/comments{/number}"),
		Commits:       link(api + "/commits"), Statuses: link(out.GetStatusesURL())}
	wrapped := &pullOut{PullRequest: out, Labels: out.Labels, Head: branch(r.headRepo(it), it.pr.head), Base: branch(r, it.pr.base)}
	if full {
		add, del := 0, 0
		files := r.pullDiff(it)
		for _, d := range files {
			add += d.additions
			del += d.deletions
		}
		out.Merged = ptr(it.pr.merged)
		out.Mergeable = ptr(it.state == "open")
		out.MergeableState = ptr("clean")
		out.Comments = ptr(r.commentCount(it.number))
		out.Commits = ptr(len(r.pullCommits(it)))
		out.Additions, out.Deletions, out.ChangedFiles = ptr(add), ptr(del), ptr(len(files))
		out.MaintainerCanModify = ptr(false)
		out.ReviewComments = ptr(0)
	}
	return wrapped
}

func (f *Fake) listPulls(c *call) reply {
	r, rep := f.repoFor(c, false)
	if rep != nil {
		return *rep
	}
	state := c.query.Get("state")
	if state == "" {
		state = "open"
	}
	head, base := c.query.Get("head"), c.query.Get("base")
	var list []*issue
	for _, it := range r.sortedIssues() {
		if it.pr == nil || (state != "all" && it.state != state) {
			continue
		}
		if base != "" && it.pr.base != base {
			continue
		}
		if head != "" {
			owner, ref, qualified := strings.Cut(head, ":")
			if !qualified || !strings.EqualFold(owner, r.headRepo(it).owner.login) || ref != it.pr.head {
				continue
			}
		}
		list = append(list, it)
	}
	sortIssues(list, c.query.Get("sort"), c.query.Get("direction"))
	out := []*pullOut{}
	for _, it := range paginate(c, list) {
		out = append(out, f.pullJSON(c, r, it, false))
	}
	return ok(out)
}

func (f *Fake) getPull(c *call) reply {
	r, it, rep := f.pullFor(c)
	if rep != nil {
		return *rep
	}
	return ok(f.pullJSON(c, r, it, true))
}

func (f *Fake) listPullCommits(c *call) reply {
	r, it, rep := f.pullFor(c)
	if rep != nil {
		return *rep
	}
	commits := r.pullCommits(it)
	if len(commits) > maxPullCommits {
		commits = commits[:maxPullCommits]
	}
	out := []*commitOut{}
	for _, cm := range paginate(c, commits) {
		out = append(out, f.commitJSON(c, r, cm, false))
	}
	return ok(out)
}

// listPullFiles lists at most 3,000 files, 30 a page by default and 100
// at most; a renamed file once, with its previous_filename:
// https://docs.github.com/rest/pulls/pulls#list-pull-requests-files
func (f *Fake) listPullFiles(c *call) reply {
	r, it, rep := f.pullFor(c)
	if rep != nil {
		return *rep
	}
	diffs := r.pullDiff(it)
	if len(diffs) > maxPullFiles {
		diffs = diffs[:maxPullFiles]
	}
	head := r.commits[r.pullHeadSHA(it)]
	return ok(paginate(c, f.filesJSON(c, r, head, diffs)))
}

func (f *Fake) listPullReviews(c *call) reply {
	r, it, rep := f.pullFor(c)
	if rep != nil {
		return *rep
	}
	out := []*reviewOut{}
	for _, rv := range paginate(c, it.pr.reviews) {
		out = append(out, wrapReview(&github.PullRequestReview{
			ID: ptr(rv.id), NodeID: ptr(nodeID("PRR_", rv.id)), User: f.userJSON(c, rv.user), Body: ptr(rv.body),
			State: ptr(rv.state), CommitID: ptr(rv.commitID), SubmittedAt: ts(rv.submitted),
			AuthorAssociation: ptr(f.association(r, rv.user)),
			HTMLURL:           ptr(fmt.Sprintf("%s/%s/pull/%d#pullrequestreview-%d", f.opts.WebURL, r.fullName(), it.number, rv.id)),
			PullRequestURL:    ptr(fmt.Sprintf("%s/repos/%s/pulls/%d", c.base, r.fullName(), it.number)),
		}))
	}
	return ok(out)
}
