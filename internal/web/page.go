// Package web serves the OSPO dashboard's pages under /dashboard: each page is one Page of tables and charts, written as HTML, CSV or JSON.
package web

import (
	"time"
)

// Page is everything one page shows, whatever the format: the HTML
// renders its sections in order, the JSON is the Page itself, and the CSV
// is one of its tables (?table=ID, the first by default).
type Page struct {
	Title  string    `json:"title"`
	Org    string    `json:"org"`
	Nav    string    `json:"-"` // the navigation entry shown as current: overview, repositories, reviews, contributors, audit
	Period Period    `json:"period"`
	Filter *Filter   `json:"filter,omitempty"`
	Body   []Section `json:"sections"`
}

// Period is the page's time window: [Since, Until).
type Period struct {
	Since time.Time `json:"since"`
	Until time.Time `json:"until"`
}

// Label is the period as a title shows it: "2026-09-01 – 2026-11-30"
// (Until is exclusive, so the last day shown is the day before it).
func (p Period) Label() string {
	return p.Since.UTC().Format(time.DateOnly) + " – " + p.Until.Add(-time.Nanosecond).UTC().Format(time.DateOnly)
}

// Section is a titled part of a page: a chart with the table of its
// numbers, or a table alone, or the empty state saying what is missing.
type Section struct {
	ID    string `json:"id"`    // HTML id and CSV table name; [a-z0-9-]
	Title string `json:"title"` // with units and period where it has numbers
	// Empty, when set, is shown instead of the chart and table: what is
	// missing and how it comes (e.g. "No review has been decided in the
	// period: decisions are recorded from /ospo comments").
	Empty string `json:"empty,omitempty"`
	Chart *Chart `json:"chart,omitempty"`
	Table *Table `json:"table,omitempty"`
	Note  string `json:"note,omitempty"` // a sentence under the section: a definition, a source
}

// Chart is drawn as inline SVG; its numbers are its section's Table, so a
// chart never has data the table lacks.
type Chart struct {
	Kind   string   `json:"kind"` // "line" or "bar"
	Unit   string   `json:"unit"` // of the values: "%", "repositories", "hours"
	X      []string `json:"x"`    // the labels of the points, in order
	Series []Series `json:"series"`
}

// Series is one line (or set of bars) of a chart; a nil value is a point
// with no data (drawn as a gap).
type Series struct {
	Name   string     `json:"name"`
	Values []*float64 `json:"values"`
}

// Table is a table with typed cells. Sort and paging are the server's:
// the HTML's column headers and page links are plain links, so every
// page works without script.
type Table struct {
	Columns []Column `json:"columns"`
	Rows    [][]Cell `json:"rows"`
	// Sort is the column key the rows are sorted by, and Desc its order;
	// only columns with Sortable set may be asked for (?sort=, ?dir=).
	Sort string `json:"sort,omitempty"`
	Desc bool   `json:"desc,omitempty"`
	// Pages: set when the rows are one page of more.
	Pages *Pages `json:"pages,omitempty"`
}

// Column is a table's column: Key names it in CSV, JSON and ?sort=.
type Column struct {
	Key      string `json:"key"`
	Label    string `json:"label"`
	Numeric  bool   `json:"numeric,omitempty"`
	Sortable bool   `json:"sortable,omitempty"`
}

// Cell is one value: Text as shown and in CSV; Value, when set, is the
// JSON's value (a number, a time), else Text; Link makes it a link (to
// GitHub or to another dashboard page).
type Cell struct {
	Text  string `json:"text"`
	Value any    `json:"value,omitempty"`
	Link  string `json:"link,omitempty"`
}

// Pages says where a table's rows are in the whole: Offset rows were
// before this page, Total in all (a filtered count), Size a page.
type Pages struct {
	Offset int `json:"offset"`
	Size   int `json:"size"`
	Total  int `json:"total"`
}

// Filter is the page's form of filters, submitted by GET: each field a
// query parameter.
type Filter struct {
	Fields []Field `json:"fields"`
}

// Field is one filter control: a select when Options is set, else a text
// (or date, when Type is "date") input.
type Field struct {
	Name    string   `json:"name"`  // the query parameter
	Label   string   `json:"label"` // shown beside it
	Type    string   `json:"type,omitempty"`
	Value   string   `json:"value"`
	Options []Option `json:"options,omitempty"`
}

// Option is one choice of a select; Value "" is "any".
type Option struct {
	Value string `json:"value"`
	Label string `json:"label"`
}

// Float is a chart value.
func Float(f float64) *float64 { return &f }
