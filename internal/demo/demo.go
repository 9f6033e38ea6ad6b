// Package demo shows ospo-bot doing its whole job in one command: the real server, queue and SQLite store against a built-in fake GitHub, driven by real signed webhooks.
package demo

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/go-github/v66/github"
	"github.com/rs/zerolog"

	"github.com/ospo-bot/ospo-bot/internal/config"
	"github.com/ospo-bot/ospo-bot/internal/depsdev/depsdevfake"
	"github.com/ospo-bot/ospo-bot/internal/githubfake"
	"github.com/ospo-bot/ospo-bot/internal/jobs"
	"github.com/ospo-bot/ospo-bot/internal/server"
	"github.com/ospo-bot/ospo-bot/internal/store"
)

// Options configure a demo run.
type Options struct {
	// Database is the SQLite file; empty: a temporary one.
	Database string
	// Listen is the server's address; empty: a free local port.
	Listen string
	// Once exits after the scenario instead of serving until ctx ends.
	Once   bool
	Out    io.Writer
	Logger zerolog.Logger
}

// timeScale is how much faster than GitHub's clock the demo's content
// limits run.
const timeScale = 10

const (
	appID  = 1
	secret = "demo-webhook-secret"
	phrase = "I have read the CLA Document and I hereby sign the CLA"
	policy = `# acme's open-source policy (the demo's)
review:
  repository: acme/ospo
  approvers: ["@acme/ospo-leads"]
repository:
  license: {mode: enforce, allowed: [Apache-2.0, MIT]}
  codeowners: {mode: off}
  files: {mode: warn, required: [README]}
pull_request:
  cla: {mode: enforce, document: "https://acme.example/cla", version: "1"}
  protected_paths: {mode: enforce}
`
)

// ErrFailed is returned when a step of the scenario did not give the
// expected result.
var ErrFailed = errors.New("the demo scenario did not go as expected")

// Run seeds the fake GitHub, starts the server, plays the scenario and
// prints a transcript; without Once it then serves until ctx ends.
func Run(ctx context.Context, o Options) error {
	d, err := start(ctx, o)
	if err != nil {
		return err
	}
	defer d.stop()
	ok := d.scenario(ctx)
	if !ok {
		return ErrFailed
	}
	if o.Once {
		return nil
	}
	ctl, err := d.serveControl(ctx)
	if err != nil {
		return err
	}
	d.printf("\nThe server keeps running at %s and the fake GitHub at %s.\n", d.url, d.gh.URL())
	d.printf("Send more events from another terminal:\n")
	for _, e := range EventNames() {
		d.printf("  ospo-bot demo send %-22s # %s\n", e, Events[e])
	}
	d.printf("(another demo at the same time: add --to %s)\n", ctl)
	d.printf("Look at what GitHub holds, e.g.:\n  curl -H 'Authorization: token %s' %s/repos/acme/ospo/issues/1\n", d.token, d.gh.URL())
	if d.dashboard.Number != 0 {
		d.printf("The dashboard issue:\n  curl -H 'Authorization: token %s' %s/repos/acme/ospo/issues/%d\n", d.token, d.gh.URL(), d.dashboard.Number)
	}
	d.printf("The dashboard, signed in through the fake GitHub as lead (an OSPO lead):\n  %s\n", d.SignInURL())
	d.printf("Metrics: %s/metrics. Press Ctrl-C to stop.\n\n", d.url)
	<-ctx.Done()
	return nil
}

type demo struct {
	o         Options
	gh        *githubfake.Fake
	depsdev   *depsdevfake.Server // deps.dev, so that the demo needs no internet
	app       *server.App
	url       string
	admin     *github.Client
	token     string
	inst      int64
	seq       int
	served    chan error
	cancel    context.CancelFunc
	tmp       string
	db        string           // the SQLite file
	dashboard githubfake.Issue // the dashboard issue, once the quarter is played
}

// SignInURL is the dashboard's sign-in link: the fake GitHub authorizes
// whoever follows it as lead.
func (d *demo) SignInURL() string { return d.url + "/dashboard/login" }

// publicURL is the address a browser on this machine reaches addr at.
func publicURL(addr net.Addr) string {
	if ta, ok := addr.(*net.TCPAddr); ok && ta.IP.IsUnspecified() {
		return fmt.Sprintf("http://127.0.0.1:%d", ta.Port)
	}
	return "http://" + addr.String()
}

func (d *demo) printf(format string, args ...any) { fmt.Fprintf(d.o.Out, format, args...) }

func start(ctx context.Context, o Options) (*demo, error) {
	d := &demo{o: o}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	// The demo plays a quarter in seconds: GitHub's limits on content
	// creation (80 a minute, 500 an hour) keep their counts over windows
	// ten times shorter, in the fake and in the bot's budget alike.
	// The server listens first: its address is the dashboard's sign-in
	// callback, which the fake GitHub's app has registered.
	listen := o.Listen
	if listen == "" {
		listen = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", listen, err)
	}
	d.url = publicURL(ln.Addr())
	opts := githubfake.Options{AppID: appID, PublicKey: &key.PublicKey, ContentMinute: time.Minute / timeScale, ContentHour: time.Hour / timeScale,
		ClientSecret: rand.Text(), CallbackURL: d.url + "/dashboard/auth/callback"}
	if _, err := githubfake.FindTestdata(githubfake.DefaultSpec); err != nil {
		opts.DisableValidation = true // outside the source tree
	}
	if d.gh, err = githubfake.New(opts); err != nil {
		ln.Close()
		return nil, err
	}
	d.gh.Start()
	if err := d.seed(); err != nil {
		ln.Close()
		d.gh.Close()
		return nil, err
	}
	dbPath := o.Database
	if dbPath == "" {
		if d.tmp, err = os.MkdirTemp("", "ospo-bot-demo-"); err != nil {
			return nil, err
		}
		dbPath = filepath.Join(d.tmp, "demo.db")
	}
	d.db = dbPath
	cfg := config.Default()
	cfg.DatabaseURL = "sqlite://" + dbPath
	cfg.GitHubAPIURL = d.gh.URL() + "/"
	cfg.GitHubAppID = appID
	cfg.GitHubPrivateKey = string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}))
	cfg.GitHubWebhookSecret = secret
	cfg.SweepInterval = 0
	// The dashboard signs in through the fake GitHub's web flow.
	cfg.GitHubClientID, cfg.GitHubClientSecret = d.gh.ClientID(), d.gh.ClientSecret()
	cfg.GitHubWebURL, cfg.PublicURL = d.gh.URL(), d.url
	// Licences of dependencies come from a fake deps.dev: no internet.
	d.depsdev = depsdevfake.New()
	for _, p := range demoLicenses {
		d.depsdev.Set(p.system, p.name, p.version, p.license)
	}
	cfg.DepsDevURL = d.depsdev.URL()
	if d.app, err = server.Open(ctx, cfg, o.Logger, server.Options{}); err != nil {
		ln.Close()
		d.stop()
		return nil, err
	}
	limits := store.DefaultContentLimits
	limits.Minute, limits.Hour = limits.Minute/timeScale, limits.Hour/timeScale
	d.app.Store.SetContentLimits(limits)
	// A browser that follows the sign-in link is lead, an OSPO lead
	// (a member of @acme/ospo-leads, acme's review approvers).
	if err := d.gh.SignIn("lead"); err != nil {
		ln.Close()
		d.app.Close()
		d.app = nil
		d.stop()
		return nil, err
	}
	serveCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	d.cancel, d.served = cancel, make(chan error, 1)
	go func() { d.served <- d.app.Serve(serveCtx, ln) }()
	d.printf("ospo-bot demo: the real server (%s, SQLite %s) against a fake GitHub (%s).\n", d.url, dbPath, d.gh.URL())
	d.printf("Org acme: policy in acme/.github:ospo.yml, OSPO leads @acme/ospo-leads (lead), contributor alice.\n\n")
	return d, nil
}

// demoLicenses are what the demo's deps.dev knows.
var demoLicenses = []struct{ system, name, version, license string }{
	{"NPM", "left-pad", "1.3.0", "WTFPL"},
	{"NPM", "lodash", "4.17.21", "MIT"},
	{"NPM", "readline-sync", "1.4.10", "MIT"},
	{"GO", "golang.org/x/mod", "v0.42.0", "BSD-3-Clause"},
	{"PYPI", "requests", "2.32.3", "Apache-2.0"},
}

func (d *demo) stop() {
	if d.cancel != nil {
		d.cancel()
		<-d.served
	}
	if d.gh != nil {
		d.gh.Close()
	}
	if d.depsdev != nil {
		d.depsdev.Close()
	}
	if d.tmp != "" {
		os.RemoveAll(d.tmp)
	}
}

func (d *demo) seed() error {
	gh := d.gh
	steps := []func() error{
		func() error { _, err := gh.AddOrg(githubfake.Org{Login: "acme"}); return err },
		func() error {
			_, err := gh.AddRepo(githubfake.Repo{Owner: "acme", Name: ".github", Files: map[string]string{"ospo.yml": policy}})
			return err
		},
		func() error {
			_, err := gh.AddRepo(githubfake.Repo{Owner: "acme", Name: "ospo", Private: true, Files: map[string]string{"README.md": "OSPO reviews"}})
			return err
		},
		func() error {
			_, err := gh.AddRepo(githubfake.Repo{Owner: "acme", Name: "widget", Private: true, Files: map[string]string{"README.md": "# widget"}})
			return err
		},
		func() error { _, err := gh.AddTeam(githubfake.Team{Org: "acme", Slug: "ospo-leads"}); return err },
		func() error { return gh.SetTeamMembership("acme", "ospo-leads", githubfake.Membership{Login: "lead"}) },
		func() error { _, err := gh.AddUser(githubfake.User{Login: "mallory"}); return err },
		func() error {
			_, err := gh.AddUser(githubfake.User{Login: "alice", Emails: []string{"alice@example.org"}})
			return err
		},
	}
	for _, s := range steps {
		if err := s(); err != nil {
			return err
		}
	}
	in, err := gh.AddInstallation(githubfake.Installation{Account: "acme"})
	if err != nil {
		return err
	}
	d.inst = in.ID
	if d.token, err = gh.OwnerToken(in.ID); err != nil { // acts as acme's owner
		return err
	}
	d.admin = github.NewClient(nil).WithAuthToken(d.token)
	d.admin.BaseURL, _ = url.Parse(gh.URL() + "/")
	return nil
}

// deliver signs and sends a webhook as GitHub would, and waits for its job
// and the follow-up checks it enqueued.
func (d *demo) deliver(ctx context.Context, event string, payload any) error {
	body, err := json.Marshal(payload)
	if err != nil {
		return err
	}
	d.seq++
	id := fmt.Sprintf("demo-%d-%d", time.Now().UnixNano(), d.seq)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, d.url+"/api/github/hook", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-GitHub-Event", event)
	req.Header.Set("X-GitHub-Delivery", id)
	req.Header.Set("X-Hub-Signature-256", "sha256="+hex.EncodeToString(mac.Sum(nil)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s delivery answered %d", event, resp.StatusCode)
	}
	return d.until(ctx, func() bool {
		rec, err := d.app.Store.Delivery(ctx, id)
		if err != nil || rec.Outcome == store.OutcomeQueued {
			return false
		}
		pending, err := jobs.FollowUpsPending(ctx, d.app.Store.DB)
		return err == nil && !pending // the re-check it asked for is done too
	})
}

// until waits for cond, at most a minute (the first licence scan alone
// takes seconds on a slow or busy machine).
func (d *demo) until(ctx context.Context, cond func() bool) error {
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			return errors.New("timed out")
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(25 * time.Millisecond):
		}
	}
	return nil
}

func lines(body, prefix string) []string {
	var out []string
	for _, l := range strings.Split(body, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), prefix) {
			out = append(out, strings.TrimSpace(l))
		}
	}
	return out
}
