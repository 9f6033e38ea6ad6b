package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ospo-bot/ospo-bot/internal/signin"
	"github.com/ospo-bot/ospo-bot/internal/store"
	"github.com/ospo-bot/ospo-bot/internal/store/storetest"
	"github.com/ospo-bot/ospo-bot/internal/web"
)

// benchPage is what the benchmark asks of one registered page (by its
// pattern in web's pages): its name in the benchmark's output, the
// repository its {rest...} names, and its variants beyond the three every
// page gets (its default HTML, ?format=json and ?format=csv of its first
// table): a filtered, sorted, paged view and the like. page={last} in a
// variant is the last page of the page's first paged table (read from
// its JSON), the deepest OFFSET, whatever the org's size. A page
// registered without an entry here is still measured, with the three.
type benchPage struct {
	name     string
	rest     string
	variants []variant
	// export: the page's first table is paged, so its CSV is the whole
	// filtered result (every row, up to web's cap), a download held to
	// exportTarget rather than a page view's benchTarget.
	export bool
}

type variant struct{ name, query string }

// benchPages: one entry a page. The generated org (storetest) has
// repositories bench/repo-1 … bench/repo-10000, a review for every tenth,
// history over the year 2025 and checks over its last 120 days.
var benchPages = map[string]benchPage{
	"{$}": {name: "overview", variants: []variant{
		{"year", "?since=2025-01-01&until=2025-12-31"},
		{"daily", "?step=day"},
	}},
	"reviews": {name: "reviews", variants: []variant{
		{"year-queue-last-page", "?since=2025-01-01&until=2025-12-31&page={last}"},
	}},
	"repositories": {name: "repositories", export: true, variants: []variant{
		{"filtered-sorted-page-2", "?status=flagged&visibility=public&sort=checked&dir=desc&page=2"},
		{"rule-review", "?rule=license&review=open"},
		{"name", "?name=repo-99"},
		{"last-page", "?sort=repository&dir=desc&page={last}"},
	}},
	"repositories/{rest...}": {name: "repository", rest: "repo-10", variants: []variant{
		{"year", "?since=2025-01-01&until=2025-12-31"},
	}},
	"audit": {name: "audit", export: true, variants: []variant{
		{"year-last-page", "?since=2025-01-01&until=2025-12-31&page={last}"},
		{"actor-action", "?since=2025-01-01&until=2025-12-31&actor=alice&action=approve&page=2"},
		{"repository", "?since=2025-01-01&until=2025-12-31&repository=repo-42"},
	}},
	"contributors": {name: "contributors", variants: []variant{
		{"year", "?since=2025-01-01&until=2025-12-31"},
		{"absence-sorted-last-page", "?sort=merged&dir=desc&page={last}"},
	}},
}

// defaultRest names the repository of a page whose pattern has a
// {rest...} and no entry in benchPages.
const defaultRest = "repo-10"

// benchURL is one URL the benchmark asks for.
type benchURL struct {
	name   string // page/variant
	url    string
	target time.Duration // of its p95
}

// dashboardURLs lists the URLs of every page registered in web's pages.
func dashboardURLs(tb testing.TB) []benchURL {
	var out []benchURL
	for _, pattern := range web.PagePatterns() {
		p, ok := benchPages[pattern]
		if !ok {
			tb.Logf("page %q has no entry in benchPages: measured with its default variants only", pattern)
			p.name = strings.NewReplacer("/{rest...}", "-one", "/", "-", "{$}", "overview").Replace(pattern)
		}
		rest := p.rest
		if rest == "" {
			rest = defaultRest
		}
		path := "/dashboard/" + storetest.BigOrg + "/" + strings.NewReplacer("{$}", "", "{rest...}", rest).Replace(pattern)
		csv := variant{"csv", "?format=csv"}
		if p.export {
			csv.name = "csv-export"
		}
		vs := append([]variant{{"html", ""}, {"json", "?format=json"}, csv}, p.variants...)
		for _, v := range vs {
			target := benchTarget
			if v.name == "csv-export" {
				target = exportTarget
			}
			out = append(out, benchURL{name: p.name + "/" + v.name, url: path + v.query, target: target})
		}
	}
	return out
}

// dashboard is the real Site's handler over st, its clock at the
// generated org's end, and a request context with a viewer who may see
// the org.
func dashboard(st *store.Store) (http.Handler, context.Context) {
	end := storetest.BigOrgEndTime()
	s := &web.Site{Store: st, Now: func() time.Time { return end }, GitHubURL: "https://github.com"}
	ctx := signin.WithViewer(context.Background(), signin.Viewer{Login: "lead", Orgs: []string{storetest.BigOrg}, CSRF: "token"})
	return web.SecurityHeaders(s.Handler()), ctx
}

const (
	benchWarmups  = 5
	benchRequests = 50
	benchTarget   = 100 * time.Millisecond // p95 of every page view
	// exportTarget: p95 of a whole-result CSV export (10,000 repositories,
	// a quarter's audit log), a download rather than a page view.
	exportTarget = time.Second
	// A URL far over the target stops after benchMinRequests requests
	// once its requests took benchBudget, so that a slow page costs the
	// run seconds rather than minutes; its p95 is then over fewer.
	benchMinRequests = 20
	benchBudget      = 15 * time.Second
)

// BenchmarkDashboardPages measures every dashboard page on the generated
// org (storetest.BigOrgStore: 10,000 repositories, 1,000,000 pull
// requests), on SQLite and on Postgres: first web.Refresh of the org
// (refresh-s, once a process), then for each URL of dashboardURLs, through
// the real handler with a signed-in viewer, 50 requests one after the
// other after 5 warm-ups (at least 20 when they take over 15 s), reporting
// p50-ms, p95-ms and max-ms of their latency, cpu-ms (the process's CPU
// time a request: Go and SQLite, not the Postgres server; on a busy
// machine, the page's own work), KB a response and peak-heap-MB (the Go
// heap's objects, sampled every 5 ms and after each request). It fails
// (b.Errorf) a URL whose p95 is over 100 ms (1 s for a whole-result CSV
// export) or that answers anything but
// 200. -count N measures each URL N times in a row; a URL that fails is
// not measured again.
//
//	go test -run '^$' -bench DashboardPages -benchtime 1x -count 3 ./internal/web/
func BenchmarkDashboardPages(b *testing.B) {
	for _, d := range storetest.Dialects(b) {
		b.Run(string(d), func(b *testing.B) {
			st := storetest.BigOrgStore(b, d)
			start := time.Now()
			if err := web.Refresh(context.Background(), st, storetest.BigOrg, storetest.BigOrgEndTime()); err != nil {
				b.Fatal(err)
			}
			refresh := time.Since(start)
			b.Run("refresh", func(b *testing.B) { b.ReportMetric(refresh.Seconds(), "refresh-s") })
			h, ctx := dashboard(st)
			for _, u := range dashboardURLs(b) {
				b.Run(u.name, func(b *testing.B) {
					url, err := resolve(h, ctx, u.url)
					if err != nil {
						b.Fatal(err)
					}
					benchmarkURL(b, h, ctx, url, u.target)
				})
			}
		})
	}
}

func benchmarkURL(b *testing.B, h http.Handler, ctx context.Context, url string, target time.Duration) {
	get := func() (time.Duration, *countingWriter) {
		w := &countingWriter{header: http.Header{}}
		r := httptest.NewRequestWithContext(ctx, "GET", url, nil)
		start := time.Now()
		h.ServeHTTP(w, r)
		return time.Since(start), w
	}
	for range benchWarmups {
		if _, w := get(); w.status() != http.StatusOK {
			b.Fatalf("GET %s: %d", url, w.status())
		}
	}
	runtime.GC()
	heap := startHeapSampler()
	var samples []time.Duration
	var bytes int64
	var spent time.Duration
	cpu := cpuTime()
	b.ResetTimer()
	for range b.N {
		for i := 0; i < benchRequests && (i < benchMinRequests || spent < benchBudget); i++ {
			took, w := get()
			heap.sample()
			if w.status() != http.StatusOK {
				b.Errorf("GET %s: %d", url, w.status())
			}
			samples = append(samples, took)
			spent += took
			bytes += w.n
		}
	}
	b.StopTimer()
	cpu = cpuTime() - cpu
	peak := heap.stop()
	slices.Sort(samples)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	p50, p95, most := percentile(samples, 50), percentile(samples, 95), samples[len(samples)-1]
	kb, heapMB := float64(bytes)/float64(len(samples))/1024, float64(peak)/(1<<20)
	b.ReportMetric(ms(p50), "p50-ms")
	b.ReportMetric(ms(p95), "p95-ms")
	b.ReportMetric(ms(most), "max-ms")
	b.ReportMetric(kb, "KB")
	b.ReportMetric(heapMB, "peak-heap-MB")
	cpuMS := ms(cpu) / float64(len(samples))
	b.ReportMetric(cpuMS, "cpu-ms")
	// A failed benchmark prints no metrics: the log line keeps them.
	b.Logf("GET %s: p50 %.1f ms, p95 %.1f ms, max %.1f ms, cpu %.1f ms, %.1f KB, peak heap %.1f MB, %d requests",
		url, ms(p50), ms(p95), ms(most), cpuMS, kb, heapMB, len(samples))
	if p95 > target {
		b.Errorf("GET %s: p95 %.1f ms, over the target of %s", url, ms(p95), target)
	}
}

// percentile is the nearest-rank p-th percentile of sorted samples.
func percentile(sorted []time.Duration, p int) time.Duration {
	i := (len(sorted)*p+99)/100 - 1
	return sorted[max(i, 0)]
}

// countingWriter is a ResponseWriter that keeps the status and counts the
// body, as a connection would take it, without keeping it.
type countingWriter struct {
	header http.Header
	code   int
	n      int64
}

func (w *countingWriter) Header() http.Header { return w.header }
func (w *countingWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
}
func (w *countingWriter) Write(p []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	w.n += int64(len(p))
	return len(p), nil
}

// status is the response's status; a handler that writes nothing
// answers 200.
func (w *countingWriter) status() int {
	if w.code == 0 {
		return http.StatusOK
	}
	return w.code
}

// heapSampler keeps the largest Go heap (bytes of heap objects, live or
// not yet swept) it sees, read with runtime/metrics, which does not stop
// the world as runtime.ReadMemStats does.
type heapSampler struct {
	peak atomic.Uint64
	quit chan struct{}
	done chan struct{}
	s    []metrics.Sample
}

func startHeapSampler() *heapSampler {
	h := &heapSampler{quit: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(h.done)
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			h.read(s)
			select {
			case <-h.quit:
				return
			case <-t.C:
			}
		}
	}()
	h.s = []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	return h
}

func (h *heapSampler) read(s []metrics.Sample) {
	metrics.Read(s)
	v := s[0].Value.Uint64()
	for {
		old := h.peak.Load()
		if v <= old || h.peak.CompareAndSwap(old, v) {
			return
		}
	}
}

// sample reads the heap now (from the benchmark's goroutine).
func (h *heapSampler) sample() { h.read(h.s) }

func (h *heapSampler) stop() uint64 {
	close(h.quit)
	<-h.done
	return h.peak.Load()
}

// resolve replaces page={last} in u with the last page of the first
// paged table of u's page (without page=, as JSON).
func resolve(h http.Handler, ctx context.Context, u string) (string, error) {
	if !strings.Contains(u, "page={last}") {
		return u, nil
	}
	first := strings.Replace(strings.Replace(u, "page={last}", "format=json", 1), "?&", "?", 1)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequestWithContext(ctx, "GET", first, nil))
	if w.Code != http.StatusOK {
		return "", fmt.Errorf("GET %s: %d", first, w.Code)
	}
	var doc struct {
		Sections []struct {
			Table *struct {
				Pages *web.Pages `json:"pages"`
			} `json:"table"`
		} `json:"sections"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &doc); err != nil {
		return "", fmt.Errorf("GET %s: %w", first, err)
	}
	for _, s := range doc.Sections {
		if s.Table != nil && s.Table.Pages != nil {
			p := s.Table.Pages
			last := max((p.Total+p.Size-1)/max(p.Size, 1), 1)
			return strings.Replace(u, "page={last}", "page="+strconv.Itoa(last), 1), nil
		}
	}
	return "", fmt.Errorf("GET %s: no paged table for page={last}", first)
}
