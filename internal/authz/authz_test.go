package authz

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-github/v66/github"

	"github.com/ospo-bot/ospo-bot/internal/ghclient"
	"github.com/ospo-bot/ospo-bot/internal/githubfake"
	"github.com/ospo-bot/ospo-bot/internal/githubfake/fakeapp"
)

// lookupWorld is an org with an owner, a member, a team with a child team,
// and the installation's client.
func lookupWorld(t *testing.T) (*githubfake.Fake, *github.Client) {
	t.Helper()
	app := fakeapp.New(t)
	f := app.GitHub
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err := f.AddOrg(githubfake.Org{Login: "acme"})
	must(err)
	must(f.SetOrgMembership("acme", githubfake.Membership{Login: "owner", Role: "admin"}))
	must(f.SetOrgMembership("acme", githubfake.Membership{Login: "dev"}))
	_, err = f.AddTeam(githubfake.Team{Org: "acme", Slug: "ospo"})
	must(err)
	_, err = f.AddTeam(githubfake.Team{Org: "acme", Slug: "ospo-legal", Parent: "ospo"})
	must(err)
	must(f.SetTeamMembership("acme", "ospo", githubfake.Membership{Login: "lead"}))
	must(f.SetTeamMembership("acme", "ospo-legal", githubfake.Membership{Login: "counsel"}))
	inst, err := f.AddInstallation(githubfake.Installation{Account: "acme"})
	must(err)
	return f, app.Installation(t, inst.ID)
}

func TestMayDecide(t *testing.T) {
	owners := Authority{Org: "acme"}
	team := Authority{Org: "acme", Approvers: []string{"someone", "@acme/ospo"}}
	const (
		orgMembership  = "/orgs/{org}/memberships/{username}"
		teamMembership = "/orgs/{org}/teams/{team_slug}/memberships/{username}"
	)
	for _, tt := range []struct {
		name    string
		a       Authority
		login   string
		fault   *githubfake.Fault
		want    bool
		wantErr bool
	}{
		{name: "org owner", a: owners, login: "owner", want: true},
		{name: "org member who is not an owner", a: owners, login: "dev"},
		{name: "not in the org: 404", a: owners, login: "stranger"},
		{name: "listed user", a: team, login: "someone", want: true},
		{name: "team member", a: team, login: "lead", want: true},
		{name: "member of a child team", a: team, login: "counsel", want: true},
		{name: "not in the team: 404", a: team, login: "dev"},
		// Transient errors are never answered as facts.
		{name: "org membership: 502", a: owners, login: "owner", fault: &githubfake.Fault{Route: orgMembership, Kind: githubfake.Status(502), Times: 3}, wantErr: true},
		{name: "org membership: rate limit", a: owners, login: "owner", fault: &githubfake.Fault{Route: orgMembership, Kind: githubfake.PrimaryRateLimit(time.Now().Add(time.Hour))}, wantErr: true},
		{name: "org membership: secondary rate limit", a: owners, login: "owner", fault: &githubfake.Fault{Route: orgMembership, Kind: githubfake.SecondaryRateLimit(time.Minute)}, wantErr: true},
		{name: "org membership: 403 is not a no", a: owners, login: "owner", fault: &githubfake.Fault{Route: orgMembership, Kind: githubfake.Status(403)}, wantErr: true},
		{name: "team membership: 502", a: team, login: "lead", fault: &githubfake.Fault{Route: teamMembership, Kind: githubfake.Status(502), Times: 3}, wantErr: true},
		{name: "team membership: 503 for someone not in the team", a: team, login: "dev", fault: &githubfake.Fault{Route: teamMembership, Kind: githubfake.Status(503), Times: 3}, wantErr: true},
		{name: "team membership: rate limit", a: team, login: "lead", fault: &githubfake.Fault{Route: teamMembership, Kind: githubfake.SecondaryRateLimit(time.Minute)}, wantErr: true},
		{name: "team membership: 429", a: team, login: "lead", fault: &githubfake.Fault{Route: teamMembership, Kind: githubfake.Status(429)}, wantErr: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f, client := lookupWorld(t)
			if tt.fault != nil {
				f.InjectFault(*tt.fault)
			}
			got, err := MayDecide(context.Background(), client, tt.a, tt.login)
			switch {
			case tt.wantErr && err == nil:
				t.Fatalf("MayDecide = %v, nil; want an error, not an answer", got)
			case tt.wantErr && ghclient.NotFound(err):
				t.Fatalf("the error is a 404: %v", err)
			case !tt.wantErr && err != nil:
				t.Fatalf("MayDecide: %v", err)
			case got != tt.want:
				t.Fatalf("MayDecide = %v, want %v", got, tt.want)
			}
		})
	}
}

// OfOrg reads who decides from the org's own policy, with its version,
// and where review issues go; no policy file means the org's owners.
func TestOfOrg(t *testing.T) {
	ctx := context.Background()
	f, client := lookupWorld(t)
	got, err := OfOrg(ctx, client, "acme")
	if err != nil || got.Org != "acme" || len(got.Approvers) != 0 {
		t.Fatalf("without a policy: %+v, %v; want the org's owners", got, err)
	}
	if _, err := f.AddRepo(githubfake.Repo{Owner: "acme", Name: ".github", Files: map[string]string{"ospo.yml": "review:\n  approvers: [\"@acme/ospo\"]\n  repository: acme/ospo\n"}}); err != nil {
		t.Fatal(err)
	}
	got, err = OfOrg(ctx, client, "acme")
	if err != nil || len(got.Approvers) != 1 || got.Approvers[0] != "@acme/ospo" || got.Repository != "acme/ospo" || got.PolicyVersion == "" {
		t.Fatalf("with a policy: %+v, %v", got, err)
	}
}
