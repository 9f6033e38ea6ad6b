// Package fakeapp gives tests a GitHub App: a key, a fake GitHub that trusts it, and ospo-bot's real client stack pointed at it.
package fakeapp

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"sync"
	"testing"
	"time"

	"github.com/google/go-github/v66/github"
	"github.com/palantir/go-githubapp/githubapp"

	"github.com/ospo-bot/ospo-bot/internal/ghclient"
	"github.com/ospo-bot/ospo-bot/internal/githubfake"
	"github.com/ospo-bot/ospo-bot/internal/metrics"
)

// ID is the test app's ID.
const ID = 4242

var (
	keyOnce sync.Once
	key     *rsa.PrivateKey
)

// Key is the test app's private key, made once per test binary.
func Key() *rsa.PrivateKey {
	keyOnce.Do(func() {
		var err error
		if key, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
	})
	return key
}

// KeyPEM is Key in PEM form.
func KeyPEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(Key())})
}

// App is a fake GitHub and clients to it.
type App struct {
	GitHub  *githubfake.Fake
	Clients githubapp.ClientCreator
	Metrics *metrics.Metrics
}

// New starts a fake GitHub that trusts the test app, checked for
// violations when the test ends, and builds the product's client stack.
func New(t testing.TB) *App {
	t.Helper()
	fake := githubfake.NewServer(t, githubfake.Options{AppID: ID, PublicKey: &Key().PublicKey})
	m := metrics.New()
	cc, err := ghclient.NewClientCreator(ghclient.Config{
		APIURL: fake.URL() + "/", AppID: ID, PrivateKey: KeyPEM(), UserAgent: "ospo-bot/test", RetryWait: time.Millisecond,
	}, m)
	if err != nil {
		t.Fatal(err)
	}
	return &App{GitHub: fake, Clients: cc, Metrics: m}
}

// Installation returns the installation's client.
func (a *App) Installation(t testing.TB, id int64) *github.Client {
	t.Helper()
	c, err := a.Clients.NewInstallationClient(id)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
