package ghclient

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/bradleyfalzon/ghinstallation/v2"
	"github.com/google/go-github/v66/github"
)

const (
	// defaultRateLimitWait is the wait for a rate limit that does not say
	// how long it lasts (GitHub's advice for secondary limits: a minute).
	defaultRateLimitWait = time.Minute
	// minRateLimitWait keeps a reset that has (nearly) passed, or a clock
	// behind GitHub's, from turning into an immediate retry loop.
	minRateLimitWait = time.Second
	// maxRateLimitWait bounds a wait taken from a header: GitHub's rate
	// limit windows are one hour.
	maxRateLimitWait = time.Hour
	// resetBuffer is added to waits computed from a reset time, for skew
	// between our clock and GitHub's.
	resetBuffer = time.Second
)

// RetryAfter reports whether err is a GitHub rate limit, and how long to
// wait before trying again. It understands go-github's RateLimitError
// (primary limit: until Rate.Reset), AbuseRateLimitError (secondary limit:
// RetryAfter, a minute when absent), an ErrorResponse or a ghinstallation
// token error whose 403 or 429 response carries Retry-After or
// X-RateLimit-Remaining: 0, any 429, and our own ContentBudgetError (a
// request held back to stay under the limit). err may be wrapped (%w).
func RetryAfter(err error, now time.Time) (time.Duration, bool) {
	if err == nil {
		return 0, false
	}
	var budget *ContentBudgetError
	if errors.As(err, &budget) {
		return clampWait(budget.Wait), true
	}
	var primary *github.RateLimitError
	if errors.As(err, &primary) {
		if !primary.Rate.Reset.Time.IsZero() {
			return clampWait(primary.Rate.Reset.Time.Sub(now) + resetBuffer), true
		}
		if d, ok := rateLimitWait(primary.Response, now); ok {
			return d, true
		}
		return defaultRateLimitWait, true
	}
	var secondary *github.AbuseRateLimitError
	if errors.As(err, &secondary) {
		if secondary.RetryAfter != nil {
			return clampWait(*secondary.RetryAfter), true
		}
		if d, ok := rateLimitWait(secondary.Response, now); ok {
			return d, true
		}
		return defaultRateLimitWait, true
	}
	if resp := errorHTTPResponse(err); resp != nil {
		return rateLimitWait(resp, now)
	}
	return 0, false
}

// TokenRejectedAttempts is the attempt of a job from which a 401 of the
// installation token endpoint is taken as permanent. Before that it is
// retried: GitHub refuses an app JWT whose iat or exp is off by more than
// its tolerance (a clock behind or ahead of GitHub's), and a private key
// just rotated may not be accepted everywhere at once.
// https://docs.github.com/apps/creating-github-apps/authenticating-with-a-github-app/generating-a-json-web-token-jwt-for-a-github-app
const TokenRejectedAttempts = 3

// PermanentAt reports whether err, returned by the attempt-th try of a
// job (1 for the first), is permanent: as Permanent, and a 401 from the
// installation token endpoint from attempt TokenRejectedAttempts on.
func PermanentAt(err error, attempt int) bool {
	if tokenRejected(err) {
		return attempt >= TokenRejectedAttempts
	}
	return Permanent(err)
}

// tokenRejected reports whether err is the installation token endpoint
// answering 401 to the app's JWT.
func tokenRejected(err error) bool {
	var tokenErr *ghinstallation.HTTPError
	return errors.As(err, &tokenErr) && tokenErr.Response != nil && tokenErr.Response.StatusCode == http.StatusUnauthorized
}

// NotFound reports whether err is GitHub answering 404: what was looked up
// (a user, a team, a membership) does not exist or is not visible. It is
// the only error that means "no"; a rate limit, a 5xx or a connection
// error says nothing about the answer. err may be wrapped (%w).
func NotFound(err error) bool {
	resp := errorHTTPResponse(err)
	return resp != nil && resp.StatusCode == http.StatusNotFound
}

// Permanent reports whether retrying cannot fix err: a 4xx answer other
// than a rate limit, 408, 409 or 429 (bad credentials, no access, not
// found, validation failed), the installation token endpoint refusing the
// app with 404 (app uninstalled), or a request that could not even be
// built. Rate limits, 5xx, AcceptedError, context cancellation and
// deadlines, connection errors and unknown errors are not permanent, nor
// is a 401 of the token endpoint, which a job retries a few times
// (PermanentAt). err may be wrapped (%w).
func Permanent(err error) bool {
	if err == nil || tokenRejected(err) {
		return false
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	if _, limited := RetryAfter(err, time.Now()); limited {
		return false
	}
	var accepted *github.AcceptedError
	if errors.As(err, &accepted) {
		return false
	}
	var twoFactor *github.TwoFactorAuthError
	if errors.As(err, &twoFactor) {
		return true
	}
	if resp := errorHTTPResponse(err); resp != nil {
		return permanentStatus(resp.StatusCode)
	}
	if errors.Is(err, github.ErrPathForbidden) || errors.Is(err, github.ErrBranchNotProtected) {
		return true
	}
	// A request that cannot be built will never be built: a URL that
	// does not parse, a body that does not encode.
	var urlErr *url.Error
	if errors.As(err, &urlErr) && urlErr.Op == "parse" {
		return true
	}
	var unsupportedType *json.UnsupportedTypeError
	var unsupportedValue *json.UnsupportedValueError
	var marshaler *json.MarshalerError
	if errors.As(err, &unsupportedType) || errors.As(err, &unsupportedValue) || errors.As(err, &marshaler) {
		return true
	}
	return false
}

// errorHTTPResponse returns the GitHub response inside err, if err is a
// go-github ErrorResponse or a ghinstallation token error with a response.
func errorHTTPResponse(err error) *http.Response {
	var errResp *github.ErrorResponse
	if errors.As(err, &errResp) && errResp.Response != nil {
		return errResp.Response
	}
	var tokenErr *ghinstallation.HTTPError
	if errors.As(err, &tokenErr) && tokenErr.Response != nil {
		return tokenErr.Response
	}
	return nil
}

func permanentStatus(code int) bool {
	switch code {
	case http.StatusRequestTimeout, http.StatusConflict, http.StatusTooManyRequests:
		return false
	}
	return code >= 400 && code < 500
}

// rateLimitWait reads a rate limit from a 403 or 429 response: Retry-After
// (seconds or an HTTP date) wins, then X-RateLimit-Remaining: 0 with
// X-RateLimit-Reset; a 429 without either is a rate limit of unknown
// length.
func rateLimitWait(resp *http.Response, now time.Time) (time.Duration, bool) {
	if resp == nil || (resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusTooManyRequests) {
		return 0, false
	}
	if v := resp.Header.Get("Retry-After"); v != "" {
		if secs, err := strconv.ParseInt(v, 10, 64); err == nil && secs >= 0 {
			if secs > int64(maxRateLimitWait/time.Second) {
				return maxRateLimitWait, true
			}
			return clampWait(time.Duration(secs) * time.Second), true
		}
		if at, err := http.ParseTime(v); err == nil {
			return clampWait(at.Sub(now)), true
		}
		return defaultRateLimitWait, true
	}
	if resp.Header.Get("X-RateLimit-Remaining") == "0" {
		if reset, err := strconv.ParseInt(resp.Header.Get("X-RateLimit-Reset"), 10, 64); err == nil {
			return clampWait(time.Unix(reset, 0).Sub(now) + resetBuffer), true
		}
		return defaultRateLimitWait, true
	}
	if resp.StatusCode == http.StatusTooManyRequests {
		return defaultRateLimitWait, true
	}
	return 0, false
}

func clampWait(d time.Duration) time.Duration {
	return min(max(d, minRateLimitWait), maxRateLimitWait)
}

// AlreadyExists reports GitHub refusing to create something because it
// exists: 422 Validation Failed with an error of code already_exists (a
// label's name, for one), as after a create whose response was lost. Any
// other 422 is not.
func AlreadyExists(err error) bool {
	var e *github.ErrorResponse
	if !errors.As(err, &e) || e.Response == nil || e.Response.StatusCode != http.StatusUnprocessableEntity {
		return false
	}
	for _, fe := range e.Errors {
		if fe.Code == "already_exists" {
			return true
		}
	}
	return false
}

// Status is the HTTP status of GitHub's answer inside err (a go-github
// ErrorResponse), or 0.
func Status(err error) int {
	var e *github.ErrorResponse
	if errors.As(err, &e) && e.Response != nil {
		return e.Response.StatusCode
	}
	return 0
}
