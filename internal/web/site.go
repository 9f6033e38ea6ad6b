package web

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/ospo-bot/ospo-bot/internal/signin"
	"github.com/ospo-bot/ospo-bot/internal/store"
)

//go:embed templates static
var files embed.FS

// DefaultPeriod is the window a page covers when the URL names none: the
// 90 days up to and including today.
const DefaultPeriod = 90 * 24 * time.Hour

// MaxPeriod bounds ?since= … ?until=: two years.
const MaxPeriod = 2 * 366 * 24 * time.Hour

// Site serves the dashboard's pages from the store. It does no
// authentication: signin's middleware, in front of it, puts the viewer in
// each request's context, and Site shows an org only to a viewer who may
// see it.
type Site struct {
	Store *store.Store
	// Now is the clock of the default period; nil: time.Now.
	Now func() time.Time
	// GitHubURL is GitHub's web address for links (https://github.com).
	GitHubURL string

	tmpl *template.Template
}

// Query is what a page's request asks for.
type Query struct {
	Org    string // as GitHub spells it (store.OrgName)
	Period Period
	Values url.Values // the URL's query: filters, sort, page
	Path   string     // the {rest} of a page whose pattern has one (a repository's name)
}

// pageFunc builds a page's data.
type pageFunc func(s *Site, ctx context.Context, q Query) (*Page, error)

// pages are the org's pages: the path under /dashboard/{org}/ and its
// builder. The overview is "{$}" (the org's own path, no deeper).
var pages = []struct {
	path string
	fn   pageFunc
}{
	{"{$}", overviewPage},
	{"reviews", reviewsPage},
	{"contributors", contributorsPage},
	{"repositories", repositoriesPage},
	{"repositories/{rest...}", repositoryDetailPage},
	{"audit", auditPage},
}

// Registered returns the patterns of the org's pages under /dashboard/{org}/,
// as registered ("{$}" is the overview): the browser test visits each.
func Registered() []string {
	out := make([]string, len(pages))
	for i, p := range pages {
		out[i] = p.path
	}
	return out
}

// Handler serves /dashboard/{org}/… and the static files (under
// /dashboard/-/: no org login starts with a hyphen). Errors a user
// can cause (an unknown org, a bad date or filter) are answered with a
// page that says what was wrong.
func (s *Site) Handler() http.Handler {
	s.tmpl = template.Must(template.New("").Funcs(funcs).ParseFS(files, "templates/*.html"))
	mux := http.NewServeMux()
	mux.Handle("GET /dashboard/-/static/", http.StripPrefix("/dashboard/-/static/", staticFiles()))
	mux.HandleFunc("GET /dashboard/{$}", s.index)
	for _, p := range pages {
		fn := p.fn
		mux.HandleFunc("GET /dashboard/{org}/"+p.path, func(w http.ResponseWriter, r *http.Request) { s.serve(w, r, fn) })
	}
	// Any other path: the dashboard's own 404 page (with its style sheet
	// and icon), not Go's plain text.
	mux.HandleFunc("/dashboard/", func(w http.ResponseWriter, r *http.Request) { s.Error(w, r, http.StatusNotFound, "") })
	return mux
}

// index lists the orgs the viewer may see, or goes to the one.
func (s *Site) index(w http.ResponseWriter, r *http.Request) {
	v, ok := signin.ViewerFrom(r.Context())
	if !ok || len(v.Orgs) == 0 {
		s.Error(w, r, http.StatusForbidden, "")
		return
	}
	if len(v.Orgs) == 1 {
		http.Redirect(w, r, "/dashboard/"+url.PathEscape(v.Orgs[0])+"/", http.StatusFound)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := s.tmpl.ExecuteTemplate(w, "index.html", map[string]any{"Viewer": v}); err != nil {
		zerolog.Ctx(r.Context()).Warn().Err(err).Msg("dashboard index: write")
	}
}

func (s *Site) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// badRequest is an error the user's URL caused, shown as it is (400).
type badRequest struct{ msg string }

func (e badRequest) Error() string { return e.msg }

// BadRequest is an error a page returns for a URL it cannot answer: a
// filter's unknown value, a sort column that is not sortable.
func BadRequest(format string, args ...any) error { return badRequest{fmt.Sprintf(format, args...)} }

// NotFound is the error of a page whose subject (a repository) is unknown.
var NotFound = errors.New("not found")

func (s *Site) serve(w http.ResponseWriter, r *http.Request, fn pageFunc) {
	ctx := r.Context()
	v, ok := signin.ViewerFrom(ctx)
	org := r.PathValue("org")
	if !ok || !v.MaySee(org) {
		s.Error(w, r, http.StatusForbidden, "")
		return
	}
	format := r.URL.Query().Get("format")
	if format != "" && format != "html" && format != "csv" && format != "json" {
		s.Error(w, r, http.StatusBadRequest, fmt.Sprintf("format %q: ask for html, csv or json", format))
		return
	}
	period, err := s.period(r.URL.Query())
	if err != nil {
		s.Error(w, r, http.StatusBadRequest, err.Error())
		return
	}
	name, err := s.Store.OrgName(ctx, org)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p, err := fn(s, ctx, Query{Org: name, Period: period, Values: r.URL.Query(), Path: r.PathValue("rest")})
	var bad badRequest
	switch {
	case errors.As(err, &bad):
		s.Error(w, r, http.StatusBadRequest, bad.msg)
		return
	case errors.Is(err, NotFound):
		s.Error(w, r, http.StatusNotFound, "")
		return
	case err != nil:
		s.fail(w, r, err)
		return
	}
	p.Org, p.Period = name, period
	switch format {
	case "csv":
		err = writeCSV(w, p, r.URL.Query().Get("table"))
	case "json":
		err = writeJSON(w, p)
	default:
		err = s.writeHTML(w, r, p)
	}
	if err != nil {
		var bad badRequest
		if errors.As(err, &bad) {
			s.Error(w, r, http.StatusBadRequest, bad.msg)
			return
		}
		zerolog.Ctx(ctx).Warn().Err(err).Str("org", name).Msg("dashboard page: write")
	}
}

// period reads ?since= and ?until= (YYYY-MM-DD, UTC; until inclusive).
func (s *Site) period(q url.Values) (Period, error) {
	y, m, d := s.now().UTC().Date()
	until := time.Date(y, m, d+1, 0, 0, 0, 0, time.UTC)
	if u := q.Get("until"); u != "" {
		t, err := time.Parse(time.DateOnly, u)
		if err != nil {
			return Period{}, fmt.Errorf("until=%q: write a date as YYYY-MM-DD", u)
		}
		until = t.AddDate(0, 0, 1)
	}
	since := until.Add(-DefaultPeriod)
	if v := q.Get("since"); v != "" {
		t, err := time.Parse(time.DateOnly, v)
		if err != nil {
			return Period{}, fmt.Errorf("since=%q: write a date as YYYY-MM-DD", v)
		}
		since = t
	}
	if !since.Before(until) {
		return Period{}, fmt.Errorf("since %s is after until %s", since.Format(time.DateOnly), until.AddDate(0, 0, -1).Format(time.DateOnly))
	}
	if until.Sub(since) > MaxPeriod {
		return Period{}, fmt.Errorf("the period %s – %s is longer than two years: ask for a shorter one",
			since.Format(time.DateOnly), until.AddDate(0, 0, -1).Format(time.DateOnly))
	}
	return Period{Since: since, Until: until}, nil
}

// Paging reads ?page= (from 1) for a table of size rows a page, and
// returns the offset of its first row.
func Paging(q url.Values, size int) (offset int, err error) {
	v := q.Get("page")
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 1_000_000 {
		return 0, BadRequest("page=%q: ask for a page number from 1", v)
	}
	return (n - 1) * size, nil
}

// Sorting reads ?sort= and ?dir= against t's sortable columns; def is the
// sort when none is asked for.
func Sorting(q url.Values, t *Table, def string, defDesc bool) error {
	t.Sort, t.Desc = def, defDesc
	if k := q.Get("sort"); k != "" {
		ok := false
		for _, c := range t.Columns {
			ok = ok || (c.Key == k && c.Sortable)
		}
		if !ok {
			return BadRequest("sort=%q: sort by one of the table's sortable columns", k)
		}
		t.Sort, t.Desc = k, false
	}
	switch d := q.Get("dir"); d {
	case "":
	case "asc":
		t.Desc = false
	case "desc":
		t.Desc = true
	default:
		return BadRequest("dir=%q: ask for asc or desc", d)
	}
	return nil
}

// fail answers an error of ours: logged, and a 500 page that says so
// without its detail.
func (s *Site) fail(w http.ResponseWriter, r *http.Request, err error) {
	zerolog.Ctx(r.Context()).Error().Err(err).Str("path", r.URL.Path).Msg("dashboard page failed")
	s.Error(w, r, http.StatusInternalServerError, "")
}

// Error writes the error page of status with msg (or the status's own
// explanation when msg is "").
func (s *Site) Error(w http.ResponseWriter, r *http.Request, status int, msg string) {
	if msg == "" {
		switch status {
		case http.StatusForbidden:
			msg = "You may not see this org's dashboard. It is shown to the org's owners and to the review approvers its ospo.yml names (review.approvers), as GitHub says at sign-in and every 15 minutes after."
		case http.StatusNotFound:
			msg = "There is no such page."
		default:
			msg = "Something went wrong on our side; it has been logged. Try again in a moment."
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	v, _ := signin.ViewerFrom(r.Context())
	if err := s.tmpl.ExecuteTemplate(w, "error.html", map[string]any{
		"Status": status, "StatusText": http.StatusText(status), "Message": msg, "Viewer": v,
	}); err != nil {
		zerolog.Ctx(r.Context()).Warn().Err(err).Msg("dashboard error page: write")
	}
}

// SecurityHeaders sets the headers every dashboard response carries: a
// content security policy with no script at all and no framing, no
// sniffing, no referrer beyond the origin, and no caching of what a
// signed-in viewer saw.
func SecurityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		if !strings.HasPrefix(r.URL.Path, "/dashboard/-/static/") {
			h.Set("Cache-Control", "no-store")
		}
		next.ServeHTTP(w, r)
	})
}
