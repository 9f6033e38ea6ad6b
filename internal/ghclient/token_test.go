package ghclient_test

import (
	"context"
	"testing"

	"github.com/ospo-bot/ospo-bot/internal/ghclient"
	"github.com/ospo-bot/ospo-bot/internal/githubfake"
	"github.com/ospo-bot/ospo-bot/internal/githubfake/fakeapp"
)

// A 401 from the installation token endpoint (a clock behind GitHub's, a
// key being rotated) is retried a few times before it is called permanent.
func TestTokenRefusedIsRetriedAFewTimes(t *testing.T) {
	app := fakeapp.New(t)
	f := app.GitHub
	if _, err := f.AddOrg(githubfake.Org{Login: "acme"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.AddRepo(githubfake.Repo{Owner: "acme", Name: "widgets", Files: map[string]string{"README.md": "x\n"}}); err != nil {
		t.Fatal(err)
	}
	inst, err := f.AddInstallation(githubfake.Installation{Account: "acme"})
	if err != nil {
		t.Fatal(err)
	}
	f.InjectFault(githubfake.Fault{Method: "POST", Route: "/app/installations/{installation_id}/access_tokens",
		Kind: githubfake.Status(401), Times: ghclient.TokenRejectedAttempts - 1})
	client := app.Installation(t, inst.ID)
	for attempt := 1; attempt < ghclient.TokenRejectedAttempts; attempt++ {
		_, _, err := client.Repositories.Get(context.Background(), "acme", "widgets")
		if err == nil {
			t.Fatalf("attempt %d: no error while the token endpoint answers 401", attempt)
		}
		if ghclient.PermanentAt(err, attempt) {
			t.Fatalf("attempt %d: 401 from the token endpoint taken as permanent: %v", attempt, err)
		}
		if !ghclient.PermanentAt(err, ghclient.TokenRejectedAttempts) {
			t.Fatalf("a 401 from the token endpoint is never permanent: %v", err)
		}
	}
	// The clock is right again: the next attempt gets a token.
	if _, _, err := client.Repositories.Get(context.Background(), "acme", "widgets"); err != nil {
		t.Fatalf("after the faults: %v", err)
	}
}
