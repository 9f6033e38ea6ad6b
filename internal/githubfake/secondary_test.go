package githubfake

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-github/v66/github"
)

// createIssue creates an issue with the world's token and returns the status.
func (w *world) createIssue(t *testing.T, n int) *http.Response {
	t.Helper()
	resp, _ := w.do(t, "POST", "/repos/acme/widgets/issues", fmt.Sprintf(`{"title":"issue %d"}`, n))
	return resp
}

func TestContentLimitPerMinute(t *testing.T) {
	// The fake's clock stands still but for Advance: however long the 80
	// creations take on a loaded machine, the 81st comes 30 s into the
	// minute.
	start := time.Now()
	w := newWorld(t, Options{Now: func() time.Time { return start }})
	for i := range DefaultContentPerMinute {
		if resp := w.createIssue(t, i); resp.StatusCode != http.StatusCreated {
			t.Fatalf("creation %d: %d, want 201", i+1, resp.StatusCode)
		}
		// Reads are not content: they never count.
		if resp, _ := w.do(t, "GET", "/repos/acme/widgets/issues", ""); resp.StatusCode != http.StatusOK {
			t.Fatalf("GET: %d", resp.StatusCode)
		}
	}
	w.f.Advance(30 * time.Second)
	// The 81st in the minute, by any token of the installation and on any
	// content route, is refused as GitHub does.
	_, _, err := w.client(t).Issues.CreateComment(context.Background(), "acme", "widgets", w.issue.Number, &github.IssueComment{Body: github.String("hi")})
	var abuse *github.AbuseRateLimitError
	if !errors.As(err, &abuse) || abuse.RetryAfter == nil || *abuse.RetryAfter != 30*time.Second {
		t.Fatalf("81st creation: %v, want a secondary rate limit with Retry-After 30s", err)
	}
	if abuse.Response.StatusCode != http.StatusForbidden {
		t.Errorf("status %d, want 403", abuse.Response.StatusCode)
	}
	if got := w.f.ContentRefusals(); got != 1 {
		t.Errorf("ContentRefusals = %d, want 1", got)
	}
	if resp, _ := w.do(t, "GET", "/repos/acme/widgets/issues/1", ""); resp.StatusCode != http.StatusOK {
		t.Errorf("a GET while content is limited: %d, want 200", resp.StatusCode)
	}
	// A refused request is not counted: once the first creations are a
	// minute old there is room again.
	w.f.Advance(30 * time.Second)
	if resp := w.createIssue(t, 81); resp.StatusCode != http.StatusCreated {
		t.Errorf("creation a minute later: %d, want 201", resp.StatusCode)
	}
}

func TestContentLimitPerHour(t *testing.T) {
	// Compressed windows: a "minute" of one second, an "hour" of ten.
	w := newWorld(t, Options{ContentMinute: time.Second, ContentHour: 10 * time.Second})
	for i := range DefaultContentPerHour {
		if i > 0 && i%DefaultContentPerMinute == 0 {
			w.f.Advance(time.Second)
		}
		if resp := w.createIssue(t, i); resp.StatusCode != http.StatusCreated {
			t.Fatalf("creation %d: %d, want 201", i+1, resp.StatusCode)
		}
	}
	w.f.Advance(time.Second) // the minute has room; the hour has not
	resp := w.createIssue(t, DefaultContentPerHour)
	if resp.StatusCode != http.StatusForbidden || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("501st creation in the hour: %d (Retry-After %q), want 403 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	w.f.Advance(10 * time.Second)
	if resp := w.createIssue(t, DefaultContentPerHour+1); resp.StatusCode != http.StatusCreated {
		t.Errorf("creation an hour later: %d, want 201", resp.StatusCode)
	}
}

func TestContentGenerating(t *testing.T) {
	for _, tc := range []struct {
		method, template string
		want             bool
	}{
		{"POST", "/repos/{owner}/{repo}/issues", true},
		{"PATCH", "/repos/{owner}/{repo}/issues/{issue_number}", true},
		{"POST", "/repos/{owner}/{repo}/issues/{issue_number}/comments", true},
		{"POST", "/repos/{owner}/{repo}/check-runs", true},
		{"PATCH", "/repos/{owner}/{repo}/check-runs/{check_run_id}", true},
		{"POST", "/repos/{owner}/{repo}/issues/{issue_number}/labels", true},
		{"GET", "/repos/{owner}/{repo}/issues", false},
		{"DELETE", "/repos/{owner}/{repo}/issues/comments/{comment_id}", false},
		{"PATCH", "/repos/{owner}/{repo}", false},
		{"POST", "/app/installations/{installation_id}/access_tokens", false},
	} {
		if got := ContentGenerating(tc.method, tc.template); got != tc.want {
			t.Errorf("ContentGenerating(%s %s) = %v, want %v", tc.method, tc.template, got, tc.want)
		}
	}
	// Every counted route is one the fake serves.
	served := map[string]bool{}
	for _, r := range Routes() {
		served[r.Method+" "+r.Template] = true
	}
	for k := range contentGenerating {
		if !served[k] {
			t.Errorf("content route %s is not served", k)
		}
	}
}
