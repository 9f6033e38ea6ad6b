package demo

import (
	"bytes"
	"context"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"github.com/ospo-bot/ospo-bot/internal/store"
)

// TestScenario runs the demo as `ospo-bot demo --once` does and requires
// every step to give its result.
func TestScenario(t *testing.T) {
	var out bytes.Buffer
	err := Run(context.Background(), Options{Once: true, Out: &out, Logger: zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.WarnLevel)})
	t.Log("\n" + out.String())
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"1. acme/widget is made public", "❌ **license**", "✅ **license**", "refused:", "closed: Approved by @lead", "check run ospo/policy: failure", "check run ospo/policy: success", "Every step gave the expected result."} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("transcript lacks %q", want)
		}
	}
	// The quarter's dashboard issue shows real numbers.
	for _, re := range []string{
		`dashboard issue http://\S+/repos/acme/ospo/issues/\d+ "OSPO dashboard" \(label ospo-dashboard\)`,
		`\| Compliance: repositories passing every enforce rule \| \d+ % \([1-9]\d* of [1-9]\d*\) \|`,
		`\| Pull requests: time to first response \(p50 / p90\) \| \d+[dhm] .* \([1-9]\d*\) \|`,
		`\| Contributions: external / member / first-time contributors \| [1-9]\d* / [1-9]\d* / \d+ \|`,
		`ospo-bot report --org acme --since \d{4}-\d{2}-\d{2} --format markdown`,
		`ospo-bot policy plan --org acme \S+ospo-next\.yml`,
	} {
		if !regexp.MustCompile(re).MatchString(out.String()) {
			t.Errorf("transcript lacks %s", re)
		}
	}
}

// TestSend: a running demo plays the events `ospo-bot demo send` asks for.
func TestSend(t *testing.T) {
	ctx := context.Background()
	var out bytes.Buffer
	d, err := start(ctx, Options{Out: &out, Logger: zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.WarnLevel)})
	if err != nil {
		t.Fatal(err)
	}
	defer d.stop()
	c := &control{d: d}
	for _, tc := range []struct {
		event string
		code  int
		want  string
	}{
		{"repository.created", 200, "❌ **license**"},
		{"pull_request.opened", 200, "check run ospo/policy: failure — CLA: not signed by @contributor-2"},
		{"pull_request.license", 200, "protected"},
		{"star.created", 422, "unknown event"},
	} {
		rec := httptest.NewRecorder()
		c.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/send?event="+tc.event, nil))
		if rec.Code != tc.code || !strings.Contains(rec.Body.String(), tc.want) {
			t.Errorf("%s: %d %q, want %d containing %q", tc.event, rec.Code, rec.Body.String(), tc.code, tc.want)
		}
	}
}

// TestDashboardSignIn: the link the demo prints signs a browser in as
// lead through the fake GitHub's web flow, onto acme's dashboard.
func TestDashboardSignIn(t *testing.T) {
	ctx := context.Background()
	var out bytes.Buffer
	d, err := start(ctx, Options{Out: &out, Logger: zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.WarnLevel)})
	if err != nil {
		t.Fatal(err)
	}
	defer d.stop()
	// The scenario's first delivery records the installation.
	if err := d.app.Store.UpsertInstallation(ctx, store.Installation{ID: d.inst, Account: "acme", AccountType: "Organization",
		RepositorySelection: "all", State: store.InstallationActive}); err != nil {
		t.Fatal(err)
	}
	jar, _ := cookiejar.New(nil)
	resp, err := (&http.Client{Jar: jar}).Get(d.SignInURL())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Request.URL.Path != "/dashboard/acme/" {
		t.Fatalf("the sign-in link ended at %s (%d)", resp.Request.URL, resp.StatusCode)
	}
	sessions, err := d.app.Store.Sessions(ctx)
	if err != nil || len(sessions) != 1 || sessions[0].Login != "lead" {
		t.Fatalf("sessions %+v, %v; want lead's", sessions, err)
	}
}
