package ghclient

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/bradleyfalzon/ghinstallation/v2"
)

// DefaultTokenFailureWait is how long, by default, an installation whose
// token GitHub failed to mint (a 5xx of the token endpoint, after the
// retries of retryTransport) is not asked for one again. Meanwhile its
// requests fail at once with that error, which is not permanent: the job
// is retried later (River's backoff: 1 s, 16 s, …) instead of every job of
// a broken installation holding a worker through the token request and
// its retries, while the other installations wait for workers.
const DefaultTokenFailureWait = 10 * time.Second

// tokenFailed is the installation's recent token failure, if any, as the
// error of a request not sent.
func (l *limiter) tokenFailed(in *installation) error {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.tokenErr == nil {
		return nil
	}
	since := l.now().Sub(in.failedAt)
	if since >= l.tokenWait {
		in.tokenErr = nil
		return nil
	}
	return fmt.Errorf("installation %d: its token could not be obtained %s ago; not asked again for %s: %w",
		in.id, since.Round(time.Millisecond), (l.tokenWait - since).Round(time.Millisecond), in.tokenErr)
}

// noteToken remembers err if it is GitHub failing to mint the token (5xx).
// A refused token (401: a clock or key problem, retried by the job; 403 or
// 404: suspended or uninstalled, permanent) is not kept: each job sees
// GitHub's own answer.
func (l *limiter) noteToken(in *installation, err error) {
	var tokenErr *ghinstallation.HTTPError
	if err == nil || !errors.As(err, &tokenErr) || tokenErr.Response == nil || tokenErr.Response.StatusCode < http.StatusInternalServerError {
		return
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	in.tokenErr, in.failedAt = tokenErr, l.now()
}
