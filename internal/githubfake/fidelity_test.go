package githubfake

import (
	"context"
	"net/http"
	"testing"
)

// GitHub's table lists "List repository activities" under Repository
// permissions for "Contents" (read), not Metadata:
// https://docs.github.com/en/rest/authentication/permissions-required-for-github-apps#repository-permissions-for-contents
func TestActivityNeedsContentsRead(t *testing.T) {
	w := newWorld(t, Options{})
	if err := w.f.SetInstallationPermissions(w.inst.ID, map[string]string{"metadata": "read", "pull_requests": "read"}); err != nil {
		t.Fatal(err)
	}
	tok, err := w.f.InstallationToken(w.inst.ID)
	if err != nil {
		t.Fatal(err)
	}
	w.token = tok
	resp, body := w.do(t, "GET", "/repos/acme/widgets/activity?ref=main", "")
	if resp.StatusCode != http.StatusForbidden || resp.Header.Get("X-Accepted-GitHub-Permissions") != "contents=read" {
		t.Errorf("activity without contents read: %d %q %s", resp.StatusCode, resp.Header.Get("X-Accepted-GitHub-Permissions"), body)
	}
	w.grant(t, "contents", "read")
	if resp, body := w.do(t, "GET", "/repos/acme/widgets/activity?ref=main", ""); resp.StatusCode != http.StatusOK {
		t.Errorf("activity with contents read: %d %s", resp.StatusCode, body)
	}
}

// "The role for organization owners is set to maintainer"
// (https://docs.github.com/rest/teams/members#get-team-membership-for-a-user),
// whatever their role on the team.
func TestOrgOwnerIsTeamMaintainer(t *testing.T) {
	w := newWorld(t, Options{})
	if _, err := w.f.AddTeam(Team{Org: "acme", Slug: "owners-team"}); err != nil {
		t.Fatal(err)
	}
	for login, role := range map[string]string{"boss": "admin", "dev": "member"} {
		if err := w.f.SetOrgMembership("acme", Membership{Login: login, Role: role}); err != nil {
			t.Fatal(err)
		}
		if err := w.f.SetTeamMembership("acme", "owners-team", Membership{Login: login}); err != nil {
			t.Fatal(err)
		}
	}
	c := w.client(t)
	for login, want := range map[string]string{"boss": "maintainer", "dev": "member"} {
		m, _, err := c.Teams.GetTeamMembershipBySlug(context.Background(), "acme", "owners-team", login)
		if err != nil || m.GetRole() != want {
			t.Errorf("%s's team membership: role %q (%v), want %q", login, m.GetRole(), err, want)
		}
	}
	w.f.CheckNoViolations(t)
}
