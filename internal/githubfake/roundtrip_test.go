package githubfake

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-github/v66/github"
	"github.com/gregjones/httpcache"
	"github.com/palantir/go-githubapp/githubapp"
)

// TestRoundTrip drives the fake the way the bot does: ghinstallation signs
// the app in, go-github makes the calls.
func TestRoundTrip(t *testing.T) {
	w := newWorld(t, Options{})
	ctx := context.Background()
	gh := w.client(t)
	f := w.f

	repos, _, err := gh.Apps.ListRepos(ctx, nil)
	if err != nil {
		t.Fatal(err, f.Violations())
	}
	if repos.GetTotalCount() != 1 || repos.Repositories[0].GetFullName() != "acme/widgets" ||
		repos.Repositories[0].GetLicense().GetSPDXID() != "Apache-2.0" {
		t.Fatalf("installation repositories: %+v", repos)
	}

	// Labels whose names contain a slash and a space, escaped as the bot must.
	for _, name := range []string{"kind/bug", "needs review"} {
		if _, resp, err := gh.Issues.CreateLabel(ctx, "acme", "widgets", &github.Label{Name: github.String(name), Color: github.String("d73a4a")}); err != nil || resp.StatusCode != 201 {
			t.Fatalf("CreateLabel %q: %v", name, err)
		}
		l, _, err := gh.Issues.GetLabel(ctx, "acme", "widgets", url.PathEscape(name))
		if err != nil || l.GetName() != name {
			t.Fatalf("GetLabel %q: %v %v", name, l, err)
		}
	}
	if _, _, err := gh.Issues.CreateLabel(ctx, "acme", "widgets", &github.Label{Name: github.String("Kind/Bug")}); !isStatus(err, 422) ||
		!strings.Contains(err.Error(), "already_exists") {
		t.Errorf("duplicate label: %v, want 422 already_exists", err)
	}
	if _, err := gh.Issues.DeleteLabel(ctx, "acme", "widgets", url.PathEscape("no such")); !isStatus(err, 404) {
		t.Errorf("deleting an unknown label: %v, want 404", err)
	}

	// go-github sends a bare JSON array of names here.
	labels, _, err := gh.Issues.AddLabelsToIssue(ctx, "acme", "widgets", w.issue.Number, []string{"kind/bug", "needs review", "new-one"})
	if err != nil || len(labels) != 3 {
		t.Fatalf("AddLabelsToIssue: %v %v", labels, err)
	}
	if _, err := gh.Issues.RemoveLabelForIssue(ctx, "acme", "widgets", w.issue.Number, url.PathEscape("needs review")); err != nil {
		t.Fatal(err)
	}
	if is, _ := f.Issue("acme", "widgets", w.issue.Number); !slices.Equal(is.Labels, []string{"kind/bug", "new-one"}) {
		t.Errorf("issue labels %v", is.Labels)
	}
	if got := f.Labels("acme", "widgets"); len(got) != 3 || got[2].Name != "new-one" || got[2].Color != "ededed" {
		t.Errorf("labels %+v (adding an unknown label creates it)", got)
	}

	// A check run, created and completed.
	head, _ := f.Branch("acme", "widgets", "main")
	run, resp, err := gh.Checks.CreateCheckRun(ctx, "acme", "widgets", github.CreateCheckRunOptions{
		Name: "ospo/policy", HeadSHA: head.SHA, Status: github.String("in_progress"),
		Actions: []*github.CheckRunAction{{Label: "Re-run", Description: "Check again", Identifier: "rerun"}},
	})
	if err != nil || resp.StatusCode != 201 || run.GetStatus() != "in_progress" || run.GetApp().GetID() != testAppID {
		t.Fatalf("CreateCheckRun: %+v %v", run, err)
	}
	run, _, err = gh.Checks.UpdateCheckRun(ctx, "acme", "widgets", run.GetID(), github.UpdateCheckRunOptions{
		Name: "ospo/policy", Conclusion: github.String("failure"),
		Output: &github.CheckRunOutput{Title: github.String("1 problem"), Summary: github.String("LICENSE missing")},
	})
	if err != nil || run.GetStatus() != "completed" || run.GetConclusion() != "failure" || run.CompletedAt == nil {
		t.Fatalf("UpdateCheckRun: %+v %v", run, err)
	}
	runs, _, err := gh.Checks.ListCheckRunsForRef(ctx, "acme", "widgets", "main", &github.ListCheckRunsOptions{CheckName: github.String("ospo/policy")})
	if err != nil || runs.GetTotal() != 1 || runs.CheckRuns[0].GetOutput().GetSummary() != "LICENSE missing" {
		t.Fatalf("ListCheckRunsForRef: %+v %v", runs, err)
	}
	if got := f.CheckRuns("acme", "widgets"); len(got) != 1 || got[0].Conclusion != "failure" || len(got[0].Actions) != 1 {
		t.Errorf("stored check runs %+v", got)
	}

	// A comment and a reaction, made by the app's bot.
	cm, _, err := gh.Issues.CreateComment(ctx, "acme", "widgets", w.issue.Number, &github.IssueComment{Body: github.String("<!-- ospo-bot -->\nPlease sign the CLA.")})
	if err != nil || cm.GetUser().GetLogin() != "ospo-bot[bot]" || cm.GetUser().GetType() != "Bot" || !strings.Contains(cm.GetHTMLURL(), "#issuecomment-") {
		t.Fatalf("CreateComment: %+v %v", cm, err)
	}
	cm, _, err = gh.Issues.EditComment(ctx, "acme", "widgets", cm.GetID(), &github.IssueComment{Body: github.String("<!-- ospo-bot -->\nThanks!")})
	if err != nil || cm.GetBody() != "<!-- ospo-bot -->\nThanks!" {
		t.Fatalf("EditComment: %v", err)
	}
	r1, resp1, err := gh.Reactions.CreateIssueCommentReaction(ctx, "acme", "widgets", cm.GetID(), "eyes")
	if err != nil || resp1.StatusCode != 201 {
		t.Fatalf("first reaction: %v %v", resp1, err)
	}
	r2, resp2, err := gh.Reactions.CreateIssueCommentReaction(ctx, "acme", "widgets", cm.GetID(), "eyes")
	if err != nil || resp2.StatusCode != 200 || r2.GetID() != r1.GetID() {
		t.Fatalf("repeated reaction: %v %v, want 200 and the same reaction", resp2, err)
	}
	comments := f.Comments("acme", "widgets", w.issue.Number)
	if len(comments) != 1 || comments[0].User != "ospo-bot[bot]" || len(comments[0].Reactions) != 1 {
		t.Errorf("stored comments %+v", comments)
	}

	// One token served every call, and the log names the installation.
	tokens := f.CountRequests(func(r Request) bool { return r.Route == "/app/installations/{installation_id}/access_tokens" })
	if tokens != 1 {
		t.Errorf("%d token requests, want 1", tokens)
	}
	for _, r := range f.Requests() {
		if r.Route != "/app/installations/{installation_id}/access_tokens" && r.InstallationID != w.inst.ID {
			t.Errorf("%s %s recorded installation %d", r.Method, r.Path, r.InstallationID)
		}
	}
	if n := f.CountRequests(func(r Request) bool {
		return r.Route == "/repos/{owner}/{repo}/labels/{name}" && r.Path == "/repos/acme/widgets/labels/kind/bug"
	}); n != 1 {
		t.Errorf("the escaped label was recorded %d times with its unescaped path, want 1", n)
	}
	f.CheckNoViolations(t)
}

func isStatus(err error, code int) bool {
	er, ok := err.(*github.ErrorResponse)
	return ok && er.Response.StatusCode == code
}

// TestETagWithClientCaching uses go-githubapp's caching client creator, as
// the bot does: the second GET is revalidated and answered 304.
func TestETagWithClientCaching(t *testing.T) {
	w := newWorld(t, Options{})
	var cfg githubapp.Config
	cfg.V3APIURL = w.f.URL()
	cfg.App.IntegrationID = testAppID
	cfg.App.PrivateKey = string(keyPEM(appKey(t)))
	cc, err := githubapp.NewDefaultCachingClientCreator(cfg,
		githubapp.WithClientCaching(true, func() httpcache.Cache { return httpcache.NewMemoryCache() }))
	if err != nil {
		t.Fatal(err)
	}
	gh, err := cc.NewInstallationClient(w.inst.ID)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for i := 0; i < 2; i++ {
		repo, _, err := gh.Repositories.Get(ctx, "acme", "widgets")
		if err != nil || repo.GetDefaultBranch() != "main" {
			t.Fatalf("Get #%d: %v %v", i, repo, err)
		}
	}
	var gets []Request
	for _, r := range w.f.Requests() {
		if r.Route == "/repos/{owner}/{repo}" {
			gets = append(gets, r)
		}
	}
	if len(gets) != 2 || gets[0].NotModified || !gets[1].NotModified || gets[1].Status != http.StatusNotModified {
		t.Errorf("repository GETs %+v, want 200 then 304", gets)
	}
	w.f.CheckNoViolations(t)
}

func TestETagAndRateLimitHeaders(t *testing.T) {
	w := newWorld(t, Options{RateLimit: 100})
	w.grant(t, "administration", "write") // replaces topics
	resp, body := w.do(t, "GET", "/repos/acme/widgets/topics", "")
	etag := resp.Header.Get("ETag")
	if resp.StatusCode != 200 || etag == "" || resp.Header.Get("Cache-Control") != "private, max-age=60, s-maxage=60" {
		t.Fatalf("first GET: %d %v", resp.StatusCode, resp.Header)
	}
	if resp.Header.Get("X-RateLimit-Limit") != "100" || resp.Header.Get("X-RateLimit-Remaining") != "99" ||
		resp.Header.Get("X-RateLimit-Used") != "1" || resp.Header.Get("X-RateLimit-Resource") != "core" || resp.Header.Get("X-RateLimit-Reset") == "" {
		t.Errorf("rate-limit headers %v", resp.Header)
	}
	resp, again := w.do(t, "GET", "/repos/acme/widgets/topics", "", "If-None-Match", etag)
	if resp.StatusCode != 304 || len(again) != 0 || resp.Header.Get("X-RateLimit-Remaining") != "99" {
		t.Errorf("revalidation: %d %q remaining %s, want 304, no body, nothing charged", resp.StatusCode, again, resp.Header.Get("X-RateLimit-Remaining"))
	}
	if !lastRequest(w.f).NotModified {
		t.Error("304 not recorded as NotModified")
	}
	// A change makes the old ETag stale.
	w.do(t, "PUT", "/repos/acme/widgets/topics", `{"names":["go","OSPO"]}`)
	resp, body2 := w.do(t, "GET", "/repos/acme/widgets/topics", "", "If-None-Match", etag)
	if resp.StatusCode != 200 || string(body2) == string(body) || !strings.Contains(string(body2), `"ospo"`) {
		t.Errorf("after a change: %d %s", resp.StatusCode, body2)
	}
	if got := resp.Header.Get("X-RateLimit-Remaining"); got != "97" {
		t.Errorf("remaining %s, want 97", got)
	}
	w.f.CheckNoViolations(t)
}

func TestPrimaryRateLimitExhausted(t *testing.T) {
	w := newWorld(t, Options{RateLimit: 3})
	var codes []int
	for i := 0; i < 4; i++ {
		resp, _ := w.do(t, "GET", "/repos/acme/widgets", "")
		codes = append(codes, resp.StatusCode)
		if i == 3 && resp.Header.Get("X-RateLimit-Remaining") != "0" {
			t.Errorf("remaining %q", resp.Header.Get("X-RateLimit-Remaining"))
		}
	}
	if !slices.Equal(codes, []int{200, 200, 200, 403}) {
		t.Errorf("statuses %v", codes)
	}
	if resp, _ := w.do(t, "GET", "/rate_limit", ""); resp.StatusCode != 200 {
		t.Errorf("GET /rate_limit is free: %d", resp.StatusCode)
	}
}

// TestRateWindow: a compressed window (Options.RateWindow) ends, and a
// new one starts with the whole limit, when its reset comes; until then
// the used-up limit refuses requests. The default window is GitHub's hour.
func TestRateWindow(t *testing.T) {
	for _, tc := range []struct {
		window, want time.Duration
	}{{0, time.Hour}, {10 * time.Second, 10 * time.Second}} {
		w := newWorld(t, Options{RateLimit: 2, RateWindow: tc.window})
		start := w.f.now()
		resp, _ := w.do(t, "GET", "/repos/acme/widgets", "")
		reset, _ := strconv.ParseInt(resp.Header.Get("X-RateLimit-Reset"), 10, 64)
		if got := time.Unix(reset, 0).Sub(start); got > tc.want || got < tc.want-time.Second {
			t.Errorf("window %s: reset %s after the first request, want %s", tc.window, got, tc.want)
		}
		if tc.window == 0 {
			continue // an hour on would also expire the token
		}
		w.do(t, "GET", "/repos/acme/widgets", "")
		if resp, _ := w.do(t, "GET", "/repos/acme/widgets", ""); resp.StatusCode != 403 {
			t.Errorf("window %s: limit used up, got %d", tc.window, resp.StatusCode)
		}
		w.f.Advance(tc.want)
		if resp, _ := w.do(t, "GET", "/repos/acme/widgets", ""); resp.StatusCode != 200 || resp.Header.Get("X-RateLimit-Remaining") != "1" {
			t.Errorf("window %s: after the reset %d, remaining %s", tc.window, resp.StatusCode, resp.Header.Get("X-RateLimit-Remaining"))
		}
	}
}
