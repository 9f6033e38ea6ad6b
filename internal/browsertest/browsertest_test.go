package browsertest

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

// TestHarnessSees: the harness catches what the dashboard's tests rely on
// it to catch — a CSP violation, a script error, a control the keyboard
// cannot reach — and downloads a file; without it, a clean page would
// prove nothing.
func TestHarnessSees(t *testing.T) {
	mux := http.NewServeMux()
	csp := "default-src 'none'; style-src 'self'"
	mux.HandleFunc("/clean", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", csp)
		w.Write([]byte(`<!doctype html><title>clean</title><a href="/a">a</a><form><input name="q"><select name="s"><option>x</option></select><button>Go</button></form><a href="/file" download>CSV</a>`))
	})
	mux.HandleFunc("/inline-style", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", csp)
		w.Write([]byte(`<!doctype html><title>style</title><p style="color:red">red</p>`))
	})
	mux.HandleFunc("/script-error", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`<!doctype html><title>error</title><script>console.error("boom"); undefinedFunction()</script>`))
	})
	mux.HandleFunc("/unreachable", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`<!doctype html><title>hidden</title><a href="/a">a</a><div hidden><a href="/b">b</a></div><button>c</button>`))
	})
	mux.HandleFunc("/favicon.ico", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	mux.HandleFunc("/file", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/csv")
		w.Header().Set("Content-Disposition", `attachment; filename="rows.csv"`)
		w.Write([]byte("a,b\n1,2\n"))
	})
	// A page whose HTML disagrees with its JSON and CSV, as CheckPage
	// must notice: a row, a chart point and a title differ.
	mux.HandleFunc("/page", func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Query().Get("format") {
		case "json":
			w.Write([]byte(`{"title":"T","sections":[{"id":"s","title":"S (n)","chart":{"kind":"bar","x":["a","b"],"series":[{"name":"n","values":[1,null]}]},
				"table":{"columns":[{"key":"k"},{"key":"n"}],"rows":[{"k":"a","n":1},{"k":"b","n":2}]}},{"id":"e","title":"E","empty":"nothing"}]}`))
		case "csv":
			w.Write([]byte("k,n\na,1\n'=b,2\n"))
		default:
			w.Write([]byte(`<!doctype html><title>t</title><h1>T <span>acme</span></h1><main>
				<section id="s"><h2>S (n)</h2><svg id="s-chart"><rect class="point" data-value="1"/><rect class="point" data-value="3"/></svg>
				<table><thead><tr><th>k</th><th>n</th></tr></thead><tbody><tr><td>a</td><td>1</td></tr><tr><td>=b</td><td>3</td></tr></tbody></table></section>
				<section id="e"><h2>Else</h2><p class="empty">nothing</p></section></main>`))
		}
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	t.Run("clean", func(t *testing.T) {
		tab := New(t)
		if code := tab.Go(srv.URL + "/clean"); code != 200 {
			t.Fatalf("status %d", code)
		}
		missed, reached := tab.Unreachable()
		if len(missed) != 0 || reached != 5 {
			t.Errorf("reached %d of 5 controls, missed %v", reached, missed)
		}
		name, body := tab.Download(`a[download]`)
		if name != "rows.csv" || string(body) != "a,b\n1,2\n" {
			t.Errorf("downloaded %q: %q", name, body)
		}
		if p := tab.Problems(); len(p) != 0 {
			t.Errorf("problems on a clean page: %v", p)
		}
	})
	for _, tc := range []struct{ path, want string }{
		{"/inline-style", "Content Security Policy"},
		{"/script-error", "boom"},
		{"/script-error", "undefinedFunction"},
	} {
		t.Run(tc.path, func(t *testing.T) {
			tab := New(&quiet{TB: t}) // its problems are the point
			tab.Go(srv.URL + tc.path)
			found := false
			for range 100 {
				for _, p := range tab.Problems() {
					found = found || strings.Contains(p, tc.want)
				}
				if found {
					break
				}
				Eval[int](tab, `1`) // a round trip: events before its reply are in
			}
			if !found {
				t.Errorf("no problem mentions %q: %v", tc.want, tab.Problems())
			}
		})
	}
	t.Run("check page", func(t *testing.T) {
		tab := New(t)
		tab.Go(srv.URL + "/page")
		rec := &recorder{TB: t}
		tab.For(rec).CheckPage(srv.URL + "/page")
		want := []string{"chart s draws 2 points, its JSON has 1", "table s row 2 column 2 shows \"3\", the CSV \"2\"", "section e is titled [\"Else\"]"}
		for _, w := range want {
			if !slices.ContainsFunc(rec.errs, func(e string) bool { return strings.Contains(e, w) }) {
				t.Errorf("CheckPage did not report %q; it reported %q", w, rec.errs)
			}
		}
		if len(rec.errs) != len(want) {
			t.Errorf("CheckPage reported %q, want only %q", rec.errs, want)
		}
	})
	t.Run("unreachable", func(t *testing.T) {
		tab := New(t)
		tab.Go(srv.URL + "/unreachable")
		missed, reached := tab.Unreachable()
		if reached != 2 || len(missed) != 1 || missed[0].Href != "/b" {
			t.Errorf("reached %d, missed %v; want 2 and the hidden /b", reached, missed)
		}
	})
}

// recorder records a test's errors instead of failing it.
type recorder struct {
	testing.TB
	errs []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}
func (r *recorder) Helper() {}

// quiet keeps a tab's cleanup from failing the test on the problems the
// test provoked.
type quiet struct{ testing.TB }

func (q *quiet) Errorf(format string, args ...any) {
	if strings.HasPrefix(format, "the browser reported") {
		q.Logf("(expected) "+format, args...)
		return
	}
	q.TB.Errorf(format, args...)
}
