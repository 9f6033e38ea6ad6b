package githubfake

import (
	"net/http"

	"github.com/google/go-github/v66/github"
)

// Response shapes that go-github's types cannot express: properties GitHub's
// API description requires that go-github's types lack, or omit when they
// are empty. Every response the fake sends is checked against the
// description (checkResponse in validate.go).

// commitOut is a commit (GitHub's "commit" schema): its tree has a URL and
// its parents are listed even when there are none.
type commitOut struct {
	*github.RepositoryCommit
	Commit  *gitCommitOut    `json:"commit"`
	Parents []*github.Commit `json:"parents"`
}

type gitCommitOut struct {
	*github.Commit
	Tree treeRef `json:"tree"`
}

type treeRef struct {
	SHA string `json:"sha"`
	URL string `json:"url"`
}

func (f *Fake) wrapCommit(c *call, r *repo, rc *github.RepositoryCommit) *commitOut {
	sha := rc.GetCommit().GetTree().GetSHA()
	return &commitOut{
		RepositoryCommit: rc,
		Commit:           &gitCommitOut{Commit: rc.Commit, Tree: treeRef{SHA: sha, URL: c.base + "/repos/" + r.fullName() + "/git/trees/" + sha}},
		Parents:          rc.Parents,
	}
}

// comparisonOut is GET .../compare/{basehead}'s commit-comparison.
type comparisonOut struct {
	*github.CommitsComparison
	BaseCommit      *commitOut   `json:"base_commit"`
	MergeBaseCommit *commitOut   `json:"merge_base_commit"`
	Commits         []*commitOut `json:"commits"`
}

// contentOut is a file or directory entry of .../contents, with the
// "_links" GitHub sends and go-github's RepositoryContent lacks.
type contentOut struct {
	*github.RepositoryContent
	Links contentLinks `json:"_links"`
}

type contentLinks struct {
	Self string  `json:"self"`
	Git  *string `json:"git"`
	HTML *string `json:"html"`
}

func wrapContent(rc *github.RepositoryContent) *contentOut {
	return &contentOut{RepositoryContent: rc, Links: contentLinks{Self: rc.GetURL(), Git: rc.GitURL, HTML: rc.HTMLURL}}
}

// reviewOut is a pull request review with its "_links".
type reviewOut struct {
	*github.PullRequestReview
	Links struct {
		HTML        href `json:"html"`
		PullRequest href `json:"pull_request"`
	} `json:"_links"`
}

type href struct {
	Href string `json:"href"`
}

func wrapReview(rv *github.PullRequestReview) *reviewOut {
	out := &reviewOut{PullRequestReview: rv}
	out.Links.HTML.Href = rv.GetHTMLURL()
	out.Links.PullRequest.Href = rv.GetPullRequestURL()
	return out
}

// simpleValidationError is GitHub's "validation-error-simple": a 422 whose
// errors are plain messages.
type simpleValidationError struct {
	Message          string   `json:"message"`
	DocumentationURL string   `json:"documentation_url"`
	Errors           []string `json:"errors"`
}

func invalidSimple(messages ...string) reply {
	return jsonReply(http.StatusUnprocessableEntity, simpleValidationError{Message: "Validation Failed", DocumentationURL: docsURL, Errors: messages})
}

// appOwner is the account that owns the App, which GitHub never leaves
// null: the fake takes the account of its first installation (the App is
// usually installed on the organization that owns it), else its bot.
func (f *Fake) appOwner(c *call) *github.User {
	var first *installation
	for _, in := range f.st.installs {
		if first == nil || in.id < first.id {
			first = in
		}
	}
	if first != nil {
		return f.userJSON(c, first.account)
	}
	return f.userJSON(c, f.st.bot)
}
