package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ospo-bot/ospo-bot/internal/signin"
	"github.com/ospo-bot/ospo-bot/internal/store"
	"github.com/ospo-bot/ospo-bot/internal/store/storetest"
)

// testPage is a page with a hostile cell, a chart and two tables.
func testPage(_ *Site, _ context.Context, q Query) (*Page, error) {
	t := &Table{Columns: []Column{{Key: "repo", Label: "Repository", Sortable: true}, {Key: "n", Label: "N", Numeric: true, Sortable: true}}}
	if err := Sorting(q.Values, t, "repo", false); err != nil {
		return nil, err
	}
	off, err := Paging(q.Values, 2)
	if err != nil {
		return nil, err
	}
	t.Rows = [][]Cell{{{Text: "=cmd|' /C calc'!A0"}, {Text: "1", Value: 1}}, {{Text: "<script>alert(1)</script>", Link: "https://github.com/x"}, {Text: "2", Value: 2}}}
	t.Pages = &Pages{Offset: off, Size: 2, Total: 5}
	return &Page{Title: "Test", Nav: "overview", Body: []Section{
		{ID: "first", Title: "First (repositories, period)", Chart: &Chart{Kind: "line", Unit: "%", X: []string{"w1", "w2", "w3"},
			Series: []Series{{Name: "a", Values: []*float64{Float(1), nil, Float(3)}}, {Name: "<b>", Values: []*float64{Float(2), Float(2), Float(2)}}}}, Table: t},
		{ID: "second", Title: "Second", Table: &Table{Columns: []Column{{Key: "k", Label: "K"}}, Rows: [][]Cell{{{Text: "+1"}}}}},
		{ID: "none", Title: "Nothing", Empty: "No data yet: it comes from checks."},
	}}, nil
}

func testSite(t *testing.T) http.Handler {
	t.Helper()
	pages = append(pages, struct {
		path string
		fn   pageFunc
	}{"test", testPage})
	t.Cleanup(func() { pages = pages[:len(pages)-1] })
	st := storetest.Open(t, store.SQLite)
	// The org as GitHub spells it, which pages show whatever the URL's case.
	if _, err := st.DB.Exec(`INSERT INTO installations (id, account, account_type, state, updated_at)
		VALUES (1, 'Acme', 'Organization', 'active', $1)`, time.Now()); err != nil {
		t.Fatal(err)
	}
	s := &Site{Store: st, Now: func() time.Time { return time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC) }}
	return SecurityHeaders(s.Handler())
}

func get(t *testing.T, h http.Handler, path string, v *signin.Viewer) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest("GET", path, nil)
	if v != nil {
		r = r.WithContext(signin.WithViewer(r.Context(), *v))
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

var lead = &signin.Viewer{Login: "lead", Orgs: []string{"Acme"}, CSRF: "tok"}

func TestPageFormats(t *testing.T) {
	h := testSite(t)
	w := get(t, h, "/dashboard/acme/test", lead)
	if w.Code != 200 {
		t.Fatalf("html: %d %s", w.Code, w.Body)
	}
	body := w.Body.String()
	for _, want := range []string{"&lt;script&gt;alert(1)&lt;/script&gt;", `Period: 2026-09-02 – 2026-11-30`, "No data yet: it comes from checks.",
		`aria-sort="ascending"`, `href="/dashboard/acme/test?dir=desc&amp;sort=repo"`, `name="csrf" value="tok"`, "rows 1–2 of 5", "Page 1 of 3"} {
		if !strings.Contains(body, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if strings.Contains(body, "<script") || strings.Contains(body, "<b>") || strings.Contains(body, "style=") {
		t.Errorf("the page has markup from data, a script or an inline style:\n%s", body)
	}
	// Five points drawn (a gap in series a), each with its title.
	if n := strings.Count(body, `class="point"`); n != 5 {
		t.Errorf("%d points drawn, want 5", n)
	}

	w = get(t, h, "/dashboard/acme/test?format=csv", lead)
	if w.Code != 200 || w.Header().Get("Content-Disposition") != `attachment; filename="ospo-Acme-first.csv"` {
		t.Fatalf("csv: %d %v", w.Code, w.Header())
	}
	if got, want := w.Body.String(), "repo,n\n'=cmd|' /C calc'!A0,1\n<script>alert(1)</script>,2\n"; got != want {
		t.Errorf("csv:\n%s\nwant\n%s", got, want)
	}
	if w = get(t, h, "/dashboard/acme/test?format=csv&table=second", lead); w.Body.String() != "k\n'+1\n" {
		t.Errorf("csv of the second table: %q", w.Body)
	}
	if w = get(t, h, "/dashboard/acme/test?format=csv&table=none", lead); w.Code != 400 || !strings.Contains(w.Body.String(), "no such table") {
		t.Errorf("csv of a section without a table: %d %s", w.Code, w.Body)
	}

	w = get(t, h, "/dashboard/acme/test?format=json", lead)
	var doc struct {
		Org      string
		Sections []struct {
			ID    string
			Table *struct{ Rows []map[string]any }
		}
	}
	if err := json.Unmarshal(w.Body.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Org != "Acme" || len(doc.Sections) != 3 || doc.Sections[0].Table.Rows[1]["n"] != 2.0 || doc.Sections[0].Table.Rows[0]["repo"] != "=cmd|' /C calc'!A0" {
		t.Errorf("json: %s", w.Body)
	}
}

func TestPageRefusals(t *testing.T) {
	h := testSite(t)
	for _, c := range []struct {
		path   string
		viewer *signin.Viewer
		code   int
		says   string
	}{
		{"/dashboard/acme/test", nil, 403, "review approvers"},
		{"/dashboard/other/test", lead, 403, "org&#39;s owners"},
		{"/dashboard/acme/test?format=xml", lead, 400, "ask for html, csv or json"},
		{"/dashboard/acme/test?since=yesterday", lead, 400, "YYYY-MM-DD"},
		{"/dashboard/acme/test?since=2026-12-01&until=2026-11-01", lead, 400, "is after"},
		{"/dashboard/acme/test?since=2020-01-01", lead, 400, "longer than two years"},
		{"/dashboard/acme/test?sort=secret", lead, 400, "sortable columns"},
		{"/dashboard/acme/test?dir=up", lead, 400, "asc or desc"},
		{"/dashboard/acme/test?page=0", lead, 400, "page number from 1"},
		{"/dashboard/acme/nope", lead, 404, ""},
	} {
		w := get(t, h, c.path, c.viewer)
		if w.Code != c.code || !strings.Contains(w.Body.String(), c.says) {
			t.Errorf("%s: %d, want %d saying %q:\n%s", c.path, w.Code, c.code, c.says, w.Body)
		}
		if csp := w.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "script-src") {
			t.Errorf("%s: CSP %q", c.path, csp)
		}
	}
}

func TestLinksKeepTheQuery(t *testing.T) {
	u, _ := url.Parse("/dashboard/acme/test?rule=x&page=3&format=json&sort=repo")
	if got := with(u, "sort", "n", "dir", "asc"); got != "/dashboard/acme/test?dir=asc&rule=x&sort=n" {
		t.Errorf("sort link %q: it keeps the filters and goes back to page 1", got)
	}
	if got := with(u, "page", "4"); got != "/dashboard/acme/test?page=4&rule=x&sort=repo" {
		t.Errorf("page link %q", got)
	}
}
