package ghclient

import (
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"time"

	"github.com/rs/zerolog"
)

// maxBackoff caps one wait between retries.
const maxBackoff = 30 * time.Second

// retryTransport retries idempotent requests after a 502, 503 or 504 or a
// transport error, with exponential backoff and jitter. It sits under the
// ETag cache and ghinstallation, so it retries the raw requests, the
// installation token request included. It never sleeps on a rate limit:
// those go back to the caller (see RetryAfter) and on to the job queue.
type retryTransport struct {
	next       http.RoundTripper
	maxRetries int
	wait       time.Duration
}

func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if t.maxRetries <= 0 || !retryable(req) {
		return t.next.RoundTrip(req)
	}
	ctx := req.Context()
	for attempt := 0; ; attempt++ {
		r := req
		if attempt > 0 {
			r = req.Clone(ctx)
			if req.GetBody != nil {
				body, err := req.GetBody()
				if err != nil {
					return nil, err
				}
				r.Body = body
			}
		}
		resp, err := t.next.RoundTrip(r)
		if attempt >= t.maxRetries || ctx.Err() != nil || !transient(resp, err) {
			return resp, err
		}

		wait := backoff(t.wait, attempt)
		evt := zerolog.Ctx(ctx).Debug().
			Str("method", req.Method).
			Str("path", req.URL.Path).
			Int("attempt", attempt+1).
			Dur("wait", wait)
		if resp != nil {
			evt = evt.Int("status", resp.StatusCode)
			discard(resp)
		} else {
			evt = evt.Str("error", err.Error())
		}
		evt.Msg("github_request_retry")

		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return nil, ctx.Err()
		case <-timer.C:
		}
	}
}

// retryable reports whether req may be sent again: GET and HEAD, and the
// installation token request (a POST, but sending it twice only mints a
// second token). Other POST, PATCH, PUT and DELETE requests may have been
// applied by GitHub even when the answer was a 502, so they are never
// repeated. A request whose body cannot be rewound is not retried either.
func retryable(req *http.Request) bool {
	switch {
	case req.Method == http.MethodGet || req.Method == http.MethodHead:
	case isTokenRequest(req):
	default:
		return false
	}
	return req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
}

// isTokenRequest reports whether req asks for an installation token:
// POST .../app/installations/{installation_id}/access_tokens.
func isTokenRequest(req *http.Request) bool {
	if req.Method != http.MethodPost {
		return false
	}
	segs := strings.Split(strings.TrimSuffix(req.URL.Path, "/"), "/")
	n := len(segs)
	return n >= 4 && segs[n-1] == "access_tokens" && segs[n-3] == "installations" && segs[n-4] == "app"
}

// transient reports whether a response or error is worth another try.
func transient(resp *http.Response, err error) bool {
	if err != nil {
		return true
	}
	switch resp.StatusCode {
	case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// backoff returns base·2^attempt, capped, with ±50% jitter so that many
// workers do not retry in step.
func backoff(base time.Duration, attempt int) time.Duration {
	d := base
	for i := 0; i < attempt && d < maxBackoff; i++ {
		d *= 2
	}
	d = min(d, maxBackoff)
	if d <= 1 {
		return d
	}
	return d/2 + rand.N(d)
}

// discard drains (up to a limit) and closes a response body so that the
// connection can be reused.
func discard(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
}
