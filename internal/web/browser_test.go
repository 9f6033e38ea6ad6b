package web

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ospo-bot/ospo-bot/internal/browsertest"
	"github.com/ospo-bot/ospo-bot/internal/signin"
	"github.com/ospo-bot/ospo-bot/internal/store"
	"github.com/ospo-bot/ospo-bot/internal/store/storetest"
)

// browserPage lists the org's repositories from the store's history as a
// page does: filtered (?status=, ?q=), sorted (?sort=, ?dir=), paged (5
// rows), with a bar chart of the failing rules of the rows shown.
func browserPage(s *Site, ctx context.Context, q Query) (*Page, error) {
	days, err := s.Store.LatestRepositoryDays(ctx, q.Org, q.Period.Until)
	if err != nil {
		return nil, err
	}
	status, text := q.Values.Get("status"), q.Values.Get("q")
	if status != "" && status != "passing" && status != "failing" {
		return nil, BadRequest("status=%q: ask for passing or failing", status)
	}
	t := &Table{Columns: []Column{{Key: "repository", Label: "Repository", Sortable: true}, {Key: "failing", Label: "Failing rules", Numeric: true, Sortable: true}}}
	if err := Sorting(q.Values, t, "repository", false); err != nil {
		return nil, err
	}
	var rows []store.RepositoryDayRow
	for _, d := range days {
		if (status == "failing") != (len(d.Failing) > 0) && status != "" || !strings.Contains(d.Repository, text) {
			continue
		}
		rows = append(rows, d)
	}
	slices.SortStableFunc(rows, func(a, b store.RepositoryDayRow) int {
		c := strings.Compare(a.Repository, b.Repository)
		if t.Sort == "failing" {
			c = len(a.Failing) - len(b.Failing)
		}
		if t.Desc {
			return -c
		}
		return c
	})
	off, err := Paging(q.Values, 5)
	if err != nil {
		return nil, err
	}
	t.Pages = &Pages{Offset: off, Size: 5, Total: len(rows)}
	c := &Chart{Kind: "bar", Unit: "rules", Series: []Series{{Name: "failing"}}}
	for _, d := range rows[min(off, len(rows)):min(off+5, len(rows))] {
		t.Rows = append(t.Rows, []Cell{{Text: d.Repository, Link: "https://github.com/" + d.Repository}, {Text: strconv.Itoa(len(d.Failing)), Value: len(d.Failing)}})
		c.X = append(c.X, d.Repository)
		c.Series[0].Values = append(c.Series[0].Values, Float(float64(len(d.Failing))))
	}
	return &Page{Title: "Browser test", Nav: "repositories",
		Filter: &Filter{Fields: []Field{
			{Name: "status", Label: "Status", Value: status, Options: []Option{{"", "any"}, {"passing", "passing"}, {"failing", "failing"}}},
			{Name: "q", Label: "Name contains", Value: text},
		}},
		Body: []Section{
			{ID: "repos", Title: "Failing rules by repository (rules, last check in the period)", Chart: c, Table: t},
			{ID: "weeks", Title: "Repositories checked by week (repositories)", Chart: &Chart{Kind: "line", Unit: "repositories",
				X: []string{"2026-11-16", "2026-11-23", "2026-11-30"}, Series: []Series{{Name: "checked", Values: []*float64{Float(2), nil, Float(float64(len(rows)))}}}},
				Table: &Table{Columns: []Column{{Key: "week", Label: "Week"}, {Key: "checked", Label: "Checked", Numeric: true}},
					Rows: [][]Cell{{{Text: "2026-11-16"}, {Text: "2"}}, {{Text: "2026-11-23"}, {Text: ""}}, {{Text: "2026-11-30"}, {Text: strconv.Itoa(len(rows))}}}}},
			{ID: "nothing", Title: "Nothing", Empty: "Nothing to show: this section is always empty."},
		}}, nil
}

// browserSite serves the dashboard with browserPage at /dashboard/acme/browser
// over HTTP, to a viewer the test chose; acme has 12 repositories, every
// third failing its licence.
func browserSite(t *testing.T, v signin.Viewer) string {
	t.Helper()
	pages = append(pages, struct {
		path string
		fn   pageFunc
	}{"browser", browserPage})
	s := &Site{Store: storetest.Open(t, store.SQLite), Now: func() time.Time { return time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC) }}
	h := s.Handler()
	pages = pages[:len(pages)-1]
	ctx := context.Background()
	if _, err := s.Store.DB.Exec(`INSERT INTO installations (id, account, account_type, state, updated_at)
		VALUES (1, 'acme', 'Organization', 'active', $1)`, time.Now()); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 12; i++ {
		d := store.RepositoryDay{RepositoryID: int64(i), InstallationID: 1, Org: "acme", Repository: fmt.Sprintf("acme/r%02d", i), InScope: true,
			Results: map[string]string{"license": "enforce/pass"}, At: time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)}
		if i%3 == 0 {
			d.Flagged, d.Failing, d.Results["license"] = true, []string{"license"}, "enforce/fail"
		}
		if err := s.Store.RecordRepositoryDay(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewServer(SecurityHeaders(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r.WithContext(signin.WithViewer(r.Context(), v)))
	})))
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestBrowserPage renders a page of the shared renderer in Chromium: no
// CSP violation or other console error, a chart point a row, the column
// header's link sorts, the filter form filters, the CSV link downloads the
// table, and Tab reaches every control.
func TestBrowserPage(t *testing.T) {
	base := browserSite(t, signin.Viewer{Login: "lead", Orgs: []string{"acme"}, CSRF: "tok"})
	tab := browsertest.New(t)
	if code := tab.Go(base + "/dashboard/acme/browser"); code != 200 {
		t.Fatalf("status %d", code)
	}
	tab.Screenshot("web-browser-test")
	// The DOM shows what the JSON and CSV say, and the chart has a point a row.
	p := tab.CheckPage(base + "/dashboard/acme/browser")
	if n := p.Section("repos").Points(); n != 5 {
		t.Errorf("the JSON's chart has %d points, want 5", n)
	}
	_, rows := tab.Table("#repos table")
	if len(rows) != 5 || rows[0][0] != "acme/r01" || rows[2][1] != "1" {
		t.Errorf("first page: %v", rows)
	}
	if n := tab.Count("#repos-chart .point"); n != 5 {
		t.Errorf("%d chart points, want 5 (a row each)", n)
	}
	if got := tab.Texts("#nothing .empty"); len(got) != 1 || !strings.HasPrefix(got[0], "Nothing to show") {
		t.Errorf("empty state: %q", got)
	}
	if got := tab.Texts("#repos caption"); len(got) != 1 || !strings.Contains(got[0], "rows 1–5 of 12") {
		t.Errorf("caption: %q", got)
	}
	// The keyboard reaches every link, input, select and button.
	if missed, reached := tab.Unreachable(); len(missed) != 0 || reached == 0 {
		t.Errorf("Tab reached %d controls and never %v", reached, missed)
	}

	// A click on the sorted column's header reverses the order.
	tab.Follow(chromedp.Click(chromedp.CSS(`#repos th[aria-sort="ascending"] a`)))
	_, rows = tab.Table("#repos table")
	if len(rows) != 5 || rows[0][0] != "acme/r12" || !strings.Contains(tab.URL(), "dir=desc") {
		t.Errorf("after a click on the header: %s %v", tab.URL(), rows)
	}
	if got := tab.Texts(`#repos th[aria-sort="descending"]`); len(got) != 1 || !strings.HasPrefix(got[0], "Repository") {
		t.Errorf("descending header: %q", got)
	}
	// The filter form, submitted, keeps the sort and filters.
	if err := chromedp.Do(tab.Ctx, chromedp.SetValue(chromedp.CSS(`select[name=status]`), "failing"),
		chromedp.SendKeys(chromedp.CSS(`input[name=q]`), "r1")); err != nil {
		t.Fatal(err)
	}
	tab.Follow(chromedp.Click(chromedp.CSS(`form.filters button[type=submit]`)))
	_, rows = tab.Table("#repos table")
	if want := [][]string{{"acme/r12", "1"}}; !slices.EqualFunc(rows, want, slices.Equal) {
		t.Errorf("failing repositories whose name has r1, sorted down: %v (%s)", rows, tab.URL())
	}
	if err := chromedp.Do(tab.Ctx, chromedp.Clear(chromedp.CSS(`input[name=q]`))); err != nil {
		t.Fatal(err)
	}
	tab.Follow(chromedp.Click(chromedp.CSS(`form.filters button[type=submit]`)))
	_, rows = tab.Table("#repos table")
	if want := [][]string{{"acme/r12", "1"}, {"acme/r09", "1"}, {"acme/r06", "1"}, {"acme/r03", "1"}}; !slices.EqualFunc(rows, want, slices.Equal) {
		t.Errorf("failing repositories, sorted down: %v (%s)", rows, tab.URL())
	}
	if n := tab.Count("#repos-chart .point"); n != 4 {
		t.Errorf("%d chart points, want 4", n)
	}
	tab.CheckPage(tab.URL())
	// The CSV link downloads the filtered table.
	name, body := tab.Download(`#repos caption a[download]`)
	recs, err := csv.NewReader(strings.NewReader(string(body))).ReadAll()
	if err != nil || name != "ospo-acme-repos.csv" {
		t.Fatalf("download %q: %v", name, err)
	}
	if want := [][]string{{"repository", "failing"}, {"acme/r12", "1"}, {"acme/r09", "1"}, {"acme/r06", "1"}, {"acme/r03", "1"}}; !slices.EqualFunc(recs, want, slices.Equal) {
		t.Errorf("CSV %v", recs)
	}
	// The pager's link goes to the next page.
	tab.Go(base + "/dashboard/acme/browser")
	tab.Follow(chromedp.Click(chromedp.CSS(`nav.pager a[rel=next]`)))
	if _, rows = tab.Table("#repos table"); len(rows) != 5 || rows[0][0] != "acme/r06" {
		t.Errorf("second page: %v", rows)
	}
	if p := tab.Problems(); len(p) != 0 {
		t.Errorf("the browser reported: %v", p)
	}
}

// TestBrowserRefusal: a viewer who may not see the org gets the 403 page,
// which says who may, with no console error, and every control reachable.
func TestBrowserRefusal(t *testing.T) {
	base := browserSite(t, signin.Viewer{Login: "mallory", Orgs: nil, CSRF: "tok"})
	tab := browsertest.New(t)
	if code := tab.Go(base + "/dashboard/acme/browser"); code != http.StatusForbidden {
		t.Fatalf("status %d, want 403", code)
	}
	if got := tab.Texts("main .message"); len(got) != 1 || !strings.Contains(got[0], "org's owners and to the review approvers") {
		t.Errorf("403 page says %q", got)
	}
	if missed, _ := tab.Unreachable(); len(missed) != 0 {
		t.Errorf("Tab never reached %v", missed)
	}
}
