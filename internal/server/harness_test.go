package server_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river/rivertype"
	"github.com/rs/zerolog"

	"github.com/ospo-bot/ospo-bot/internal/config"
	"github.com/ospo-bot/ospo-bot/internal/githubfake"
	"github.com/ospo-bot/ospo-bot/internal/githubfake/fakeapp"
	"github.com/ospo-bot/ospo-bot/internal/jobs"
	"github.com/ospo-bot/ospo-bot/internal/server"
	"github.com/ospo-bot/ospo-bot/internal/store"
	"github.com/ospo-bot/ospo-bot/internal/store/storetest"
)

const (
	testAppID  = fakeapp.ID
	testSecret = "e2e-webhook-secret"
)

// harness is a real server (store, queue, HTTP) against the fake GitHub.
type harness struct {
	t      testing.TB
	GitHub *githubfake.Fake
	App    *server.App
	URL    string
	seq    atomic.Int64
}

// fastRetry retries failed jobs after 50 ms instead of River's attempt⁴ s.
type fastRetry struct{}

func (fastRetry) NextRetry(*rivertype.JobRow) time.Time { return time.Now().Add(50 * time.Millisecond) }

func newFake(t testing.TB) *githubfake.Fake { return newFakeWith(t, githubfake.Options{}) }

// newFakeWith is newFake with options beside the app's.
func newFakeWith(t testing.TB, opts githubfake.Options) *githubfake.Fake {
	opts.AppID, opts.PublicKey = testAppID, &fakeapp.Key().PublicKey
	return githubfake.NewServer(t, opts)
}

func testConfig(databaseURL, apiURL string) config.Config {
	cfg := config.Default()
	cfg.DatabaseURL = databaseURL
	cfg.GitHubAPIURL = apiURL + "/"
	cfg.GitHubAppID = testAppID
	cfg.GitHubPrivateKey = string(fakeapp.KeyPEM())
	cfg.GitHubWebhookSecret = testSecret
	cfg.Workers = 4
	cfg.ShutdownTimeout = 10 * time.Second
	// No test reaches the internet: a test that needs deps.dev starts a
	// fake (depsdevfake) and sets its URL.
	cfg.DepsDevURL = "http://127.0.0.1:9"
	return cfg
}

// start starts a server on a fresh database of dialect d; each of tweak
// changes the configuration (testConfig's) and options first.
func start(t testing.TB, d store.Dialect, tweak ...func(*config.Config, *server.Options)) *harness {
	t.Helper()
	return startWith(t, d, newFake(t), tweak...)
}

// startWith is start against the given fake.
func startWith(t testing.TB, d store.Dialect, fake *githubfake.Fake, tweak ...func(*config.Config, *server.Options)) *harness {
	t.Helper()
	// Listening first gives the server its public URL (the dashboard's
	// sign-in callback) before it opens.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg := testConfig(storetest.URL(t, d), fake.URL())
	cfg.PublicURL = "http://" + ln.Addr().String()
	opts := server.Options{RetryPolicy: fastRetry{}, GitHubRetryWait: time.Millisecond}
	for _, f := range tweak {
		f(&cfg, &opts)
	}
	logger := zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.WarnLevel)
	app, err := server.Open(context.Background(), cfg, logger, opts)
	if err != nil {
		ln.Close()
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- app.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-served; err != nil {
			t.Errorf("server stopped with %v", err)
		}
	})
	return &harness{t: t, GitHub: fake, App: app, URL: "http://" + ln.Addr().String()}
}

func signature(body []byte) string {
	mac := hmac.New(sha256.New, []byte(testSecret))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// deliver POSTs a signed delivery the way GitHub does and returns the
// status and body.
func deliver(t testing.TB, baseURL, event, id string, body []byte, headers map[string]string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, baseURL+"/api/github/hook", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "GitHub-Hookshot/e2e")
	req.Header.Set("X-GitHub-Event", event)
	req.Header.Set("X-GitHub-Delivery", id)
	req.Header.Set("X-Hub-Signature-256", signature(body))
	for k, v := range headers {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// send delivers body as event with a fresh delivery ID, requires a 200 and
// returns the ID.
func (h *harness) send(event string, body []byte) string {
	h.t.Helper()
	id := fmt.Sprintf("e2e-%d-%d", time.Now().UnixNano(), h.seq.Add(1))
	if code, msg := deliver(h.t, h.URL, event, id, body, nil); code != http.StatusOK {
		h.t.Fatalf("%s delivery %s: %d %s", event, id, code, msg)
	}
	return id
}

// wait waits until the delivery's job has finished and returns its record.
func (h *harness) wait(id string) store.Delivery {
	h.t.Helper()
	return waitDelivery(h.t, h.App.Store, id)
}

func waitDelivery(t testing.TB, st *store.Store, id string) store.Delivery {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		d, err := st.Delivery(context.Background(), id)
		if err == nil && d.FinishedAt != nil && d.Outcome != store.OutcomeQueued && !followUpsPending(st) {
			return d
		}
		if time.Now().After(deadline) {
			t.Fatalf("delivery %s did not finish: %+v (%v)", id, d, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// example reads one of GitHub's example payloads.
func example(t testing.TB, event, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "github", "webhooks", event, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// followUpsPending: a check job a delivery enqueued (its follow-up) is
// still to run; an error counts as pending.
func followUpsPending(st *store.Store) bool {
	pending, err := jobs.FollowUpsPending(context.Background(), st.DB)
	return err != nil || pending
}
