package githubfake

import (
	"strconv"
	"strings"
	"time"

	"github.com/google/go-github/v66/github"
)

// Response bodies are go-github's types where they fit, so that what the
// fake sends is what go-github reads.

func ptr[T any](v T) *T { return &v }

func ts(t time.Time) *github.Timestamp {
	if t.IsZero() {
		return nil
	}
	return &github.Timestamp{Time: t.UTC().Truncate(time.Second)}
}

func (f *Fake) userJSON(c *call, a *account) *github.User {
	if a == nil {
		return nil
	}
	prefix := "U_"
	switch a.typ {
	case "Organization":
		prefix = "O_"
	case "Bot":
		prefix = "BOT_"
	}
	u := &github.User{
		Login: ptr(a.login), ID: ptr(a.id), NodeID: ptr(nodeID(prefix, a.id)),
		AvatarURL:  ptr("https://avatars.githubusercontent.com/u/" + itoa64(a.id) + "?v=4"),
		HTMLURL:    ptr(f.opts.WebURL + "/" + a.login),
		URL:        ptr(c.base + "/users/" + a.login),
		ReposURL:   ptr(c.base + "/users/" + a.login + "/repos"),
		Type:       ptr(a.typ),
		SiteAdmin:  ptr(false),
		GravatarID: ptr(""),
	}
	if strings.HasSuffix(a.login, "[bot]") {
		slug := strings.TrimSuffix(a.login, "[bot]")
		u.HTMLURL = ptr(f.opts.WebURL + "/apps/" + slug)
	}
	return u
}

// userDetailJSON is the user as GET /users/{username} returns it.
func (f *Fake) userDetailJSON(c *call, a *account) *github.User {
	u := f.userJSON(c, a)
	u.Name = ptr(a.name)
	u.CreatedAt = ts(a.created)
	u.UpdatedAt = ts(a.created)
	if a.isOrg() {
		u.Bio = ptr(a.description)
	}
	n := 0
	for _, r := range f.st.repos {
		if r.owner == a && !r.private {
			n++
		}
	}
	u.PublicRepos = ptr(n)
	return u
}

func (f *Fake) repoJSON(c *call, r *repo) *github.Repository {
	api := c.base + "/repos/" + r.fullName()
	open := 0
	for _, it := range r.issues {
		if it.state == "open" {
			open++
		}
	}
	out := &github.Repository{
		ID: ptr(r.id), NodeID: ptr(nodeID("R_", r.id)), Owner: f.userJSON(c, r.owner),
		Name: ptr(r.name), FullName: ptr(r.fullName()), Description: ptr(r.description),
		DefaultBranch: ptr(r.defaultBranch), CreatedAt: ts(r.created), PushedAt: ts(r.pushed),
		UpdatedAt: ts(r.updated), HTMLURL: ptr(f.opts.WebURL + "/" + r.fullName()),
		CloneURL: ptr(f.opts.WebURL + "/" + r.fullName() + ".git"), Fork: ptr(r.fork),
		OpenIssuesCount: ptr(open), OpenIssues: ptr(open), Topics: r.topics,
		Archived: ptr(r.archived), Disabled: ptr(false), Private: ptr(r.private),
		Visibility: ptr(r.visibility), HasIssues: ptr(!r.issuesDisabled), IsTemplate: ptr(false),
		URL: ptr(api), IssuesURL: ptr(api + "/issues{/number}"), PullsURL: ptr(api + "/pulls{/number}"),
		LabelsURL: ptr(api + "/labels{/name}"), ContentsURL: ptr(api + "/contents/{+path}"),
		CommitsURL: ptr(api + "/commits{/sha}"), TreesURL: ptr(api + "/git/trees{/sha}"),
		BranchesURL: ptr(api + "/branches{/branch}"),
	}
	if out.Topics == nil {
		out.Topics = []string{}
	}
	if lic := r.detectLicense(""); lic != nil {
		out.License = lic.license(c)
	}
	if c.tok != nil && c.tok.covers(r) {
		out.Permissions = map[string]bool{"admin": false, "maintain": false, "push": true, "triage": true, "pull": true}
	}
	return out
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }
