package githubfake

import "net/http"

type routeDef struct {
	method   string
	pattern  string
	auth     authKind
	noCharge bool
	handle   func(*Fake, *call) reply
}

// routeTable is every endpoint the fake serves. Templates are GitHub's, so
// that the recorded route matches the API description.
func routeTable() []routeDef {
	const (
		get   = http.MethodGet
		post  = http.MethodPost
		put   = http.MethodPut
		patch = http.MethodPatch
		del   = http.MethodDelete
		inst  = authInstallation
		app   = authApp
	)
	return []routeDef{
		// The app and its installations (JWT).
		{get, "/app", app, false, (*Fake).getApp},
		{get, "/app/installations", app, false, (*Fake).listAppInstallations},
		{get, "/app/installations/{installation_id}", app, false, (*Fake).getAppInstallation},
		{post, "/app/installations/{installation_id}/access_tokens", app, false, (*Fake).createAccessToken},
		{post, "/app-manifests/{code}/conversions", authNone, false, (*Fake).convertManifest},

		// The web flow's user access tokens (oauth.go).
		{get, "/user", authUser, false, (*Fake).getAuthenticatedUser},
		{get, "/user/memberships/orgs/{org}", authUser, false, (*Fake).getMyOrgMembership},
		{del, "/applications/{client_id}/token", authClient, false, (*Fake).revokeUserToken},

		{get, "/installation/repositories", inst, false, (*Fake).listInstallationRepos},
		{get, "/rate_limit", inst, true, (*Fake).getRateLimit},

		// Accounts, organizations, teams.
		{get, "/users/{username}", inst, false, (*Fake).getUser},
		{get, "/orgs/{org}", inst, false, (*Fake).getOrg},
		{get, "/orgs/{org}/repos", inst, false, (*Fake).listOrgRepos},
		{get, "/orgs/{org}/members/{username}", inst, false, (*Fake).checkOrgMember},
		{get, "/orgs/{org}/memberships/{username}", inst, false, (*Fake).getOrgMembership},
		{get, "/orgs/{org}/public_members/{username}", inst, false, (*Fake).checkPublicMember},
		{get, "/orgs/{org}/teams", inst, false, (*Fake).listTeams},
		{get, "/orgs/{org}/teams/{team_slug}", inst, false, (*Fake).getTeam},
		{get, "/orgs/{org}/teams/{team_slug}/members", inst, false, (*Fake).listTeamMembers},
		{get, "/orgs/{org}/teams/{team_slug}/memberships/{username}", inst, false, (*Fake).getTeamMembership},

		// Repositories and their content.
		{get, "/repos/{owner}/{repo}", inst, false, (*Fake).getRepo},
		{patch, "/repos/{owner}/{repo}", inst, false, (*Fake).updateRepo},
		{get, "/repos/{owner}/{repo}/topics", inst, false, (*Fake).getTopics},
		{put, "/repos/{owner}/{repo}/topics", inst, false, (*Fake).replaceTopics},
		{get, "/repos/{owner}/{repo}/license", inst, false, (*Fake).getLicense},
		{get, "/repos/{owner}/{repo}/community/profile", inst, false, (*Fake).getCommunityProfile},
		{get, "/repos/{owner}/{repo}/codeowners/errors", inst, false, (*Fake).getCodeownersErrors},
		{get, "/repos/{owner}/{repo}/private-vulnerability-reporting", inst, false, (*Fake).getPrivateReporting},
		{get, "/repos/{owner}/{repo}/collaborators/{username}/permission", inst, false, (*Fake).getCollaboratorPermission},
		{get, "/repos/{owner}/{repo}/contents/{path...}", inst, false, (*Fake).getContents},
		{get, "/repos/{owner}/{repo}/git/trees/{tree_sha...}", inst, false, (*Fake).getTree},
		{get, "/repos/{owner}/{repo}/branches/{branch...}", inst, false, (*Fake).getBranch},
		{get, "/repos/{owner}/{repo}/commits/{ref...}", inst, false, (*Fake).getCommit},
		{get, "/repos/{owner}/{repo}/compare/{basehead...}", inst, false, (*Fake).compareCommits},
		{get, "/repos/{owner}/{repo}/activity", inst, false, (*Fake).listActivities},
		{get, "/repos/{owner}/{repo}/dependency-graph/compare/{basehead}", inst, false, (*Fake).compareDependencies},

		// Labels.
		{get, "/repos/{owner}/{repo}/labels", inst, false, (*Fake).listLabels},
		{post, "/repos/{owner}/{repo}/labels", inst, false, (*Fake).createLabel},
		{get, "/repos/{owner}/{repo}/labels/{name}", inst, false, (*Fake).getLabel},
		{patch, "/repos/{owner}/{repo}/labels/{name}", inst, false, (*Fake).updateLabel},
		{del, "/repos/{owner}/{repo}/labels/{name}", inst, false, (*Fake).deleteLabel},

		// Issues, comments, reactions.
		{get, "/repos/{owner}/{repo}/issues", inst, false, (*Fake).listIssues},
		{post, "/repos/{owner}/{repo}/issues", inst, false, (*Fake).createIssue},
		{get, "/repos/{owner}/{repo}/issues/{issue_number}", inst, false, (*Fake).getIssue},
		{patch, "/repos/{owner}/{repo}/issues/{issue_number}", inst, false, (*Fake).updateIssue},
		{get, "/repos/{owner}/{repo}/issues/{issue_number}/labels", inst, false, (*Fake).listIssueLabels},
		{post, "/repos/{owner}/{repo}/issues/{issue_number}/labels", inst, false, (*Fake).addIssueLabels},
		{put, "/repos/{owner}/{repo}/issues/{issue_number}/labels", inst, false, (*Fake).setIssueLabels},
		{del, "/repos/{owner}/{repo}/issues/{issue_number}/labels", inst, false, (*Fake).clearIssueLabels},
		{del, "/repos/{owner}/{repo}/issues/{issue_number}/labels/{name}", inst, false, (*Fake).removeIssueLabel},
		{get, "/repos/{owner}/{repo}/issues/{issue_number}/comments", inst, false, (*Fake).listComments},
		{post, "/repos/{owner}/{repo}/issues/{issue_number}/comments", inst, false, (*Fake).createComment},
		{get, "/repos/{owner}/{repo}/issues/comments/{comment_id}", inst, false, (*Fake).getComment},
		{patch, "/repos/{owner}/{repo}/issues/comments/{comment_id}", inst, false, (*Fake).updateComment},
		{del, "/repos/{owner}/{repo}/issues/comments/{comment_id}", inst, false, (*Fake).deleteComment},
		{get, "/repos/{owner}/{repo}/issues/comments/{comment_id}/reactions", inst, false, (*Fake).listReactions},
		{post, "/repos/{owner}/{repo}/issues/comments/{comment_id}/reactions", inst, false, (*Fake).createReaction},

		// Pull requests.
		{get, "/repos/{owner}/{repo}/pulls", inst, false, (*Fake).listPulls},
		{get, "/repos/{owner}/{repo}/pulls/{pull_number}", inst, false, (*Fake).getPull},
		{get, "/repos/{owner}/{repo}/pulls/{pull_number}/commits", inst, false, (*Fake).listPullCommits},
		{get, "/repos/{owner}/{repo}/pulls/{pull_number}/files", inst, false, (*Fake).listPullFiles},
		{get, "/repos/{owner}/{repo}/pulls/{pull_number}/reviews", inst, false, (*Fake).listPullReviews},

		// Checks.
		{post, "/repos/{owner}/{repo}/check-runs", inst, false, (*Fake).createCheckRun},
		{get, "/repos/{owner}/{repo}/check-runs/{check_run_id}", inst, false, (*Fake).getCheckRun},
		{patch, "/repos/{owner}/{repo}/check-runs/{check_run_id}", inst, false, (*Fake).updateCheckRun},
		{get, "/repos/{owner}/{repo}/commits/{ref...}/check-runs", inst, false, (*Fake).listCheckRunsForRef},
	}
}
