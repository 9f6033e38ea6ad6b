package review

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-github/v66/github"

	"github.com/ospo-bot/ospo-bot/internal/appbot"
	"github.com/ospo-bot/ospo-bot/internal/rules"
	"github.com/ospo-bot/ospo-bot/internal/store"
	"github.com/ospo-bot/ospo-bot/internal/store/storetest"
)

// loseResponse lets a request reach GitHub, which applies it, and then
// loses the response once: the client sees an error, as after a timeout.
type loseResponse struct {
	base           http.RoundTripper
	method, suffix string
	lost           atomic.Int32
}

func (l *loseResponse) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := l.base.RoundTrip(req)
	if err == nil && req.Method == l.method && strings.HasSuffix(req.URL.Path, l.suffix) && l.lost.Add(1) == 1 {
		resp.Body.Close()
		return nil, errors.New("response lost (test)")
	}
	return resp, err
}

// A review issue (and its label) created by requests whose responses were
// lost are found by the retry, by the issue's marker and the label's 422:
// one issue.
func TestReviewIssueOpenedOnceAfterLostResponses(t *testing.T) {
	for _, lose := range []string{"/issues", "/labels"} {
		t.Run(lose, func(t *testing.T) {
			ctx := context.Background()
			rf := newReviewFake(t)
			app, f, widget, inst := rf.app, rf.f, rf.widget, rf.inst
			base := app.Installation(t, inst.ID)
			l := &loseResponse{base: base.Client().Transport, method: http.MethodPost, suffix: lose}
			client := github.NewClient(&http.Client{Transport: l})
			client.BaseURL = base.BaseURL
			m := &Manager{Store: storetest.Open(t, store.SQLite), Bot: appbot.New(app.Clients)}
			rep := Report{Snapshot: &rules.Snapshot{ID: widget.ID, Owner: "acme", Name: "widget", HTMLURL: "https://github.com/acme/widget"},
				Flagged: true, Reasons: []string{"it is public and not approved"}}
			target := Target{InstallationID: inst.ID, Repo: "acme/ospo", Label: "ospo-review"}
			if err := m.Sync(ctx, client, target, rep); err == nil || l.lost.Load() != 1 {
				t.Fatalf("the lost response: %v (%d lost): the test does not test what it says", err, l.lost.Load())
			}
			if err := m.Sync(ctx, client, target, rep); err != nil { // the job's retry
				t.Fatal(err)
			}
			if is := f.Issues("acme", "ospo"); len(is) != 1 || len(is[0].Labels) != 1 {
				t.Fatalf("after the retry: %+v", is)
			}
		})
	}
}
