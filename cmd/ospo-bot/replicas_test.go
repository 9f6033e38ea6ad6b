package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ospo-bot/ospo-bot/internal/githubfake"
	"github.com/ospo-bot/ospo-bot/internal/githubfake/fakeapp"
	"github.com/ospo-bot/ospo-bot/internal/store"
	"github.com/ospo-bot/ospo-bot/internal/store/storetest"
)

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestTwoReplicasOnePostgres runs two `serve` processes on one Postgres
// database, sends deliveries split across both (the same delivery ID to both
// now and then, as a retrying proxy would), kills one of them mid-run, and
// requires every delivery processed exactly once and the periodic sweep
// enqueued by one replica at a time.
func TestTwoReplicasOnePostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	dialects := storetest.Dialects(t)
	if len(dialects) < 2 {
		t.Skip("needs Postgres")
	}
	dbURL := storetest.URL(t, store.Postgres)
	bin := filepath.Join(t.TempDir(), "ospo-bot")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	app := fakeapp.New(t)
	const secret = "replica-secret"
	env := func(addr string) []string {
		return []string{
			"OSPO_LISTEN=" + addr, "OSPO_DATABASE_URL=" + dbURL,
			"OSPO_GITHUB_API_URL=" + app.GitHub.URL() + "/", fmt.Sprintf("OSPO_GITHUB_APP_ID=%d", fakeapp.ID),
			"OSPO_GITHUB_PRIVATE_KEY=" + string(fakeapp.KeyPEM()), "OSPO_GITHUB_WEBHOOK_SECRET=" + secret,
			"OSPO_WORKERS=4", "OSPO_LOG_LEVEL=warn", "OSPO_SWEEP_INTERVAL=1s", "OSPO_JOB_TIMEOUT=2s",
		}
	}
	addrA, addrB := freeAddr(t), freeAddr(t)
	a := startServe(t, bin, env(addrA), "http://"+addrA)
	b := startServe(t, bin, env(addrB), "http://"+addrB)

	// Half the deliveries are pings; the other half are installation events
	// whose jobs list the installation's repositories from a slow GitHub,
	// so replica B still has work in flight when it is killed.
	repo, err := app.GitHub.AddRepo(githubfake.Repo{Owner: "acme", Name: "widget"})
	if err != nil {
		t.Fatal(err)
	}
	in, err := app.GitHub.AddInstallation(githubfake.Installation{Account: "acme", RepositorySelection: "selected", RepositoryIDs: []int64{repo.ID}})
	if err != nil {
		t.Fatal(err)
	}
	app.GitHub.InjectFault(githubfake.Fault{Route: "/installation/repositories", Times: 10000, Kind: githubfake.Delay(200 * time.Millisecond)})
	ping := []byte(`{"zen":"Design for failure.","hook_id":1}`)
	installation := []byte(fmt.Sprintf(`{"action":"created","installation":{"id":%d,"account":{"login":"acme","type":"Organization"}}}`, in.ID))
	sign := func(body []byte) string {
		mac := hmac.New(sha256.New, []byte(secret))
		mac.Write(body)
		return "sha256=" + hex.EncodeToString(mac.Sum(nil))
	}
	send := func(addr, id string, i int) error {
		event, body := "ping", ping
		if i%2 == 0 {
			event, body = "installation", installation
		}
		req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/api/github/hook", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-GitHub-Event", event)
		req.Header.Set("X-GitHub-Delivery", id)
		req.Header.Set("X-Hub-Signature-256", sign(body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("delivery %s to %s: %d", id, addr, resp.StatusCode)
		}
		return nil
	}
	const n = 200
	var wg sync.WaitGroup
	errs := make(chan error, 2*n)
	for i := range n {
		id := fmt.Sprintf("replica-%d", i)
		targets := []string{addrA}
		if i%2 == 1 {
			targets = []string{addrB}
		}
		if i%10 == 0 {
			targets = []string{addrA, addrB} // the same delivery to both at once
		}
		for _, addr := range targets {
			wg.Add(1)
			go func() { defer wg.Done(); errs <- send(addr, id, i) }()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("%v\nreplica A:\n%s\nreplica B:\n%s", err, a.stderr.String(), b.stderr.String())
		}
	}
	ctx := context.Background()
	st, err := store.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	// Replica B dies with whatever it was doing.
	if err := b.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-b.done
	var pending int
	if err := st.DB.QueryRow(`SELECT COUNT(*) FROM deliveries WHERE outcome IS DISTINCT FROM 'processed'`).Scan(&pending); err != nil {
		t.Fatal(err)
	}
	if pending == 0 {
		t.Fatal("every delivery was processed before replica B was killed: the test no longer kills it mid-run")
	}
	deadline := time.Now().Add(90 * time.Second)
	for {
		var processed, jobs, distinct int
		err := st.DB.QueryRow(`SELECT COUNT(*) FROM deliveries WHERE outcome = 'processed'`).Scan(&processed)
		if err == nil {
			err = st.DB.QueryRow(`SELECT COUNT(*), COUNT(DISTINCT args->>'delivery_id') FROM river_job WHERE kind = 'webhook_delivery'`).Scan(&jobs, &distinct)
		}
		if err != nil {
			t.Fatal(err)
		}
		if processed == n && jobs == n && distinct == n {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d deliveries processed, %d delivery jobs (%d distinct)\n%s", processed, n, jobs, distinct, a.stderr.String())
		}
		time.Sleep(200 * time.Millisecond)
	}

	// The sweep runs every second, on the leader only: never two at once.
	time.Sleep(3 * time.Second)
	rows, err := st.DB.Query(`SELECT created_at FROM river_job WHERE kind = 'sweep' ORDER BY created_at`)
	if err != nil {
		t.Fatal(err)
	}
	var times []time.Time
	for rows.Next() {
		var at time.Time
		if err := rows.Scan(&at); err != nil {
			t.Fatal(err)
		}
		times = append(times, at)
	}
	rows.Close()
	if len(times) < 2 {
		t.Fatalf("%d sweeps", len(times))
	}
	for i := 1; i < len(times); i++ {
		if gap := times[i].Sub(times[i-1]); gap < 500*time.Millisecond {
			t.Fatalf("two sweeps %s apart: more than one replica sweeps", gap)
		}
	}
	t.Logf("%d deliveries processed once each across two replicas, one killed with %d unfinished; %d sweeps, one at a time", n, pending, len(times))
	if err := a.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := <-a.done; err != nil {
		t.Fatalf("SIGTERM: %v\n%s", err, a.stderr.String())
	}
}
