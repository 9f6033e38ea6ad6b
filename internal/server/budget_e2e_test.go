package server_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-github/v66/github"

	"github.com/ospo-bot/ospo-bot/internal/ghclient"
	"github.com/ospo-bot/ospo-bot/internal/githubfake"
	"github.com/ospo-bot/ospo-bot/internal/githubfake/fakeapp"
	"github.com/ospo-bot/ospo-bot/internal/metrics"
	"github.com/ospo-bot/ospo-bot/internal/store"
	"github.com/ospo-bot/ospo-bot/internal/store/storetest"
)

// More content than GitHub allows an installation in a minute, in
// compressed time (a "minute" of five seconds, for the fake and the bot):
// another replica (a second client stack on the same database) has just
// opened 75 issues and holds the minute's other slots, then 30 pull
// requests are opened at once. Every check
// run is created, the fake never answers its secondary limit, and the
// checks that found no slot free were snoozed until one freed; none failed.
func TestContentBudgetQueuesNeverRefuses(t *testing.T) {
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			const (
				minute = 5 * time.Second
				issues = 75
				prs    = 30
			)
			ctx := context.Background()
			s := newScenarioWith(t, d, prPolicy, githubfake.Options{ContentMinute: minute})
			l := store.DefaultContentLimits
			l.Minute = minute
			s.App.Store.SetContentLimits(l)
			if _, err := s.GitHub.AddUser(githubfake.User{Login: "alice", Emails: []string{"alice@example.org"}}); err != nil {
				t.Fatal(err)
			}
			s.signed("alice")
			var heads []string
			var payloads []*github.PullRequestEvent
			for i := range prs {
				branch := fmt.Sprintf("change-%d", i)
				if _, err := s.GitHub.CreateBranch("acme", "widget", branch, "main"); err != nil {
					t.Fatal(err)
				}
				if _, err := s.GitHub.Push("acme", "widget", branch, githubfake.NewCommit{Message: "change " + branch, Author: alice,
					Files: map[string]string{branch + ".txt": "x"}}); err != nil {
					t.Fatal(err)
				}
				pr, err := s.GitHub.AddPullRequest("acme", "widget", githubfake.PullRequest{Title: "change", User: "alice", Head: branch, Labels: []string{"kind/bug"}})
				if err != nil {
					t.Fatal(err)
				}
				heads = append(heads, pr.HeadSHA)
				payloads = append(payloads, s.prPayload("widget", pr.Number, "opened"))
			}

			other, err := ghclient.NewClientCreator(ghclient.Config{APIURL: s.GitHub.URL() + "/", AppID: testAppID,
				PrivateKey: fakeapp.KeyPEM(), RetryWait: time.Millisecond, Budget: s.App.Store}, nil)
			if err != nil {
				t.Fatal(err)
			}
			replica, err := other.NewInstallationClient(s.inst.ID)
			if err != nil {
				t.Fatal(err)
			}
			// Eight at a time, to leave the window as full as it can be
			// when the pull requests come.
			var wg sync.WaitGroup
			next := make(chan int)
			for range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range next {
						if _, _, err := replica.Issues.Create(ctx, "acme", "ospo", &github.IssueRequest{Title: github.String(fmt.Sprintf("review %d", i))}); err != nil {
							t.Errorf("the other replica's issue %d: %v", i+1, err)
						}
					}
				}()
			}
			for i := range issues {
				next <- i
			}
			close(next)
			wg.Wait()
			// And it holds the minute's last slots, for requests it has
			// not sent yet: the window is full now, however long the
			// issues took.
			for {
				wait, err := s.App.Store.ReserveContent(ctx, s.inst.ID, false, time.Now())
				if err != nil {
					t.Fatal(err)
				}
				if wait > 0 {
					break
				}
			}

			var ids []string
			for _, p := range payloads {
				ids = append(ids, s.sendJSON("pull_request", p))
			}
			for _, id := range ids {
				if rec := s.wait(id); rec.Outcome != store.OutcomeProcessed {
					t.Fatalf("delivery %s: %s: %s", id, rec.Outcome, rec.Detail)
				}
			}
			for _, sha := range heads {
				if !completedRun(s, sha) {
					t.Errorf("no completed check run on %s", sha)
				}
			}
			if n := s.GitHub.ContentRefusals(); n != 0 {
				t.Errorf("the fake refused %d content-generating requests", n)
			}
			if n := jobFailures(t, s.App.Metrics, "snooze"); n == 0 {
				t.Error("no job waited for a content slot: the test did not exceed the budget")
			}
			if n := jobFailures(t, s.App.Metrics, "retry") + jobFailures(t, s.App.Metrics, "cancel"); n != 0 {
				t.Errorf("%v job attempts failed", n)
			}
		})
	}
}

// jobFailures sums ospo_job_failures_total of every kind with the handling.
func jobFailures(t *testing.T, m *metrics.Metrics, handling string) float64 {
	t.Helper()
	families, err := m.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var sum float64
	for _, f := range families {
		if f.GetName() != "ospo_job_failures_total" {
			continue
		}
		for _, mt := range f.GetMetric() {
			for _, l := range mt.GetLabel() {
				if l.GetName() == "handling" && l.GetValue() == handling {
					sum += mt.GetCounter().GetValue()
				}
			}
		}
	}
	return sum
}

// unlimitedContent is a content budget that never binds, for tests and
// benchmarks of something else that create more than GitHub allows.
func unlimitedContent() store.ContentLimits {
	l := store.DefaultContentLimits
	l.PerMinute, l.PerHour, l.BackgroundPerMinute, l.BackgroundPerHour = 1<<30, 1<<30, 1<<30, 1<<30
	return l
}
