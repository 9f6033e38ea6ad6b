package server_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-github/v66/github"

	"github.com/ospo-bot/ospo-bot/internal/config"
	"github.com/ospo-bot/ospo-bot/internal/githubfake"
	"github.com/ospo-bot/ospo-bot/internal/server"
	"github.com/ospo-bot/ospo-bot/internal/store"
	"github.com/ospo-bot/ospo-bot/internal/store/storetest"
)

// BenchmarkBrokenInstallation measures what BenchmarkWebhookToCheckRun
// does (webhook to completed check run, no added delay) while another
// installation, whose installation token GitHub fails to mint (500 on
// every token request), receives 20 pull_request events a second, beside
// the same measure without it (broken=0) in the same run.
// It runs with the product's defaults for workers, retries of GitHub
// calls and job retries, not the harness's fast ones, and reports the
// healthy installation's p50 and p95 and the broken installation's events
// and token requests meanwhile.
//
//	go test ./internal/server/ -run '^$' -bench BrokenInstallation -benchtime 100x
func BenchmarkBrokenInstallation(b *testing.B) {
	for _, d := range storetest.Dialects(b) {
		for _, rate := range []int{0, 20} {
			b.Run(fmt.Sprintf("%s/broken=%d", d, rate), func(b *testing.B) { benchBrokenInstallation(b, d, rate) })
		}
	}
}

func benchBrokenInstallation(b *testing.B, d store.Dialect, brokenRate int) {
	defaults := config.Default()
	// The healthy installation opens b.N pull requests in seconds, past
	// GitHub's content limit on its check runs: GitHub and the bot get a
	// limit that does not bind, so that the op measures latency.
	s := newScenarioWith(b, d, prPolicy, githubfake.Options{ContentPerMinute: 1 << 30, ContentPerHour: 1 << 30}, func(c *config.Config, o *server.Options) {
		c.Workers = defaults.Workers
		o.RetryPolicy, o.GitHubRetryWait = nil, 0 // jobs.Backoff{Base: 1s}, ghclient's 250ms
	})
	s.App.Store.SetContentLimits(unlimitedContent())
	if _, err := s.GitHub.AddUser(githubfake.User{Login: "alice", Emails: []string{"alice@example.org"}}); err != nil {
		b.Fatal(err)
	}
	s.signed("alice")

	// The broken installation: org "broken", its token refused with a 500.
	if _, err := s.GitHub.AddOrg(githubfake.Org{Login: "broken"}); err != nil {
		b.Fatal(err)
	}
	gadget, err := s.GitHub.AddRepo(githubfake.Repo{Owner: "broken", Name: "gadget", Files: map[string]string{"README.md": "x\n"}})
	if err != nil {
		b.Fatal(err)
	}
	brokenInst, err := s.GitHub.AddInstallation(githubfake.Installation{Account: "broken"})
	if err != nil {
		b.Fatal(err)
	}
	tokenRoute := fmt.Sprintf("/app/installations/%d/access_tokens", brokenInst.ID)
	s.GitHub.InjectFault(githubfake.Fault{Method: "POST", Route: tokenRoute, Times: 1 << 30, Kind: githubfake.Status(500)})
	seq := 0
	timedCheck(b, s, "warm", 0) // the healthy installation's token, policy, caches

	// A pull request event of acme/widget, retargeted at broken/gadget.
	base := s.prPayload("widget", 1, "opened")
	base.Installation.ID = github.Int64(brokenInst.ID)
	base.Repo.ID, base.Repo.Name = github.Int64(gadget.ID), github.String("gadget")
	base.Repo.FullName = github.String("broken/gadget")
	base.Repo.Owner = &github.User{Login: github.String("broken"), Type: github.String("Organization")}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var sent int
	stream := func() { // the steady stream
		defer wg.Done()
		tick := time.NewTicker(time.Second / time.Duration(brokenRate))
		defer tick.Stop()
		for n := 1; ; n++ {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			ev := *base
			pr := *base.PullRequest
			pr.Number, pr.ID = github.Int(1000+n), github.Int64(1_000_000+int64(n)) // another pull request
			ev.Number, ev.PullRequest = pr.Number, &pr
			body, err := json.Marshal(&ev)
			if err != nil {
				b.Error(err)
				return
			}
			if code, msg := deliver(b, s.URL, "pull_request", fmt.Sprintf("broken-%d-%d", time.Now().UnixNano(), n), body, nil); code != 200 {
				b.Errorf("broken delivery: %d %s", code, msg)
				return
			}
			sent++
		}
	}
	if brokenRate > 0 {
		wg.Add(1)
		go stream()
	}
	time.Sleep(2 * time.Second) // the stream runs a while before the measure: its retries pile up
	tokensBefore := s.GitHub.CountRequests(func(r githubfake.Request) bool { return r.Path == tokenRoute })

	times := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		seq++
		times = append(times, timedCheck(b, s, fmt.Sprintf("iso-%d", seq), 0))
	}
	b.StopTimer()
	close(stop)
	wg.Wait()
	tokens := s.GitHub.CountRequests(func(r githubfake.Request) bool { return r.Path == tokenRoute })
	slices.Sort(times)
	pct := func(p float64) time.Duration { return times[min(len(times)-1, int(p*float64(len(times))))] }
	b.ReportMetric(float64(pct(0.50).Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(pct(0.95).Microseconds())/1000, "p95-ms")
	if brokenRate > 0 {
		b.ReportMetric(float64(sent), "broken-events")
		b.ReportMetric(float64(tokens-tokensBefore), "broken-token-requests")
	}
}
