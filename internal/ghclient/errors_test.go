package ghclient

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/bradleyfalzon/ghinstallation/v2"
	"github.com/google/go-github/v66/github"
)

// respond returns a handler that answers every request with status,
// headers and body.
func respond(status int, body string, headers ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i+1 < len(headers); i += 2 {
			w.Header().Set(headers[i], headers[i+1])
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		fmt.Fprint(w, body)
	}
}

// plainClient is a bare go-github client for srv, without our stack, so
// that each answer reaches go-github exactly once.
func plainClient(t *testing.T, h http.Handler) *github.Client {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	client, err := github.NewClient(nil).WithEnterpriseURLs(srv.URL+"/", srv.URL+"/")
	if err != nil {
		t.Fatal(err)
	}
	client.BaseURL.Path = "/" // WithEnterpriseURLs appends api/v3/
	return client
}

// getRepo makes one go-github call against a server answering with h.
func getRepo(t *testing.T, h http.Handler) error {
	t.Helper()
	_, _, err := plainClient(t, h).Repositories.Get(context.Background(), "o", "r")
	if err == nil {
		t.Fatal("want an error")
	}
	return err
}

// tokenError makes an installation call through our stack against a
// token endpoint answering status (with headers).
func tokenError(t *testing.T, status int, headers ...string) error {
	t.Helper()
	f := newFakeGitHub(t, "/api/v3", nil)
	f.failTokens([]int{status}, headers...)
	cfg := testConfig(f)
	cfg.MaxRetries = -1
	cc, err := NewClientCreator(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	client, err := cc.NewInstallationClient(11)
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = client.Repositories.Get(context.Background(), "o", "r")
	if err == nil {
		t.Fatal("want an error")
	}
	return err
}

const secondaryBody = `{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",` +
	`"documentation_url":"https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"}`

func TestRetryAfterAndPermanent(t *testing.T) {
	reset := time.Now().Add(2 * time.Minute).Truncate(time.Second)
	resetHeader := strconv.FormatInt(reset.Unix(), 10)
	atReset := func(before time.Duration) time.Time { return reset.Add(-before) }

	var (
		rateLimit *github.RateLimitError
		abuse     *github.AbuseRateLimitError
		errResp   *github.ErrorResponse
		accepted  *github.AcceptedError
		tokenErr  *ghinstallation.HTTPError
	)
	for _, tc := range []struct {
		name          string
		err           func(t *testing.T) error
		now           time.Time
		as            any // the go-github type the call must produce, or nil
		wantWait      time.Duration
		wantLimited   bool
		wantPermanent bool
	}{
		{
			name:        "secondary limit with Retry-After: 7",
			err:         func(t *testing.T) error { return getRepo(t, respond(403, secondaryBody, "Retry-After", "7")) },
			as:          &abuse,
			wantWait:    7 * time.Second,
			wantLimited: true,
		},
		{
			name:        "secondary limit without Retry-After",
			err:         func(t *testing.T) error { return getRepo(t, respond(403, secondaryBody)) },
			as:          &abuse,
			wantWait:    time.Minute,
			wantLimited: true,
		},
		{
			name: "primary limit: 403, remaining 0, reset",
			err: func(t *testing.T) error {
				return getRepo(t, respond(403, `{"message":"API rate limit exceeded"}`,
					"X-RateLimit-Limit", "5000", "X-RateLimit-Remaining", "0", "X-RateLimit-Reset", resetHeader))
			},
			now:         atReset(120 * time.Second),
			as:          &rateLimit,
			wantWait:    121 * time.Second, // until the reset, plus a second for clock skew
			wantLimited: true,
		},
		{
			name: "primary limit known before the request",
			err: func(t *testing.T) error {
				client := plainClient(t, respond(403, `{"message":"API rate limit exceeded"}`,
					"X-RateLimit-Limit", "5000", "X-RateLimit-Remaining", "0", "X-RateLimit-Reset", resetHeader))
				_, _, _ = client.Repositories.Get(context.Background(), "o", "r")
				_, _, err := client.Issues.Get(context.Background(), "o", "r", 1)
				return err
			},
			now:         atReset(30 * time.Second),
			as:          &rateLimit,
			wantWait:    31 * time.Second,
			wantLimited: true,
		},
		{
			name: "403 with Retry-After but no documentation URL",
			err: func(t *testing.T) error {
				return getRepo(t, respond(403, `{"message":"slow down"}`, "Retry-After", "15"))
			},
			as:          &errResp,
			wantWait:    15 * time.Second,
			wantLimited: true,
		},
		{
			name: "429 with Retry-After",
			err: func(t *testing.T) error {
				return getRepo(t, respond(429, `{"message":"Too Many Requests"}`, "Retry-After", "30"))
			},
			as:          &errResp,
			wantWait:    30 * time.Second,
			wantLimited: true,
		},
		{
			name: "429 with remaining 0 and reset",
			err: func(t *testing.T) error {
				return getRepo(t, respond(429, `{"message":"Too Many Requests"}`, "X-RateLimit-Remaining", "0", "X-RateLimit-Reset", resetHeader))
			},
			now:         atReset(10 * time.Second),
			as:          &errResp,
			wantWait:    11 * time.Second,
			wantLimited: true,
		},
		{
			name:        "429 without headers",
			err:         func(t *testing.T) error { return getRepo(t, respond(429, `{"message":"Too Many Requests"}`)) },
			as:          &errResp,
			wantWait:    time.Minute,
			wantLimited: true,
		},
		{
			name: "429 with a huge Retry-After is capped",
			err: func(t *testing.T) error {
				return getRepo(t, respond(429, `{"message":"Too Many Requests"}`, "Retry-After", "99999999999"))
			},
			as:          &errResp,
			wantWait:    time.Hour,
			wantLimited: true,
		},
		{
			name: "403 not accessible by integration",
			err: func(t *testing.T) error {
				return getRepo(t, respond(403, `{"message":"Resource not accessible by integration"}`, "X-RateLimit-Remaining", "4000"))
			},
			as:            &errResp,
			wantPermanent: true,
		},
		{
			name:          "401 bad credentials",
			err:           func(t *testing.T) error { return getRepo(t, respond(401, `{"message":"Bad credentials"}`)) },
			as:            &errResp,
			wantPermanent: true,
		},
		{
			name:          "404",
			err:           func(t *testing.T) error { return getRepo(t, respond(404, `{"message":"Not Found"}`)) },
			as:            &errResp,
			wantPermanent: true,
		},
		{
			name: "422",
			err: func(t *testing.T) error {
				return getRepo(t, respond(422, `{"message":"Validation Failed","errors":[{"resource":"Label","code":"invalid","field":"name"}]}`))
			},
			as:            &errResp,
			wantPermanent: true,
		},
		{
			name: "422 wrapped twice",
			err: func(t *testing.T) error {
				err := getRepo(t, respond(422, `{"message":"Validation Failed"}`))
				return fmt.Errorf("review issue: %w", fmt.Errorf("create: %w", err))
			},
			as:            &errResp,
			wantPermanent: true,
		},
		{
			name: "408",
			err:  func(t *testing.T) error { return getRepo(t, respond(408, `{"message":"Request Timeout"}`)) },
			as:   &errResp,
		},
		{
			name: "409",
			err:  func(t *testing.T) error { return getRepo(t, respond(409, `{"message":"Conflict"}`)) },
			as:   &errResp,
		},
		{
			name: "500",
			err:  func(t *testing.T) error { return getRepo(t, respond(500, `{"message":"Server Error"}`)) },
			as:   &errResp,
		},
		{
			name: "502 after our retries",
			err: func(t *testing.T) error {
				f := newFakeGitHub(t, "", respond(502, `{"message":"Bad Gateway"}`))
				cc, err := NewClientCreator(testConfig(f), nil)
				if err != nil {
					t.Fatal(err)
				}
				client, _ := cc.NewInstallationClient(1)
				_, _, err = client.Repositories.Get(context.Background(), "o", "r")
				return err
			},
			as: &errResp,
		},
		{
			name: "202 accepted",
			err: func(t *testing.T) error {
				_, _, err := plainClient(t, respond(202, `{}`)).Repositories.ListContributorsStats(context.Background(), "o", "r")
				return err
			},
			as: &accepted,
		},
		{
			// A skewed clock or a key being rotated: retried a few times
			// before it is taken as permanent (see PermanentAt).
			name: "token endpoint 401: wrong app id or key, or a skewed clock",
			err:  func(t *testing.T) error { return tokenError(t, 401) },
			as:   &tokenErr,
		},
		{
			name:          "token endpoint 404: app uninstalled",
			err:           func(t *testing.T) error { return tokenError(t, 404) },
			as:            &tokenErr,
			wantPermanent: true,
		},
		{
			name: "token endpoint 500",
			err:  func(t *testing.T) error { return tokenError(t, 500) },
			as:   &tokenErr,
		},
		{
			name: "token endpoint 503",
			err:  func(t *testing.T) error { return tokenError(t, 503) },
			as:   &tokenErr,
		},
		{
			name:        "token endpoint 403 with Retry-After",
			err:         func(t *testing.T) error { return tokenError(t, 403, "Retry-After", "20") },
			as:          &tokenErr,
			wantWait:    20 * time.Second,
			wantLimited: true,
		},
		{
			name: "context canceled",
			err: func(t *testing.T) error {
				ctx, cancel := context.WithCancel(context.Background())
				cancel()
				_, _, err := plainClient(t, respond(200, `{}`)).Repositories.Get(ctx, "o", "r")
				return err
			},
		},
		{
			name: "connection refused",
			err: func(t *testing.T) error {
				srv := httptest.NewServer(respond(200, `{}`))
				srv.Close()
				client, _ := github.NewClient(nil).WithEnterpriseURLs(srv.URL+"/", srv.URL+"/")
				_, _, err := client.Repositories.Get(context.Background(), "o", "r")
				return err
			},
		},
		{
			name: "malformed request URL",
			err: func(t *testing.T) error {
				_, _, err := plainClient(t, respond(200, `{}`)).Repositories.Get(context.Background(), "o", "%zz")
				return err
			},
			wantPermanent: true,
		},
		{
			name: "unknown error",
			err:  func(*testing.T) error { return errors.New("boom") },
		},
		{
			name: "nil",
			err:  func(*testing.T) error { return nil },
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.err(t)
			if tc.as != nil && !errors.As(err, tc.as) {
				t.Fatalf("the call produced %T (%v), not %T: the case does not test what it says", err, err, tc.as)
			}
			now := tc.now
			if now.IsZero() {
				now = time.Now()
			}
			wait, limited := RetryAfter(err, now)
			if limited != tc.wantLimited || wait != tc.wantWait {
				t.Errorf("RetryAfter(%v) = %v, %v; want %v, %v", err, wait, limited, tc.wantWait, tc.wantLimited)
			}
			if got := Permanent(err); got != tc.wantPermanent {
				t.Errorf("Permanent(%v) = %v, want %v", err, got, tc.wantPermanent)
			}
		})
	}
}
