package webhook

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-github/v66/github"
	"github.com/rs/zerolog"

	"github.com/ospo-bot/ospo-bot/internal/jobs"
	"github.com/ospo-bot/ospo-bot/internal/metrics"
	"github.com/ospo-bot/ospo-bot/internal/store/storetest"
)

// BenchmarkIntake measures durable intake — a signed pull_request.opened
// delivery (GitHub's example, 28 KB) verified, committed with its job to
// SQLite (WAL, synchronous=FULL), and to Postgres when it answers, and
// answered 200 — against a bare handler that only verifies the HMAC.
// Senders are concurrent HTTP clients over loopback. Run:
//
//	go test -run '^$' -bench Intake -benchtime 20000x ./internal/webhook/
func BenchmarkIntake(b *testing.B) {
	body := example(b, "pull_request", "opened.json")
	for _, dialect := range storetest.Dialects(b) {
		b.Run("durable-"+string(dialect), func(b *testing.B) {
			ctx := context.Background()
			st := storetest.Open(b, dialect)
			q, err := jobs.New(jobs.Deps{Store: st, Metrics: metrics.New(), Logger: zerolog.Nop()}, jobs.Options{InsertOnly: true})
			if err != nil {
				b.Fatal(err)
			}
			if err := q.Start(ctx); err != nil {
				b.Fatal(err)
			}
			benchDeliveries(b, NewHandler(secret, "", q, metrics.New()), body)
			if err := q.Stop(ctx); err != nil {
				b.Fatal(err)
			}
			// Every acknowledged delivery is in the database with a job.
			var n, jobs int
			if err := st.DB.QueryRow(`SELECT COUNT(*) FROM deliveries`).Scan(&n); err != nil || n != b.N {
				b.Fatalf("%d deliveries recorded for %d sent (%v)", n, b.N, err)
			}
			if err := st.DB.QueryRow(`SELECT COUNT(*) FROM river_job WHERE kind IN ('webhook_intake', 'webhook_delivery')`).Scan(&jobs); err != nil || jobs == 0 {
				b.Fatalf("no jobs (%v)", err)
			}
			b.ReportMetric(float64(b.N)/float64(jobs), "deliveries/job")
		})
	}
	b.Run("bare-hmac", func(b *testing.B) {
		benchDeliveries(b, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if _, err := github.ValidatePayload(r, []byte(secret)); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			w.WriteHeader(http.StatusOK)
		}), body)
	})
}

func benchDeliveries(b *testing.B, h http.Handler, body []byte) {
	srv := httptest.NewServer(h)
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 512, MaxConnsPerHost: 512}}
	signature := sign(body)
	var (
		seq       atomic.Int64
		mu        sync.Mutex
		latencies = make([]time.Duration, 0, b.N)
	)
	b.SetParallelism(32) // 64 concurrent senders on this 2-core machine
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		local := make([]time.Duration, 0, 1024)
		for pb.Next() {
			req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/github/hook", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-GitHub-Event", "pull_request")
			req.Header.Set("X-GitHub-Delivery", fmt.Sprintf("bench-%d", seq.Add(1)))
			req.Header.Set("X-Hub-Signature-256", signature)
			t0 := time.Now()
			resp, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			local = append(local, time.Since(t0))
			if resp.StatusCode != http.StatusOK {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
		}
		mu.Lock()
		latencies = append(latencies, local...)
		mu.Unlock()
	})
	elapsed := time.Since(start)
	cpu := cpuTime() - cpu0
	b.StopTimer()
	slices.Sort(latencies)
	pct := func(p float64) float64 {
		if len(latencies) == 0 {
			return 0
		}
		return float64(latencies[int(p*float64(len(latencies)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "deliveries/s")
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	// The process's CPU time a delivery, senders included: what the
	// handler costs, which other processes on the machine change less
	// than they change the rate.
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/delivery")
}

// cpuTime is the CPU time this process has used (user and system).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
