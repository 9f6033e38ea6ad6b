package web

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/ospo-bot/ospo-bot/internal/signin"
)

// writeCSV writes one table of p, the section's whose ID is table (the
// first table when ""), as a download: a header of the column keys, then
// the cells' text, each kept from being read as a formula.
func writeCSV(w http.ResponseWriter, p *Page, table string) error {
	var sec *Section
	for i := range p.Body {
		if p.Body[i].Table != nil && (table == "" || p.Body[i].ID == table) {
			sec = &p.Body[i]
			break
		}
	}
	if sec == nil {
		if table == "" {
			return badRequest{"this page has no table"}
		}
		return badRequest{fmt.Sprintf("table=%q: this page has no such table", table)}
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="ospo-%s-%s.csv"`, fileName(p.Org), sec.ID))
	cw := csv.NewWriter(w)
	head := make([]string, len(sec.Table.Columns))
	for i, c := range sec.Table.Columns {
		head[i] = c.Key
	}
	cw.Write(head)
	for _, row := range sec.Table.Rows {
		rec := make([]string, len(row))
		for i, c := range row {
			rec[i] = CSVCell(c.Text)
		}
		cw.Write(rec)
	}
	cw.Flush()
	return cw.Error()
}

// CSVCell keeps a spreadsheet from reading a value as a formula (OWASP's
// CSV injection advice): one starting with = + - @ or a tab or carriage
// return gets a leading apostrophe. Our own numbers are never negative.
func CSVCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// fileName keeps an org's login (letters, digits, '-') as it is and
// anything else out of a file name.
func fileName(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '-' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '_'
	}, s)
}

// jsonTable is a table in the JSON: rows as objects keyed by column, each
// value the cell's Value or else its Text.
type jsonTable struct {
	Columns []Column         `json:"columns"`
	Rows    []map[string]any `json:"rows"`
	Sort    string           `json:"sort,omitempty"`
	Desc    bool             `json:"desc,omitempty"`
	Pages   *Pages           `json:"pages,omitempty"`
}

func writeJSON(w http.ResponseWriter, p *Page) error {
	type section struct {
		Section
		Table *jsonTable `json:"table,omitempty"`
	}
	out := struct {
		*Page
		Body []section `json:"sections"`
	}{Page: p}
	for _, s := range p.Body {
		js := section{Section: s}
		if t := s.Table; t != nil {
			jt := &jsonTable{Columns: t.Columns, Rows: make([]map[string]any, len(t.Rows)), Sort: t.Sort, Desc: t.Desc, Pages: t.Pages}
			for i, row := range t.Rows {
				m := make(map[string]any, len(row))
				for j, c := range row {
					if j < len(t.Columns) {
						if c.Value != nil {
							m[t.Columns[j].Key] = c.Value
						} else {
							m[t.Columns[j].Key] = c.Text
						}
					}
				}
				jt.Rows[i] = m
			}
			js.Table = jt
		}
		out.Body = append(out.Body, js)
	}
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// view is what page.html renders.
type view struct {
	*Page
	Viewer signin.Viewer
	URL    *url.URL
	Navs   []nav
}

type nav struct {
	Key, Label, Href string
	Current          bool
}

func (s *Site) writeHTML(w http.ResponseWriter, r *http.Request, p *Page) error {
	v, _ := signin.ViewerFrom(r.Context())
	base := "/dashboard/" + url.PathEscape(p.Org) + "/"
	var navs []nav
	for _, n := range []struct{ key, label, path string }{
		{"overview", "Overview", ""}, {"repositories", "Repositories", "repositories"}, {"reviews", "Reviews", "reviews"},
		{"contributors", "Contributors & CLA", "contributors"}, {"audit", "Audit log", "audit"},
	} {
		navs = append(navs, nav{Key: n.key, Label: n.label, Href: base + n.path, Current: n.key == p.Nav})
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	return s.tmpl.ExecuteTemplate(w, "page.html", view{Page: p, Viewer: v, URL: r.URL, Navs: navs})
}

// with returns u with its query's key set to value (deleted when ""), and
// page reset unless it is the key set.
func with(u *url.URL, kv ...string) string {
	q := u.Query()
	q.Del("format")
	q.Del("table")
	reset := true
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i] == "page" {
			reset = false
		}
		if kv[i+1] == "" {
			q.Del(kv[i])
		} else {
			q.Set(kv[i], kv[i+1])
		}
	}
	if reset {
		q.Del("page")
	}
	out := *u
	out.RawQuery = q.Encode()
	return out.RequestURI()
}

var funcs = template.FuncMap{
	// sortURL: the link of a column's header: by it ascending, or
	// reversed when it is the current sort.
	"sortURL": func(u *url.URL, t *Table, key string) string {
		dir := "asc"
		if t.Sort == key && !t.Desc {
			dir = "desc"
		}
		return with(u, "sort", key, "dir", dir)
	},
	"pageURL": func(u *url.URL, n int) string { return with(u, "page", strconv.Itoa(n)) },
	"csvURL": func(u *url.URL, id string) string {
		q := u.Query()
		q.Set("format", "csv")
		q.Set("table", id)
		q.Del("page")
		out := *u
		out.RawQuery = q.Encode()
		return out.RequestURI()
	},
	"jsonURL": func(u *url.URL) string {
		q := u.Query()
		q.Set("format", "json")
		out := *u
		out.RawQuery = q.Encode()
		return out.RequestURI()
	},
	"chart": func(id, title string, c *Chart) template.HTML { return renderChart(id, title, c) },
	"pageInfo": func(p *Pages) map[string]int {
		page := p.Offset/max(p.Size, 1) + 1
		last := max((p.Total+p.Size-1)/max(p.Size, 1), 1)
		to := min(p.Offset+p.Size, p.Total)
		return map[string]int{"Page": page, "Last": last, "Prev": page - 1, "Next": page + 1, "From": min(p.Offset+1, p.Total), "To": to, "Total": p.Total}
	},
	"sorted": func(t *Table, key string) string {
		if t.Sort != key {
			return "none"
		}
		if t.Desc {
			return "descending"
		}
		return "ascending"
	},
}

func staticFiles() http.Handler {
	sub, err := fs.Sub(files, "static")
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	fsrv := http.FileServer(http.FS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		fsrv.ServeHTTP(w, r)
	})
}
