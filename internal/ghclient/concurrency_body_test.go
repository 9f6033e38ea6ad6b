package ghclient

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// closeRecorder is a request body that remembers being closed.
type closeRecorder struct {
	io.Reader
	closed bool
}

func (c *closeRecorder) Close() error { c.closed = true; return nil }

// TestLimitedTransportClosesTheBodyOfARequestNotSent: a RoundTripper must
// close the request's body even when it does not send it (net/http's
// contract): here when the installation's token failed a moment ago, and
// when the context ends while the request waits for a place.
func TestLimitedTransportClosesTheBodyOfARequestNotSent(t *testing.T) {
	sent := http.RoundTripper(roundTripperFunc(func(*http.Request) (*http.Response, error) {
		t.Fatal("the request was sent")
		return nil, nil
	}))

	l := newLimiter(1, time.Minute)
	rt := l.transport(1, sent)
	l.insts[1].tokenErr, l.insts[1].failedAt = errors.New("500 from the token endpoint"), time.Now()
	body := &closeRecorder{Reader: strings.NewReader("{}")}
	req, _ := http.NewRequest(http.MethodPost, "http://github.invalid/repos/a/b/issues", body)
	if _, err := rt.RoundTrip(req); err == nil || !body.closed {
		t.Fatalf("token failed: err %v, body closed %v; want an error and the body closed", err, body.closed)
	}

	l = newLimiter(1, time.Minute)
	rt = l.transport(1, sent)
	l.insts[1].sem <- struct{}{} // the one place is taken
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	body = &closeRecorder{Reader: strings.NewReader("{}")}
	req, _ = http.NewRequestWithContext(ctx, http.MethodPost, "http://github.invalid/repos/a/b/issues", body)
	if _, err := rt.RoundTrip(req); !errors.Is(err, context.Canceled) || !body.closed {
		t.Fatalf("context ended: err %v, body closed %v; want context.Canceled and the body closed", err, body.closed)
	}
}
