package web

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ospo-bot/ospo-bot/internal/signin"
	"github.com/ospo-bot/ospo-bot/internal/store"
	"github.com/ospo-bot/ospo-bot/internal/store/storetest"
)

// reposNow is the seeded org's "now": the default period is the 90 days
// up to 2026-11-30.
var reposNow = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)

const hostileName = `x"><img src=x onerror=alert(1)>`

type repoSeed struct {
	id                    int64
	name                  string
	private, out, flagged bool
	failing               []string
	topics                []string
	class                 string
	unknownTopics         bool
	issue                 int
	closed                bool
	decisions             []store.ReviewDecision
	earlierFailing        []string // the day before's failing rules
}

// repoSeeds: the org acme, by hand. Review states: alpha open, beta none,
// gamma approved (closed), delta none, epsilon exempted, hostileName
// rejected, zeta closed (its only exemption expired).
var repoSeeds = []repoSeed{
	{id: 1, name: "alpha", flagged: true, failing: []string{"license"}, topics: []string{"ospo-public", "go"}, class: "ospo-public",
		issue: 1, earlierFailing: []string{"codeowners", "license"}},
	{id: 2, name: "beta", private: true, topics: []string{"inner-source"}, class: "inner-source"},
	{id: 3, name: "gamma", failing: []string{"codeowners"}, issue: 3, closed: true,
		decisions: []store.ReviewDecision{{Actor: "lead", Verb: "approve", Reason: "fine", URL: "https://github.com/acme/ospo/issues/3#issuecomment-30", Failing: []string{"codeowners"}}}},
	{id: 4, name: "delta", out: true, unknownTopics: true},
	{id: 5, name: "epsilon", flagged: true, topics: []string{"ospo-public"}, class: "ospo-public", issue: 5,
		decisions: []store.ReviewDecision{{Actor: "lead", Verb: "exempt", Rule: "license", Reason: "vendored"}}},
	{id: 6, name: hostileName, flagged: true, failing: []string{"license", "topics"}, issue: 6,
		decisions: []store.ReviewDecision{{Actor: "lead", Verb: "reject", Reason: `<b>no</b> "way"`}}},
	{id: 7, name: "zeta", issue: 7, closed: true,
		decisions: []store.ReviewDecision{{Actor: "lead", Verb: "exempt", Rule: "license", Reason: "for a while", Expires: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)}}},
}

func seedRepositories(t *testing.T, st *store.Store) {
	t.Helper()
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(st.UpsertInstallation(ctx, store.Installation{ID: 1, Account: "acme", AccountType: "Organization", State: "active", UpdatedAt: reposNow}))
	must(st.UpsertInstallation(ctx, store.Installation{ID: 2, Account: "acme-other", AccountType: "Organization", State: "active", UpdatedAt: reposNow}))
	day := func(r repoSeed, org string, inst int64, at time.Time, failing []string) store.RepositoryDay {
		d := store.RepositoryDay{RepositoryID: r.id, InstallationID: inst, Org: org, Repository: org + "/" + r.name, Private: r.private,
			InScope: !r.out, Flagged: r.flagged, Failing: failing, At: at,
			Topics: r.topics, Classification: r.class, HasTopics: !r.unknownTopics}
		if !r.out {
			d.Results = map[string]string{"license": "enforce/pass", "codeowners": "enforce/pass", "topics": "warn/pass"}
			for _, f := range failing {
				d.Results[f] = "enforce/fail"
			}
		}
		return d
	}
	for i, r := range repoSeeds {
		if r.earlierFailing != nil {
			must(st.RecordRepositoryDay(ctx, day(r, "acme", 1, reposNow.AddDate(0, 0, -2), r.earlierFailing)))
			must(st.RecordRepositoryDay(ctx, day(r, "acme", 1, reposNow.AddDate(0, 0, -1), r.failing)))
		}
		must(st.RecordRepositoryDay(ctx, day(r, "acme", 1, reposNow.Add(-time.Hour), r.failing)))
		full := "acme/" + r.name
		if r.issue > 0 {
			if _, _, err := st.ClaimReviewIssue(ctx, store.ReviewIssue{RepositoryID: r.id, InstallationID: 1, Repository: full, ReviewRepo: "acme/ospo"}); err != nil {
				t.Fatal(err)
			}
			must(st.UpdateReviewIssue(ctx, store.ReviewIssue{RepositoryID: r.id, InstallationID: 1, Repository: full, ReviewRepo: "acme/ospo", IssueNumber: r.issue}))
			opened := reposNow.AddDate(0, 0, -10)
			must(st.RecordReviewEvent(ctx, store.ReviewEvent{Key: fmt.Sprintf("r%d opened", r.id), RepositoryID: r.id, InstallationID: 1,
				Org: "acme", Repository: full, Kind: store.ReviewOpened, Actor: "ospo-bot[bot]", At: opened}))
			if r.closed {
				must(st.RecordReviewEvent(ctx, store.ReviewEvent{Key: fmt.Sprintf("r%d closed", r.id), RepositoryID: r.id, InstallationID: 1,
					Org: "acme", Repository: full, Kind: store.ReviewClosed, At: opened.Add(time.Hour)}))
			}
		}
		for j, d := range r.decisions {
			d.RepositoryID, d.At = r.id, reposNow.AddDate(0, 0, -5).Add(time.Duration(j)*time.Minute)
			must(st.ReplaceCommentDecisions(ctx, int64(100*(i+1)+j), []store.ReviewDecision{d}))
		}
	}
	// Another org whose login starts with acme's.
	other := repoSeed{id: 100, name: "alpha", flagged: true, failing: []string{"license"}, topics: []string{"go"}, class: "ospo-public"}
	must(st.RecordRepositoryDay(ctx, day(other, "acme-other", 2, reposNow.Add(-time.Hour), other.failing)))
	for _, e := range auditSeeds {
		must(st.AppendAudit(ctx, e))
	}
	must(Refresh(ctx, st, "acme", reposNow))
	must(Refresh(ctx, st, "acme-other", reposNow))
}

func auditAt(s string) time.Time {
	t, err := time.Parse(time.DateTime, s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

// auditSeeds: acme's entries in the default period are a7, a4, a3, a2, a1
// (newest first); a5 and a8 are other orgs', a6 is before the period.
var auditSeeds = []store.AuditEntry{
	{At: auditAt("2026-11-29 10:00:00"), InstallationID: 1, Actor: "lead", Action: "approve", Subject: "acme/gamma", Reason: "a1", URL: "https://github.com/acme/ospo/issues/3#issuecomment-30"},
	{At: auditAt("2026-11-29 11:00:00"), InstallationID: 1, Actor: "mallory", Action: "refuse approve", Subject: "acme/alpha", Reason: "a2 =HYPERLINK(\"x\")"},
	{At: auditAt("2026-11-30 09:00:00"), InstallationID: 1, Actor: "ospo-bot", Action: "make private", Subject: "acme/beta", Reason: "a3"},
	{At: auditAt("2026-11-30 10:00:00"), InstallationID: 1, Actor: "Lead", Action: "approve protected paths", Subject: "acme/alpha#12", Reason: "a4"},
	{At: auditAt("2026-11-30 10:30:00"), InstallationID: 2, Actor: "lead", Action: "approve", Subject: "acme-other/alpha", Reason: "a5"},
	{At: auditAt("2026-08-01 10:00:00"), InstallationID: 1, Actor: "lead", Action: "approve", Subject: "acme/gamma", Reason: "a6"},
	{At: auditAt("2026-11-30 11:00:00"), InstallationID: 1, Actor: "lead", Action: "exempt", Subject: "repository 99", Reason: "a7"},
	{At: auditAt("2026-11-30 11:30:00"), InstallationID: 3, Actor: "lead", Action: "approve", Subject: "acmex/foo", Reason: "a8"},
}

type pageSite struct {
	t *testing.T
	h http.Handler
}

func newPageSite(t *testing.T, st *store.Store) pageSite {
	s := &Site{Store: st, Now: func() time.Time { return reposNow }, GitHubURL: "https://github.com"}
	return pageSite{t: t, h: s.Handler()}
}

func (ts pageSite) get(path string) (int, string) {
	ts.t.Helper()
	r := httptest.NewRequest("GET", path, nil)
	r = r.WithContext(signin.WithViewer(r.Context(), signin.Viewer{Login: "lead", Orgs: []string{"acme"}}))
	w := httptest.NewRecorder()
	ts.h.ServeHTTP(w, r)
	b, _ := io.ReadAll(w.Result().Body)
	return w.Code, string(b)
}

type repoJSONPage struct {
	Sections []struct {
		ID    string `json:"id"`
		Empty string `json:"empty"`
		Chart *Chart `json:"chart"`
		Table *struct {
			Rows  []map[string]any `json:"rows"`
			Pages *Pages           `json:"pages"`
		} `json:"table"`
	} `json:"sections"`
}

func (ts pageSite) json(path string) repoJSONPage {
	ts.t.Helper()
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	code, body := ts.get(path + sep + "format=json")
	if code != 200 {
		ts.t.Fatalf("GET %s: %d %s", path, code, body)
	}
	var p repoJSONPage
	if err := json.Unmarshal([]byte(body), &p); err != nil {
		ts.t.Fatal(err)
	}
	return p
}

// names are the repository column of a page's first table.
func (ts pageSite) names(path string) []string {
	ts.t.Helper()
	p := ts.json(path)
	var out []string
	if p.Sections[0].Table == nil {
		return out
	}
	for _, r := range p.Sections[0].Table.Rows {
		out = append(out, strings.TrimPrefix(r["repository"].(string), "acme/"))
	}
	return out
}

func eachRepoDialect(t *testing.T, fn func(t *testing.T, st *store.Store)) {
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) { fn(t, storetest.Open(t, d)) })
	}
}

func TestRepositoriesFilters(t *testing.T) {
	eachRepoDialect(t, func(t *testing.T, st *store.Store) {
		seedRepositories(t, st)
		ts := newPageSite(t, st)
		for _, c := range []struct {
			query string
			want  []string
		}{
			{"", []string{"alpha", "beta", "delta", "epsilon", "gamma", hostileName, "zeta"}},
			{"status=flagged", []string{"alpha", "epsilon", hostileName}},
			{"status=failing", []string{"alpha", "gamma", hostileName}},
			{"status=compliant", []string{"beta", "zeta"}},
			{"status=out_of_scope", []string{"delta"}},
			{"rule=license", []string{"alpha", hostileName}},
			{"rule=codeowners", []string{"gamma"}},
			{"rule=topics", []string{hostileName}},
			{"visibility=private", []string{"beta"}},
			{"visibility=public", []string{"alpha", "delta", "epsilon", "gamma", hostileName, "zeta"}},
			{"topic=go", []string{"alpha"}},
			{"topic=ospo-public", []string{"alpha", "epsilon"}},
			{"topic=o", nil}, // whole topics only
			{"classification=inner-source", []string{"beta"}},
			{"classification=ospo-public", []string{"alpha", "epsilon"}},
			{"classification=-", []string{"gamma", hostileName, "zeta"}},
			{"review=open", []string{"alpha"}},
			{"review=none", []string{"beta", "delta"}},
			{"review=approved", []string{"gamma"}},
			{"review=rejected", []string{hostileName}},
			{"review=exempted", []string{"epsilon"}},
			{"review=closed", []string{"zeta"}},
			{"status=flagged&visibility=public&rule=license", []string{"alpha", hostileName}},
			{"name=ET", []string{"beta", "zeta"}},
			{"name=%25", nil}, // a literal %, not a wildcard
		} {
			got := ts.names("/dashboard/acme/repositories?" + c.query)
			if !slices.Equal(got, c.want) {
				t.Errorf("%s: got %q, want %q", c.query, got, c.want)
			}
		}
	})
}

func TestRepositoriesSortAndLinks(t *testing.T) {
	eachRepoDialect(t, func(t *testing.T, st *store.Store) {
		seedRepositories(t, st)
		ts := newPageSite(t, st)
		asc := []string{"alpha", "beta", "delta", "epsilon", "gamma", hostileName, "zeta"}
		if got := ts.names("/dashboard/acme/repositories?sort=repository&dir=desc"); !slices.Equal(got, reversedNames(asc)) {
			t.Errorf("by name, descending: %q", got)
		}
		if got := ts.names("/dashboard/acme/repositories?sort=failing&dir=desc"); !slices.Equal(got, []string{hostileName, "gamma", "alpha", "zeta", "epsilon", "delta", "beta"}) {
			t.Errorf("by failing, descending: %q", got)
		}
		if got := ts.names("/dashboard/acme/repositories?sort=failing"); !slices.Equal(got, []string{"beta", "delta", "epsilon", "zeta", "alpha", "gamma", hostileName}) {
			t.Errorf("by failing, ascending: %q", got)
		}
		if got := ts.names("/dashboard/acme/repositories?sort=status&dir=desc"); !slices.Equal(got, []string{hostileName, "epsilon", "alpha", "gamma", "zeta", "beta", "delta"}) {
			t.Errorf("by status, descending: %q", got)
		}

		code, body := ts.get("/dashboard/acme/repositories")
		if code != 200 {
			t.Fatalf("%d %s", code, body)
		}
		for _, want := range []string{
			`href="/dashboard/acme/repositories/alpha"`, `href="https://github.com/acme/alpha"`,
			`href="https://github.com/acme/ospo/issues/1"`, `open (acme/ospo#1)`,
			`href="/dashboard/acme/repositories/x%22%3E%3Cimg%20src=x%20onerror=alert%281%29%3E"`,
			`acme/x&#34;&gt;&lt;img src=x onerror=alert(1)&gt;`, `unknown until its next check`,
			`href="/dashboard/acme/repositories?dir=desc&amp;sort=repository"`,
		} {
			if !strings.Contains(body, want) {
				t.Errorf("the page lacks %s", want)
			}
		}
		if strings.Contains(body, "<img") || strings.Contains(body, "acme-other") {
			t.Errorf("the page has a live script or another org's repository:\n%s", body)
		}
	})
}

func TestRepositoriesPaging(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	ctx := context.Background()
	for i := range 62 {
		if err := st.RecordRepositoryDay(ctx, store.RepositoryDay{RepositoryID: int64(i + 1), InstallationID: 1, Org: "acme",
			Repository: fmt.Sprintf("acme/r-%02d", i), InScope: true, At: reposNow, HasTopics: true}); err != nil {
			t.Fatal(err)
		}
	}
	if err := Refresh(ctx, st, "acme", reposNow); err != nil {
		t.Fatal(err)
	}
	ts := newPageSite(t, st)
	p := ts.json("/dashboard/acme/repositories?page=2")
	tb := p.Sections[0].Table
	if len(tb.Rows) != 12 || *tb.Pages != (Pages{Offset: 50, Size: 50, Total: 62}) || tb.Rows[0]["repository"] != "acme/r-50" {
		t.Fatalf("page 2: %d rows, pages %+v, first %v", len(tb.Rows), tb.Pages, tb.Rows[0])
	}
	if p := ts.json("/dashboard/acme/repositories?page=3"); len(p.Sections[0].Table.Rows) != 0 {
		t.Errorf("page 3 has rows")
	}
	_, body := ts.get("/dashboard/acme/repositories")
	if !strings.Contains(body, "Page 1 of 2") || !strings.Contains(body, `href="/dashboard/acme/repositories?page=2"`) {
		t.Errorf("no pager to page 2")
	}
	code, body := ts.get("/dashboard/acme/repositories?format=csv")
	if n := len(readRepoCSV(t, code, body)); n != 63 {
		t.Errorf("the CSV has %d lines, want the header and 62 rows", n)
	}
}

func readRepoCSV(t *testing.T, code int, body string) [][]string {
	t.Helper()
	if code != 200 {
		t.Fatalf("CSV: %d %s", code, body)
	}
	recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func TestRepositoriesBadRequests(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	seedRepositories(t, st)
	ts := newPageSite(t, st)
	for q, want := range map[string]string{
		"status=bogus":           "compliant, failing, flagged, out_of_scope",
		"rule=nope":              "license",
		"visibility=secret":      "public, private",
		"review=maybe":           "none, open, closed, exempted, approved, rejected",
		"classification=unknown": "inner-source",
		"topic=Not_A_Topic":      "lowercase letters",
		"sort=topics":            "sortable",
		"dir=up":                 "asc or desc",
		"page=0":                 "page number",
		"page=x":                 "page number",
	} {
		code, body := ts.get("/dashboard/acme/repositories?" + q)
		if code != 400 || !strings.Contains(body, want) {
			t.Errorf("%s: %d, want 400 saying %q:\n%s", q, code, want, body)
		}
	}
}

func TestRepositoryPage(t *testing.T) {
	eachRepoDialect(t, func(t *testing.T, st *store.Store) {
		seedRepositories(t, st)
		ts := newPageSite(t, st)
		p := ts.json("/dashboard/acme/repositories/ALPHA")
		byID := map[string]int{}
		for i, s := range p.Sections {
			byID[s.ID] = i
		}
		h := p.Sections[byID["history"]]
		if h.Table == nil || len(h.Table.Rows) != 3 || len(h.Chart.X) != 3 {
			t.Fatalf("history: %+v", h)
		}
		var counts []float64
		for _, v := range h.Chart.Series[0].Values {
			counts = append(counts, *v)
		}
		if !slices.Equal(counts, []float64{2, 1, 1}) || h.Table.Rows[0]["failing_rules"] != "codeowners, license" ||
			h.Table.Rows[2]["rule_license"] != "enforce/fail" || h.Table.Rows[2]["day"] != "2026-11-30" {
			t.Errorf("history: counts %v, rows %v", counts, h.Table.Rows)
		}
		au := p.Sections[byID["audit"]]
		if au.Table == nil || len(au.Table.Rows) != 2 || au.Table.Rows[0]["reason"] != "a4" || !strings.HasPrefix(au.Table.Rows[1]["reason"].(string), "a2 ") {
			t.Errorf("audit of alpha: %+v", au.Table)
		}
		if p.Sections[byID["decisions"]].Empty == "" {
			t.Errorf("alpha has no decision")
		}

		p = ts.json("/dashboard/acme/repositories/gamma")
		for _, s := range p.Sections {
			if s.ID == "decisions" && (s.Table == nil || len(s.Table.Rows) != 1 || s.Table.Rows[0]["verb"] != "approve" ||
				s.Table.Rows[0]["comment"] != "https://github.com/acme/ospo/issues/3#issuecomment-30") {
				t.Errorf("gamma's decisions: %+v", s.Table)
			}
		}
		code, body := ts.get("/dashboard/acme/repositories/" + url.PathEscape(hostileName))
		if code != 200 || strings.Contains(body, "<img") || strings.Contains(body, "<b>") || !strings.Contains(body, "&lt;b&gt;no&lt;/b&gt;") {
			t.Errorf("the hostileName repository's page: %d\n%s", code, body)
		}
		for _, path := range []string{"/dashboard/acme/repositories/nope", "/dashboard/acme/repositories/a/b",
			"/dashboard/acme/repositories/", "/dashboard/acme/repositories/alpha%2Fx"} {
			if code, _ := ts.get(path); code != 404 {
				t.Errorf("%s: %d, want 404", path, code)
			}
		}
		if code, _ := ts.get("/dashboard/acme-other/repositories/alpha"); code != 403 {
			t.Errorf("another org's repository: %d, want 403", code)
		}
	})
}

func TestReviewStatesFollowTime(t *testing.T) {
	// epsilon's exemption has no end; zeta's ended on 2026-11-01: zeta was
	// exempted before that day.
	in := &store.ReviewInputs{Number: 7, Closed: true, Decisions: []store.ReviewDecision{{Actor: "lead", Verb: "exempt", Rule: "license",
		At: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), Expires: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)}}}
	if got := reviewCell(in, time.Date(2026, 10, 31, 0, 0, 0, 0, time.UTC)).State; got != "exempted" {
		t.Errorf("before the expiry: %s", got)
	}
	if got := reviewCell(in, time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)).State; got != "closed" {
		t.Errorf("at the expiry: %s", got)
	}
}

func reversedNames(s []string) []string {
	out := slices.Clone(s)
	slices.Reverse(out)
	return out
}
