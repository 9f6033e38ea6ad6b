package webhook

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ospo-bot/ospo-bot/internal/metrics"
	"github.com/ospo-bot/ospo-bot/internal/store"
)

// floodResult is what a flood of forged posts cost the process.
type floodResult struct {
	baseHeap, peakHeap uint64 // runtime HeapInuse before, and the highest seen during
	peakRSS            uint64 // VmHWM after the flood (reset before it where the kernel allows)
	codes              map[string]int
}

// zeros is an endless body that costs the sender no memory.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// flood posts n forged deliveries of size bytes each, all at once, over
// loopback to h, and samples the heap while they are handled.
func flood(t testing.TB, h http.Handler, n int, size int64) floodResult {
	srv := httptest.NewServer(h)
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{MaxConnsPerHost: n, MaxIdleConnsPerHost: n}}
	defer client.CloseIdleConnections()

	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	res := floodResult{baseHeap: ms.HeapInuse, peakHeap: ms.HeapInuse, codes: map[string]int{}}
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) // reset VmHWM (Linux)

	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			runtime.ReadMemStats(&ms)
			res.peakHeap = max(res.peakHeap, ms.HeapInuse)
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()

	var (
		wg sync.WaitGroup
		mu sync.Mutex
	)
	forged := "sha256=" + strings.Repeat("0", 64)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/github/hook", io.LimitReader(zeros{}, size))
			req.ContentLength = size
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-GitHub-Event", "pull_request")
			req.Header.Set("X-GitHub-Delivery", fmt.Sprintf("flood-%d", i))
			req.Header.Set("X-Hub-Signature-256", forged)
			outcome := "connection closed"
			if resp, err := client.Do(req); err == nil {
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				outcome = strconv.Itoa(resp.StatusCode)
			}
			mu.Lock()
			res.codes[outcome]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	close(stop)
	<-sampled
	res.peakRSS = vmHWM()
	if res.codes["200"] != 0 || res.codes["202"] != 0 {
		t.Errorf("forged posts accepted: %v", res.codes)
	}
	return res
}

// vmHWM is the process's peak resident set size in bytes (0 where
// /proc/self/status is not available).
func vmHWM() uint64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if rest, ok := strings.CutPrefix(s.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

const mib = 1 << 20

// TestForgedFloodHoldsBoundedMemory: 24 concurrent forged 8 MiB posts at the
// handler (over loopback, as the server runs it) hold no more heap than the
// default number of in-flight bodies, each at most the size of the body,
// plus slack — not one buffer per post. (BenchmarkForgedFlood is the full
// attack: 64 posts of 24 MiB.)
func TestForgedFloodHoldsBoundedMemory(t *testing.T) {
	const posts, size = 24, 8 * mib
	h := NewHandler(secret, "", &memQueue{seen: map[string]store.Delivery{}}, metrics.New())
	res := flood(t, h, posts, size)
	held := res.peakHeap - min(res.peakHeap, res.baseHeap)
	limit := uint64(DefaultMaxInFlight*size + 32*mib)
	t.Logf("%d forged posts of %d MiB: heap held at peak %d MiB (limit %d MiB), peak RSS %d MiB, answers %v",
		posts, size/mib, held/mib, limit/mib, res.peakRSS/mib, res.codes)
	if held > limit {
		t.Errorf("heap held at peak %d MiB, want at most %d MiB (%d bodies of %d MiB + 32 MiB)", held/mib, limit/mib, DefaultMaxInFlight, size/mib)
	}
}

// BenchmarkForgedFlood is the attack of issue 10: 64 concurrent forged
// posts of 24 MiB each. It reports the heap held at peak and the process's
// peak RSS, to compare with the Helm chart's 512 MiB memory limit. Run:
//
//	go test -run '^$' -bench ForgedFlood -benchtime 1x ./internal/webhook/
func BenchmarkForgedFlood(b *testing.B) {
	const posts, size = 64, 24 * mib
	for range b.N {
		h := NewHandler(secret, "", &memQueue{seen: map[string]store.Delivery{}}, metrics.New())
		res := flood(b, h, posts, size)
		b.ReportMetric(float64(res.peakHeap-min(res.peakHeap, res.baseHeap))/mib, "heap-MiB")
		b.ReportMetric(float64(res.peakRSS)/mib, "peak-RSS-MiB")
		b.Logf("%d forged posts of %d MiB: heap held at peak %d MiB, peak RSS %d MiB, answers %v",
			posts, size/mib, (res.peakHeap-min(res.peakHeap, res.baseHeap))/mib, res.peakRSS/mib, res.codes)
		if limit := uint64(DefaultMaxInFlight*MaxBodyBytes + 32*mib); res.peakHeap-res.baseHeap > limit {
			b.Errorf("heap held at peak %d MiB, over %d MiB", (res.peakHeap-res.baseHeap)/mib, limit/mib)
		}
	}
}
