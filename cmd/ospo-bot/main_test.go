package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ospo-bot/ospo-bot/internal/githubfake"
	"github.com/ospo-bot/ospo-bot/internal/store"
)

func TestCommandLine(t *testing.T) {
	for _, k := range []string{"OSPO_GITHUB_APP_ID", "OSPO_GITHUB_PRIVATE_KEY", "OSPO_GITHUB_PRIVATE_KEY_FILE", "OSPO_GITHUB_WEBHOOK_SECRET", "OSPO_CONFIG"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	badConfig := filepath.Join(t.TempDir(), "bad.yml")
	os.WriteFile(badConfig, []byte("listen: :80\nwebhook_secret: x\n"), 0o600)
	for _, tc := range []struct {
		args     []string
		code     int
		stdout   string
		stderr   []string
		setupEnv map[string]string
	}{
		{args: []string{"version"}, code: 0, stdout: "ospo-bot dev"},
		{args: nil, code: 2, stderr: []string{"Usage:"}},
		{args: []string{"deploy"}, code: 2, stderr: []string{`unknown command "deploy"`}},
		{args: []string{"serve"}, code: 1, stderr: []string{"OSPO_GITHUB_APP_ID", "OSPO_GITHUB_PRIVATE_KEY", "OSPO_GITHUB_WEBHOOK_SECRET"}},
		{args: []string{"serve", "--config", badConfig}, code: 1, stderr: []string{"line 2", "webhook_secret is not a known setting"}},
		{args: []string{"serve"}, code: 1, setupEnv: map[string]string{"OSPO_GITHUB_APP_ID": "1", "OSPO_GITHUB_PRIVATE_KEY": "not a key", "OSPO_GITHUB_WEBHOOK_SECRET": "s"},
			stderr: []string{"not a valid RSA private key"}},
		{args: []string{"migrate", "--config", badConfig}, code: 1, stderr: []string{"not a known setting"}},
		{args: []string{"register", "--org", "acme"}, code: 1, stderr: []string{"--webhook-url is required"}},
		{args: []string{"register", "--webhook-url", "https://x.example", "--dir", "/nonexistent"}, code: 1, stderr: []string{"--dir /nonexistent is not a directory"}},
		{args: []string{"demo", "send"}, code: 1, stderr: []string{"usage: ospo-bot demo send EVENT", "pull_request.opened"}},
		{args: []string{"demo", "send", "pull_request.opened", "--to", "http://127.0.0.1:1"}, code: 1, stderr: []string{"is the demo running?"}},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			for k, v := range tc.setupEnv {
				t.Setenv(k, v)
			}
			var stdout, stderr bytes.Buffer
			code := run(tc.args, &stdout, &stderr)
			if code != tc.code || !strings.Contains(stdout.String(), tc.stdout) {
				t.Fatalf("exit %d stdout %q, want %d and %q (stderr %s)", code, stdout.String(), tc.code, tc.stdout, stderr.String())
			}
			for _, want := range tc.stderr {
				if !strings.Contains(stderr.String(), want) {
					t.Errorf("stderr %q lacks %q", stderr.String(), want)
				}
			}
		})
	}
}

func TestMigrate(t *testing.T) {
	t.Setenv("OSPO_DATABASE_URL", "sqlite://"+filepath.Join(t.TempDir(), "m.db"))
	var out bytes.Buffer
	if code := run([]string{"migrate"}, &out, &out); code != 0 || !strings.Contains(out.String(), "applied ospo-bot 001_initial.sql") {
		t.Fatalf("first migrate: %d %s", code, out.String())
	}
	out.Reset()
	if code := run([]string{"migrate"}, &out, &out); code != 0 || !strings.Contains(out.String(), "up to date") {
		t.Fatalf("second migrate: %d %s", code, out.String())
	}
}

// syncBuffer is a bytes.Buffer the child's output goroutine and the test
// may use at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// process is one `ospo-bot serve` child.
type process struct {
	cmd    *exec.Cmd
	stderr syncBuffer
	done   chan error
}

func startServe(t *testing.T, bin string, env []string, baseURL string) *process {
	t.Helper()
	p := &process{cmd: exec.Command(bin, "serve"), done: make(chan error, 1)}
	p.cmd.Env = append(os.Environ(), env...)
	p.cmd.Stderr = &p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.done <- p.cmd.Wait() }()
	t.Cleanup(func() { p.cmd.Process.Kill() })
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(baseURL + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return p
			}
		}
		select {
		case err := <-p.done:
			t.Fatalf("serve exited before ready: %v\n%s", err, p.stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve not ready: %v\n%s", err, p.stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestKillAndRestartLosesNothing runs the real binary, acknowledges N
// deliveries, kills it with SIGKILL while their jobs are still waiting on a
// slow GitHub, restarts it, and requires all N to be processed. A SIGTERM
// then stops it with status 0.
func TestKillAndRestartLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "ospo-bot")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	fake := githubfake.NewServer(t, githubfake.Options{AppID: 77, PublicKey: &key.PublicKey})
	repo, err := fake.AddRepo(githubfake.Repo{Owner: "acme", Name: "widget"})
	if err != nil {
		t.Fatal(err)
	}
	in, err := fake.AddInstallation(githubfake.Installation{Account: "acme", RepositorySelection: "selected", RepositoryIDs: []int64{repo.ID}})
	if err != nil {
		t.Fatal(err)
	}
	// Every repository listing takes a while: jobs are still running or
	// waiting when the process dies.
	fake.InjectFault(githubfake.Fault{Route: "/installation/repositories", Times: 1000, Kind: githubfake.Delay(300 * time.Millisecond)})

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	baseURL := "http://" + addr
	dbPath := filepath.Join(dir, "ospo-bot.db")
	const secret = "kill-test-secret"
	env := []string{
		"OSPO_LISTEN=" + addr,
		"OSPO_DATABASE_URL=sqlite://" + dbPath,
		"OSPO_GITHUB_API_URL=" + fake.URL() + "/",
		"OSPO_GITHUB_APP_ID=77",
		"OSPO_GITHUB_PRIVATE_KEY=" + string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})),
		"OSPO_GITHUB_WEBHOOK_SECRET=" + secret,
		"OSPO_WORKERS=2",
		"OSPO_LOG_LEVEL=warn",
		"OSPO_SHUTDOWN_TIMEOUT=20s",
	}

	first := startServe(t, bin, env, baseURL)
	const n = 20
	body := []byte(fmt.Sprintf(`{"action":"created","installation":{"id":%d,"account":{"login":"acme","type":"Organization"}}}`, in.ID))
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	sig := "sha256=" + hex.EncodeToString(mac.Sum(nil))
	for i := range n {
		req, _ := http.NewRequest(http.MethodPost, baseURL+"/api/github/hook", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-GitHub-Event", "installation")
		req.Header.Set("X-GitHub-Delivery", fmt.Sprintf("kill-%d", i))
		req.Header.Set("X-Hub-Signature-256", sig)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("delivery %d: %d", i, resp.StatusCode)
		}
	}
	ctx := context.Background()
	st, err := store.Open(ctx, "sqlite://"+dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	// Kill it once the first job is done, so that others are mid-flight.
	var counts map[string]int
	for deadline := time.Now().Add(30 * time.Second); ; {
		if counts, err = st.DeliveryOutcomes(ctx); err != nil {
			t.Fatal(err)
		}
		if counts[store.OutcomeProcessed] > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("nothing processed: %v\n%s", counts, first.stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := first.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-first.done
	var running int
	if err := st.DB.QueryRow(`SELECT COUNT(*) FROM river_job WHERE state = 'running'`).Scan(&running); err != nil {
		t.Fatal(err)
	}
	counts, err = st.DeliveryOutcomes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if counts[store.OutcomeQueued]+counts[store.OutcomeProcessed] != n || counts[store.OutcomeQueued] == 0 {
		t.Fatalf("after SIGKILL: outcomes %v; want all %d recorded, some not yet processed", counts, n)
	}
	t.Logf("killed with %d of %d deliveries processed and %d jobs running", counts[store.OutcomeProcessed], n, running)

	second := startServe(t, bin, env, baseURL)
	// A second process on the same SQLite file is refused, not run twice.
	third := exec.Command(bin, "serve")
	third.Env = append(os.Environ(), env...)
	if out, err := third.CombinedOutput(); err == nil || !strings.Contains(string(out), "in use by another ospo-bot process") {
		t.Fatalf("a second serve on the same SQLite file: %v\n%s", err, out)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		counts, err = st.DeliveryOutcomes(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if counts[store.OutcomeProcessed] == n {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after restart: outcomes %v\n%s", counts, second.stderr.String())
		}
		time.Sleep(100 * time.Millisecond)
	}

	if err := second.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-second.done:
		if err != nil {
			t.Fatalf("SIGTERM: exit %v\n%s", err, second.stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop on SIGTERM")
	}
	if strings.Contains(second.stderr.String(), `"level":"error"`) {
		t.Errorf("errors logged:\n%s", second.stderr.String())
	}
}
