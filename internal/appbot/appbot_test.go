package appbot_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/google/go-github/v66/github"

	"github.com/ospo-bot/ospo-bot/internal/appbot"
	"github.com/ospo-bot/ospo-bot/internal/githubfake"
	"github.com/ospo-bot/ospo-bot/internal/githubfake/fakeapp"
)

// TestResolveAsksGitHubOnceAndNeverCachesAFailure: the bot user's ID comes
// from GitHub (GET /app, then GET /users/{slug}[bot]), once per process; a
// failed lookup is asked again next time, not remembered as an answer.
func TestResolveAsksGitHubOnceAndNeverCachesAFailure(t *testing.T) {
	ctx := context.Background()
	app := fakeapp.New(t)
	f := app.GitHub
	if _, err := f.AddOrg(githubfake.Org{Login: "acme"}); err != nil {
		t.Fatal(err)
	}
	inst, err := f.AddInstallation(githubfake.Installation{Account: "acme"})
	if err != nil {
		t.Fatal(err)
	}
	client := app.Installation(t, inst.ID)
	r := appbot.New(app.Clients)
	lookups := func() int {
		return f.CountRequests(func(q githubfake.Request) bool { return q.Route == "/app" || q.Route == "/users/{username}" })
	}

	f.InjectFault(githubfake.Fault{Method: http.MethodGet, Route: "/users/{username}", Kind: githubfake.Status(http.StatusNotFound)})
	if id, err := r.Resolve(ctx, client); err == nil {
		t.Fatalf("a failed lookup answered %+v", id)
	}
	bot := f.BotUser()
	for range 3 {
		id, err := r.Resolve(ctx, client)
		if err != nil {
			t.Fatal(err)
		}
		if id.UserID != bot.ID || id.Login != bot.Login || id.AppID != fakeapp.ID || id.Slug != "ospo-bot" {
			t.Fatalf("identity %+v, the fake's bot %+v", id, bot)
		}
	}
	if got := lookups(); got != 4 { // 2 failed-then-asked-again, 2 that answered, none after
		t.Fatalf("%d lookups, want 4", got)
	}

	id, _ := r.Resolve(ctx, client)
	if !id.Wrote(&github.User{ID: github.Int64(bot.ID)}) || id.Wrote(&github.User{ID: github.Int64(bot.ID + 1), Login: github.String(bot.Login)}) {
		t.Fatal("Wrote must go by the bot user's ID, not its login")
	}
	if (appbot.Identity{}).Wrote(&github.User{}) {
		t.Fatal("an unknown identity recognises an author without an ID")
	}
	var none *appbot.Resolver
	if _, err := none.Resolve(ctx, client); err == nil {
		t.Fatal("a nil resolver knows the bot")
	}
}

// TestResolveNeedsTheAppsJWT: GitHub serves GET /app to the app's JWT
// only; an installation token is refused, and so is the resolver that
// tries it.
func TestResolveNeedsTheAppsJWT(t *testing.T) {
	ctx := context.Background()
	app := fakeapp.New(t)
	if _, err := app.GitHub.AddOrg(githubfake.Org{Login: "acme"}); err != nil {
		t.Fatal(err)
	}
	inst, err := app.GitHub.AddInstallation(githubfake.Installation{Account: "acme"})
	if err != nil {
		t.Fatal(err)
	}
	client := app.Installation(t, inst.ID)
	r := appbot.New(installationAsApp{client})
	if id, err := r.Resolve(ctx, client); err == nil {
		t.Fatalf("GET /app with an installation token answered %+v", id)
	}
}

// installationAsApp hands out an installation's client where the app's is
// asked for.
type installationAsApp struct{ c *github.Client }

func (a installationAsApp) NewAppClient() (*github.Client, error) { return a.c, nil }
