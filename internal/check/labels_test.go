package check

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-github/v66/github"

	"github.com/ospo-bot/ospo-bot/internal/githubfake"
	"github.com/ospo-bot/ospo-bot/internal/githubfake/fakeapp"
	"github.com/ospo-bot/ospo-bot/internal/policy"
	"github.com/ospo-bot/ospo-bot/internal/rules"
)

// loseLabelResponse lets POST …/labels reach GitHub, which creates the
// label, and loses its response once.
type loseLabelResponse struct {
	base http.RoundTripper
	lost atomic.Int32
}

func (l *loseLabelResponse) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := l.base.RoundTrip(req)
	if err == nil && req.Method == http.MethodPost && strings.HasSuffix(req.URL.Path, "/labels") && l.lost.Add(1) == 1 {
		resp.Body.Close()
		return nil, errors.New("response lost (test)")
	}
	return resp, err
}

// A label created by a request whose response was lost: the retry's 422
// already_exists is the label being there, not a failure.
func TestFixLabelsAfterALostResponse(t *testing.T) {
	app := fakeapp.New(t)
	if _, err := app.GitHub.AddRepo(githubfake.Repo{Owner: "acme", Name: "widget", Files: map[string]string{"README.md": "x"}}); err != nil {
		t.Fatal(err)
	}
	in, err := app.GitHub.AddInstallation(githubfake.Installation{Account: "acme"})
	if err != nil {
		t.Fatal(err)
	}
	base := app.Installation(t, in.ID)
	l := &loseLabelResponse{base: base.Client().Transport}
	client := github.NewClient(&http.Client{Transport: l})
	client.BaseURL = base.BaseURL
	r := policy.LabelsRule{Mode: policy.Enforce, Fix: true, Required: []policy.Label{{Name: "triage", Color: "fbca04"}}}
	// What evaluateRepository plans from a snapshot read before the label
	// was there (or by another replica's check that read it at the same
	// time), each attempt alike.
	s := &rules.Snapshot{Owner: "acme", Name: "widget", Labels: []policy.Label{}}
	create, recolour := rules.MissingLabels(s, r)
	if err := fixLabels(context.Background(), client, "acme", "widget", create, recolour); err == nil || l.lost.Load() != 1 {
		t.Fatalf("the lost response: %v (%d lost): the test does not test what it says", err, l.lost.Load())
	}
	if err := fixLabels(context.Background(), client, "acme", "widget", create, recolour); err != nil {
		t.Fatalf("the retry failed: %v", err)
	}
	if fixed := withLabels(s, create, recolour); len(fixed.Labels) != 1 || fixed.Labels[0].Name != "triage" {
		t.Errorf("the evaluated snapshot does not hold the label: %+v", fixed.Labels)
	}
}
