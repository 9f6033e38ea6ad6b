package signin

import (
	"context"
	"slices"
	"testing"

	"github.com/ospo-bot/ospo-bot/internal/githubfake"
	"github.com/ospo-bot/ospo-bot/internal/githubfake/fakeapp"
	"github.com/ospo-bot/ospo-bot/internal/store"
	"github.com/ospo-bot/ospo-bot/internal/store/storetest"
)

// localPath keeps sign-in's return on the dashboard's own pages.
func TestLocalPath(t *testing.T) {
	for in, want := range map[string]string{
		"/dashboard/": "/dashboard/",
		"/dashboard/acme/reviews?since=2026-01-01": "/dashboard/acme/reviews?since=2026-01-01",
		"/dashboard/acme/#top":                     "/dashboard/acme/",
		"/dashboard/acme/repositories/a%2Fb":       "/dashboard/acme/repositories/a%2Fb",
	} {
		if got, ok := localPath(in); !ok || got != want {
			t.Errorf("localPath(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "/", "//evil.example/dashboard/", "https://evil.example/dashboard/", "/dashboard", "/dashboard/../evil",
		"/dashboard/..//evil.example", "/\\evil.example", "/dashboard/\\evil", "/dashboard/\r\nSet-Cookie:x", "dashboard/", "/dashboard/login",
		"/dashboard/auth/callback?code=x", "/dashboard/logout", "http:/dashboard/"} {
		if got, ok := localPath(in); ok {
			t.Errorf("localPath(%q) = %q, accepted", in, got)
		}
	}
}

// Access: an org's active owners and its approvers see it; a pending
// owner, a plain member and a stranger do not; with an invalid ospo.yml
// only the owners do (no error: a broken policy is no GitHub outage); a
// user's installation is not an org's dashboard.
func TestAccess(t *testing.T) {
	ctx := context.Background()
	app := fakeapp.New(t)
	f := app.GitHub
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	st := storetest.Open(t, store.SQLite)
	for _, org := range []string{"acme", "broken"} {
		_, err := f.AddOrg(githubfake.Org{Login: org})
		must(err)
		must(f.SetOrgMembership(org, githubfake.Membership{Login: "boss", Role: "admin"}))
		must(f.SetOrgMembership(org, githubfake.Membership{Login: "newboss", Role: "admin", State: "pending"}))
		must(f.SetOrgMembership(org, githubfake.Membership{Login: "dev"}))
		_, err = f.AddTeam(githubfake.Team{Org: org, Slug: "leads"})
		must(err)
		must(f.SetTeamMembership(org, "leads", githubfake.Membership{Login: "lead"}))
	}
	_, err := f.AddRepo(githubfake.Repo{Owner: "acme", Name: ".github", Files: map[string]string{"ospo.yml": "review:\n  approvers: [\"@acme/leads\", \"counsel\"]\n"}})
	must(err)
	_, err = f.AddRepo(githubfake.Repo{Owner: "broken", Name: ".github", Files: map[string]string{"ospo.yml": "review:\n  approvers: [\"@broken/leads\"]\n  nonsense: 1\n"}})
	must(err)
	_, err = f.AddUser(githubfake.User{Login: "solo"})
	must(err)
	for _, acct := range []struct{ login, typ string }{{"acme", "Organization"}, {"broken", "Organization"}, {"solo", "User"}} {
		in, err := f.AddInstallation(githubfake.Installation{Account: acct.login})
		must(err)
		must(st.UpsertInstallation(ctx, store.Installation{ID: in.ID, Account: acct.login, AccountType: acct.typ, RepositorySelection: "all", State: store.InstallationActive}))
	}
	a := &Access{Store: st, GitHub: app.Clients}
	for login, want := range map[string][]string{
		"boss": {"acme", "broken"}, "lead": {"acme"}, "counsel": {"acme"}, "newboss": nil, "dev": nil, "stranger": nil, "solo": nil,
	} {
		got, err := a.Orgs(ctx, login)
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("Orgs(%s) = %v, %v; want %v", login, got, err, want)
		}
	}
}
