package web

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ospo-bot/ospo-bot/internal/kpi"
	"github.com/ospo-bot/ospo-bot/internal/report"
	"github.com/ospo-bot/ospo-bot/internal/store"
	"github.com/ospo-bot/ospo-bot/internal/store/storetest"
)

// The seeded org's clock: the period asked for is 2026-03-02 (a Monday)
// to 2026-03-15, two whole weeks, ended before now.
var (
	seedNow = time.Date(2026, 3, 20, 12, 0, 0, 0, time.UTC)
	seedQ   = "?since=2026-03-02&until=2026-03-15"
)

func at(month time.Month, d, h, m int) time.Time {
	return time.Date(2026, month, d, h, m, 0, 0, time.UTC)
}

// seed writes the history the tests' numbers are computed from by hand
// (see each test), through the store's own writers where it has them.
func seed(t *testing.T, st *store.Store) {
	t.Helper()
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := st.DB.ExecContext(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	exec(`INSERT INTO installations (id, account, account_type, state, updated_at) VALUES (1, 'Acme', 'Organization', 'active', $1)`, seedNow)
	// Repositories: api passes from before the period (a warn rule
	// failing does not count); web fails the licence from Mar 3 and passes
	// from Mar 10; a fork is out of scope.
	lic := func(r string) map[string]string {
		return map[string]string{"repository.license": "enforce/" + r, "repository.files": "warn/fail"}
	}
	for _, d := range []store.RepositoryDay{
		{RepositoryID: 1, Repository: "Acme/api", InScope: true, Results: lic("pass"), License: "MIT", At: at(3, 1, 10, 0)},
		{RepositoryID: 2, Repository: "Acme/web", InScope: true, Failing: []string{"repository.license"}, Results: lic("fail"), At: at(3, 3, 10, 0)},
		{RepositoryID: 2, Repository: "Acme/web", InScope: true, Results: lic("pass"), License: "Apache-2.0", At: at(3, 10, 10, 0)},
		{RepositoryID: 3, Repository: "Acme/fork", InScope: false, Results: lic("fail"), Failing: []string{"repository.license"}, At: at(3, 2, 10, 0)},
	} {
		d.InstallationID, d.Org = 1, "Acme"
		must(st.RecordRepositoryDay(ctx, d))
	}
	// Pull requests.
	type pr struct {
		repo               string
		n                  int
		author, assoc      string
		opened, replied    time.Time
		responder          string
		closed             time.Time
		blocked, unblocked time.Time
	}
	for _, p := range []pr{
		{"Acme/api", 1, "alice", "CONTRIBUTOR", at(3, 3, 10, 0), at(3, 3, 12, 0), "bob", at(3, 4, 10, 0), time.Time{}, time.Time{}},
		{"Acme/api", 2, "bob", "MEMBER", at(3, 10, 9, 0), at(3, 11, 9, 0), "carol", at(3, 12, 9, 0), time.Time{}, time.Time{}},
		{"Acme/api", 3, "dependabot[bot]", "NONE", at(3, 10, 9, 0), time.Time{}, "", at(3, 10, 10, 0), time.Time{}, time.Time{}},
		{"Acme/web", 4, "carol", "NONE", at(3, 11, 0, 0), time.Time{}, "", time.Time{}, at(3, 11, 0, 1), at(3, 11, 2, 1)},
		{"Acme/web", 5, "alice", "CONTRIBUTOR", at(2, 20, 10, 0), time.Time{}, "", at(3, 9, 10, 0), time.Time{}, time.Time{}},
		{"Acme/web", 6, "bob", "MEMBER", at(1, 5, 10, 0), time.Time{}, "", time.Time{}, time.Time{}, time.Time{}},
	} {
		must(st.RecordPullRequestOpened(ctx, store.PullRequestFact{Repository: p.repo, Number: p.n, InstallationID: 1, Org: "Acme",
			Author: p.author, AuthorAssociation: p.assoc, AuthorBot: strings.HasSuffix(p.author, "[bot]"), OpenedAt: p.opened, Opening: true}))
		if !p.replied.IsZero() {
			must(st.RecordPullRequestResponse(ctx, p.repo, p.n, p.responder, p.replied))
		}
		if !p.closed.IsZero() {
			must(st.RecordPullRequestClosed(ctx, p.repo, p.n, true, p.closed))
		}
		if !p.blocked.IsZero() {
			exec(`UPDATE pull_request_facts SET cla_blocked_at = $1, cla_unblocked_at = $2 WHERE repository = $3 AND number = $4`,
				p.blocked.Unix(), p.unblocked.Unix(), p.repo, p.n)
		}
	}
	// Reviews: web's (#7) opened Mar 3 12:00, rejected a day later, then
	// its licence exempted; api's (#8) opened Mar 10 and waiting; old's
	// (#3) waiting since Feb 1; quick's (#9) approved in 30 minutes by a
	// login that is markup.
	type rv struct {
		id     int64
		repo   string
		number int
		events []store.ReviewEvent
	}
	dec := func(actor, verb, rule string, t time.Time) store.ReviewEvent {
		return store.ReviewEvent{Kind: store.ReviewDecided, Actor: actor, Verb: verb, Rule: rule, At: t}
	}
	for _, r := range []rv{
		{2, "Acme/web", 7, []store.ReviewEvent{{Kind: store.ReviewOpened, At: at(3, 3, 12, 0)}, {Kind: store.ReviewResponded, At: at(3, 3, 13, 0)},
			dec("lead", "reject", "", at(3, 4, 12, 0)), dec("lead", "exempt", "repository.license", at(3, 5, 12, 0))}},
		{1, "Acme/api", 8, []store.ReviewEvent{{Kind: store.ReviewOpened, At: at(3, 10, 0, 0)}}},
		{4, "Acme/old", 3, []store.ReviewEvent{{Kind: store.ReviewOpened, At: at(2, 1, 0, 0)}}},
		{5, "Acme/quick", 9, []store.ReviewEvent{{Kind: store.ReviewOpened, At: at(3, 12, 0, 0)}, dec("<b>boss</b>", "approve", "", at(3, 12, 0, 30))}},
	} {
		_, _, err := st.ClaimReviewIssue(ctx, store.ReviewIssue{RepositoryID: r.id, InstallationID: 1, Repository: r.repo, ReviewRepo: "Acme/ospo"})
		must(err)
		must(st.UpdateReviewIssue(ctx, store.ReviewIssue{RepositoryID: r.id, InstallationID: 1, Repository: r.repo, ReviewRepo: "Acme/ospo", IssueNumber: r.number}))
		for i, e := range r.events {
			e.Key, e.RepositoryID, e.InstallationID, e.Org, e.Repository = fmt.Sprintf("r%d-%d", r.id, i), r.id, 1, "Acme", r.repo
			must(st.RecordReviewEvent(ctx, e))
			if e.Kind == store.ReviewDecided {
				exec(`INSERT INTO review_decisions (comment_id, seq, repository_id, actor, verb, rule, reason, url, failing, at)
					VALUES ($1, 0, $2, $3, $4, $5, 'why', '', '', $6)`, r.id*100+int64(i), r.id, e.Actor, e.Verb, e.Rule, e.At)
			}
		}
	}
	// CLA: user 1 signed before the period, user 2 signed and revoked in
	// it, user 3 signed in it: two signers at its end.
	for i, e := range []store.CLAEvent{
		{UserID: 1, Login: "u1", Kind: store.CLASigned, At: at(2, 1, 0, 0)},
		{UserID: 2, Login: "u2", Kind: store.CLASigned, At: at(3, 5, 0, 0)},
		{UserID: 2, Login: "u2", Kind: store.CLARevoked, At: at(3, 8, 0, 0)},
		{UserID: 3, Login: "u3", Kind: store.CLASigned, At: at(3, 14, 0, 0)},
	} {
		e.Key, e.Org = fmt.Sprint("c", i), "Acme"
		must(st.RecordCLAEvent(ctx, e))
	}
}

// seededSite is a site on a seeded store of the dialect, its rollup
// refreshed at seedNow.
func seededSite(t *testing.T, d store.Dialect) (*Site, http.Handler) {
	t.Helper()
	st := storetest.Open(t, d)
	seed(t, st)
	if err := Refresh(context.Background(), st, "Acme", seedNow); err != nil {
		t.Fatal(err)
	}
	s := &Site{Store: st, Now: func() time.Time { return seedNow }, GitHubURL: "https://github.example"}
	return s, SecurityHeaders(s.Handler())
}

// pageDoc is a page's JSON.
type pageDoc struct {
	Org      string
	Sections []struct {
		ID, Title, Empty, Note string
		Chart                  *Chart
		Table                  *struct {
			Columns []Column
			Rows    []map[string]any
			Pages   *Pages
		}
	}
}

func (d pageDoc) section(t *testing.T, id string) int {
	t.Helper()
	for i, s := range d.Sections {
		if s.ID == id {
			return i
		}
	}
	t.Fatalf("no section %q", id)
	return -1
}

func getJSON(t *testing.T, h http.Handler, path string) pageDoc {
	t.Helper()
	w := get(t, h, path, lead)
	if w.Code != 200 {
		t.Fatalf("%s: %d %s", path, w.Code, w.Body)
	}
	var doc pageDoc
	if err := json.Unmarshal(w.Body.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

func TestOverviewPage(t *testing.T) {
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) { testOverviewPage(t, d) })
	}
}

func testOverviewPage(t *testing.T, d store.Dialect) {
	site, h := seededSite(t, d)
	st := site.Store
	doc := getJSON(t, h, "/dashboard/acme/"+seedQ+"&format=json")
	kpis := doc.Sections[doc.section(t, "kpis")].Table.Rows
	want := map[string]string{
		// Mar 15: api and web pass the enforced licence rule; the fork is out of scope.
		"Compliance: in-scope repositories passing every enforce rule": "100.0 % (2 of 2)",
		"Licence coverage": "100.0 % (2 of 2)",
		"OSI-approved licences (of those with a licence)": "100.0 % (2 of 2)",
		// web's 24h and quick's 30m.
		"Review time to decision":          "p50 30m 0s, p90 1d 0h (n = 2)",
		"Open reviews awaiting a decision": "2", // api's and old's
		"Exemptions in force":              "1", // web's licence
		"CLA signers":                      "2", // users 1 and 3
		// Opened Mar 3 (1), Mar 10 (2; the bot's left out), Mar 11 (4).
		"Pull requests opened": "3",
		// Closed Mar 4 (1), Mar 9 (5, a Monday), Mar 12 (2).
		"Pull requests closed":                   "3",
		"Change request closure ratio":           "100.0 % (3 of 3)",
		"Contributions by members":               "1",
		"Contributions by external contributors": "2",
		"First-time contributors":                "1", // carol; alice and bob opened earlier
		"Pull requests blocked by the CLA":       "1",
		// The week of Mar 9: 2 answered a day after opening; 2 closed
		// after 2 days and 5 after 17; 4 unblocked after 2 hours.
		"Time to first response (pull requests)": "p50 1d 0h, p90 1d 0h (n = 1)",
		"Time to close (pull requests)":          "p50 2d 0h, p90 17d 0h (n = 2)",
		"CLA time to unblock":                    "p50 2h 0m, p90 2h 0m (n = 1)",
	}
	w := get(t, h, "/dashboard/acme/"+seedQ, lead)
	html := w.Body.String()
	for _, r := range kpis {
		name := r["kpi"].(string)
		got := fmt.Sprint(r["value"])
		if m, ok := r["value"].(map[string]any); ok {
			got = fmt.Sprint(m["n"])
		}
		if w, ok := want[name]; ok {
			if !strings.Contains(html, "<td>"+w+"</td>") {
				t.Errorf("%s: the HTML lacks %q", name, w)
			}
			delete(want, name)
		} else {
			t.Errorf("unexpected KPI %q = %s", name, got)
		}
	}
	for name := range want {
		t.Errorf("KPI %q missing", name)
	}
	if r := kpis[0]; r["value"] != 100.0 || r["over"] != "at the end of 2026-03-15" {
		t.Errorf("compliance in JSON: %v", r)
	}

	// The same numbers as the report's, over the whole period.
	rep, err := report.Build(context.Background(), st, report.Options{Org: "acme", Since: at(3, 2, 0, 0), Until: at(3, 16, 0, 0), Now: seedNow})
	if err != nil {
		t.Fatal(err)
	}
	k := rep.KPIs
	for name, v := range map[string]any{
		"Compliance: in-scope repositories passing every enforce rule": k.Compliance,
		"Licence coverage":                       k.LicenseCoverage,
		"Review time to decision":                k.ReviewTimeToDecision,
		"Open reviews awaiting a decision":       k.OpenReviews,
		"Exemptions in force":                    k.ExemptionsInForce,
		"CLA signers":                            k.CLASigners,
		"Change request closure ratio":           k.ChangeRequestClosure,
		"Contributions by members":               k.MemberContributions,
		"Contributions by external contributors": k.ExternalContributions,
		"First-time contributors":                k.FirstTimeContributors,
		"Pull requests blocked by the CLA":       k.CLABlockedPRs,
	} {
		var text string
		switch x := v.(type) {
		case kpi.Ratio:
			text, _ = ratioCell(x)
		case kpi.Durations:
			text, _ = durationsCell(x)
		default:
			text = fmt.Sprint(x)
		}
		if !strings.Contains(html, "<td>"+name+"</td><td>"+text+"</td>") {
			t.Errorf("%s: the report says %q", name, text)
		}
	}

	// The trend: a point a week, Mar 2 and Mar 9.
	shares := doc.Sections[doc.section(t, "trend-shares")]
	if got := shares.Chart.X; !reflect.DeepEqual(got, []string{"2026-03-02", "2026-03-09"}) {
		t.Errorf("trend weeks %v", got)
	}
	// Compliance at Mar 8 (web failing) and Mar 15; closed ÷ opened: 1 of
	// 1 in the first week, 2 of 2 in the second.
	if got := values(shares.Chart.Series); !reflect.DeepEqual(got, [][]float64{{50, 100}, {50, 100}, {100, 100}}) {
		t.Errorf("shares by week %v", got)
	}
	durations := doc.Sections[doc.section(t, "trend-durations")]
	// p50 in hours: first response 2h then 24h; close 24h, then of
	// [48h, 17d] 48h; unblock none then 2h; decision 24h, then 0.5h.
	if got := values(durations.Chart.Series); !reflect.DeepEqual(got, [][]float64{{2, 24}, {24, 48}, {-1, 2}, {24, 0.5}}) {
		t.Errorf("durations by week %v", got)
	}
	counts := doc.Sections[doc.section(t, "trend-counts")]
	if got := values(counts.Chart.Series); !reflect.DeepEqual(got, [][]float64{{1, 2}, {1, 2}, {0, 1}, {1, 1}, {0, 1}}) {
		t.Errorf("counts by week %v", got)
	}
	// Its table is its numbers.
	if rows := counts.Table.Rows; len(rows) != 2 || rows[1]["opened"] != 2.0 || rows[1]["week"] != "2026-03-09" {
		t.Errorf("counts table %v", rows)
	}

	// Compliance by rule: a point a day of the 14, each day's latest
	// checks: 100 % on Mar 2, 50 % Mar 3–9, 100 % from Mar 10.
	comp := doc.Sections[doc.section(t, "compliance")]
	if n := len(comp.Chart.X); n != 14 || comp.Chart.X[0] != "2026-03-02" || comp.Chart.X[13] != "2026-03-15" {
		t.Errorf("compliance by day: %d points %v", n, comp.Chart.X)
	}
	wantDay := []float64{100, 50, 50, 50, 50, 50, 50, 50, 100, 100, 100, 100, 100, 100}
	if got := values(comp.Chart.Series); len(got) != 2 || !reflect.DeepEqual(got[0], wantDay) || !reflect.DeepEqual(got[1], wantDay) ||
		comp.Chart.Series[1].Name != "repository.license" {
		t.Errorf("compliance by day %v (%d series)", got, len(comp.Chart.Series))
	}
	if r := comp.Table.Rows[1]; r["repository.license"] != 50.0 || r["day"] != "2026-03-03" {
		t.Errorf("compliance table row %v", r)
	}
	if !strings.Contains(html, "<td class=\"num\">50 (1 of 2)</td>") {
		t.Error("the compliance table's cells say the share and its counts")
	}
	if n := strings.Count(html[strings.Index(html, `id="compliance-chart"`):], `data-series="Every enforce rule"`); n != 14 {
		t.Errorf("%d points of compliance drawn, want 14", n)
	}
	weekly := getJSON(t, h, "/dashboard/acme/"+seedQ+"&step=week&format=json")
	comp = weekly.Sections[weekly.section(t, "compliance")]
	if got := values(comp.Chart.Series); len(comp.Chart.X) != 2 || !reflect.DeepEqual(got[0], []float64{50, 100}) {
		t.Errorf("compliance by week %v %v", comp.Chart.X, got)
	}

	// Open reviews at the period's end (Mar 16 00:00): api's 6 days old,
	// old's 43.
	open := doc.Sections[doc.section(t, "open-reviews")]
	if got := values(open.Chart.Series); !reflect.DeepEqual(got, [][]float64{{0, 1, 0, 1}}) || !reflect.DeepEqual(open.Chart.X, []string{"<1d", "1-7d", "7-30d", ">=30d"}) {
		t.Errorf("open reviews by age %v %v", open.Chart.X, got)
	}
	if !strings.Contains(html, "as of 2026-03-20 12:00 UTC") {
		t.Error("the page does not say how fresh its rollup is")
	}
	for _, title := range []string{"Headline KPIs, 2026-03-02 – 2026-03-15 (UTC)", "by week (%), 2026-03-02 – 2026-03-15", "Open reviews by age (reviews), at 2026-03-16 00:00 UTC"} {
		if !strings.Contains(html, title) {
			t.Errorf("no title with units and period %q", title)
		}
	}
}

// values are a chart's series' values, -1 for a gap.
func values(ss []Series) [][]float64 {
	var out [][]float64
	for _, s := range ss {
		var vs []float64
		for _, v := range s.Values {
			if v == nil {
				vs = append(vs, -1)
			} else {
				vs = append(vs, *v)
			}
		}
		out = append(out, vs)
	}
	return out
}

// Every table of both pages downloads as CSV: its column keys, then a
// line a row.
func TestOverviewAndReviewsCSV(t *testing.T) {
	_, h := seededSite(t, store.SQLite)
	for _, page := range []string{"", "reviews"} {
		doc := getJSON(t, h, "/dashboard/acme/"+page+seedQ+"&format=json")
		for _, s := range doc.Sections {
			if s.Table == nil {
				continue
			}
			w := get(t, h, "/dashboard/acme/"+page+seedQ+"&format=csv&table="+s.ID, lead)
			recs, err := csv.NewReader(w.Body).ReadAll()
			if w.Code != 200 || err != nil {
				t.Fatalf("%s %s: %d %v", page, s.ID, w.Code, err)
			}
			if len(recs) != 1+len(s.Table.Rows) || len(recs[0]) != len(s.Table.Columns) || recs[0][0] != s.Table.Columns[0].Key {
				t.Errorf("%s %s: csv %v for %d rows", page, s.ID, recs, len(s.Table.Rows))
			}
		}
	}
	w := get(t, h, "/dashboard/acme/reviews"+seedQ+"&format=csv&table=approvers", lead)
	if want := "approver,approve,reject,exempt,unexempt,total\nlead,0,1,1,0,2\n<b>boss</b>,1,0,0,0,1\n"; w.Body.String() != want {
		t.Errorf("approvers csv %q, want %q", w.Body, want)
	}
}

func TestOverviewEmpty(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	if _, err := st.DB.Exec(`INSERT INTO installations (id, account, account_type, state, updated_at) VALUES (1, 'Acme', 'Organization', 'active', $1)`, seedNow); err != nil {
		t.Fatal(err)
	}
	s := &Site{Store: st, Now: func() time.Time { return seedNow }}
	h := s.Handler()
	// Before the first refresh: each rolled-up section and KPI says so.
	doc := getJSON(t, h, "/dashboard/acme/?format=json")
	for _, r := range doc.Sections[doc.section(t, "kpis")].Table.Rows {
		if r["value"] != "not computed yet" {
			t.Errorf("KPI %v before a refresh: %v", r["kpi"], r["value"])
		}
	}
	for _, id := range []string{"trend-shares", "trend-durations", "trend-counts", "compliance", "open-reviews"} {
		if e := doc.Sections[doc.section(t, id)].Empty; !strings.Contains(e, "not been computed yet") {
			t.Errorf("%s before a refresh: %q", id, e)
		}
	}
	// After it, with no history: what is missing.
	if err := Refresh(context.Background(), st, "Acme", seedNow); err != nil {
		t.Fatal(err)
	}
	doc = getJSON(t, h, "/dashboard/acme/?format=json")
	if e := doc.Sections[doc.section(t, "compliance")].Empty; !strings.Contains(e, "No repository was checked by 2026-03-20") {
		t.Errorf("compliance: %q", e)
	}
	if e := doc.Sections[doc.section(t, "trend-counts")].Empty; !strings.Contains(e, "No pull request was opened") {
		t.Errorf("counts: %q", e)
	}
	if e := doc.Sections[doc.section(t, "open-reviews")].Empty; !strings.Contains(e, "No review issue was awaiting a decision at 2026-03-20 12:00 UTC") {
		t.Errorf("open reviews: %q", e)
	}
	w := get(t, h, "/dashboard/acme/", lead)
	if w.Code != 200 || !strings.Contains(w.Body.String(), `<p class="empty">No repository was checked by 2026-03-20`) {
		t.Errorf("the empty state is not shown: %d", w.Code)
	}
	if w := get(t, h, "/dashboard/acme/?format=csv&table=compliance", lead); w.Code != 400 || !strings.Contains(w.Body.String(), "no such table") {
		t.Errorf("csv of an empty section: %d %s", w.Code, w.Body)
	}
}

func TestOverviewAndReviewsRefusals(t *testing.T) {
	_, h := seededSite(t, store.SQLite)
	for _, c := range []struct{ path, says string }{
		{"/dashboard/acme/?step=month", `step=&#34;month&#34;: ask for day or week`},
		{"/dashboard/acme/?until=soon", "write a date as YYYY-MM-DD"},
		{"/dashboard/acme/reviews?page=0", "page number from 1"},
		{"/dashboard/acme/reviews" + seedQ + "&page=2", "the queue has 1 pages"},
		{"/dashboard/acme/reviews?page=x", "page number from 1"},
	} {
		w := get(t, h, c.path, lead)
		if w.Code != 400 || !strings.Contains(w.Body.String(), c.says) {
			t.Errorf("%s: %d, want 400 saying %q:\n%s", c.path, w.Code, c.says, w.Body)
		}
	}
}
