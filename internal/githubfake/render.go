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
		// The hypermedia URLs GitHub's simple-user requires.
		EventsURL:         ptr(c.base + "/users/" + a.login + "/events{/privacy}"),
		FollowersURL:      ptr(c.base + "/users/" + a.login + "/followers"),
		FollowingURL:      ptr(c.base + "/users/" + a.login + "/following{/other_user}"),
		GistsURL:          ptr(c.base + "/users/" + a.login + "/gists{/gist_id}"),
		OrganizationsURL:  ptr(c.base + "/users/" + a.login + "/orgs"),
		ReceivedEventsURL: ptr(c.base + "/users/" + a.login + "/received_events"),
		StarredURL:        ptr(c.base + "/users/" + a.login + "/starred{/owner}{/repo}"),
		SubscriptionsURL:  ptr(c.base + "/users/" + a.login + "/subscriptions"),
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
	u.PublicGists, u.Followers, u.Following = ptr(0), ptr(0), ptr(0)
	return u
}

// publicUserJSON is GET /users/{username}'s public-user: go-github's User
// lacks user_view_type, which GitHub's description uses to tell the public
// view of a user from the private one.
type publicUserJSON struct {
	*github.User
	UserViewType string `json:"user_view_type"`
}

// repoOut is a repository as GitHub sends it: go-github's Repository, with
// "license" always present (null when GitHub detects none) and with the
// license's node_id, which go-github's License lacks.
type repoOut struct {
	*github.Repository
	License *licenseOut `json:"license"`
	Forks   int         `json:"forks"` // forks_count, as GitHub also sends it
}

// licenseOut is a license-simple.
type licenseOut struct {
	*github.License
	NodeID string `json:"node_id"`
}

func (f *Fake) repoJSON(c *call, r *repo) *repoOut {
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
		// The rest of what GitHub's repository schema requires.
		ArchiveURL: ptr(api + "/{archive_format}{/ref}"), AssigneesURL: ptr(api + "/assignees{/user}"),
		BlobsURL: ptr(api + "/git/blobs{/sha}"), CollaboratorsURL: ptr(api + "/collaborators{/collaborator}"),
		CommentsURL: ptr(api + "/comments{/number}"), CompareURL: ptr(api + "/compare/{base}...{head}"),
		ContributorsURL: ptr(api + "/contributors"), DeploymentsURL: ptr(api + "/deployments"),
		DownloadsURL: ptr(api + "/downloads"), EventsURL: ptr(api + "/events"), ForksURL: ptr(api + "/forks"),
		GitCommitsURL: ptr(api + "/git/commits{/sha}"), GitRefsURL: ptr(api + "/git/refs{/sha}"),
		GitTagsURL: ptr(api + "/git/tags{/sha}"), HooksURL: ptr(api + "/hooks"),
		IssueCommentURL: ptr(api + "/issues/comments{/number}"), IssueEventsURL: ptr(api + "/issues/events{/number}"),
		KeysURL: ptr(api + "/keys{/key_id}"), LanguagesURL: ptr(api + "/languages"), MergesURL: ptr(api + "/merges"),
		MilestonesURL: ptr(api + "/milestones{/number}"), NotificationsURL: ptr(api + "/notifications{?since,all,participating}"),
		ReleasesURL: ptr(api + "/releases{/id}"), StargazersURL: ptr(api + "/stargazers"),
		StatusesURL: ptr(api + "/statuses/{sha}"), SubscribersURL: ptr(api + "/subscribers"),
		SubscriptionURL: ptr(api + "/subscription"), TagsURL: ptr(api + "/tags"), TeamsURL: ptr(api + "/teams"),
		GitURL: ptr("git://github.com/" + r.fullName() + ".git"), SSHURL: ptr("git@github.com:" + r.fullName() + ".git"),
		SVNURL: ptr(f.opts.WebURL + "/" + r.fullName()), Homepage: ptr(""),
		ForksCount: ptr(0), StargazersCount: ptr(0), Watchers: ptr(0), WatchersCount: ptr(0),
		NetworkCount: ptr(0), SubscribersCount: ptr(0), Size: ptr(0),
		HasProjects: ptr(false), HasWiki: ptr(false), HasPages: ptr(false), HasDownloads: ptr(true),
		HasDiscussions: ptr(false),
	}
	if out.Topics == nil {
		out.Topics = []string{}
	}
	wrapped := &repoOut{Repository: out}
	if lic := r.detectLicense(""); lic != nil {
		wrapped.License = lic.license(c)
	}
	if c.tok != nil && c.tok.covers(r) {
		out.Permissions = map[string]bool{"admin": false, "maintain": false, "push": true, "triage": true, "pull": true}
	}
	return wrapped
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }
