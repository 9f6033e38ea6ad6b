package prcheck

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-github/v66/github"

	"github.com/ospo-bot/ospo-bot/internal/appbot"
	"github.com/ospo-bot/ospo-bot/internal/githubfake"
	"github.com/ospo-bot/ospo-bot/internal/githubfake/fakeapp"
	"github.com/ospo-bot/ospo-bot/internal/store"
	"github.com/ospo-bot/ospo-bot/internal/store/storetest"
)

// loseResponse lets a request reach GitHub, which applies it, and then
// loses the response: the client sees an error, as after a timeout.
type loseResponse struct {
	base   http.RoundTripper
	method string
	suffix string // of the URL path
	armed  atomic.Int32
	lost   atomic.Int32
}

func (l *loseResponse) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := l.base.RoundTrip(req)
	if err == nil && req.Method == l.method && strings.HasSuffix(req.URL.Path, l.suffix) && l.armed.Add(-1) >= 0 {
		resp.Body.Close()
		l.lost.Add(1)
		return nil, errors.New("response lost (test)")
	}
	return resp, err
}

func losing(t *testing.T, c *github.Client, method, suffix string) (*github.Client, *loseResponse) {
	l := &loseResponse{base: c.Client().Transport, method: method, suffix: suffix}
	l.armed.Store(1)
	out := github.NewClient(&http.Client{Transport: l})
	out.BaseURL = c.BaseURL
	return out, l
}

// A check run created by a request whose response was lost is found by
// the retry of the same evaluation (its external_id): one run, not two.
// The sticky comment likewise (its marker).
func TestLostResponsesCreateNothingTwice(t *testing.T) {
	ctx := context.Background()
	w := newPRFake(t)
	app, f, inst := w.app, w.f, w.inst
	rep := &Reporter{Store: storetest.Open(t, store.SQLite), Bot: appbot.New(app.Clients)}
	pr := PR{Owner: "acme", Name: "widget", Number: w.number, HeadSHA: w.head, HTMLURL: "https://github.com/acme/widget/pull/1", Evaluation: "ospo-bot-job-7"}

	t.Run("check run", func(t *testing.T) {
		client, l := losing(t, app.Installation(t, inst.ID), http.MethodPost, "/check-runs")
		if _, err := rep.Start(ctx, client, pr); err == nil {
			t.Fatal("the lost response was not an error")
		}
		if l.lost.Load() != 1 || len(f.CheckRuns("acme", "widget")) != 1 {
			t.Fatalf("lost %d, %d runs: the test does not test what it says", l.lost.Load(), len(f.CheckRuns("acme", "widget")))
		}
		run, err := rep.Start(ctx, client, pr) // the job's retry
		if err != nil {
			t.Fatal(err)
		}
		if runs := f.CheckRuns("acme", "widget"); len(runs) != 1 || runs[0].ID != run.CheckRunID {
			t.Fatalf("after the retry: %d runs, the retry's is %d: %+v", len(runs), run.CheckRunID, runs)
		}
	})
	t.Run("sticky comment", func(t *testing.T) {
		client, l := losing(t, app.Installation(t, inst.ID), http.MethodPost, "/comments")
		run, err := rep.Start(ctx, client, pr)
		if err != nil {
			t.Fatal(err)
		}
		if err := rep.Comment(ctx, client, pr, run, "Sign the CLA."); err == nil {
			t.Fatal("the lost response was not an error")
		}
		if l.lost.Load() != 1 {
			t.Fatal("no response lost: the test does not test what it says")
		}
		run, err = rep.Start(ctx, client, pr)
		if err != nil {
			t.Fatal(err)
		}
		if err := rep.Comment(ctx, client, pr, run, "Sign the CLA."); err != nil {
			t.Fatal(err)
		}
		if cs := f.Comments("acme", "widget", w.number); len(cs) != 1 {
			t.Fatalf("%d sticky comments after a lost response, want 1", len(cs))
		}
	})
}

// A merge group's ospo/policy run created by a request whose response was
// lost is found by the retry (its external_id): one run, not two.
func TestMergeGroupRunCreatedOnceAfterALostResponse(t *testing.T) {
	ctx := context.Background()
	app := fakeapp.New(t)
	f := app.GitHub
	if _, err := f.AddOrg(githubfake.Org{Login: "acme"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.AddRepo(githubfake.Repo{Owner: "acme", Name: "widget", Files: map[string]string{"README.md": "x"}}); err != nil {
		t.Fatal(err)
	}
	inst, err := f.AddInstallation(githubfake.Installation{Account: "acme"})
	if err != nil {
		t.Fatal(err)
	}
	head, _ := f.Branch("acme", "widget", "main")
	client := app.Installation(t, inst.ID)
	f.InjectFault(githubfake.Fault{Method: http.MethodPost, Route: "/repos/{owner}/{repo}/check-runs", Kind: githubfake.LostResponse()})
	if err := ReportMergeGroup(ctx, client, "acme", "widget", head.SHA, "https://github.com/acme/widget/commit/"+head.SHA, nil); err == nil {
		t.Fatal("the lost response was not an error")
	}
	if runs := f.CheckRuns("acme", "widget"); len(runs) != 1 {
		t.Fatalf("%d runs after the lost response: the test does not test what it says", len(runs))
	}
	if err := ReportMergeGroup(ctx, client, "acme", "widget", head.SHA, "https://github.com/acme/widget/commit/"+head.SHA, nil); err != nil {
		t.Fatal(err)
	}
	if runs := f.CheckRuns("acme", "widget"); len(runs) != 1 {
		t.Errorf("%d runs after the retry, want 1: %+v", len(runs), runs)
	}
}

// A check run created completed (Prepare, then Complete: one request, as
// when the gathering was quick) by a request whose response was lost is
// found by the retry of the same evaluation: one completed run, not two,
// and the retry creates or modifies nothing.
func TestLostResponseOfACompletedRun(t *testing.T) {
	ctx := context.Background()
	w := newPRFake(t)
	app, f, inst := w.app, w.f, w.inst
	rep := &Reporter{Store: storetest.Open(t, store.SQLite), Bot: appbot.New(app.Clients)}
	pr := PR{Owner: "acme", Name: "widget", Number: w.number, HeadSHA: w.head, HTMLURL: "https://github.com/acme/widget/pull/1", Evaluation: "ospo-bot-job-8"}

	client, l := losing(t, app.Installation(t, inst.ID), http.MethodPost, "/check-runs")
	run, err := rep.Prepare(ctx, client, pr)
	if err != nil || run.Created() {
		t.Fatalf("Prepare created a run (%v) or failed: %v", run.Created(), err)
	}
	f.Reset()
	if _, err := rep.Complete(ctx, client, pr, run, nil); err == nil {
		t.Fatal("the lost response was not an error")
	}
	apiCalls := func() int {
		return f.CountRequests(func(r githubfake.Request) bool { return !strings.HasSuffix(r.Route, "/access_tokens") })
	}
	if n := apiCalls(); n != 1 {
		t.Errorf("creating a completed run took %d requests, want 1", n)
	}
	runs := f.CheckRuns("acme", "widget")
	if l.lost.Load() != 1 || len(runs) != 1 || runs[0].Status != "completed" || runs[0].Conclusion != "success" {
		t.Fatalf("lost %d, runs %+v: the test does not test what it says", l.lost.Load(), runs)
	}
	// The job's retry.
	run, err = rep.Prepare(ctx, client, pr)
	if err != nil {
		t.Fatal(err)
	}
	f.Reset()
	if run, err = rep.Complete(ctx, client, pr, run, nil); err != nil {
		t.Fatal(err)
	}
	if after := f.CheckRuns("acme", "widget"); len(after) != 1 || after[0].ID != run.CheckRunID {
		t.Fatalf("after the retry: runs %+v, the retry's is %d", after, run.CheckRunID)
	}
	if n := apiCalls(); n != 0 {
		t.Errorf("the retry's Complete made %d requests; the run was complete", n)
	}
}
