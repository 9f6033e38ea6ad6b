package ghclient

import (
	"io"
	"net/http"
	"sync"
	"time"
)

// DefaultConcurrency is how many requests of one installation a process
// has in flight at once, by default. GitHub allows 100 concurrent
// requests ("No more than 100 concurrent requests are allowed", its
// secondary rate limits); half of that leaves room for a second replica.
// At 50 ms a request, 50 in flight are 1,000 requests a second, far more
// than the workers make.
const DefaultConcurrency = 50

// limiter bounds each installation's requests in flight (Config.Concurrency)
// with one semaphore per installation, shared by every client of it, and
// keeps a token GitHub failed to mint for a while (tokenwait.go).
type limiter struct {
	max       int
	tokenWait time.Duration // Config.TokenFailureWait
	now       func() time.Time
	mu        sync.Mutex
	insts     map[int64]*installation
}

// installation is what the clients of one installation share.
type installation struct {
	id  int64
	sem chan struct{}

	mu       sync.Mutex
	tokenErr error     // the last token request's failure (5xx)
	failedAt time.Time // when
}

func newLimiter(n int, tokenWait time.Duration) *limiter {
	return &limiter{max: n, tokenWait: tokenWait, now: time.Now, insts: map[int64]*installation{}}
}

// transport counts next's requests against the installation's semaphore.
func (l *limiter) transport(id int64, next http.RoundTripper) http.RoundTripper {
	l.mu.Lock()
	defer l.mu.Unlock()
	in := l.insts[id]
	if in == nil {
		in = &installation{id: id, sem: make(chan struct{}, l.max)}
		l.insts[id] = in
	}
	return &limitedTransport{next: next, in: in, l: l}
}

// limitedTransport holds a place in its installation's semaphore from
// the request until its response's body is read to the end or closed,
// which is when GitHub is done with it. A token GitHub just failed to mint
// fails the request at once (tokenwait.go).
type limitedTransport struct {
	next http.RoundTripper
	in   *installation
	l    *limiter
}

func (t *limitedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	err := t.l.tokenFailed(t.in)
	if err == nil {
		select {
		case t.in.sem <- struct{}{}:
		case <-req.Context().Done():
			err = req.Context().Err()
		}
	}
	if err != nil {
		if req.Body != nil {
			req.Body.Close() // a RoundTripper closes the body, even on errors
		}
		return nil, err
	}
	release := sync.OnceFunc(func() { <-t.in.sem })
	resp, err := t.next.RoundTrip(req)
	if err != nil || resp == nil || resp.Body == nil {
		release()
		t.l.noteToken(t.in, err)
		return resp, err
	}
	resp.Body = &releasingBody{ReadCloser: resp.Body, release: release}
	return resp, nil
}

// releasingBody releases its place at EOF or Close, whichever is first.
type releasingBody struct {
	io.ReadCloser
	release func()
}

func (b *releasingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil {
		b.release()
	}
	return n, err
}

func (b *releasingBody) Close() error {
	defer b.release()
	return b.ReadCloser.Close()
}
