package ghclient

import (
	"context"
	"fmt"
	"net/http"
	"time"
)

// Budget hands out slots for content-generating requests, per installation
// and across replicas, so that they stay under GitHub's secondary limit on
// content creation (80 a minute, 500 an hour). *store.Store implements it
// (store/budget.go). ReserveContent takes a slot at now and returns 0, or
// takes none and returns how long until one frees; background work has a
// lower ceiling than interactive work.
type Budget interface {
	ReserveContent(ctx context.Context, installationID int64, background bool, now time.Time) (wait time.Duration, err error)
}

// maxBudgetSleep is the longest wait for a content slot spent in place;
// a longer one ends the request with a ContentBudgetError, which RetryAfter
// turns into a snooze of the job.
const maxBudgetSleep = time.Second

type backgroundKey struct{}

// WithBackground marks the requests made with ctx as background work (the
// checks of a whole org, the review issues they open): they stop at the
// budget's lower ceiling, leaving the rest to pull requests and replies.
func WithBackground(ctx context.Context) context.Context {
	return context.WithValue(ctx, backgroundKey{}, true)
}

func isBackground(ctx context.Context) bool {
	b, _ := ctx.Value(backgroundKey{}).(bool)
	return b
}

// ContentBudgetError is a content-generating request that was not sent:
// its installation's content budget has no slot free for Wait. The request
// is queued, not refused: RetryAfter reports Wait, so the job snoozes
// without using up an attempt.
type ContentBudgetError struct {
	InstallationID int64
	Wait           time.Duration
}

func (e *ContentBudgetError) Error() string {
	return fmt.Sprintf("installation %d has used its budget of GitHub content requests for now (GitHub allows 80 a minute, 500 an hour): waiting %s for a slot",
		e.InstallationID, e.Wait.Round(time.Millisecond))
}

// contentRoutes are the content-generating requests, by method and route
// template: every write that creates or changes what people read, the
// same list as the fake GitHub's (githubfake/secondary.go, which cites
// GitHub's docs; a test keeps the two equal).
var contentRoutes = map[string]bool{
	"POST /repos/{owner}/{repo}/issues":                                 true,
	"PATCH /repos/{owner}/{repo}/issues/{issue_number}":                 true,
	"POST /repos/{owner}/{repo}/issues/{issue_number}/comments":         true,
	"PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}":          true,
	"POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions": true,
	"POST /repos/{owner}/{repo}/labels":                                 true,
	"PATCH /repos/{owner}/{repo}/labels/{name}":                         true,
	"POST /repos/{owner}/{repo}/issues/{issue_number}/labels":           true,
	"PUT /repos/{owner}/{repo}/issues/{issue_number}/labels":            true,
	"POST /repos/{owner}/{repo}/check-runs":                             true,
	"PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}":             true,
}

// budgetTransport takes a content slot before each content-generating
// request of one installation.
type budgetTransport struct {
	next   http.RoundTripper
	budget Budget
	id     int64
	routes *routeTable
	prefix string
}

func (t *budgetTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method == http.MethodGet || req.Method == http.MethodHead ||
		!contentRoutes[req.Method+" "+t.routes.Match(stripPrefix(req.URL.EscapedPath(), t.prefix))] {
		return t.next.RoundTrip(req)
	}
	ctx := req.Context()
	background := isBackground(ctx)
	for {
		wait, err := t.budget.ReserveContent(ctx, t.id, background, time.Now())
		if err == nil && wait == 0 {
			return t.next.RoundTrip(req)
		}
		if err == nil && wait > maxBudgetSleep {
			err = &ContentBudgetError{InstallationID: t.id, Wait: wait}
		}
		if err == nil {
			timer := time.NewTimer(wait)
			select {
			case <-timer.C:
				continue
			case <-ctx.Done():
				timer.Stop()
				err = ctx.Err()
			}
		}
		if req.Body != nil {
			req.Body.Close() // a RoundTripper closes the body, even on errors
		}
		return nil, err
	}
}
