package githubfake

import (
	"context"
	"net/http"
	"slices"
	"testing"

	"github.com/google/go-github/v66/github"
)

func TestRepositoryContent(t *testing.T) {
	w := newWorld(t, Options{})
	w.grant(t, "administration", "write") // replaces topics
	ctx := context.Background()
	gh := w.client(t)
	if _, err := w.f.Push("acme", "widgets", "feature/x", NewCommit{Message: "Add", Files: map[string]string{"docs/new.md": "new\n"}}); err != nil {
		t.Fatal(err)
	}

	file, dir, _, err := gh.Repositories.GetContents(ctx, "acme", "widgets", "docs/guide.md", nil)
	if err != nil || dir != nil {
		t.Fatal(err)
	}
	if text, _ := file.GetContent(); text != "guide\n" || file.GetSHA() != blobSHA("guide\n") {
		t.Errorf("file content %q sha %s", text, file.GetSHA())
	}
	_, dir, _, err = gh.Repositories.GetContents(ctx, "acme", "widgets", "docs", &github.RepositoryContentGetOptions{Ref: "feature/x"})
	if err != nil || len(dir) != 3 || dir[0].GetName() != "api" || dir[0].GetType() != "dir" || dir[2].GetPath() != "docs/new.md" {
		t.Fatalf("directory: %v %v", dir, err)
	}
	_, root, _, err := gh.Repositories.GetContents(ctx, "acme", "widgets", "", nil)
	if err != nil || len(root) != 4 {
		t.Fatalf("root: %d entries %v", len(root), err)
	}
	if _, _, resp, err := gh.Repositories.GetContents(ctx, "acme", "widgets", "docs/new.md", nil); err == nil || resp.StatusCode != 404 {
		t.Errorf("a file of another branch: %v", err)
	}

	tree, _, err := gh.Git.GetTree(ctx, "acme", "widgets", "feature/x", true)
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, e := range tree.Entries {
		paths = append(paths, e.GetPath())
	}
	want := []string{".github", ".github/CODEOWNERS", "LICENSE", "README.md", "docs", "docs/api", "docs/api/index.md", "docs/guide.md", "docs/new.md"}
	if !slices.Equal(paths, want) {
		t.Errorf("recursive tree %v, want %v", paths, want)
	}
	flat, _, err := gh.Git.GetTree(ctx, "acme", "widgets", tree.GetSHA(), false)
	if err != nil || len(flat.Entries) != 4 {
		t.Errorf("tree by SHA, not recursive: %v %v", flat, err)
	}

	lic, _, err := gh.Repositories.License(ctx, "acme", "widgets")
	if err != nil || lic.GetLicense().GetSPDXID() != "Apache-2.0" || lic.GetPath() != "LICENSE" {
		t.Errorf("license: %+v %v", lic, err)
	}
	w.f.AddRepo(Repo{Owner: "acme", Name: "bare"})
	if _, resp, err := gh.Repositories.License(ctx, "acme", "bare"); err == nil || resp.StatusCode != 404 {
		t.Errorf("no license: %v", err)
	}

	branch, _, err := gh.Repositories.GetBranch(ctx, "acme", "widgets", "feature/x", 0)
	if err != nil || branch.GetName() != "feature/x" || branch.GetCommit().GetCommit().GetMessage() != "Add" {
		t.Fatalf("branch: %+v %v", branch, err)
	}
	commit, _, err := gh.Repositories.GetCommit(ctx, "acme", "widgets", branch.GetCommit().GetSHA()[:10], nil)
	if err != nil || len(commit.Files) != 1 || commit.Files[0].GetFilename() != "docs/new.md" || len(commit.Parents) != 1 {
		t.Fatalf("commit by short SHA: %+v %v", commit, err)
	}

	if err := w.f.SetCodeownersErrors("acme", "widgets", []CodeownersError{{Line: 1, Column: 3, Kind: "Unknown owner", Path: ".github/CODEOWNERS", Message: "Unknown owner on line 1"}}); err != nil {
		t.Fatal(err)
	}
	coErrs, _, err := gh.Repositories.GetCodeownersErrors(ctx, "acme", "widgets", nil)
	if err != nil || len(coErrs.Errors) != 1 || coErrs.Errors[0].Kind != "Unknown owner" {
		t.Errorf("codeowners errors: %+v %v", coErrs, err)
	}
	health, _, err := gh.Repositories.GetCommunityHealthMetrics(ctx, "acme", "widgets")
	if err != nil || health.GetFiles().GetReadme() == nil || health.GetFiles().GetContributing() != nil || health.GetFiles().GetLicense().GetSPDXID() != "Apache-2.0" {
		t.Errorf("community profile: %+v %v", health, err)
	}

	topics, _, err := gh.Repositories.ReplaceAllTopics(ctx, "acme", "widgets", []string{"Go", "ospo"})
	if err != nil || !slices.Equal(topics, []string{"go", "ospo"}) {
		t.Errorf("topics: %v %v", topics, err)
	}
	if _, _, err := gh.Repositories.ReplaceAllTopics(ctx, "acme", "widgets", []string{"no spaces"}); !isStatus(err, 422) {
		t.Errorf("invalid topic: %v", err)
	}
	w.f.CheckNoViolations(t)
}

func TestRepositoryAccessAndEdits(t *testing.T) {
	w := newWorld(t, Options{})
	w.grant(t, "administration", "write") // edits the repository
	ctx := context.Background()
	gh := w.client(t)
	w.f.AddRepo(Repo{Owner: "other", Name: "public"})
	w.f.AddRepo(Repo{Owner: "other", Name: "secret", Private: true})
	secret, _ := w.f.AddRepo(Repo{Owner: "acme", Name: "secret", Private: true})

	for _, tt := range []struct {
		method, path, body string
		want               int
	}{
		{"GET", "/repos/other/public", "", 200},
		{"GET", "/repos/other/secret", "", 404},
		{"GET", "/repos/acme/secret", "", 200},
		{"GET", "/repos/acme/missing", "", 404},
		{"POST", "/repos/other/public/labels", `{"name":"x"}`, 403},
	} {
		if resp, data := w.do(t, tt.method, tt.path, tt.body); resp.StatusCode != tt.want {
			t.Errorf("%s %s: %d, want %d: %s", tt.method, tt.path, resp.StatusCode, tt.want, data)
		}
	}

	orgRepos, _, err := gh.Repositories.ListByOrg(ctx, "acme", &github.RepositoryListByOrgOptions{Type: "private"})
	if err != nil || len(orgRepos) != 1 || orgRepos[0].GetID() != secret.ID {
		t.Errorf("private org repos: %v %v", orgRepos, err)
	}
	if otherRepos, _, _ := gh.Repositories.ListByOrg(ctx, "other", nil); len(otherRepos) != 1 {
		t.Errorf("another org shows %d repositories, want its public one", len(otherRepos))
	}

	repo, _, err := gh.Repositories.Edit(ctx, "acme", "widgets", &github.Repository{Archived: github.Bool(true)})
	if err != nil || !repo.GetArchived() {
		t.Fatalf("archive: %v", err)
	}
	if _, _, err := gh.Issues.CreateComment(ctx, "acme", "widgets", w.issue.Number, &github.IssueComment{Body: github.String("x")}); !isStatus(err, 403) {
		t.Errorf("comment on an archived repository: %v, want 403", err)
	}
	repo, _, err = gh.Repositories.Edit(ctx, "acme", "widgets", &github.Repository{Archived: github.Bool(false), Visibility: github.String("private")})
	if err != nil || repo.GetArchived() || !repo.GetPrivate() {
		t.Fatalf("unarchive and make private: %+v %v", repo, err)
	}
	if r, _ := w.f.Repo("acme", "widgets"); r.Archived || r.Visibility != "private" || !r.Private {
		t.Errorf("stored repository %+v", r)
	}

	// A "selected" installation sees only its repositories.
	sel, err := w.f.AddInstallation(Installation{Account: "other", RepositorySelection: "selected"})
	if err != nil {
		t.Fatal(err)
	}
	otherSecret, _ := w.f.Repo("other", "secret")
	if err := w.f.AddInstallationRepos(sel.ID, otherSecret.ID); err != nil {
		t.Fatal(err)
	}
	tok, _ := w.f.InstallationToken(sel.ID)
	req, _ := http.NewRequest("GET", w.f.URL()+"/installation/repositories", nil)
	req.Header.Set("Authorization", "token "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var list github.ListRepositories
	decodeJSON(t, readAll(t, resp), &list)
	resp.Body.Close()
	if list.GetTotalCount() != 1 || list.Repositories[0].GetFullName() != "other/secret" {
		t.Errorf("selected installation repositories %+v", list)
	}
	w.f.CheckNoViolations(t)
}

func TestTeamsMembersAndPermissions(t *testing.T) {
	w := newWorld(t, Options{})
	ctx := context.Background()
	gh := w.client(t)
	f := w.f
	if _, err := f.AddTeam(Team{Org: "acme", Name: "OSPO Leads"}); err != nil {
		t.Fatal(err)
	}
	for _, m := range []Membership{{Login: "lead", Role: "maintainer"}, {Login: "member"}, {Login: "invited", State: "pending"}} {
		if err := f.SetTeamMembership("acme", "ospo-leads", m); err != nil {
			t.Fatal(err)
		}
	}
	f.SetOrgMembership("acme", Membership{Login: "lead", Role: "admin"})
	f.SetOrgMembership("acme", Membership{Login: "member"})
	f.SetOrgMembership("acme", Membership{Login: "invited", State: "pending"})
	f.SetCollaborator("acme", "widgets", "outsider", "triage")

	for _, tt := range []struct {
		user, role, state string
		found             bool
	}{
		{"lead", "maintainer", "active", true},
		{"member", "member", "active", true},
		{"invited", "member", "pending", true},
		{"outsider", "", "", false},
	} {
		m, _, err := gh.Teams.GetTeamMembershipBySlug(ctx, "acme", "ospo-leads", tt.user)
		switch {
		case !tt.found && !isStatus(err, 404):
			t.Errorf("%s: %v, want 404", tt.user, err)
		case tt.found && (err != nil || m.GetRole() != tt.role || m.GetState() != tt.state):
			t.Errorf("%s: %+v %v", tt.user, m, err)
		}
	}
	members, _, err := gh.Teams.ListTeamMembersBySlug(ctx, "acme", "ospo-leads", &github.TeamListTeamMembersOptions{Role: "all"})
	if err != nil || len(members) != 2 {
		t.Errorf("active team members: %v %v", members, err)
	}
	if ms, _, _ := gh.Teams.ListTeamMembersBySlug(ctx, "acme", "ospo-leads", &github.TeamListTeamMembersOptions{Role: "maintainer"}); len(ms) != 1 {
		t.Errorf("%d maintainers", len(ms))
	}
	for user, want := range map[string]bool{"lead": true, "member": true, "invited": false, "outsider": false} {
		if got, _, err := gh.Organizations.IsMember(ctx, "acme", user); err != nil || got != want {
			t.Errorf("IsMember(%s) = %v, %v", user, got, err)
		}
	}
	om, _, err := gh.Organizations.GetOrgMembership(ctx, "lead", "acme")
	if err != nil || om.GetRole() != "admin" || om.GetState() != "active" {
		t.Errorf("org membership: %+v %v", om, err)
	}
	for user, want := range map[string]string{"lead": "admin", "outsider": "read", "member": "read", "acme": ""} {
		perm, _, err := gh.Repositories.GetPermissionLevel(ctx, "acme", "widgets", user)
		if want == "" {
			if !isStatus(err, 404) {
				t.Errorf("permission of an organization: %v", err)
			}
			continue
		}
		if err != nil || perm.GetPermission() != want {
			t.Errorf("permission of %s: %+v %v, want %s", user, perm, err, want)
		}
	}
	if u, _, err := gh.Users.Get(ctx, "acme"); err != nil || u.GetType() != "Organization" {
		t.Errorf("GET /users/acme: %+v %v", u, err)
	}
	if o, _, err := gh.Organizations.Get(ctx, "acme"); err != nil || o.GetName() != "Acme" {
		t.Errorf("GET /orgs/acme: %+v %v", o, err)
	}
	// Another organization's teams are not the installation's business.
	f.AddOrg(Org{Login: "rival"})
	f.AddTeam(Team{Org: "rival", Slug: "core"})
	if _, _, err := gh.Teams.GetTeamBySlug(ctx, "rival", "core"); !isStatus(err, 403) {
		t.Errorf("another org's team: %v, want 403", err)
	}
	limits, _, err := gh.RateLimit.Get(ctx)
	if err != nil || limits.GetCore().Limit != 5000 {
		t.Errorf("rate limit: %+v %v", limits, err)
	}
	w.f.CheckNoViolations(t)
}
