package snapshot

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/ospo-bot/ospo-bot/internal/githubfake"
	"github.com/ospo-bot/ospo-bot/internal/githubfake/fakeapp"
)

// OrgMembers (CLA allow.orgs) sees every member of the installation's org
// and the public members of other orgs, which GitHub redirects to; a
// transient error is an error, never "not a member".
func TestOrgMembers(t *testing.T) {
	setup := func(t *testing.T) (*githubfake.Fake, *fakeapp.App, int64) {
		app := fakeapp.New(t)
		f := app.GitHub
		for _, o := range []string{"acme", "friends"} {
			if _, err := f.AddOrg(githubfake.Org{Login: o}); err != nil {
				t.Fatal(err)
			}
		}
		for org, ms := range map[string][]githubfake.Membership{
			"acme":    {{Login: "dev"}},
			"friends": {{Login: "pub", Public: true}, {Login: "priv"}},
		} {
			for _, m := range ms {
				if err := f.SetOrgMembership(org, m); err != nil {
					t.Fatal(err)
				}
			}
		}
		inst, err := f.AddInstallation(githubfake.Installation{Account: "acme"})
		if err != nil {
			t.Fatal(err)
		}
		return f, app, inst.ID
	}
	ctx := context.Background()
	logins := []string{"dev", "pub", "priv", "nobody"}

	t.Run("members", func(t *testing.T) {
		_, app, inst := setup(t)
		got, err := NewLookups(app.Installation(t, inst), inst, nil, DefaultLookupBudget).OrgMembers(ctx, []string{"acme", "friends"}, logins)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got["acme"], []string{"dev"}) || !slices.Equal(got["friends"], []string{"pub"}) {
			t.Fatalf("OrgMembers = %v, want acme: dev (private), friends: pub (public only)", got)
		}
	})
	for name, kind := range map[string]githubfake.FaultKind{
		"502":                  githubfake.Status(502),
		"primary rate limit":   githubfake.PrimaryRateLimit(time.Now().Add(time.Hour)),
		"secondary rate limit": githubfake.SecondaryRateLimit(time.Minute),
	} {
		t.Run(name, func(t *testing.T) {
			f, app, inst := setup(t)
			f.InjectFault(githubfake.Fault{Route: "/orgs/{org}/members/{username}", Kind: kind, Times: 3})
			got, err := NewLookups(app.Installation(t, inst), inst, nil, DefaultLookupBudget).OrgMembers(ctx, []string{"acme"}, logins)
			if err == nil {
				t.Fatalf("OrgMembers = %v, nil; want an error", got)
			}
		})
	}
}

// GET .../codeowners/errors answers 404 when GitHub finds no CODEOWNERS
// (deleted since the tree was read, say): that is "no errors", not a
// failure; a 502 is a failure, never "no errors".
func TestCodeownersErrorsLookup(t *testing.T) {
	for _, tt := range []struct {
		name    string
		kind    githubfake.FaultKind
		wantErr bool
	}{
		{"404: no CODEOWNERS", githubfake.Status(404), false},
		{"502: no answer", githubfake.Status(502), true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			app := fakeapp.New(t)
			inst, _ := seed(t, app)
			app.GitHub.InjectFault(githubfake.Fault{Route: "/repos/{owner}/{repo}/codeowners/errors", Kind: tt.kind, Times: 3})
			s, err := Repository(context.Background(), app.Installation(t, inst), "acme", "widget", allOn())
			switch {
			case tt.wantErr && err == nil:
				t.Fatalf("no error; codeowners errors %+v", s.CodeownersErrors)
			case !tt.wantErr && err != nil:
				t.Fatal(err)
			case !tt.wantErr && len(s.CodeownersErrors) != 0:
				t.Fatalf("codeowners errors %+v, want none", s.CodeownersErrors)
			}
		})
	}
}
