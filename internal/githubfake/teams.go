package githubfake

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/google/go-github/v66/github"
)

// Accounts, organizations, teams and permissions.

func (f *Fake) getUser(c *call) reply {
	a := f.st.account(c.param("username"))
	if a == nil {
		return notFound()
	}
	return ok(publicUserJSON{User: f.userDetailJSON(c, a), UserViewType: "public"})
}

func (f *Fake) orgJSON(c *call, o *account) *github.Organization {
	return &github.Organization{
		Login: ptr(o.login), ID: ptr(o.id), NodeID: ptr(nodeID("O_", o.id)), Name: ptr(o.name),
		Description: ptr(o.description), URL: ptr(c.base + "/orgs/" + o.login),
		ReposURL: ptr(c.base + "/orgs/" + o.login + "/repos"), HTMLURL: ptr(f.opts.WebURL + "/" + o.login),
		AvatarURL: ptr("https://avatars.githubusercontent.com/u/" + itoa64(o.id) + "?v=4"),
		Type:      ptr("Organization"), CreatedAt: ts(o.created), UpdatedAt: ts(o.created),
		EventsURL: ptr(c.base + "/orgs/" + o.login + "/events"), HooksURL: ptr(c.base + "/orgs/" + o.login + "/hooks"),
		IssuesURL:               ptr(c.base + "/orgs/" + o.login + "/issues"),
		MembersURL:              ptr(c.base + "/orgs/" + o.login + "/members{/member}"),
		PublicMembersURL:        ptr(c.base + "/orgs/" + o.login + "/public_members{/member}"),
		HasOrganizationProjects: ptr(true), HasRepositoryProjects: ptr(true),
		PublicRepos: ptr(0), PublicGists: ptr(0), Followers: ptr(0), Following: ptr(0),
	}
}

// orgFor finds the organization of the request; private parts of it (its
// members and teams) are visible to the installation on it only.
func (f *Fake) orgFor(c *call, private bool) (*account, *reply) {
	o := f.st.account(c.param("org"))
	if o == nil || !o.isOrg() {
		rep := notFound()
		return nil, &rep
	}
	if private && c.user != nil {
		return o, f.userSeesOrg(c)
	}
	if private && c.tok.inst.account != o {
		rep := forbidden("Resource not accessible by integration")
		return nil, &rep
	}
	return o, nil
}

func (f *Fake) getOrg(c *call) reply {
	o, rep := f.orgFor(c, false)
	if rep != nil {
		return *rep
	}
	return ok(f.orgJSON(c, o))
}

func (f *Fake) listOrgRepos(c *call) reply {
	o, rep := f.orgFor(c, false)
	if rep != nil {
		return *rep
	}
	typ := c.query.Get("type")
	var list []*repo
	for _, r := range f.st.repos {
		if r.owner != o || (r.private && !c.tok.covers(r)) {
			continue
		}
		switch typ {
		case "public":
			if r.private {
				continue
			}
		case "private":
			if !r.private {
				continue
			}
		case "forks":
			if !r.fork {
				continue
			}
		case "sources":
			if r.fork {
				continue
			}
		}
		list = append(list, r)
	}
	by := c.query.Get("sort")
	asc := c.query.Get("direction") == "asc" || (c.query.Get("direction") == "" && by == "full_name")
	key := func(r *repo) string {
		switch by {
		case "full_name":
			return strings.ToLower(r.fullName())
		case "updated":
			return r.updated.Format(time.RFC3339Nano)
		case "pushed":
			return r.pushed.Format(time.RFC3339Nano)
		}
		return r.created.Format(time.RFC3339Nano)
	}
	sort.SliceStable(list, func(i, j int) bool {
		a, b := key(list[i]), key(list[j])
		if a == b {
			return list[i].id < list[j].id
		}
		return (a < b) == asc
	})
	out := []*repoOut{}
	for _, r := range paginate(c, list) {
		out = append(out, f.repoJSON(c, r))
	}
	return ok(out)
}

// checkOrgMember answers 204 for an active member and 404 otherwise. To
// a requester that is not a member of the organization (an installation
// on another account), GitHub answers 302 to the public membership check.
// https://docs.github.com/rest/orgs/members#check-organization-membership-for-a-user
func (f *Fake) checkOrgMember(c *call) reply {
	o, rep := f.orgFor(c, false)
	if rep != nil {
		return *rep
	}
	if c.tok.inst.account != o {
		c.header.Set("Location", c.base+"/orgs/"+o.login+"/public_members/"+url.PathEscape(c.param("username")))
		return reply{status: http.StatusFound}
	}
	m := o.members[strings.ToLower(c.param("username"))]
	if m == nil || m.state != "active" {
		return errReply(404, "User does not exist or is not a member of the organization")
	}
	return noContent()
}

// checkPublicMember answers 204 when the user is a public member of the
// organization, and 404 otherwise; anyone may ask.
// https://docs.github.com/rest/orgs/members#check-public-organization-membership-for-a-user
func (f *Fake) checkPublicMember(c *call) reply {
	o, rep := f.orgFor(c, false)
	if rep != nil {
		return *rep
	}
	m := o.members[strings.ToLower(c.param("username"))]
	if m == nil || m.state != "active" || !m.public {
		return notFound()
	}
	return noContent()
}

func (f *Fake) getOrgMembership(c *call) reply {
	o, rep := f.orgFor(c, true)
	if rep != nil {
		return *rep
	}
	m := o.members[strings.ToLower(c.param("username"))]
	if m == nil {
		return notFound()
	}
	return ok(&github.Membership{
		URL:   ptr(c.base + "/orgs/" + o.login + "/memberships/" + m.user.login),
		State: ptr(m.state), Role: ptr(m.role), OrganizationURL: ptr(c.base + "/orgs/" + o.login),
		Organization: f.orgJSON(c, o), User: f.userJSON(c, m.user),
	})
}

// teamOut is a team as GitHub sends it: go-github's Team lacks its
// ownership type, and its parent is a team-simple or null.
type teamOut struct {
	*github.Team
	Type   string   `json:"type"`
	Parent *teamOut `json:"parent"`
}

func (f *Fake) teamJSON(c *call, t *team) *teamOut {
	out := &teamOut{Team: f.teamSimpleJSON(c, t), Type: "organization"}
	if t.parent != nil {
		out.Parent = &teamOut{Team: f.teamSimpleJSON(c, t.parent), Type: "organization"}
	}
	return out
}

func (f *Fake) teamSimpleJSON(c *call, t *team) *github.Team {
	api := fmt.Sprintf("%s/organizations/%d/team/%d", c.base, t.org.id, t.id)
	return &github.Team{
		ID: ptr(t.id), NodeID: ptr(nodeID("T_", t.id)), Name: ptr(t.name), Slug: ptr(t.slug),
		Description: ptr(t.description), Privacy: ptr(t.privacy), Permission: ptr("pull"),
		URL: ptr(api), HTMLURL: ptr(f.opts.WebURL + "/orgs/" + t.org.login + "/teams/" + t.slug),
		MembersURL: ptr(api + "/members{/member}"), RepositoriesURL: ptr(api + "/repos"),
	}
}

func (f *Fake) teamFor(c *call) (*team, *reply) {
	o, rep := f.orgFor(c, true)
	if rep != nil {
		return nil, rep
	}
	t := o.team(c.param("team_slug"))
	if t == nil {
		rep := notFound()
		return nil, &rep
	}
	return t, nil
}

func (f *Fake) listTeams(c *call) reply {
	o, rep := f.orgFor(c, true)
	if rep != nil {
		return *rep
	}
	out := []*teamOut{}
	for _, t := range paginate(c, o.teams) {
		out = append(out, f.teamJSON(c, t))
	}
	return ok(out)
}

func (f *Fake) getTeam(c *call) reply {
	t, rep := f.teamFor(c)
	if rep != nil {
		return *rep
	}
	out := f.teamJSON(c, t)
	out.MembersCount = ptr(len(t.members))
	out.Organization = f.orgJSON(c, t.org)
	// The fake models no team repositories.
	return ok(struct {
		*teamOut
		ReposCount int               `json:"repos_count"`
		CreatedAt  *github.Timestamp `json:"created_at"`
		UpdatedAt  *github.Timestamp `json:"updated_at"`
	}{out, 0, ts(t.org.created), ts(t.org.created)})
}

// teamMember is a member of a team, directly or through a child team.
type teamMember struct {
	*member
	inherited bool
}

// allMembers lists a team's members and, after them, the members of its
// child teams at any depth, each user once: "Team members will include the
// members of child teams."
// https://docs.github.com/rest/teams/members#list-team-members
func (t *team) allMembers() []teamMember {
	var out []teamMember
	seen := map[*account]bool{}
	add := func(from *team, inherited bool) {
		for _, m := range from.members {
			if !seen[m.user] {
				seen[m.user] = true
				out = append(out, teamMember{m, inherited})
			}
		}
	}
	add(t, false)
	for _, d := range t.org.teams {
		if d.descendantOf(t) {
			add(d, true)
		}
	}
	return out
}

func (t *team) descendantOf(ancestor *team) bool {
	for p := t.parent; p != nil; p = p.parent {
		if p == ancestor {
			return true
		}
	}
	return false
}

// role is the member's role on the team: a member of a child team is a
// member of its ancestors.
func (m teamMember) role() string {
	if m.inherited {
		return "member"
	}
	return m.member.role
}

// teamMemberJSON is GitHub's team-member: a user, their role on the team
// and whether the membership comes from a child team.
type teamMemberJSON struct {
	*github.User
	Role      string `json:"role"`
	Inherited bool   `json:"inherited"`
}

// listTeamMembers lists active members, those of child teams included,
// filtered by role (all, member, maintainer).
func (f *Fake) listTeamMembers(c *call) reply {
	t, rep := f.teamFor(c)
	if rep != nil {
		return *rep
	}
	role := c.query.Get("role")
	var list []teamMember
	for _, m := range t.allMembers() {
		if m.state == "active" && (role == "" || role == "all" || m.role() == role) {
			list = append(list, m)
		}
	}
	out := []teamMemberJSON{}
	for _, m := range paginate(c, list) {
		out = append(out, teamMemberJSON{User: f.userJSON(c, m.user), Role: m.role(), Inherited: m.inherited})
	}
	return ok(out)
}

// getTeamMembership answers a user's membership of the team, or of one of
// its child teams: "Team members will include the members of child teams."
// https://docs.github.com/rest/teams/members#get-team-membership-for-a-user
func (f *Fake) getTeamMembership(c *call) reply {
	t, rep := f.teamFor(c)
	if rep != nil {
		return *rep
	}
	var m *teamMember
	for _, tm := range t.allMembers() {
		if strings.EqualFold(tm.user.login, c.param("username")) {
			m = &tm
			break
		}
	}
	if m == nil {
		return notFound()
	}
	// "The role for organization owners is set to maintainer" (same page).
	role := m.role()
	if om := t.org.members[strings.ToLower(m.user.login)]; om != nil && om.role == "admin" {
		role = "maintainer"
	}
	return ok(&github.Membership{
		URL:   ptr(fmt.Sprintf("%s/organizations/%d/team/%d/memberships/%s", c.base, t.org.id, t.id, m.user.login)),
		State: ptr(m.state), Role: ptr(role),
	})
}

// getCollaboratorPermission derives a user's permission: an explicit
// collaborator permission, else admin for the owner and organization
// owners, else read on a public repository, else none.
func (f *Fake) getCollaboratorPermission(c *call) reply {
	r, rep := f.repoFor(c, false)
	if rep != nil {
		return *rep
	}
	u := f.st.account(c.param("username"))
	if u == nil || u.isOrg() {
		return errReply(404, c.param("username")+" is not a user")
	}
	role := r.role(u)
	permission := map[string]string{"admin": "admin", "maintain": "write", "write": "write", "triage": "read", "read": "read", "": "none"}[role]
	if role == "" {
		role = "none"
	}
	user := f.userJSON(c, u)
	user.Permissions = map[string]bool{
		"admin": permission == "admin", "maintain": role == "maintain" || role == "admin",
		"push": permission == "write" || permission == "admin", "triage": role != "none" && role != "read",
		"pull": role != "none",
	}
	user.RoleName = ptr(role)
	return ok(struct {
		Permission string       `json:"permission"`
		RoleName   string       `json:"role_name"`
		User       *github.User `json:"user"`
	}{permission, role, user})
}

func (f *Fake) getRateLimit(c *call) reply {
	b := f.st.bucket(c.bucket, f.now())
	limit := f.opts.RateLimit
	core := map[string]any{"limit": limit, "used": b.used, "remaining": limit - b.used, "reset": b.reset.Unix()}
	other := func(l int) map[string]any {
		return map[string]any{"limit": l, "used": 0, "remaining": l, "reset": b.reset.Unix()}
	}
	return ok(map[string]any{
		"resources": map[string]any{"core": core, "search": other(30), "graphql": other(limit), "integration_manifest": other(5000), "code_search": other(10)},
		"rate":      core,
	})
}
