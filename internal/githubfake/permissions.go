package githubfake

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"

	shipped "github.com/ospo-bot/ospo-bot/config"
)

// App permissions, as GitHub enforces them on installation tokens.
//
// Every route the fake serves needs the permission GitHub requires for it,
// from "Permissions required for GitHub Apps"
// (https://docs.github.com/en/rest/authentication/permissions-required-for-github-apps,
// generated from github/docs src/github-apps/data/fpt-2022-11-28/server-to-server-permissions.json)
// and each endpoint's "Fine-grained access tokens" section. An endpoint
// listed under several permissions takes any one of them: the issue
// endpoints that also serve pull requests take "Issues" or "Pull requests",
// as the docs say ("Issues and pull requests are closely related ...").
// A token without it gets 403 "Resource not accessible by integration" and
// the X-Accepted-GitHub-Permissions header, whose sets are separated by
// "; " (https://github.blog/changelog/2023-08-10-x-accepted-github-permissions-header-for-fine-grained-permission-actors).

// grant is one permission at a level ("read", "write", "admin").
type grant struct{ perm, level string }

// need is what a route requires: any one of its alternatives, each a set
// of grants that must all be held. No alternatives: no permission needed
// (public data, or the app's own JWT routes).
type need [][]grant

func one(perm, level string) need { return need{{{perm, level}}} }

// either takes the first permission or the second, at the same level.
func either(a, b, level string) need { return need{{{a, level}}, {{b, level}}} }

// routePermissions maps "METHOD template" to what GitHub requires. It lists
// some routes the fake does not serve yet, so that a new route finds its
// entry; TestEveryRouteHasItsPermission keeps it complete.
var routePermissions = map[string]need{
	// The app's JWT routes and public data need no installation permission.
	"GET /app": nil, "GET /app/installations": nil, "GET /app/installations/{installation_id}": nil,
	"POST /app/installations/{installation_id}/access_tokens": nil, "POST /app-manifests/{code}/conversions": nil,
	"GET /installation/repositories": nil, "GET /rate_limit": nil,
	// User access tokens and the client's credentials (oauth.go); the
	// handlers check the installation's members permission themselves.
	"GET /user": nil, "GET /user/memberships/orgs/{org}": nil, "DELETE /applications/{client_id}/token": nil,
	"GET /users/{username}": nil, "GET /orgs/{org}": nil, "GET /orgs/{org}/public_members/{username}": nil,
	"GET /orgs/{org}/public_members": nil, "GET /search/users": nil,

	// Organization permission "Members".
	"GET /orgs/{org}/members":                                  one("members", "read"),
	"GET /orgs/{org}/members/{username}":                       one("members", "read"),
	"GET /orgs/{org}/memberships/{username}":                   one("members", "read"),
	"GET /orgs/{org}/teams":                                    one("members", "read"),
	"GET /orgs/{org}/teams/{team_slug}":                        one("members", "read"),
	"GET /orgs/{org}/teams/{team_slug}/members":                one("members", "read"),
	"GET /orgs/{org}/teams/{team_slug}/memberships/{username}": one("members", "read"),
	"GET /orgs/{org}/teams/{team_slug}/teams":                  one("members", "read"),

	// Repository permission "Metadata".
	"GET /orgs/{org}/repos":                                         one("metadata", "read"),
	"GET /repos/{owner}/{repo}":                                     one("metadata", "read"),
	"GET /repos/{owner}/{repo}/topics":                              one("metadata", "read"),
	"GET /repos/{owner}/{repo}/license":                             one("metadata", "read"),
	"GET /repos/{owner}/{repo}/collaborators/{username}":            one("metadata", "read"),
	"GET /repos/{owner}/{repo}/collaborators/{username}/permission": one("metadata", "read"),
	"GET /repos/{owner}/{repo}/rulesets":                            one("metadata", "read"),
	"GET /repos/{owner}/{repo}/rules/branches/{branch}":             one("metadata", "read"),
	// github/docs server-to-server-permissions.json lists it under "metadata".
	"GET /repos/{owner}/{repo}/private-vulnerability-reporting": one("metadata", "read"),

	// Repository permission "Administration".
	"PATCH /repos/{owner}/{repo}":      one("administration", "write"),
	"PUT /repos/{owner}/{repo}/topics": one("administration", "write"),

	// Repository permission "Contents".
	"GET /repos/{owner}/{repo}/community/profile":        one("contents", "read"),
	"GET /repos/{owner}/{repo}/codeowners/errors":        one("contents", "read"),
	"GET /repos/{owner}/{repo}/contents/{path}":          one("contents", "read"),
	"GET /repos/{owner}/{repo}/git/trees/{tree_sha}":     one("contents", "read"),
	"GET /repos/{owner}/{repo}/git/commits/{commit_sha}": one("contents", "read"),
	"GET /repos/{owner}/{repo}/branches":                 one("contents", "read"),
	"GET /repos/{owner}/{repo}/branches/{branch}":        one("contents", "read"),
	"GET /repos/{owner}/{repo}/commits":                  one("contents", "read"),
	"GET /repos/{owner}/{repo}/commits/{ref}":            one("contents", "read"),
	"GET /repos/{owner}/{repo}/compare/{basehead}":       one("contents", "read"),
	// "List repository activities" is under Contents, not Metadata:
	// https://docs.github.com/en/rest/authentication/permissions-required-for-github-apps#repository-permissions-for-contents
	"GET /repos/{owner}/{repo}/activity": one("contents", "read"),
	// "Get a diff of the dependencies between commits": Contents (read),
	// https://docs.github.com/rest/dependency-graph/dependency-review#get-a-diff-of-the-dependencies-between-commits
	"GET /repos/{owner}/{repo}/dependency-graph/compare/{basehead}": one("contents", "read"),

	// Repository permission "Issues" (or "Pull requests" where the docs
	// list both: labels, comments and edits serve pull requests too).
	"GET /repos/{owner}/{repo}/issues":                                  one("issues", "read"),
	"POST /repos/{owner}/{repo}/issues":                                 one("issues", "write"),
	"GET /repos/{owner}/{repo}/issues/{issue_number}":                   one("issues", "read"),
	"PATCH /repos/{owner}/{repo}/issues/{issue_number}":                 either("issues", "pull_requests", "write"),
	"GET /repos/{owner}/{repo}/issues/{issue_number}/labels":            either("issues", "pull_requests", "read"),
	"POST /repos/{owner}/{repo}/issues/{issue_number}/labels":           either("issues", "pull_requests", "write"),
	"PUT /repos/{owner}/{repo}/issues/{issue_number}/labels":            either("issues", "pull_requests", "write"),
	"DELETE /repos/{owner}/{repo}/issues/{issue_number}/labels":         either("issues", "pull_requests", "write"),
	"DELETE /repos/{owner}/{repo}/issues/{issue_number}/labels/{name}":  either("issues", "pull_requests", "write"),
	"GET /repos/{owner}/{repo}/issues/{issue_number}/comments":          either("issues", "pull_requests", "read"),
	"POST /repos/{owner}/{repo}/issues/{issue_number}/comments":         either("issues", "pull_requests", "write"),
	"GET /repos/{owner}/{repo}/issues/{issue_number}/reactions":         one("issues", "read"),
	"POST /repos/{owner}/{repo}/issues/{issue_number}/reactions":        one("issues", "write"),
	"GET /repos/{owner}/{repo}/issues/comments":                         either("issues", "pull_requests", "read"),
	"GET /repos/{owner}/{repo}/issues/comments/{comment_id}":            either("issues", "pull_requests", "read"),
	"PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}":          either("issues", "pull_requests", "write"),
	"DELETE /repos/{owner}/{repo}/issues/comments/{comment_id}":         either("issues", "pull_requests", "write"),
	"GET /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions":  one("issues", "read"),
	"POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions": one("issues", "write"),
	"GET /repos/{owner}/{repo}/labels":                                  either("issues", "pull_requests", "read"),
	"POST /repos/{owner}/{repo}/labels":                                 either("issues", "pull_requests", "write"),
	"GET /repos/{owner}/{repo}/labels/{name}":                           either("issues", "pull_requests", "read"),
	"PATCH /repos/{owner}/{repo}/labels/{name}":                         either("issues", "pull_requests", "write"),
	"DELETE /repos/{owner}/{repo}/labels/{name}":                        either("issues", "pull_requests", "write"),

	// Repository permission "Pull requests" ("Get a pull request" also
	// takes "Contents").
	"GET /repos/{owner}/{repo}/pulls":                                   one("pull_requests", "read"),
	"GET /repos/{owner}/{repo}/pulls/{pull_number}":                     either("pull_requests", "contents", "read"),
	"GET /repos/{owner}/{repo}/pulls/{pull_number}/commits":             one("pull_requests", "read"),
	"GET /repos/{owner}/{repo}/pulls/{pull_number}/files":               one("pull_requests", "read"),
	"GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews":             one("pull_requests", "read"),
	"GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews/{review_id}": one("pull_requests", "read"),
	"GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls":              one("pull_requests", "read"),

	"GET /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers": one("pull_requests", "read"),
	"GET /repos/{owner}/{repo}/issues/{issue_number}/timeline":          either("issues", "pull_requests", "read"),
	"GET /repos/{owner}/{repo}/issues/{issue_number}/events":            either("issues", "pull_requests", "read"),

	// Repository permission "Commit statuses" (ospo-bot does not ask for it).
	"GET /repos/{owner}/{repo}/commits/{ref}/status": one("statuses", "read"),

	// Repository permission "Checks".
	"POST /repos/{owner}/{repo}/check-runs":                              one("checks", "write"),
	"GET /repos/{owner}/{repo}/check-runs/{check_run_id}":                one("checks", "read"),
	"PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}":              one("checks", "write"),
	"GET /repos/{owner}/{repo}/check-runs/{check_run_id}/annotations":    one("checks", "read"),
	"GET /repos/{owner}/{repo}/commits/{ref}/check-runs":                 one("checks", "read"),
	"GET /repos/{owner}/{repo}/commits/{ref}/check-suites":               one("checks", "read"),
	"GET /repos/{owner}/{repo}/check-suites/{check_suite_id}":            one("checks", "read"),
	"GET /repos/{owner}/{repo}/check-suites/{check_suite_id}/check-runs": one("checks", "read"),
}

// eventPermissions is the permission an App needs to subscribe to each
// webhook event, from "Webhook events and payloads"
// (https://docs.github.com/en/webhooks/webhook-events-and-payloads: "To
// subscribe to this event, a GitHub App must have at least read-level
// access for the ... permission"). An event missing here cannot be chosen.
var eventPermissions = map[string][]string{
	"check_run":           {"checks"},
	"check_suite":         {"checks"},
	"issue_comment":       {"issues"},
	"issues":              {"issues"},
	"label":               {"metadata"},
	"member":              {"members"},
	"membership":          {"members"},
	"merge_group":         {"merge_queues"},
	"organization":        {"members"},
	"public":              {"metadata"},
	"pull_request":        {"pull_requests"},
	"pull_request_review": {"pull_requests"},
	"push":                {"contents"},
	"repository":          {"metadata"},
	"team":                {"members"},
}

// level ranks access levels.
func level(l string) int {
	switch l {
	case "read":
		return 1
	case "write":
		return 2
	case "admin":
		return 3
	}
	return 0
}

// permits reports whether a granted access level covers a requested one.
func permits(granted, requested string) bool {
	return level(granted) > 0 && level(granted) >= level(requested)
}

// satisfied reports whether the permissions meet the need.
func (n need) satisfied(perms map[string]string) bool {
	if len(n) == 0 {
		return true
	}
	for _, set := range n {
		all := true
		for _, g := range set {
			if !permits(perms[g.perm], g.level) {
				all = false
			}
		}
		if all {
			return true
		}
	}
	return false
}

// header renders the need as X-Accepted-GitHub-Permissions does:
// "issues=write; pull_requests=write", a set's grants joined by commas.
func (n need) header() string {
	sets := make([]string, 0, len(n))
	for _, set := range n {
		gs := make([]string, 0, len(set))
		for _, g := range set {
			gs = append(gs, g.perm+"="+g.level)
		}
		sets = append(sets, strings.Join(gs, ","))
	}
	return strings.Join(sets, "; ")
}

// checkPermissions answers 403 when the installation token lacks what the
// route requires. f.mu is held.
func (f *Fake) checkPermissions(c *call) *reply {
	if c.tok == nil || c.route == nil {
		return nil
	}
	n, known := routePermissions[c.route.method+" "+c.route.template]
	if !known {
		// A route without an entry is a bug in the fake: fail the test.
		f.violations = append(f.violations, fmt.Sprintf("%s %s: githubfake has no permission entry for this route", c.route.method, c.route.template))
		return nil
	}
	// GitHub sends the header on every answer to a fine-grained token.
	if len(n) == 0 {
		c.header.Set("X-Accepted-GitHub-Permissions", "allows_permissionless_access=true")
		return nil
	}
	// The header is the route's; the decision also heeds whether the
	// route's issue is a pull request.
	c.header.Set("X-Accepted-GitHub-Permissions", n.header())
	if f.issuesOnly(c, n).satisfied(c.tok.permissions) {
		return nil
	}
	rep := jsonReply(http.StatusForbidden, ghError{Message: "Resource not accessible by integration",
		DocumentationURL: "https://docs.github.com/rest/authentication/permissions-required-for-github-apps", Status: "403"})
	return &rep
}

// issuesOnly narrows an "Issues or Pull requests" need to Issues when the
// route's issue is a plain issue: "If your GitHub App has permissions on
// issues but not on pull requests, these endpoints will be limited to
// issues", and the other way round. The issue is the route's
// issue_number, or the issue of its comment_id. f.mu is held.
func (f *Fake) issuesOnly(c *call, n need) need {
	r := f.st.repo(c.param("owner"), c.param("repo"))
	if r == nil {
		return n
	}
	number, err := strconv.Atoi(c.param("issue_number"))
	if err != nil {
		id, err := strconv.ParseInt(c.param("comment_id"), 10, 64)
		if err != nil || r.comment(id) == nil {
			return n
		}
		number = r.comment(id).number
	}
	if r.issue(number) == nil || r.issue(number).pr != nil {
		return n
	}
	var out need
	for _, set := range n {
		if !slices.ContainsFunc(set, func(g grant) bool { return g.perm == "pull_requests" }) {
			out = append(out, set)
		}
	}
	return out
}

// manifestDefaults are config/app.yml's default_permissions and
// default_events, what an installation of ospo-bot gets.
var manifestDefaults = sync.OnceValues(func() (map[string]string, []string) {
	var m struct {
		Permissions map[string]string `yaml:"default_permissions"`
		Events      []string          `yaml:"default_events"`
	}
	if err := yaml.Unmarshal(shipped.AppManifest, &m); err != nil {
		panic("githubfake: config/app.yml: " + err.Error()) // embedded: a broken file fails every test
	}
	return m.Permissions, m.Events
})

// defaultPermissions are what an installation gets when the seed names
// none: config/app.yml's default_permissions.
func defaultPermissions() map[string]string {
	p, _ := manifestDefaults()
	return maps.Clone(p)
}

// defaultEvents are config/app.yml's default_events.
func defaultEvents() []string {
	_, e := manifestDefaults()
	return slices.Clone(e)
}

// eventProblems lists the manifest's events its permissions do not allow,
// which GitHub refuses when the App is created.
func eventProblems(perms map[string]string, events []string) []string {
	var out []string
	for _, e := range events {
		if e == "installation" || e == "installation_repositories" {
			continue // reported elsewhere: they cannot be chosen at all
		}
		need, known := eventPermissions[e]
		if !known {
			out = append(out, fmt.Sprintf("default_events: %q is not an event githubfake knows the permission of", e))
			continue
		}
		ok := false
		for _, p := range need {
			if permits(perms[p], "read") {
				ok = true
			}
		}
		if !ok {
			out = append(out, fmt.Sprintf("default_events: %q needs the %s permission", e, strings.Join(need, " or ")))
		}
	}
	return out
}

// PermissionNeeded says what GitHub requires for a route the fake serves,
// as the X-Accepted-GitHub-Permissions header would ("" when nothing), and
// whether the fake knows the route.
func PermissionNeeded(method, template string) (string, bool) {
	n, ok := routePermissions[method+" "+template]
	return n.header(), ok
}

// EventPermissions lists the permissions that allow subscribing to an event.
func EventPermissions(event string) []string { return slices.Clone(eventPermissions[event]) }

// SetInstallationPermissions replaces an installation's permissions, as an
// org owner accepting (or an App owner changing) them would. Tokens issued
// before keep theirs, as on GitHub.
func (f *Fake) SetInstallationPermissions(installationID int64, perms map[string]string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	in := f.st.installs[installationID]
	if in == nil {
		return fmt.Errorf("githubfake: no installation %d", installationID)
	}
	for p, l := range perms {
		if level(l) == 0 {
			return fmt.Errorf("githubfake: permission %s: %q is not read, write or admin", p, l)
		}
	}
	in.permissions = maps.Clone(perms)
	return nil
}

// ownerPermissions are what an organization owner may do, for OwnerToken.
var ownerPermissions = map[string]string{
	"administration": "write", "checks": "write", "contents": "write", "issues": "write",
	"members": "write", "metadata": "read", "pull_requests": "write",
}

// OwnerToken issues a token that acts as the account's owner would on the
// installation's repositories, with every permission the fake knows,
// whatever the installation was granted: for tests and the demo to play a
// person (renaming a repository, making it public), not the App.
func (f *Fake) OwnerToken(installationID int64) (string, error) {
	return f.issueToken(installationID, func(*installation) map[string]string { return maps.Clone(ownerPermissions) })
}
