package snapshot

import (
	"context"
	"fmt"
	"testing"

	"github.com/ospo-bot/ospo-bot/internal/githubfake"
	"github.com/ospo-bot/ospo-bot/internal/githubfake/fakeapp"
)

// TestUsersLookupsAreBounded: the logins come from commit text anyone
// writes (Co-authored-by: x <login@users.noreply.github.com>). Thousands of
// them must not spend thousands of the installation's requests on every
// check (anyone may ask for one with /ospo recheck): at most
// MaxUserLookups are looked up; the rest stay unlinked, and the CLA fails
// closed for them.
func TestUsersLookupsAreBounded(t *testing.T) {
	app := fakeapp.New(t)
	if _, err := app.GitHub.AddOrg(githubfake.Org{Login: "acme"}); err != nil {
		t.Fatal(err)
	}
	in, err := app.GitHub.AddInstallation(githubfake.Installation{Account: "acme"})
	if err != nil {
		t.Fatal(err)
	}
	var logins []string
	for i := range 3 * MaxUserLookups {
		logins = append(logins, fmt.Sprintf("nobody%d", i))
	}
	if _, err := Users(context.Background(), app.Installation(t, in.ID), logins); err != nil {
		t.Fatal(err)
	}
	n := app.GitHub.CountRequests(func(r githubfake.Request) bool { return r.Route == "/users/{username}" })
	if n > MaxUserLookups {
		t.Fatalf("%d user lookups for %d logins from commit text; at most %d", n, len(logins), MaxUserLookups)
	}
}
