package githubfake

import (
	"math"
	"net/http"
	"strconv"
	"time"
)

// GitHub's secondary rate limit on content creation, per installation.
//
// https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits
// lists among the secondary limits: "Make too many requests that create
// content on GitHub in a short amount of time. In general, no more than 80
// content-generating requests per minute and no more than 500
// content-generating requests per hour are allowed. Some endpoints have
// lower content creation limits." And
// https://docs.github.com/rest/using-the-rest-api/troubleshooting-the-rest-api#rate-limit-errors:
// "If you exceed a secondary rate limit, you will receive a 403 Forbidden or
// 429 Too Many Requests response and an error message that indicates that
// you exceeded a secondary rate limit. [...] If the retry-after response
// header is present, you should not retry your request until after that
// many seconds has elapsed."
//
// The fake answers 403 with Retry-After (the time until the window has room
// again) and the message GitHub gives for content creation. The windows
// slide (GitHub does not say how it counts; a sliding window is the
// strictest reading) and are counted per installation, whatever token of it
// is used: a new token does not reset them.
const (
	DefaultContentPerMinute = 80
	DefaultContentPerHour   = 500
)

// contentGenerating is what the fake counts as a content-generating request.
// GitHub does not list them; the fake counts every write that creates or
// changes what people read and are notified of: issues (created and
// edited, closing included), issue comments (created and edited), labels
// (created, edited, added to or set on an issue), check runs (created and
// updated) and reactions. Deletions, repository settings (PATCH of the
// repository, its topics) and the app's own endpoints (tokens) are not
// counted. Counting more than GitHub may is the safe side for a fake: a bot
// that stays under it stays under GitHub's.
var contentGenerating = map[string]bool{
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

// ContentGenerating reports whether a request with the method to the route
// template (GitHub's, e.g. /repos/{owner}/{repo}/issues) counts against the
// secondary limit on content creation.
func ContentGenerating(method, template string) bool {
	return contentGenerating[method+" "+template]
}

// contentLimits counts content-generating requests per installation.
type contentLimits struct {
	times   map[int64][]time.Time // per installation, oldest first, within the hour window
	refused int
}

// ContentRefusals is how many requests the fake refused for exceeding the
// secondary limit on content creation.
func (f *Fake) ContentRefusals() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.content.refused
}

// checkContentLimit answers GitHub's secondary rate limit reply when an
// installation's content-generating request would exceed
// Options.ContentPerMinute in Options.ContentMinute or
// Options.ContentPerHour in Options.ContentHour, and counts it otherwise.
// f.mu is held.
func (f *Fake) checkContentLimit(c *call) *reply {
	if c.tok == nil || c.route == nil || !ContentGenerating(c.req.Method, c.route.template) {
		return nil
	}
	if f.content.times == nil {
		f.content.times = map[int64][]time.Time{}
	}
	now := f.now()
	id := c.tok.inst.id
	times := f.content.times[id]
	drop := 0
	for drop < len(times) && !times[drop].After(now.Add(-f.opts.ContentHour)) {
		drop++
	}
	times = times[drop:]
	f.content.times[id] = times
	// The request that would be one too many frees when the oldest of the
	// window's requests leaves it.
	wait := time.Duration(0)
	if n := len(times); n >= f.opts.ContentPerHour {
		wait = times[n-f.opts.ContentPerHour].Add(f.opts.ContentHour).Sub(now)
	}
	minuteFrom := now.Add(-f.opts.ContentMinute)
	inMinute := 0
	for i := len(times) - 1; i >= 0 && times[i].After(minuteFrom); i-- {
		inMinute++
	}
	if inMinute >= f.opts.ContentPerMinute {
		wait = max(wait, times[len(times)-f.opts.ContentPerMinute].Add(f.opts.ContentMinute).Sub(now))
	}
	if wait > 0 {
		f.content.refused++
		c.header.Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
		rep := jsonReply(http.StatusForbidden, ghError{
			Message:          "You have exceeded a secondary rate limit and have been temporarily blocked from content creation. Please retry your request again later. If you reach out to GitHub Support for help, please include the request ID FAKE.",
			DocumentationURL: "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
			Status:           "403",
		})
		return &rep
	}
	f.content.times[id] = append(times, now)
	return nil
}
