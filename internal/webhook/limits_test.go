package webhook

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"unsafe"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/ospo-bot/ospo-bot/internal/metrics"
	"github.com/ospo-bot/ospo-bot/internal/store"
)

// countingReader counts the bytes read from a request body.
type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

// TestHeadersAreScreenedBeforeTheBody: a request whose signature is not
// "sha256=" and 64 hex digits, whose delivery ID is missing or longer than
// 100 characters, or whose declared length is over the cap is refused
// without reading a byte of its body.
func TestHeadersAreScreenedBeforeTheBody(t *testing.T) {
	body := example(t, "pull_request", "opened.json")
	valid := sign(body)
	for _, tc := range []struct {
		name   string
		mutate func(*http.Request)
		status int
		msg    string
	}{
		{"sha1 prefix", func(r *http.Request) {
			r.Header.Set("X-Hub-Signature-256", "sha1="+strings.TrimPrefix(valid, "sha256="))
		}, 400, "sha256="},
		{"no prefix", func(r *http.Request) { r.Header.Set("X-Hub-Signature-256", strings.TrimPrefix(valid, "sha256=")) }, 400, "sha256="},
		{"upper-case prefix", func(r *http.Request) {
			r.Header.Set("X-Hub-Signature-256", "SHA256="+strings.TrimPrefix(valid, "sha256="))
		}, 400, "sha256="},
		{"short digest", func(r *http.Request) { r.Header.Set("X-Hub-Signature-256", valid[:len(valid)-2]) }, 400, "64 hex digits"},
		{"long digest", func(r *http.Request) { r.Header.Set("X-Hub-Signature-256", valid+"00") }, 400, "64 hex digits"},
		{"not hex", func(r *http.Request) { r.Header.Set("X-Hub-Signature-256", valid[:len(valid)-1]+"g") }, 400, "64 hex digits"},
		{"no delivery id", func(r *http.Request) { r.Header.Del("X-GitHub-Delivery") }, 400, "X-GitHub-Delivery"},
		{"no event", func(r *http.Request) { r.Header.Del("X-GitHub-Event") }, 400, "X-GitHub-Event"},
		{"delivery id of 101 characters", func(r *http.Request) { r.Header.Set("X-GitHub-Delivery", strings.Repeat("a", 101)) }, 400, "100 characters"},
		{"declared length over the cap", func(r *http.Request) { r.ContentLength = MaxBodyBytes + 1 }, 413, "25 MiB"},
		{"unsupported content type", func(r *http.Request) { r.Header.Set("Content-Type", "text/plain") }, 400, "Content-Type"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := &memQueue{seen: map[string]store.Delivery{}}
			m := metrics.New()
			h := NewHandler(secret, "", q, m)
			r := request("pull_request", "d-1", body, nil)
			tc.mutate(r)
			counted := &countingReader{r: r.Body}
			r.Body = io.NopCloser(counted)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			if rec.Code != tc.status || !strings.Contains(rec.Body.String(), tc.msg) {
				t.Fatalf("got %d %q, want %d naming %q", rec.Code, rec.Body.String(), tc.status, tc.msg)
			}
			if counted.n != 0 {
				t.Errorf("%d body bytes read before refusing", counted.n)
			}
			rejected := testutil.ToFloat64(m.Deliveries.WithLabelValues(eventLabel(r.Header.Get("X-GitHub-Event")), "rejected"))
			if len(q.seen) != 0 || rejected != 1 {
				t.Errorf("queued %d, rejected metric %v", len(q.seen), rejected)
			}
		})
	}
	t.Run("delivery id of 100 characters", func(t *testing.T) {
		q := &memQueue{seen: map[string]store.Delivery{}}
		rec := httptest.NewRecorder()
		NewHandler(secret, "", q, metrics.New()).ServeHTTP(rec, request("pull_request", strings.Repeat("a", 100), body, nil))
		if rec.Code != 200 || len(q.seen) != 1 {
			t.Fatalf("got %d %q, want 200 queued", rec.Code, rec.Body.String())
		}
	})
}

// blockingBody is a request body that delivers nothing until released: a
// sender holding its slot.
type blockingBody struct {
	started chan struct{} // closed at the first Read
	release chan struct{}
	once    sync.Once
	rest    io.Reader
}

func newBlockingBody(body []byte) *blockingBody {
	return &blockingBody{started: make(chan struct{}), release: make(chan struct{}), rest: bytes.NewReader(body)}
}

func (b *blockingBody) Read(p []byte) (int, error) {
	b.once.Do(func() { close(b.started) })
	<-b.release
	return b.rest.Read(p)
}

func (b *blockingBody) Close() error { return nil }

// TestInFlightBodiesAreBounded: with N bodies being read, the next delivery
// is answered 503 with Retry-After before a byte of its body is read, and
// counted; once a body is done, its slot serves the next delivery.
func TestInFlightBodiesAreBounded(t *testing.T) {
	const n = 3
	body := example(t, "pull_request", "opened.json")
	q := &memQueue{seen: map[string]store.Delivery{}}
	m := metrics.New()
	h := NewHandler(secret, "", q, m, WithMaxInFlight(n), WithSlotWait(0))

	var wg sync.WaitGroup
	blocked := make([]*blockingBody, n)
	codes := make([]int, n)
	finished := make([]chan struct{}, n)
	for i := range blocked {
		blocked[i] = newBlockingBody(body)
		r := request("pull_request", "slow-"+string(rune('a'+i)), body, nil)
		r.Body = blocked[i]
		wg.Add(1)
		finished[i] = make(chan struct{})
		go func() {
			defer wg.Done()
			defer close(finished[i])
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			codes[i] = rec.Code
		}()
		<-blocked[i].started // its slot is taken
	}

	r := request("pull_request", "one-too-many", body, nil)
	counted := &countingReader{r: r.Body}
	r.Body = io.NopCloser(counted)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
		t.Fatalf("delivery %d: got %d %q (Retry-After %q), want 503 with Retry-After", n+1, rec.Code, rec.Body.String(), rec.Header().Get("Retry-After"))
	}
	if counted.n != 0 {
		t.Errorf("%d body bytes of the refused delivery read", counted.n)
	}
	if got := testutil.ToFloat64(m.Deliveries.WithLabelValues("pull_request", "overloaded")); got != 1 {
		t.Errorf("overloaded metric = %v, want 1", got)
	}

	// Once one slow body is in, its slot serves the next delivery.
	close(blocked[0].release)
	<-finished[0]
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, request("pull_request", "after", body, nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("after a slot freed: got %d %q, want 200", rec.Code, rec.Body.String())
	}
	for _, b := range blocked[1:] {
		close(b.release)
	}
	wg.Wait()
	for i, code := range codes {
		if code != http.StatusOK {
			t.Errorf("slow delivery %d: %d, want 200", i, code)
		}
	}
	if len(q.seen) != n+1 {
		t.Errorf("%d deliveries queued, want %d", len(q.seen), n+1)
	}
}

// TestBodyBuffersAreReused: the body is read into one of N reusable
// buffers, grown to the declared length (no more), kept for the next
// delivery, and free again as soon as a forged body has been refused.
func TestBodyBuffersAreReused(t *testing.T) {
	q := &memQueue{seen: map[string]store.Delivery{}}
	h := NewHandler(secret, "", q, metrics.New(), WithMaxInFlight(1), WithSlotWait(0))
	send := func(id string, body []byte, chunked, forged bool) int {
		r := request("pull_request", id, body, nil)
		if chunked {
			r.ContentLength = -1
		}
		if forged {
			r.Header.Set("X-Hub-Signature-256", sign([]byte("something else")))
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		return rec.Code
	}
	buffer := func() []byte {
		t.Helper()
		if len(h.bodies.free) != 1 {
			t.Fatalf("%d of 1 body buffers free after the delivery", len(h.bodies.free))
		}
		b := <-h.bodies.free
		h.bodies.free <- b
		return *b
	}
	big := bytes.Repeat([]byte("x"), 100_000)
	if code := send("forged", big, false, true); code != 400 {
		t.Fatalf("forged: %d", code)
	}
	first := buffer()
	if cap(first) != len(big) {
		t.Errorf("buffer grown to %d bytes for a declared %d", cap(first), len(big))
	}
	if code := send("valid", example(t, "pull_request", "opened.json"), false, false); code != 200 {
		t.Fatalf("valid after forged: %d", code)
	}
	if again := buffer(); unsafe.SliceData(again) != unsafe.SliceData(first) || cap(again) != cap(first) {
		t.Errorf("a smaller delivery got a new buffer (%d bytes) instead of reusing the %d-byte one", cap(again), cap(first))
	}
	// Without a declared length the buffer grows as the body arrives, by
	// doubling: never more than twice the body.
	chunked := bytes.Repeat([]byte("y"), 300_000)
	if code := send("chunked", chunked, true, true); code != 400 {
		t.Fatalf("chunked forged: %d", code)
	}
	if grown := buffer(); cap(grown) < len(chunked) || cap(grown) > 2*len(chunked) {
		t.Errorf("buffer of %d bytes for a chunked body of %d", cap(grown), len(chunked))
	}
}

// blockingQueue holds every Enqueue until released.
type blockingQueue struct {
	memQueue
	entered chan string
	release chan struct{}
}

func (q *blockingQueue) Enqueue(ctx context.Context, d store.Delivery) (bool, error) {
	q.entered <- d.ID
	<-q.release
	return q.memQueue.Enqueue(ctx, d)
}

// TestSlotIsNotHeldWhileCommitting: a verified delivery gives its body slot
// back once its payload is read, so deliveries waiting on the group commit
// do not hold slots and a burst of GitHub's deliveries is not refused.
func TestSlotIsNotHeldWhileCommitting(t *testing.T) {
	q := &blockingQueue{memQueue: memQueue{seen: map[string]store.Delivery{}}, entered: make(chan string), release: make(chan struct{})}
	h := NewHandler(secret, "", q, metrics.New(), WithMaxInFlight(1), WithSlotWait(0))
	body := example(t, "pull_request", "opened.json")
	codes := make(chan int, 2)
	send := func(id string) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, request("pull_request", id, body, nil))
		codes <- rec.Code
	}
	go send("first")
	<-q.entered // first is committing
	go send("second")
	select {
	case <-q.entered:
	case code := <-codes:
		t.Fatalf("second delivery answered %d while the first was committing, want it committed too", code)
	}
	close(q.release)
	for range 2 {
		if code := <-codes; code != http.StatusOK {
			t.Errorf("got %d, want 200", code)
		}
	}
}
