package snapshot

import (
	"context"
	"testing"

	"github.com/ospo-bot/ospo-bot/internal/githubfake"
	"github.com/ospo-bot/ospo-bot/internal/githubfake/fakeapp"
)

func TestUsers(t *testing.T) {
	app := fakeapp.New(t)
	frank, err := app.GitHub.AddUser(githubfake.User{Login: "Frank"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := app.GitHub.AddOrg(githubfake.Org{Login: "acme"}); err != nil {
		t.Fatal(err)
	}
	in, err := app.GitHub.AddInstallation(githubfake.Installation{Account: "acme"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := NewLookups(app.Installation(t, in.ID), in.ID, nil, DefaultLookupBudget).Users(context.Background(), []string{"frank", "nobody", "acme"})
	if err != nil {
		t.Fatal(err)
	}
	if a, ok := got["frank"]; !ok || a.ID != frank.ID || a.Login != "Frank" || a.Type != "User" || len(got) != 1 {
		t.Fatalf("Users = %+v; want only frank as %d", got, frank.ID)
	}
	// A server error is not an answer: the job must retry, never call
	// Frank unknown.
	app.GitHub.InjectFault(githubfake.Fault{Method: "GET", Route: "/users/{username}", Times: 20, Kind: githubfake.Status(502)})
	if got, err := NewLookups(app.Installation(t, in.ID), in.ID, nil, DefaultLookupBudget).Users(context.Background(), []string{"frank"}); err == nil {
		t.Fatalf("Users with GitHub failing = %+v, nil error", got)
	}
}
