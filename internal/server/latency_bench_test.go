package server_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/ospo-bot/ospo-bot/internal/githubfake"
	"github.com/ospo-bot/ospo-bot/internal/prcheck"
	"github.com/ospo-bot/ospo-bot/internal/store"
	"github.com/ospo-bot/ospo-bot/internal/store/storetest"
)

// roundTrip is the per-request delay the fake adds in the "rtt" variants:
// the latency divided by it counts the sequential GitHub round trips.
const roundTrip = 50 * time.Millisecond

// BenchmarkWebhookToCheckRun measures what a contributor waits for: from
// POSTing a signed pull_request.opened to the fake answering a completed
// ospo/policy check run on its head, through the real server, queue and
// database. Each op opens a new pull request; the ops do not overlap. It
// reports p50 and p95 per op, and in the rtt variants (every GitHub call
// answered roundTrip late) the sequential round trips they make up.
//
//	go test ./internal/server/ -run '^$' -bench WebhookToCheckRun -benchtime 100x
func BenchmarkWebhookToCheckRun(b *testing.B) {
	for _, d := range storetest.Dialects(b) {
		for _, delay := range []time.Duration{0, roundTrip} {
			name := string(d)
			if delay > 0 {
				name += "/rtt=" + delay.String()
			}
			b.Run(name, func(b *testing.B) { benchWebhookToCheckRun(b, d, delay) })
		}
	}
}

func benchWebhookToCheckRun(b *testing.B, d store.Dialect, delay time.Duration) {
	// One installation opens b.N pull requests in seconds, past GitHub's
	// content limit: GitHub and the bot get a limit that does not bind,
	// so that the op measures latency (a slot is still taken each time).
	s := newScenarioWith(b, d, prPolicy, githubfake.Options{ContentPerMinute: 1 << 30, ContentPerHour: 1 << 30})
	s.App.Store.SetContentLimits(unlimitedContent())
	if _, err := s.GitHub.AddUser(githubfake.User{Login: "alice", Emails: []string{"alice@example.org"}}); err != nil {
		b.Fatal(err)
	}
	s.signed("alice")
	seq := 0
	// one op: a new pull request, opened; the time is that of the webhook
	// to the completed run only.
	op := func() time.Duration {
		seq++
		return timedCheck(b, s, fmt.Sprintf("bench-%d", seq), delay)
	}
	op() // warm: the installation token, the policy, the caches
	times := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		times = append(times, op())
	}
	b.StopTimer()
	slices.Sort(times)
	pct := func(p float64) time.Duration { return times[min(len(times)-1, int(p*float64(len(times))))] }
	b.ReportMetric(float64(pct(0.50).Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(pct(0.95).Microseconds())/1000, "p95-ms")
	if delay > 0 {
		b.ReportMetric(float64(pct(0.50))/float64(delay), "round-trips")
	}
}

// timedCheck opens a pull request from a new branch of acme/widget and
// returns the time from its signed pull_request.opened to the completed
// ospo/policy run on its head; with a delay, every GitHub call meanwhile
// is answered that late.
func timedCheck(b *testing.B, s *scenario, branch string, delay time.Duration) time.Duration {
	b.Helper()
	pr := s.benchPR(b, branch)
	payload := s.prPayload("widget", pr.Number, "opened")
	if delay > 0 {
		s.GitHub.InjectFault(githubfake.Fault{Times: 1 << 30, Kind: githubfake.Delay(delay)})
	}
	start := time.Now()
	id := s.sendJSON("pull_request", payload)
	for !completedRun(s, pr.HeadSHA) {
		if time.Since(start) > 30*time.Second {
			b.Fatalf("no completed %s run on %s after 30s", prcheck.CheckName, pr.HeadSHA)
		}
		time.Sleep(100 * time.Microsecond) // a poll of the fake, not a wait for an effect
	}
	took := time.Since(start)
	if delay > 0 {
		s.GitHub.ClearFaults()
	}
	if rec := s.wait(id); rec.Outcome != store.OutcomeProcessed {
		b.Fatalf("delivery %s: %s: %s", id, rec.Outcome, rec.Detail)
	}
	return took
}

func completedRun(s *scenario, sha string) bool {
	for _, cr := range s.GitHub.CheckRuns("acme", "widget") {
		if cr.Name == prcheck.CheckName && cr.HeadSHA == sha && cr.Status == "completed" {
			return true
		}
	}
	return false
}

// sendJSON delivers payload as event without waiting for its job.
func (s *scenario) sendJSON(event string, payload any) string {
	s.t.Helper()
	body, err := json.Marshal(payload)
	if err != nil {
		s.t.Fatal(err)
	}
	return s.send(event, body)
}

// benchPR pushes one commit to a new branch of widget and opens alice's
// pull request from it (labelled, so that it passes).
func (s *scenario) benchPR(b *testing.B, branch string) githubfake.PullRequest {
	b.Helper()
	if _, err := s.GitHub.CreateBranch("acme", "widget", branch, "main"); err != nil {
		b.Fatal(err)
	}
	if _, err := s.GitHub.Push("acme", "widget", branch, githubfake.NewCommit{Message: "change " + branch, Author: alice,
		Files: map[string]string{branch + ".txt": "x"}}); err != nil {
		b.Fatal(err)
	}
	pr, err := s.GitHub.AddPullRequest("acme", "widget", githubfake.PullRequest{Title: "change", User: "alice", Head: branch, Labels: []string{"kind/bug"}})
	if err != nil {
		b.Fatal(err)
	}
	return pr
}
