package jobs

import (
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/bradleyfalzon/ghinstallation/v2"
	"github.com/google/go-github/v66/github"
	"github.com/riverqueue/river/rivertype"

	"github.com/ospo-bot/ospo-bot/internal/ghclient"
)

func TestSettle(t *testing.T) {
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	resp := func(code int, h http.Header) *http.Response {
		if h == nil {
			h = http.Header{}
		}
		return &http.Response{StatusCode: code, Header: h, Request: &http.Request{Method: "GET"}}
	}
	secondary := time.Duration(42) * time.Second
	tokenRefused := &ghinstallation.HTTPError{Message: "could not refresh installation id 1's token", Response: resp(401, nil)}
	for _, tc := range []struct {
		name    string
		err     error
		attempt int
		want    string // ok, snooze, cancel, retry
		final   bool
	}{
		{"success", nil, 1, "ok", true},
		{"secondary rate limit", fmt.Errorf("list: %w", &github.AbuseRateLimitError{Response: resp(403, nil), RetryAfter: &secondary}), 1, "snooze", false},
		{"rate limit on the last attempt still waits", &github.RateLimitError{Rate: github.Rate{Reset: github.Timestamp{Time: now.Add(time.Hour)}}, Response: resp(403, nil)}, 25, "snooze", false},
		{"not found", &github.ErrorResponse{Response: resp(404, nil)}, 1, "cancel", true},
		{"unreadable payload", permanent("read payload: %v", errors.New("bad json")), 1, "cancel", true},
		{"bad gateway", &github.ErrorResponse{Response: resp(502, nil)}, 1, "retry", false},
		{"bad gateway, attempts used up", &github.ErrorResponse{Response: resp(502, nil)}, 25, "retry", true},
		{"token refused, first attempt", fmt.Errorf("get repo: %w", tokenRefused), 1, "retry", false},
		{"token refused, second attempt", fmt.Errorf("get repo: %w", tokenRefused), ghclient.TokenRejectedAttempts - 1, "retry", false},
		{"token refused, attempts for it used up", fmt.Errorf("get repo: %w", tokenRefused), ghclient.TokenRejectedAttempts, "cancel", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := settle(tc.err, &rivertype.JobRow{Attempt: tc.attempt, MaxAttempts: 25}, now)
			var snooze *rivertype.JobSnoozeError
			var cancel *rivertype.JobCancelError
			got := "retry"
			switch {
			case v.err == nil:
				got = "ok"
			case errors.As(v.err, &snooze):
				got = "snooze"
				if tc.name == "secondary rate limit" && snooze.Duration != secondary {
					t.Errorf("snooze %s, want %s", snooze.Duration, secondary)
				}
			case errors.As(v.err, &cancel):
				got = "cancel"
			}
			if got != tc.want || v.final != tc.final {
				t.Fatalf("settle = %s final=%v (%s), want %s final=%v", got, v.final, v.note, tc.want, tc.final)
			}
			if tc.err != nil && v.note == "" {
				t.Error("no note for the record")
			}
		})
	}
}
