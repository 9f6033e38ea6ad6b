package githubfake

import (
	"context"
	"net/http"
	"testing"
)

// GET .../codeowners/errors answers 404 when none of GitHub's three
// CODEOWNERS locations holds a file.
func TestCodeownersErrorsWithoutCodeowners(t *testing.T) {
	w := newWorld(t, Options{})
	if _, err := w.f.AddRepo(Repo{Owner: "acme", Name: "bare", Files: map[string]string{"README.md": "x\n"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.f.AddRepo(Repo{Owner: "acme", Name: "docs-owned", Files: map[string]string{"docs/CODEOWNERS": "* @alice\n"}}); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]int{
		"/repos/acme/bare/codeowners/errors":       http.StatusNotFound,
		"/repos/acme/docs-owned/codeowners/errors": http.StatusOK,
		"/repos/acme/widgets/codeowners/errors":    http.StatusOK, // .github/CODEOWNERS
	} {
		if resp, data := w.do(t, "GET", path, ""); resp.StatusCode != want {
			t.Errorf("GET %s: %d, want %d: %s", path, resp.StatusCode, want, data)
		}
	}
	w.f.CheckNoViolations(t)
}

// Team membership includes the members of child teams, at any depth.
func TestChildTeamMembers(t *testing.T) {
	w := newWorld(t, Options{})
	for _, tm := range []Team{{Org: "acme", Slug: "eng"}, {Org: "acme", Slug: "platform", Parent: "eng"}, {Org: "acme", Slug: "infra", Parent: "platform"}, {Org: "acme", Slug: "legal"}} {
		if _, err := w.f.AddTeam(tm); err != nil {
			t.Fatal(err)
		}
	}
	for slug, login := range map[string]string{"eng": "lead", "platform": "pat", "infra": "ivy", "legal": "lou"} {
		if err := w.f.SetTeamMembership("acme", slug, Membership{Login: login, Role: "maintainer"}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.f.AddTeam(Team{Org: "acme", Slug: "hidden", Privacy: "secret", Parent: "eng"}); err == nil {
		t.Error("a secret team was nested")
	}
	ctx := context.Background()
	c := w.client(t)
	for _, tt := range []struct {
		team, login string
		want        bool
		role        string
	}{
		{"eng", "lead", true, "maintainer"},
		{"eng", "pat", true, "member"},  // child team
		{"eng", "ivy", true, "member"},  // grandchild team
		{"eng", "lou", false, ""},       // a sibling team
		{"platform", "lead", false, ""}, // not the parent's members
		{"platform", "ivy", true, "member"},
	} {
		m, _, err := c.Teams.GetTeamMembershipBySlug(ctx, "acme", tt.team, tt.login)
		switch {
		case tt.want && err != nil:
			t.Errorf("%s in %s: %v", tt.login, tt.team, err)
		case tt.want && m.GetRole() != tt.role:
			t.Errorf("%s in %s: role %q, want %q", tt.login, tt.team, m.GetRole(), tt.role)
		case !tt.want && err == nil:
			t.Errorf("%s in %s: a member, want 404", tt.login, tt.team)
		}
	}
	var members []struct {
		Login     string `json:"login"`
		Role      string `json:"role"`
		Inherited bool   `json:"inherited"`
	}
	_, data := w.do(t, "GET", "/orgs/acme/teams/eng/members", "")
	decodeJSON(t, data, &members)
	got := map[string]bool{}
	for _, m := range members {
		got[m.Login] = m.Inherited
	}
	if len(got) != 3 || got["lead"] || !got["pat"] || !got["ivy"] {
		t.Errorf("members of eng: %+v, want lead, and pat and ivy inherited", members)
	}
	_, data = w.do(t, "GET", "/orgs/acme/teams/platform", "")
	var team struct {
		Parent struct{ Slug string } `json:"parent"`
	}
	decodeJSON(t, data, &team)
	if team.Parent.Slug != "eng" {
		t.Errorf("parent of platform: %q, want eng", team.Parent.Slug)
	}
	w.f.CheckNoViolations(t)
}

// GET /orgs/{org}/members/{username} answers 302 to the public membership
// check when the installation is not on the organization; go-github
// follows it, so only public members are seen there.
func TestOrgMembershipOfAnotherOrg(t *testing.T) {
	w := newWorld(t, Options{})
	if _, err := w.f.AddOrg(Org{Login: "friends"}); err != nil {
		t.Fatal(err)
	}
	for _, m := range []Membership{{Login: "pub", Public: true}, {Login: "priv"}} {
		if err := w.f.SetOrgMembership("friends", m); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.f.SetOrgMembership("acme", Membership{Login: "priv"}); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", w.f.URL()+"/orgs/friends/members/priv", nil)
	req.Header.Set("Authorization", "token "+w.token)
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != w.f.URL()+"/orgs/friends/public_members/priv" {
		t.Errorf("GET /orgs/friends/members/priv: %d to %q, want 302 to the public membership", resp.StatusCode, resp.Header.Get("Location"))
	}
	ctx := context.Background()
	c := w.client(t)
	for _, tt := range []struct {
		org, login string
		want       bool
	}{
		{"friends", "pub", true},
		{"friends", "priv", false}, // private: not visible from outside
		{"friends", "nobody", false},
		{"acme", "priv", true}, // the installation's own org sees private members
		{"acme", "pub", false},
	} {
		got, _, err := c.Organizations.IsMember(ctx, tt.org, tt.login)
		if err != nil || got != tt.want {
			t.Errorf("IsMember(%s, %s) = %v, %v; want %v", tt.org, tt.login, got, err, tt.want)
		}
	}
	w.f.CheckNoViolations(t)
}

// GitHub lets a comment's author, or anyone with write access, edit it;
// the fake refuses anyone else.
func TestEditCommentNeedsAuthorOrWriteAccess(t *testing.T) {
	w := newWorld(t, Options{})
	f := w.f
	c, err := f.AddComment("acme", "widgets", w.issue.Number, Comment{User: "carol", Body: "hello"})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{"bob", "reader"} {
		if _, err := f.AddUser(User{Login: u}); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.SetCollaborator("acme", "widgets", "reader", "triage"); err != nil {
		t.Fatal(err)
	}
	for _, who := range []string{"bob", "reader"} {
		if _, _, err := f.EditComment("acme", "widgets", c.ID, who, "/ospo approve"); err == nil {
			t.Fatalf("%s, without write access, edited carol's comment", who)
		}
	}
	if _, after, err := f.EditComment("acme", "widgets", c.ID, "carol", "hello again"); err != nil || after.Body != "hello again" || after.User != "carol" {
		t.Fatalf("carol's own edit: %+v, %v", after, err)
	}
	if err := f.SetCollaborator("acme", "widgets", "bob", "write"); err != nil {
		t.Fatal(err)
	}
	before, after, err := f.EditComment("acme", "widgets", c.ID, "bob", "hello again\n/ospo approve")
	if err != nil || before.Body != "hello again" || after.User != "carol" {
		t.Fatalf("bob's edit with write access: %+v → %+v, %v", before, after, err)
	}
}
