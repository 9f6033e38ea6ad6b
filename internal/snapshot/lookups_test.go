package snapshot

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/ospo-bot/ospo-bot/internal/githubfake"
	"github.com/ospo-bot/ospo-bot/internal/githubfake/fakeapp"
)

// lookupRequests counts the per-identity requests on the fake: user
// lookups and org membership lookups (with GitHub's redirect to the
// public membership).
func lookupRequests(f *githubfake.Fake) int {
	return f.CountRequests(func(r githubfake.Request) bool {
		switch r.Route {
		case "/users/{username}", "/orgs/{org}/members/{username}", "/orgs/{org}/public_members/{username}":
			return true
		}
		return false
	})
}

func lookupFake(t *testing.T) (*fakeapp.App, int64) {
	t.Helper()
	app := fakeapp.New(t)
	if _, err := app.GitHub.AddOrg(githubfake.Org{Login: "acme"}); err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		if _, err := app.GitHub.AddUser(githubfake.User{Login: fmt.Sprintf("user%d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := app.GitHub.SetOrgMembership("acme", githubfake.Membership{Login: "user1"}); err != nil {
		t.Fatal(err)
	}
	in, err := app.GitHub.AddInstallation(githubfake.Installation{Account: "acme"})
	if err != nil {
		t.Fatal(err)
	}
	return app, in.ID
}

func names(prefix string, n int) []string {
	var out []string
	for i := range n {
		out = append(out, fmt.Sprintf("%s%d", prefix, i))
	}
	return out
}

// TestLookupBudget: the logins come from commit text anyone writes
// (Co-authored-by: x <login@users.noreply.github.com>, or accounts whose
// org membership the corporate CLA asks about). One check makes at most
// its budget of lookups, user lookups and membership lookups together;
// the identities past it are not looked up and are reported as skipped,
// never taken as answered.
func TestLookupBudget(t *testing.T) {
	ctx := context.Background()
	t.Run("user lookups", func(t *testing.T) {
		app, inst := lookupFake(t)
		l := NewLookups(app.Installation(t, inst), inst, nil, DefaultLookupBudget)
		logins := names("nobody", 3*DefaultLookupBudget)
		if _, err := l.Users(ctx, logins); err != nil {
			t.Fatal(err)
		}
		if n := lookupRequests(app.GitHub); n > DefaultLookupBudget {
			t.Fatalf("%d user lookups for %d logins from commit text; at most %d", n, len(logins), DefaultLookupBudget)
		}
		if got := l.Skipped(); !slices.Equal(got, logins[DefaultLookupBudget:]) {
			t.Fatalf("Skipped = %d logins %v; want the %d past the budget", len(got), got, len(logins)-DefaultLookupBudget)
		}
	})
	t.Run("users and memberships share one budget", func(t *testing.T) {
		app, inst := lookupFake(t)
		l := NewLookups(app.Installation(t, inst), inst, nil, DefaultLookupBudget)
		users, err := l.Users(ctx, []string{"user0", "user1", "ghost"})
		if err != nil {
			t.Fatal(err)
		}
		if len(users) != 2 {
			t.Fatalf("Users = %v; want user0 and user1", users)
		}
		logins := append([]string{"user1"}, names("member", 2*DefaultLookupBudget)...)
		members, err := l.OrgMembers(ctx, []string{"acme"}, logins)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(members["acme"], []string{"user1"}) {
			t.Fatalf("OrgMembers = %v; want acme: user1", members)
		}
		if n := lookupRequests(app.GitHub); n > DefaultLookupBudget {
			t.Fatalf("%d lookups in one check; at most %d", n, DefaultLookupBudget)
		}
		if got, want := len(l.Skipped()), 3+len(logins)-DefaultLookupBudget; got != want {
			t.Fatalf("%d skipped %v; want %d", got, l.Skipped(), want)
		}
	})
	t.Run("an identity checked in several orgs costs a lookup in each, or is skipped whole", func(t *testing.T) {
		app, inst := lookupFake(t)
		if _, err := app.GitHub.AddOrg(githubfake.Org{Login: "friends"}); err != nil {
			t.Fatal(err)
		}
		l := NewLookups(app.Installation(t, inst), inst, nil, 3)
		if _, err := l.OrgMembers(ctx, []string{"acme", "friends"}, []string{"user0", "user1"}); err != nil {
			t.Fatal(err)
		}
		if n := lookupRequests(app.GitHub); n > 3 {
			t.Fatalf("%d lookups with a budget of 3", n)
		}
		if got := l.Skipped(); !slices.Equal(got, []string{"user1"}) {
			t.Fatalf("Skipped = %v; want user1, whose memberships did not fit whole", got)
		}
	})
}

// TestLookupCache: a second check of the same pull request (a synchronize,
// a recheck) asks GitHub nothing it asked minutes ago, and gets the same
// answers; another installation does not read the first one's answers; the
// cache forgets after its TTL and holds at most its size.
func TestLookupCache(t *testing.T) {
	ctx := context.Background()
	app, inst := lookupFake(t)
	client := app.Installation(t, inst)
	cache := NewLookupCache(1000, 5*time.Minute)
	now := time.Now()
	cache.now = func() time.Time { return now }
	check := func(installation int64) (int, map[string][]string, int) {
		t.Helper()
		app.GitHub.Reset()
		l := NewLookups(client, installation, cache, DefaultLookupBudget)
		users, err := l.Users(ctx, []string{"user0", "ghost"})
		if err != nil {
			t.Fatal(err)
		}
		members, err := l.OrgMembers(ctx, []string{"acme"}, []string{"user0", "user1"})
		if err != nil {
			t.Fatal(err)
		}
		return len(users), members, lookupRequests(app.GitHub)
	}
	u1, m1, n1 := check(inst)
	if n1 != 4 || u1 != 1 || !slices.Equal(m1["acme"], []string{"user1"}) {
		t.Fatalf("first check: %d requests, %d users, members %v", n1, u1, m1)
	}
	u2, m2, n2 := check(inst)
	if n2 != 0 {
		t.Fatalf("the same lookups again cost %d requests; want 0 (cached)", n2)
	}
	if u2 != u1 || !slices.Equal(m2["acme"], m1["acme"]) {
		t.Fatalf("cached answers differ: %d users, members %v", u2, m2)
	}
	if _, _, n := check(inst + 1000); n != 4 {
		t.Fatalf("another installation's check made %d requests; want 4 (its own)", n)
	}
	now = now.Add(5*time.Minute + time.Second)
	if _, _, n := check(inst); n != 4 {
		t.Fatalf("after the TTL, %d requests; want 4", n)
	}

	small := NewLookupCache(3, time.Minute)
	l := NewLookups(client, inst, small, DefaultLookupBudget)
	if _, err := l.Users(ctx, names("user", 5)); err != nil {
		t.Fatal(err)
	}
	if n := small.Len(); n > 3 {
		t.Fatalf("a cache of size 3 holds %d entries", n)
	}
}
