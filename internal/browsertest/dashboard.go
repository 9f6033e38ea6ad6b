package browsertest

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
)

// Page is a dashboard page as its ?format=json tells it.
type Page struct {
	Title    string    `json:"title"`
	Org      string    `json:"org"`
	Sections []Section `json:"sections"`
}

// Section is one section of a Page.
type Section struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Empty string `json:"empty"`
	Chart *struct {
		Kind   string   `json:"kind"`
		Unit   string   `json:"unit"`
		X      []string `json:"x"`
		Series []struct {
			Name   string     `json:"name"`
			Values []*float64 `json:"values"`
		} `json:"series"`
	} `json:"chart"`
	Table *struct {
		Columns []struct {
			Key string `json:"key"`
		} `json:"columns"`
		Rows  []map[string]any `json:"rows"`
		Pages *struct {
			Offset, Size, Total int
		} `json:"pages"`
	} `json:"table"`
}

// Section returns the section of p with the id, or nil.
func (p *Page) Section(id string) *Section {
	for i := range p.Sections {
		if p.Sections[i].ID == id {
			return &p.Sections[i]
		}
	}
	return nil
}

// Points is the number of points the chart of s draws: a value that is
// not null, in any series.
func (s *Section) Points() int {
	n := 0
	if s.Chart != nil {
		for _, se := range s.Chart.Series {
			for _, v := range se.Values {
				if v != nil {
					n++
				}
			}
		}
	}
	return n
}

// CheckPage compares the page the tab shows (loaded from pageURL) with
// the page's own JSON and CSV, fetched with the tab's session: every
// section's title, empty state, chart points (count and values) and
// table rows (each cell's text, as the CSV has it). It reports each
// difference as an error of the test and returns the JSON.
func (tab *Tab) CheckPage(pageURL string) *Page {
	tab.t.Helper()
	code, body := tab.Fetch(withQuery(pageURL, "format", "json"))
	if code != 200 {
		tab.t.Fatalf("%s?format=json: %d %s", pageURL, code, body)
	}
	var p Page
	if err := json.Unmarshal(body, &p); err != nil {
		tab.t.Fatalf("%s?format=json: %v", pageURL, err)
	}
	if h1 := tab.Texts("h1"); len(h1) != 1 || !strings.HasPrefix(h1[0], p.Title) {
		tab.t.Errorf("%s: heading %q, the JSON's title %q", pageURL, h1, p.Title)
	}
	if n := tab.Count("main section"); n != len(p.Sections) {
		tab.t.Errorf("%s: %d sections shown, %d in the JSON", pageURL, n, len(p.Sections))
	}
	for _, s := range p.Sections {
		sel := "#" + s.ID
		if got := tab.Texts(sel + " > h2"); len(got) != 1 || got[0] != s.Title {
			tab.t.Errorf("%s: section %s is titled %q, the JSON %q", pageURL, s.ID, got, s.Title)
		}
		if s.Empty != "" {
			if got := tab.Texts(sel + " .empty"); len(got) != 1 || got[0] != s.Empty {
				tab.t.Errorf("%s: section %s's empty state shows %q, the JSON %q", pageURL, s.ID, got, s.Empty)
			}
			continue
		}
		if s.Chart != nil {
			tab.checkChart(pageURL, s)
		}
		if s.Table != nil {
			tab.checkTable(pageURL, s)
		}
	}
	return &p
}

func (tab *Tab) checkChart(pageURL string, s Section) {
	tab.t.Helper()
	// Every text of the chart (ticks, labels, unit) lies within its box,
	// not cut off at an edge.
	cut := Eval[[]string](tab, fmt.Sprintf(`(() => { const svg = document.getElementById(%s); if (!svg) return ["no chart"];
		const vb = svg.viewBox.baseVal; return Array.from(svg.querySelectorAll("text"), t => [t, t.getBBox()])
		.filter(([t, b]) => b.x < vb.x - 0.5 || b.y < vb.y - 0.5 || b.x + b.width > vb.x + vb.width + 0.5 || b.y + b.height > vb.y + vb.height + 0.5)
		.map(([t]) => t.textContent) })()`, strconv.Quote(s.ID+"-chart")))
	if len(cut) != 0 {
		tab.t.Errorf("%s: chart %s cuts off %q", pageURL, s.ID, cut)
	}
	values := Eval[[]string](tab, fmt.Sprintf(`Array.from(document.querySelectorAll(%s), e => e.dataset.value)`, strconv.Quote("#"+s.ID+"-chart .point")))
	var want []float64
	for _, se := range s.Chart.Series {
		for _, v := range se.Values {
			if v != nil {
				want = append(want, *v)
			}
		}
	}
	if len(values) != len(want) {
		tab.t.Errorf("%s: chart %s draws %d points, its JSON has %d values", pageURL, s.ID, len(values), len(want))
		return
	}
	for i, v := range values {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || math.Abs(f-want[i]) > 0.05+1e-9 {
			tab.t.Errorf("%s: chart %s's point %d is %q, the JSON's value %g", pageURL, s.ID, i, v, want[i])
		}
	}
}

func (tab *Tab) checkTable(pageURL string, s Section) {
	tab.t.Helper()
	code, body := tab.Fetch(withQuery(withQuery(pageURL, "format", "csv"), "table", s.ID))
	if code != 200 {
		tab.t.Errorf("%s: CSV of %s: %d %s", pageURL, s.ID, code, body)
		return
	}
	recs, err := csv.NewReader(strings.NewReader(string(body))).ReadAll()
	if err != nil || len(recs) == 0 {
		tab.t.Errorf("%s: CSV of %s: %v %q", pageURL, s.ID, err, body)
		return
	}
	_, rows := tab.Table("#" + s.ID + " table")
	if len(rows) != len(recs)-1 || len(rows) != len(s.Table.Rows) {
		tab.t.Errorf("%s: table %s shows %d rows, its CSV has %d and its JSON %d", pageURL, s.ID, len(rows), len(recs)-1, len(s.Table.Rows))
		return
	}
	for i, row := range rows {
		csvRow := recs[i+1]
		for j := range max(len(row), len(csvRow)) {
			var dom, c string
			if j < len(row) {
				dom = row[j]
			}
			if j < len(csvRow) {
				c = csvRow[j]
				if len(c) > 1 && c[0] == '\'' && strings.ContainsRune("=+-@\t\r", rune(c[1])) {
					c = c[1:] // kept from being read as a formula
				}
			}
			if dom != c {
				tab.t.Errorf("%s: table %s row %d column %d shows %q, the CSV %q", pageURL, s.ID, i+1, j+1, dom, c)
			}
		}
	}
}

func withQuery(u, k, v string) string {
	p, err := url.Parse(u)
	if err != nil {
		return u
	}
	q := p.Query()
	q.Set(k, v)
	p.RawQuery = q.Encode()
	return p.String()
}
