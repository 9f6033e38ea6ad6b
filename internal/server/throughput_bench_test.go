package server_test

import (
	"encoding/json"
	"fmt"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ospo-bot/ospo-bot/internal/config"
	"github.com/ospo-bot/ospo-bot/internal/githubfake"
	"github.com/ospo-bot/ospo-bot/internal/prcheck"
	"github.com/ospo-bot/ospo-bot/internal/server"
	"github.com/ospo-bot/ospo-bot/internal/store"
	"github.com/ospo-bot/ospo-bot/internal/store/storetest"
)

// BenchmarkPRCheckThroughput measures how many pull request checks one
// replica completes a second when every GitHub call takes roundTrip: b.N
// pull requests of one installation are opened at once (signed
// pull_request.opened deliveries, sent by 8 clients), and the op count
// ends when the fake holds a completed ospo/policy run on each head. It
// runs with several worker counts (OSPO_WORKERS) and fails if GitHub's
// limit of concurrent requests (the fake's, 100 per installation) refused
// any request; it reports the most requests the installation had in
// flight.
//
//	go test ./internal/server/ -run '^$' -bench PRCheckThroughput -benchtime 300x
func BenchmarkPRCheckThroughput(b *testing.B) {
	for _, d := range storetest.Dialects(b) {
		for _, workers := range []int{10, 25, 50, 100} {
			b.Run(fmt.Sprintf("%s/workers=%d", d, workers), func(b *testing.B) { benchPRCheckThroughput(b, d, workers) })
		}
	}
}

func benchPRCheckThroughput(b *testing.B, d store.Dialect, workers int) {
	// One installation's b.N check runs in seconds are past GitHub's
	// content limit (80 a minute), which the bot would honour by queueing
	// them: GitHub and the bot get a limit that does not bind, so that the
	// op measures what one replica can check (for many installations).
	s := newScenarioWith(b, d, prPolicy, githubfake.Options{ContentPerMinute: 1 << 30, ContentPerHour: 1 << 30},
		func(c *config.Config, _ *server.Options) { c.Workers = workers })
	s.App.Store.SetContentLimits(unlimitedContent())
	if _, err := s.GitHub.AddUser(githubfake.User{Login: "alice", Emails: []string{"alice@example.org"}}); err != nil {
		b.Fatal(err)
	}
	s.signed("alice")
	seq := 0
	open := func(n int) (heads map[string]bool, bodies [][]byte) {
		heads = map[string]bool{}
		for range n {
			seq++
			branch := "tp-" + strconv.Itoa(seq)
			pr := s.benchPR(b, branch)
			body, err := json.Marshal(s.prPayload("widget", pr.Number, "opened"))
			if err != nil {
				b.Fatal(err)
			}
			heads[pr.HeadSHA] = true
			bodies = append(bodies, body)
		}
		return heads, bodies
	}
	// Warm: the installation token, the policy, the caches.
	warm, bodies := open(1)
	s.send("pull_request", bodies[0])
	waitCompleted(b, s, warm)

	b.StopTimer()
	heads, bodies := open(b.N)
	s.GitHub.InjectFault(githubfake.Fault{Times: 1 << 30, Kind: githubfake.Delay(roundTrip)})
	b.StartTimer()
	start, cpu := time.Now(), cpuTime(b)
	var wg sync.WaitGroup
	next := make(chan []byte)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for body := range next {
				id := fmt.Sprintf("tp-%d-%d", time.Now().UnixNano(), s.seq.Add(1))
				if code, msg := deliver(b, s.URL, "pull_request", id, body, nil); code != 200 {
					b.Errorf("delivery %s: %d %s", id, code, msg)
				}
			}
		}()
	}
	for _, body := range bodies {
		next <- body
	}
	close(next)
	wg.Wait()
	waitCompleted(b, s, heads)
	took := time.Since(start)
	b.StopTimer()
	s.GitHub.ClearFaults()
	b.ReportMetric(float64(b.N)/took.Seconds(), "checks/s")
	// This process's CPU time (server, queue, SQLite and the fake; not
	// Postgres) per check: what bounds the rate on a busy machine.
	b.ReportMetric(float64((cpuTime(b)-cpu).Microseconds())/1000/float64(b.N), "cpu-ms/check")
	peak, refused := s.GitHub.PeakConcurrency(s.inst.ID)
	b.ReportMetric(float64(peak), "peak-in-flight")
	if refused > 0 {
		b.Fatalf("GitHub's limit of concurrent requests refused %d requests (peak %d in flight)", refused, peak)
	}
}

// cpuTime is the CPU time (user and system) this process has used.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// waitCompleted waits until each head has a completed ospo/policy run.
func waitCompleted(b *testing.B, s *scenario, heads map[string]bool) {
	b.Helper()
	deadline := time.Now().Add(5 * time.Minute)
	for {
		n := 0
		for _, cr := range s.GitHub.CheckRuns("acme", "widget") {
			if cr.Name == prcheck.CheckName && cr.Status == "completed" && heads[cr.HeadSHA] {
				n++
			}
		}
		if n >= len(heads) {
			return
		}
		if time.Now().After(deadline) {
			b.Fatalf("%d of %d checks completed after 5 minutes", n, len(heads))
		}
		time.Sleep(5 * time.Millisecond) // a poll of the fake
	}
}
