package server_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/ospo-bot/ospo-bot/internal/dashboard"
	"github.com/ospo-bot/ospo-bot/internal/githubfake"
	"github.com/ospo-bot/ospo-bot/internal/jobs"
	"github.com/ospo-bot/ospo-bot/internal/store"
)

// dashboardJobs lists the org's dashboard jobs not yet finished.
func (s *scenario) dashboardJobs() []*rivertype.JobRow {
	s.t.Helper()
	res, err := s.App.Queue.Client().JobList(context.Background(), river.NewJobListParams().Kinds(jobs.DashboardArgs{}.Kind()).
		States(rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRetryable, rivertype.JobStateRunning,
			rivertype.JobStateScheduled).First(100))
	if err != nil {
		s.t.Fatal(err)
	}
	return res.Jobs
}

// debounced is the dashboard job waiting out its debounce, if any.
func (s *scenario) debounced() []*rivertype.JobRow {
	var out []*rivertype.JobRow
	for _, j := range s.dashboardJobs() {
		if j.State == rivertype.JobStateScheduled && time.Until(j.ScheduledAt) > time.Minute {
			out = append(out, j)
		}
	}
	return out
}

// dashboardSettled waits until every job but a debounced dashboard
// update has finished.
func (s *scenario) dashboardSettled() {
	s.t.Helper()
	s.settled()
	s.until("the dashboard jobs are done or debounced", func() bool { return len(s.dashboardJobs()) == len(s.debounced()) })
	s.settled()
}

// sweep runs a sweep and waits for it and the dashboard update after it.
func (s *scenario) sweep() {
	s.t.Helper()
	if _, err := s.App.Queue.Client().Insert(context.Background(), jobs.SweepArgs{}, nil); err != nil {
		s.t.Fatal(err)
	}
	s.dashboardSettled()
}

// runDebounced runs the debounced dashboard update now (its 10 minutes
// would otherwise pass first) and waits for it.
func (s *scenario) runDebounced() {
	s.t.Helper()
	for _, j := range s.debounced() {
		if _, err := s.App.Queue.Client().JobRetry(context.Background(), j.ID); err != nil {
			s.t.Fatal(err)
		}
	}
	s.dashboardSettled()
}

// dashboards are the issues titled as the dashboard in acme/ospo.
func (s *scenario) dashboards() []githubfake.Issue {
	var out []githubfake.Issue
	for _, is := range s.GitHub.Issues("acme", "ospo") {
		if is.Title == dashboard.Title {
			out = append(out, is)
		}
	}
	return out
}

// dashboardWrites counts the requests that created or edited an issue in
// acme/ospo titled or numbered as the dashboard.
func (s *scenario) dashboardWrites(number int) (created, edited int) {
	for _, r := range s.GitHub.Requests() {
		switch {
		case r.Method == http.MethodPost && r.Path == "/repos/acme/ospo/issues" && strings.Contains(string(r.Body), dashboard.Title):
			created++
		case r.Method == http.MethodPatch && number != 0 && r.Path == "/repos/acme/ospo/issues/"+itoa(number):
			edited++
		}
	}
	return created, edited
}

// TestDashboardIssue: after a sweep the org's dashboard issue is opened
// once, in the review repository, beside a user's issue with the same
// label and even the marker, which is never taken for it; a sweep that
// changes nothing edits nothing; changes within the debounce (a result, a
// decision) wait for one update, which edits the issue once.
func TestDashboardIssue(t *testing.T) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) { testDashboardIssue(t, d) })
	}
}

func testDashboardIssue(t *testing.T, d store.Dialect) {
	s := newScenarioOn(t, d, orgPolicy)
	forged, err := s.GitHub.AddIssue("acme", "ospo", githubfake.Issue{Title: dashboard.Title, User: "intruder",
		Body: "my own dashboard\n\n" + dashboard.Marker("acme"), Labels: []string{dashboard.Label}})
	if err != nil {
		t.Fatal(err)
	}
	s.deliverJSON("installation", installationPayload(s.inst.ID, "created"))
	s.dashboardSettled()
	if len(s.debounced()) != 1 {
		t.Fatalf("the installation's checks changed results: want one debounced dashboard update, have %d", len(s.debounced()))
	}

	s.sweep()
	var mine githubfake.Issue
	for _, is := range s.dashboards() {
		if is.Number != forged.Number {
			mine = is
		}
	}
	if len(s.dashboards()) != 2 || mine.Number == 0 {
		t.Fatalf("dashboards after the sweep: %+v", s.dashboards())
	}
	if !strings.HasSuffix(mine.Body, dashboard.Marker("acme")) || len(mine.Labels) != 1 || mine.Labels[0] != dashboard.Label ||
		!strings.HasSuffix(mine.User, "[bot]") {
		t.Fatalf("dashboard issue %+v", mine)
	}
	for _, want := range []string{"# OSPO dashboard: acme", "### `license` (", "acme/widget", "Reviews waiting longest"} {
		if !strings.Contains(mine.Body, want) {
			t.Errorf("dashboard lacks %q:\n%s", want, mine.Body)
		}
	}
	if is, _ := s.GitHub.Issue("acme", "ospo", forged.Number); is.Body != forged.Body || is.Title != forged.Title {
		t.Errorf("the user's issue was changed: %+v", is)
	}
	if c, e := s.dashboardWrites(mine.Number); c != 1 || e != 0 {
		t.Fatalf("after one sweep: %d creations and %d edits of the dashboard, want 1 and 0", c, e)
	}

	// The debounced update from the installation, and a sweep, change
	// nothing: no edit.
	s.runDebounced()
	s.sweep()
	if c, e := s.dashboardWrites(mine.Number); c != 1 || e != 0 {
		t.Fatalf("with nothing changed: %d creations and %d edits, want 1 and 0", c, e)
	}

	// Two changes within the debounce: one update waits, ten minutes out.
	s.push("widget", map[string]string{"LICENSE": licenseText(t, "Apache-2.0.txt")})
	var review githubfake.Issue
	for _, is := range s.reviewIssues() {
		if is.Title == "OSPO review: acme/widget" {
			review = is
		}
	}
	s.comment("lead", "ospo", review.Number, "/ospo exempt files the README lives in the wiki")
	s.dashboardSettled()
	waiting := s.debounced()
	if len(waiting) != 1 || time.Until(waiting[0].ScheduledAt) < 9*time.Minute {
		t.Fatalf("debounced updates after two changes: %+v", waiting)
	}
	if c, e := s.dashboardWrites(mine.Number); c != 1 || e != 0 {
		t.Fatalf("before the debounce ran out: %d creations and %d edits, want 1 and 0", c, e)
	}
	s.runDebounced()
	if c, e := s.dashboardWrites(mine.Number); c != 1 || e != 1 {
		t.Fatalf("after the debounced update: %d creations and %d edits, want 1 and 1", c, e)
	}
	after, _ := s.GitHub.Issue("acme", "ospo", mine.Number)
	if after.Body == mine.Body || !strings.Contains(after.Body, "`files` on acme/widget by lead") {
		t.Errorf("the dashboard does not show the exemption:\n%s", after.Body)
	}
	if n := len(s.dashboards()); n != 2 {
		t.Errorf("%d dashboard issues, want ours and the user's", n)
	}
	s.GitHub.CheckNoViolations(t)
}

// TestDashboardIssueAfterLostResponse: GitHub opens the dashboard issue
// but its answer is lost; the retry finds the issue by its label and the
// marker the app wrote, and opens no second one.
func TestDashboardIssueAfterLostResponse(t *testing.T) {
	s := newScenario(t, orgPolicy)
	s.deliverJSON("installation", installationPayload(s.inst.ID, "created"))
	s.dashboardSettled()
	s.GitHub.InjectFault(githubfake.Fault{Method: http.MethodPost, Route: "/repos/{owner}/{repo}/issues", Kind: githubfake.LostResponse()})
	s.sweep()
	if n := len(s.dashboards()); n != 1 {
		t.Fatalf("%d dashboard issues after a lost response, want 1", n)
	}
	lost := 0
	for _, r := range s.GitHub.Requests() {
		if r.Fault != "" {
			lost++
		}
	}
	if c, _ := s.dashboardWrites(0); c != 1 || lost != 1 {
		t.Fatalf("%d creations (%d lost), want 1 (1)", c, lost)
	}
	s.sweep()
	if n := len(s.dashboards()); n != 1 {
		t.Fatalf("%d dashboard issues after a second sweep, want 1", n)
	}
	// GitHub answers 404 for the issue on record once (gone, or not yet
	// visible to this replica): the update looks for the app's own issue
	// before opening one, and finds it.
	s.GitHub.InjectFault(githubfake.Fault{Method: http.MethodGet, Route: "/repos/acme/ospo/issues/" + strconv.Itoa(s.dashboards()[0].Number),
		Kind: githubfake.Status(http.StatusNotFound)})
	s.sweep()
	if c, _ := s.dashboardWrites(0); c != 1 || len(s.dashboards()) != 1 {
		t.Fatalf("after a 404: %d creations, %d dashboard issues; want 1 and 1", c, len(s.dashboards()))
	}
	if n := s.GitHub.CountRequests(func(r githubfake.Request) bool { return r.Fault == "status 404" }); n != 1 {
		t.Fatalf("the 404 was answered %d times, want 1", n)
	}
	// The record of the issue pruned (store.PruneExactlyOnce, after 30
	// days): the next update adopts the issue again.
	if _, err := s.App.Store.DB.Exec(`DELETE FROM side_effects WHERE effect_key LIKE 'dashboard issue %'`); err != nil {
		t.Fatal(err)
	}
	s.sweep()
	if c, _ := s.dashboardWrites(0); c != 1 || len(s.dashboards()) != 1 {
		t.Fatalf("after the record was pruned: %d creations, %d dashboard issues; want 1 and 1", c, len(s.dashboards()))
	}
}
