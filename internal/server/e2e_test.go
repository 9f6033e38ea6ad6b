package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/tidwall/gjson"
	"github.com/tidwall/sjson"

	"github.com/ospo-bot/ospo-bot/internal/githubfake"
	"github.com/ospo-bot/ospo-bot/internal/store"
	"github.com/ospo-bot/ospo-bot/internal/webhook"
)

// seedFromPayload creates, in the fake, the installation a payload names,
// so jobs that call GitHub for it find it.
func seedFromPayload(t *testing.T, fake *githubfake.Fake, seeded map[int64]bool, body []byte) {
	t.Helper()
	var p struct {
		Installation *struct {
			ID      int64 `json:"id"`
			Account *struct {
				Login string `json:"login"`
			} `json:"account"`
		} `json:"installation"`
		Organization *struct {
			Login string `json:"login"`
		} `json:"organization"`
	}
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatal(err)
	}
	if p.Installation == nil || seeded[p.Installation.ID] {
		return
	}
	account := "octo-org"
	switch {
	case p.Installation.Account != nil:
		account = p.Installation.Account.Login
	case p.Organization != nil:
		account = p.Organization.Login
	}
	if _, err := fake.AddInstallation(githubfake.Installation{ID: p.Installation.ID, Account: account}); err != nil {
		t.Fatal(err)
	}
	seeded[p.Installation.ID] = true
}

// seedPullRequest gives the fake the repository and pull request a
// pull_request example names, and points the payload's head at the fake's
// head commit (the example's SHA exists nowhere).
func seedPullRequest(t *testing.T, fake *githubfake.Fake, installs map[string]int64, body []byte) []byte {
	t.Helper()
	owner := gjson.GetBytes(body, "repository.owner.login").String()
	name := gjson.GetBytes(body, "repository.name").String()
	number := int(gjson.GetBytes(body, "pull_request.number").Int())
	if _, ok := fake.Repo(owner, name); !ok {
		if _, err := fake.AddRepo(githubfake.Repo{Owner: owner, Name: name, Files: map[string]string{"README.md": "hello"}}); err != nil {
			t.Fatal(err)
		}
	}
	pr, ok := fake.PullRequest(owner, name, number)
	if !ok {
		for len(fake.Issues(owner, name))+len(fake.PullRequests(owner, name)) < number-1 {
			if _, err := fake.AddIssue(owner, name, githubfake.Issue{Title: "filler"}); err != nil {
				t.Fatal(err)
			}
		}
		branch := fmt.Sprintf("pr-%d", number)
		if _, err := fake.CreateBranch(owner, name, branch, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := fake.Push(owner, name, branch, githubfake.NewCommit{Message: "change", Author: githubfake.Signature{Name: "Octo", Email: "octo@example.org"},
			Files: map[string]string{"change.txt": "x"}}); err != nil {
			t.Fatal(err)
		}
		var err error
		if pr, err = fake.AddPullRequest(owner, name, githubfake.PullRequest{Title: "example", User: "Codertocat", Head: branch}); err != nil {
			t.Fatal(err)
		}
		if pr.Number != number {
			t.Fatalf("seeded pull request #%d, the example is #%d", pr.Number, number)
		}
	}
	body, err := sjson.SetBytes(body, "pull_request.head.sha", pr.HeadSHA)
	for _, set := range []struct {
		path  string
		value any
	}{{"pull_request.commits", 1}, {"installation.id", installFor(t, fake, installs, owner)}} {
		if err == nil {
			body, err = sjson.SetBytes(body, set.path, set.value)
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	return body
}

// installFor is the installation on owner's account. The examples'
// installation IDs span accounts; an installation is one account's, so a
// delivery names the owner's.
func installFor(t *testing.T, fake *githubfake.Fake, installs map[string]int64, owner string) int64 {
	t.Helper()
	if installs[owner] == 0 {
		in, err := fake.AddInstallation(githubfake.Installation{Account: owner})
		if err != nil {
			t.Fatal(err)
		}
		installs[owner] = in.ID
	}
	return installs[owner]
}

// seedMergeGroup gives the fake the repository and a queue branch for a
// merge_group example, and points the payload at their commits.
func seedMergeGroup(t *testing.T, fake *githubfake.Fake, installs map[string]int64, body []byte) []byte {
	t.Helper()
	owner := gjson.GetBytes(body, "repository.owner.login").String()
	name := gjson.GetBytes(body, "repository.name").String()
	if _, ok := fake.Repo(owner, name); !ok {
		if _, err := fake.AddRepo(githubfake.Repo{Owner: owner, Name: name, Files: map[string]string{"README.md": "hello"}}); err != nil {
			t.Fatal(err)
		}
	}
	base, _ := fake.Branch(owner, name, "main")
	head, err := fake.Push(owner, name, strings.TrimPrefix(gjson.GetBytes(body, "merge_group.head_ref").String(), "refs/heads/"),
		githubfake.NewCommit{Message: "queued", Author: githubfake.Signature{Name: "Octo", Email: "octo@example.org"}, Files: map[string]string{"queued.txt": "x"}})
	if err == nil {
		body, err = sjson.SetBytes(body, "merge_group.base_sha", base.SHA)
	}
	if err == nil {
		body, err = sjson.SetBytes(body, "merge_group.head_sha", head[0].SHA)
	}
	if err == nil {
		body, err = sjson.SetBytes(body, "installation.id", installFor(t, fake, installs, owner))
	}
	if err != nil {
		t.Fatal(err)
	}
	return body
}

// TestEveryExamplePayloadIsProcessed sends every example payload GitHub
// documents for the events ospo-bot subscribes to, and requires each to be
// accepted and its job to end without error.
func TestEveryExamplePayloadIsProcessed(t *testing.T) {
	h := start(t, store.SQLite)
	seeded := map[int64]bool{}
	installs := map[string]int64{}
	ids := map[string]string{}
	for _, event := range webhook.Events {
		files, err := filepath.Glob(filepath.Join("..", "..", "testdata", "github", "webhooks", event, "*.json"))
		if err != nil || len(files) == 0 {
			t.Fatalf("no example payloads for %s (%v)", event, err)
		}
		for _, f := range files {
			body, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			seedFromPayload(t, h.GitHub, seeded, body)
			if event == "pull_request" {
				body = seedPullRequest(t, h.GitHub, installs, body)
			}
			if event == "merge_group" {
				body = seedMergeGroup(t, h.GitHub, installs, body)
			}
			ids[event+"/"+filepath.Base(f)] = h.send(event, body)
		}
	}
	for name, id := range ids {
		if d := h.wait(id); d.Outcome != store.OutcomeProcessed {
			t.Errorf("%s: outcome %s: %s", name, d.Outcome, d.Detail)
		}
	}
	t.Logf("%d example payloads processed", len(ids))
}

func TestUnsignedAndForgedDeliveriesAreRejected(t *testing.T) {
	h := start(t, store.SQLite)
	body := example(t, "pull_request", "opened.json")
	for name, headers := range map[string]map[string]string{
		"unsigned":  {"X-Hub-Signature-256": ""},
		"forged":    {"X-Hub-Signature-256": signature([]byte(`{"action":"opened"}`))},
		"sha1 only": {"X-Hub-Signature-256": "", "X-Hub-Signature": "sha1=0000"},
	} {
		code, msg := deliver(t, h.URL, "pull_request", "forged-"+name, body, headers)
		if code < 400 || code >= 500 {
			t.Errorf("%s: %d %s, want 4xx", name, code, msg)
		}
	}
	var deliveries, jobs int
	h.App.Store.DB.QueryRow(`SELECT COUNT(*) FROM deliveries`).Scan(&deliveries)
	h.App.Store.DB.QueryRow(`SELECT COUNT(*) FROM river_job`).Scan(&jobs)
	if deliveries != 0 || jobs != 0 {
		t.Fatalf("%d deliveries and %d jobs recorded from rejected requests", deliveries, jobs)
	}
	if got := testutil.ToFloat64(h.App.Metrics.Deliveries.WithLabelValues("pull_request", "rejected")); got != 3 {
		t.Fatalf("rejected metric = %v", got)
	}
}

// installationWithRepos seeds an org installation with n repositories and
// returns an installation.created payload for it.
func installationWithRepos(t *testing.T, fake *githubfake.Fake, org string, n int) (githubfake.Installation, []byte) {
	t.Helper()
	var ids []int64
	for i := range n {
		r, err := fake.AddRepo(githubfake.Repo{Owner: org, Name: fmt.Sprintf("repo-%03d", i), Private: i%3 == 0})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, r.ID)
	}
	in, err := fake.AddInstallation(githubfake.Installation{Account: org, RepositorySelection: "selected", RepositoryIDs: ids})
	if err != nil {
		t.Fatal(err)
	}
	payload := fmt.Sprintf(`{"action":"created","installation":{"id":%d,"account":{"login":%q,"type":"Organization"},"repository_selection":"selected"},"sender":{"login":"admin"}}`, in.ID, org)
	return in, []byte(payload)
}

func isRepoListing(r githubfake.Request) bool { return r.Route == "/installation/repositories" }

// TestInstallationIsRecordedThroughTheClientStack: the job signs in as the
// app (JWT verified by the fake), gets an installation token, pages through
// the installation's repositories and records them.
func TestInstallationIsRecordedThroughTheClientStack(t *testing.T) {
	h := start(t, store.SQLite)
	in, payload := installationWithRepos(t, h.GitHub, "acme", 130)
	if d := h.wait(h.send("installation", payload)); d.Outcome != store.OutcomeProcessed {
		t.Fatalf("outcome %s: %s", d.Outcome, d.Detail)
	}
	repos, err := h.App.Store.Repositories(context.Background(), in.ID)
	if err != nil || len(repos) != 130 || repos[0].FullName != "acme/repo-000" || !repos[0].Private || repos[1].Private {
		t.Fatalf("recorded %d repositories (%v): %+v", len(repos), err, repos[:min(2, len(repos))])
	}
	rec, err := h.App.Store.Installation(context.Background(), in.ID)
	if err != nil || rec.Account != "acme" || rec.State != store.InstallationActive {
		t.Fatalf("installation record %+v, %v", rec, err)
	}
	tokens := h.GitHub.CountRequests(func(r githubfake.Request) bool {
		return strings.HasSuffix(r.Route, "/access_tokens") && r.Status == 201
	})
	pages := h.GitHub.CountRequests(func(r githubfake.Request) bool { return isRepoListing(r) && r.InstallationID == in.ID })
	if tokens != 1 || pages != 2 {
		t.Fatalf("%d token requests and %d listing pages, want 1 and 2 (100 a page)", tokens, pages)
	}
	// The calls are in the metrics by route template.
	if got := testutil.ToFloat64(h.App.Metrics.GitHubRequests.WithLabelValues("GET", "/installation/repositories", "200", "miss")); got != 2 {
		t.Fatalf("github_requests{route=/installation/repositories} = %v", got)
	}

	// Uninstalling forgets the repositories; suspending keeps them.
	h.wait(h.send("installation", []byte(strings.Replace(string(payload), `"created"`, `"suspend"`, 1))))
	if repos, _ := h.App.Store.Repositories(context.Background(), in.ID); len(repos) != 130 {
		t.Fatalf("after suspend: %d repositories", len(repos))
	}
	h.wait(h.send("installation", []byte(strings.Replace(string(payload), `"created"`, `"deleted"`, 1))))
	rec, _ = h.App.Store.Installation(context.Background(), in.ID)
	if repos, _ := h.App.Store.Repositories(context.Background(), in.ID); len(repos) != 0 || rec.State != store.InstallationDeleted {
		t.Fatalf("after delete: %d repositories, state %s", len(repos), rec.State)
	}
}

func TestRedeliveryIsProcessedOnce(t *testing.T) {
	h := start(t, store.SQLite)
	_, payload := installationWithRepos(t, h.GitHub, "acme", 2)
	id := h.send("installation", payload)
	h.wait(id)
	for range 3 {
		code, msg := deliver(t, h.URL, "installation", id, payload, nil)
		if code != http.StatusOK || !strings.HasPrefix(msg, "duplicate") {
			t.Fatalf("redelivery answered %d %q", code, msg)
		}
	}
	h.settled() // a wrong second run would be queued by now
	if n := h.GitHub.CountRequests(isRepoListing); n != 1 {
		t.Fatalf("the installation was listed %d times for one delivery", n)
	}
	if got := testutil.ToFloat64(h.App.Metrics.Deliveries.WithLabelValues("installation", "duplicate")); got != 3 {
		t.Fatalf("duplicate metric = %v", got)
	}
}

func TestGitHubFaults(t *testing.T) {
	h := start(t, store.SQLite)

	t.Run("5xx retried until it passes", func(t *testing.T) {
		_, payload := installationWithRepos(t, h.GitHub, "flaky", 1)
		// More 502s than the client retries within one attempt: the job
		// fails once and River runs it again.
		h.GitHub.InjectFault(githubfake.Fault{Route: "/installation/repositories", Times: 4, Kind: githubfake.Status(502)})
		d := h.wait(h.send("installation", payload))
		if d.Outcome != store.OutcomeProcessed {
			t.Fatalf("outcome %s: %s", d.Outcome, d.Detail)
		}
		if got := testutil.ToFloat64(h.App.Metrics.JobFailures.WithLabelValues("webhook_delivery", "retry")); got < 1 {
			t.Fatalf("no retried job recorded (%v)", got)
		}
	})

	t.Run("secondary rate limit waits for Retry-After", func(t *testing.T) {
		_, payload := installationWithRepos(t, h.GitHub, "busy", 1)
		h.GitHub.InjectFault(githubfake.Fault{Route: "/installation/repositories", Kind: githubfake.SecondaryRateLimit(2 * time.Second)})
		sent := time.Now()
		d := h.wait(h.send("installation", payload))
		if d.Outcome != store.OutcomeProcessed {
			t.Fatalf("outcome %s: %s", d.Outcome, d.Detail)
		}
		if waited := d.FinishedAt.Sub(sent); waited < 2*time.Second {
			t.Fatalf("finished %s after the rate limit, before Retry-After", waited)
		}
		if got := testutil.ToFloat64(h.App.Metrics.JobFailures.WithLabelValues("webhook_delivery", "snooze")); got != 1 {
			t.Fatalf("snoozed jobs = %v", got)
		}
	})

	t.Run("an error retrying cannot fix stops the job", func(t *testing.T) {
		// An installation GitHub does not know: the token request is 404.
		payload := []byte(`{"action":"created","installation":{"id":987654,"account":{"login":"gone","type":"Organization"}}}`)
		d := h.wait(h.send("installation", payload))
		if d.Outcome != store.OutcomeFailed || !strings.Contains(d.Detail, "retrying cannot fix") {
			t.Fatalf("outcome %s: %s", d.Outcome, d.Detail)
		}
		// The delivery's outcome is recorded inside the job; the jobs'
		// middleware (internal/jobs/runner.go) counts the cancelled job
		// after it returns: wait for the count.
		cancelled := h.App.Metrics.JobFailures.WithLabelValues("webhook_delivery", "cancel")
		for deadline := time.Now().Add(30 * time.Second); testutil.ToFloat64(cancelled) != 1; time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("cancelled jobs = %v, want 1", testutil.ToFloat64(cancelled))
			}
		}
	})
}

func TestHealthReadinessAndMetrics(t *testing.T) {
	h := start(t, store.SQLite)
	for path, want := range map[string]string{"/healthz": "ok", "/readyz": "ready", "/metrics": "ospo_webhook_intake_seconds"} {
		resp, err := http.Get(h.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(b), want) {
			t.Errorf("%s: %d %q", path, resp.StatusCode, b)
		}
	}
	// A database behind on migrations is not ready.
	if _, err := h.App.Store.DB.Exec(`DELETE FROM ospo_schema_migrations WHERE version_id > 0`); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(h.URL + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("readyz with pending migrations = %d", resp.StatusCode)
	}
}
