package ghclient_test

import (
	"context"
	"fmt"
	"testing"
	"time"

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

// A token GitHub fails to mint (5xx) is not asked for again for a while:
// the installation's next requests fail at once, with an error a job
// retries later (not permanent), instead of each holding a worker through
// the token request's own retries; other installations are not affected,
// and once the wait has passed the token is asked for again.
func TestFailedTokenIsNotAskedForAgainAtOnce(t *testing.T) {
	f := githubfake.NewServer(t, githubfake.Options{AppID: fakeapp.ID, PublicKey: &fakeapp.Key().PublicKey})
	var insts []githubfake.Installation
	for _, org := range []string{"acme", "broken"} {
		if _, err := f.AddOrg(githubfake.Org{Login: org}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.AddRepo(githubfake.Repo{Owner: org, Name: "widgets", Files: map[string]string{"README.md": "x\n"}}); err != nil {
			t.Fatal(err)
		}
		inst, err := f.AddInstallation(githubfake.Installation{Account: org})
		if err != nil {
			t.Fatal(err)
		}
		insts = append(insts, inst)
	}
	const wait = 200 * time.Millisecond
	cc, err := ghclient.NewClientCreator(ghclient.Config{APIURL: f.URL() + "/", AppID: fakeapp.ID, PrivateKey: fakeapp.KeyPEM(),
		RetryWait: time.Millisecond, TokenFailureWait: wait}, nil)
	if err != nil {
		t.Fatal(err)
	}
	tokenRoute := fmt.Sprintf("/app/installations/%d/access_tokens", insts[1].ID)
	f.InjectFault(githubfake.Fault{Method: "POST", Route: tokenRoute, Times: 1 << 20, Kind: githubfake.Status(500)})
	tokens := func() int { return f.CountRequests(func(r githubfake.Request) bool { return r.Path == tokenRoute }) }
	get := func(i int) error {
		client, err := cc.NewInstallationClient(insts[i].ID)
		if err != nil {
			return err
		}
		_, _, err = client.Repositories.Get(context.Background(), insts[i].Account, "widgets")
		return err
	}
	if err := get(1); err == nil {
		t.Fatal("no error while the token endpoint answers 500")
	}
	asked := tokens() // the request and its retries
	failedAt := time.Now()
	for range 5 {
		err := get(1)
		if err == nil || ghclient.Permanent(err) {
			t.Fatalf("within the wait: %v, want an error that is not permanent", err)
		}
	}
	if n := tokens(); n != asked && time.Since(failedAt) < wait {
		t.Errorf("within the wait the token was asked for %d more times, want 0", n-asked)
	}
	if err := get(0); err != nil {
		t.Errorf("another installation: %v", err)
	}
	for deadline := time.Now().Add(10 * time.Second); tokens() == asked; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the token was never asked for again after the wait")
		}
		_ = get(1)
	}
}
