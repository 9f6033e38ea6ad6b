package dashboard

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ospo-bot/ospo-bot/internal/fit"
	"github.com/ospo-bot/ospo-bot/internal/inert/inerttest"
	"github.com/ospo-bot/ospo-bot/internal/kpi"
	"github.com/ospo-bot/ospo-bot/internal/report"
)

var now = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)

func sample() *report.Report {
	return &report.Report{Org: "acme", Since: now.AddDate(0, 0, -90), Until: now,
		KPIs: kpi.Summary{Compliance: kpi.Ratio{Num: 3, Den: 4}, ComplianceByRule: map[string]kpi.Ratio{"license": {Num: 3, Den: 4}},
			OpenReviews: 2, ReviewTimeToDecision: kpi.Durations{N: 3, P50: 26 * time.Hour, P90: 50 * time.Hour}, ExemptionsInForce: 1},
		Repositories: []report.Repository{
			{Name: "acme/zeta", URL: "https://github.com/acme/zeta", InScope: true, Failing: []string{"license"},
				Review: "pending", ReviewIssueURL: "https://github.com/acme/ospo/issues/2"},
			{Name: "acme/alpha", URL: "https://github.com/acme/alpha", InScope: true, Failing: []string{"license", "files"}},
			{Name: "acme/fork", URL: "https://github.com/acme/fork", InScope: false, Failing: []string{"license"}},
			{Name: "acme/ok", URL: "https://github.com/acme/ok", InScope: true, Exemptions: []report.Exemption{
				{Repository: "acme/ok", Rule: "codeowners", Actor: "lead", Reason: "tiny", URL: "https://github.com/acme/ospo/issues/1#issuecomment-9", At: now.AddDate(0, 0, -3)}}},
		},
		Reviews: []report.Review{
			{Repository: "acme/zeta", IssueURL: "https://github.com/acme/ospo/issues/2", Status: "pending", Opened: now.Add(-50 * time.Hour)},
			{Repository: "acme/beta", IssueURL: "https://github.com/acme/ospo/issues/3", Status: "pending", Opened: now.Add(-200 * time.Hour), FirstResponse: now.Add(-100 * time.Hour)},
			{Repository: "acme/ok", IssueURL: "https://github.com/acme/ospo/issues/1", Status: "approved", Opened: now.Add(-300 * time.Hour), Decided: now.Add(-1 * time.Hour)},
		},
	}
}

var view = View{Now: now, ReviewRepository: "acme/ospo", ReviewLabel: "ospo-review", ReviewURL: "https://github.com/acme/ospo"}

func TestRenderShowsTheOrg(t *testing.T) {
	body := Render(sample(), view)
	for _, want := range []string{
		"| Compliance: repositories passing every enforce rule | 75 % (3 of 4) |",
		"| Review time to decision (p50 / p90) | 1d 2h / 2d 2h (3) |",
		"### `files` (1)\n\n- [acme/alpha](https://github.com/acme/alpha)\n",
		"### `license` (2)\n\n- [acme/alpha](https://github.com/acme/alpha)\n- [acme/zeta](https://github.com/acme/zeta) · [review](https://github.com/acme/ospo/issues/2) (pending)\n",
		"- [acme/beta](https://github.com/acme/ospo/issues/3): waiting 8d 8h\n- [acme/zeta](https://github.com/acme/ospo/issues/2): waiting 2d 2h, no response yet\n",
		"- `codeowners` on acme/ok by lead on 2026-11-27: tiny",
		"`ospo-bot report --org acme --format markdown`",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("body lacks %q:\n%s", want, body)
		}
	}
	if strings.Contains(body, "acme/fork") || strings.Contains(body, "acme/ospo/issues/1)") && strings.Contains(body, "waiting 12d") {
		t.Errorf("out-of-scope repository or decided review shown:\n%s", body)
	}
	if Render(sample(), view) != body {
		t.Error("the same report renders differently: every sweep would edit the issue")
	}
}

// TestRenderIsInert: names, rules, actors and reasons from the store
// cannot mention, link, embed or fake a checklist, and links go only
// where the report's URLs say, over http(s).
func TestRenderIsInert(t *testing.T) {
	evil := "@acme/everyone [x](https://evil.example) <img src=x> #1 - [ ] `x` **b** deadbeefcafe"
	r := sample()
	r.Org = evil
	r.Repositories[0].Name, r.Repositories[0].Failing = evil, []string{evil}
	r.Repositories[0].URL = "javascript:alert(1)"
	r.Repositories[0].Review = evil
	r.Repositories[3].Exemptions[0].Actor, r.Repositories[3].Exemptions[0].Reason = evil, evil
	r.Repositories[3].Exemptions[0].Rule, r.Repositories[3].Exemptions[0].Expires = evil, now.AddDate(0, 0, 3) // listed as expiring too
	r.Reviews[0].Repository = evil
	r.KPIs.ComplianceByRule[evil] = kpi.Ratio{Num: 1, Den: 1}
	inerttest.Check(t, "dashboard", Render(r, view), inerttest.Options{Headings: 10,
		Links: []string{"https://github.com/acme/"}})
}

// TestRenderFitsGitHubsLimit: a huge org still fits one issue body, each
// list saying how many it left out.
func TestRenderFitsGitHubsLimit(t *testing.T) {
	r := sample()
	r.Repositories = nil
	for i := range 5000 {
		name := fmt.Sprintf("acme/repository-with-a-rather-long-name-%04d", i)
		r.Repositories = append(r.Repositories, report.Repository{Name: name, URL: "https://github.com/" + name, InScope: true,
			Failing: []string{"license", "files", "codeowners"}, Exemptions: []report.Exemption{{Repository: name, Rule: "security", Actor: "lead", Reason: strings.Repeat("why ", 20)}}})
		r.Reviews = append(r.Reviews, report.Review{Repository: name, IssueURL: "https://github.com/acme/ospo/issues/1", Opened: now.Add(-time.Duration(i) * time.Hour)})
	}
	body := Render(r, view)
	if n := fit.Body.Len(body) + fit.Body.Len(Marker("acme")) + 2; n > fit.Body.Max {
		t.Fatalf("body of %d characters with its marker, over GitHub's %d", n, fit.Body.Max)
	}
	for _, want := range []string{"### `license` (5000)", "more\n"} {
		if !strings.Contains(body, want) {
			t.Errorf("body lacks %q", want)
		}
	}
	if !strings.Contains(body, "acme/repository-with-a-rather-long-name-4999](https://github.com/acme/ospo/issues/1): waiting 208d 7h") {
		t.Error("the review waiting longest is not first")
	}
}

// BenchmarkRender renders the dashboard of an org of 10,000 repositories,
// each failing three rules with an exemption and a waiting review: the
// lists are cut until the body fits.
func BenchmarkRender(b *testing.B) {
	r := sample()
	r.Repositories, r.Reviews = nil, nil
	for i := range 10000 {
		name := fmt.Sprintf("acme/repository-%05d", i)
		r.Repositories = append(r.Repositories, report.Repository{Name: name, URL: "https://github.com/" + name, InScope: true,
			Failing: []string{"license", "files", "codeowners"}, Exemptions: []report.Exemption{{Repository: name, Rule: "security", Actor: "lead", Reason: "why"}}})
		r.Reviews = append(r.Reviews, report.Review{Repository: name, IssueURL: "https://github.com/acme/ospo/issues/1", Opened: now.Add(-time.Duration(i) * time.Minute)})
	}
	b.ReportAllocs()
	for b.Loop() {
		if body := Render(r, view); fit.Body.Len(body) > fit.Body.Max {
			b.Fatal("too long")
		}
	}
}

// TestRenderExpiringExemptions: the exemptions whose last day is within
// 30 days are listed soonest first with that day, beside those in force,
// which say through when they hold; one expiring later is not listed as
// expiring, and none says so.
func TestRenderExpiringExemptions(t *testing.T) {
	r := sample()
	r.Repositories[3].Exemptions = append(r.Repositories[3].Exemptions,
		report.Exemption{Repository: "acme/ok", Rule: "files", Actor: "lead", Reason: "wiki", At: now.AddDate(0, 0, -2),
			URL: "https://github.com/acme/ospo/issues/1#issuecomment-10", Expires: time.Date(2026, 12, 25, 0, 0, 0, 0, time.UTC)},
		report.Exemption{Repository: "acme/ok", Rule: "license", Actor: "lead", Reason: "soon", At: now.AddDate(0, 0, -1),
			Expires: time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)},
		report.Exemption{Repository: "acme/ok", Rule: "security", Actor: "lead", Reason: "today", At: now.AddDate(0, 0, -1),
			Expires: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)},
		report.Exemption{Repository: "acme/ok", Rule: "topics", Actor: "lead", Reason: "later", At: now.AddDate(0, 0, -1),
			Expires: time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)})
	r.KPIs.ExemptionsInForce = 5
	body := Render(r, view)
	for _, want := range []string{
		"| Exemptions in force | 5 (3 expiring within 30 days) |",
		"## Exemptions expiring\n\nWithin 30 days, the soonest first; the rule fails again the day after.\n\n" +
			"- `security` on acme/ok through 2026-11-30 (its last day today), by lead: today\n" +
			"- `license` on acme/ok through 2026-12-02 (in 2 days), by lead: soon\n" +
			"- `files` on acme/ok through 2026-12-24 (in 24 days), by lead: wiki ([decision](https://github.com/acme/ospo/issues/1#issuecomment-10))\n\n## Exemptions in force",
		"- `topics` on acme/ok by lead on 2026-11-29 through 2027-02-28: later",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("body lacks %q:\n%s", want, body)
		}
	}
	if body := Render(sample(), view); !strings.Contains(body, "## Exemptions expiring\n\nNone within 30 days.\n") {
		t.Errorf("no expiring exemption:\n%s", body)
	}
}
