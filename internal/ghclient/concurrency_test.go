package ghclient_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/ospo-bot/ospo-bot/internal/ghclient"
	"github.com/ospo-bot/ospo-bot/internal/githubfake"
	"github.com/ospo-bot/ospo-bot/internal/githubfake/fakeapp"
)

// TestConcurrencyPerInstallation: however many goroutines use an
// installation's client at once, at most Config.Concurrency of its
// requests are in flight, so GitHub's limit of concurrent requests
// (the fake's, set to the same figure here) never refuses one.
func TestConcurrencyPerInstallation(t *testing.T) {
	const limit = 3
	f := githubfake.NewServer(t, githubfake.Options{AppID: fakeapp.ID, PublicKey: &fakeapp.Key().PublicKey, ConcurrentRequests: limit})
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
	cc, err := ghclient.NewClientCreator(ghclient.Config{APIURL: f.URL() + "/", AppID: fakeapp.ID, PrivateKey: fakeapp.KeyPEM(),
		RetryWait: time.Millisecond, Concurrency: limit}, nil)
	if err != nil {
		t.Fatal(err)
	}
	f.InjectFault(githubfake.Fault{Route: "/repos/acme/widgets", Times: 1 << 20, Kind: githubfake.Delay(5 * time.Millisecond)}) // so that they overlap
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			client, err := cc.NewInstallationClient(inst.ID) // one client, shared, as the workers do
			if err == nil {
				_, _, err = client.Repositories.Get(context.Background(), "acme", "widgets")
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if peak, refused := f.PeakConcurrency(inst.ID); peak > limit || refused > 0 {
		t.Errorf("peak %d requests in flight, %d refused; want at most %d, none refused", peak, refused, limit)
	}
}
