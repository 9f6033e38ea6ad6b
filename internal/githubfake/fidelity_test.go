package githubfake

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-github/v66/github"
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

// GitHub refuses a check run update it cannot apply with 422 Validation
// Failed although the description documents only 200 for the operation
// ("summary exceeds a maximum bytesize of 65535" is GitHub's own answer,
// https://github.com/github/docs/issues/35252). The fake's answer is
// GitHub's, not a violation of the description; a 422 to a read is still
// one.
func TestValidationFailedIsNotAViolation(t *testing.T) {
	w := newWorld(t, Options{})
	ctx := context.Background()
	gh := w.client(t)
	head, _ := w.f.Branch("acme", "widgets", "main")
	run, _, err := gh.Checks.CreateCheckRun(ctx, "acme", "widgets", github.CreateCheckRunOptions{Name: "x", HeadSHA: head.SHA, Conclusion: github.String("success")})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := gh.Checks.UpdateCheckRun(ctx, "acme", "widgets", run.GetID(), github.UpdateCheckRunOptions{Name: "x", Status: github.String("in_progress")}); !isStatus(err, 422) {
		t.Fatalf("completed → in_progress: %v, want 422", err)
	}
	multibyte := strings.Repeat("é", 40000) // 40,000 characters, 80,000 bytes
	if _, _, err := gh.Checks.CreateCheckRun(ctx, "acme", "widgets", github.CreateCheckRunOptions{Name: "x", HeadSHA: head.SHA,
		Output: &github.CheckRunOutput{Title: github.String("t"), Summary: &multibyte}}); !isStatus(err, 422) {
		t.Fatalf("summary of 80,000 bytes: %v, want 422", err)
	}
	w.f.CheckNoViolations(t)

	replaceHandler(t, w.f, "GET", "/repos/{owner}/{repo}/topics", unprocessable("no"))
	w.do(t, "GET", "/repos/acme/widgets/topics", "")
	if v := w.f.Violations(); len(v) != 1 || !strings.Contains(v[0], "status is not supported") {
		t.Errorf("422 to a GET: violations %q, want one", v)
	}
}

// "If your GitHub App has permissions on issues but not on pull requests,
// these endpoints will be limited to issues", and the other way round:
// a comment of a plain issue is out of reach of Pull requests: write,
// whether the route names the issue or only the comment.
func TestPullRequestsPermissionDoesNotReachIssueComments(t *testing.T) {
	w := newWorld(t, Options{})
	cm, err := w.f.AddComment("acme", "widgets", w.issue.Number, Comment{User: w.f.BotUser().Login, Body: "mine"})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.f.SetInstallationPermissions(w.inst.ID, map[string]string{"metadata": "read", "pull_requests": "write"}); err != nil {
		t.Fatal(err)
	}
	tok, err := w.f.InstallationToken(w.inst.ID)
	if err != nil {
		t.Fatal(err)
	}
	w.token = tok
	path := "/repos/acme/widgets/issues/comments/" + strconv.FormatInt(cm.ID, 10)
	if resp, body := w.do(t, "PATCH", path, `{"body":"edited"}`); resp.StatusCode != http.StatusForbidden {
		t.Errorf("edit an issue's comment with pull_requests write only: %d %s", resp.StatusCode, body)
	}
	if resp, body := w.do(t, "GET", path, ""); resp.StatusCode != http.StatusForbidden {
		t.Errorf("read an issue's comment with pull_requests only: %d %s", resp.StatusCode, body)
	}
	if got := w.f.Comments("acme", "widgets", w.issue.Number); len(got) == 0 || got[len(got)-1].Body != "mine" {
		t.Errorf("comments %+v", got)
	}
}

// An undocumented 422 still has the shape of GitHub's validation errors.
func TestUndocumentedValidationFailedIsChecked(t *testing.T) {
	w := newWorld(t, Options{})
	replaceHandler(t, w.f, "PATCH", "/repos/{owner}/{repo}/check-runs/{check_run_id}", jsonReply(http.StatusUnprocessableEntity, map[string]any{"error": "no"}))
	w.do(t, "PATCH", "/repos/acme/widgets/check-runs/1", `{"name":"x"}`)
	if v := w.f.Violations(); len(v) != 1 || !strings.Contains(v[0], "validation errors never have") {
		t.Errorf("violations %q, want one for the shape", v)
	}
}

// "A fork is a new repository that shares code and visibility settings
// with the upstream repository. All forks of public repositories are
// public. You cannot change the visibility of a fork."
// (https://docs.github.com/en/pull-requests/collaborating-with-pull-requests/working-with-forks/about-permissions-and-visibility-of-forks)
func TestForkVisibilityCannotChange(t *testing.T) {
	w := newWorld(t, Options{})
	if _, err := w.f.AddRepo(Repo{Owner: "upstream", Name: "lib", Files: map[string]string{"README.md": "x\n"}}); err != nil {
		t.Fatal(err)
	}
	fork, err := w.f.AddFork("upstream", "lib", "acme")
	if err != nil {
		t.Fatal(err)
	}
	if err := w.f.AddInstallationRepos(w.inst.ID, fork.ID); err != nil {
		t.Fatal(err)
	}
	w.grant(t, "administration", "write")
	for _, body := range []string{`{"private":true}`, `{"visibility":"private"}`} {
		resp, data := w.do(t, "PATCH", "/repos/acme/lib", body)
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("PATCH %s on a fork: %d %s, want 422", body, resp.StatusCode, data)
		}
	}
	if r, _ := w.f.Repo("acme", "lib"); r.Private {
		t.Error("the fork was made private")
	}
	if resp, data := w.do(t, "PATCH", "/repos/acme/lib", `{"description":"ours"}`); resp.StatusCode != http.StatusOK {
		t.Errorf("other edits of a fork: %d %s", resp.StatusCode, data)
	}
	w.f.CheckNoViolations(t)
}

func TestForkKeepsItsVisibilityOnARequestForIt(t *testing.T) {
	w := newWorld(t, Options{})
	if _, err := w.f.AddRepo(Repo{Owner: "upstream", Name: "lib", Files: map[string]string{"README.md": "x\n"}}); err != nil {
		t.Fatal(err)
	}
	fork, err := w.f.AddFork("upstream", "lib", "acme")
	if err != nil {
		t.Fatal(err)
	}
	if err := w.f.AddInstallationRepos(w.inst.ID, fork.ID); err != nil {
		t.Fatal(err)
	}
	w.grant(t, "administration", "write")
	for _, body := range []string{`{"private":false}`, `{"visibility":"public"}`} {
		if resp, data := w.do(t, "PATCH", "/repos/acme/lib", body); resp.StatusCode != http.StatusOK {
			t.Errorf("PATCH %s on a public fork: %d %s", body, resp.StatusCode, data)
		}
	}
}
