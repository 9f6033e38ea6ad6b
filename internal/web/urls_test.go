package web_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ospo-bot/ospo-bot/internal/store/storetest"
	"github.com/ospo-bot/ospo-bot/internal/web"
)

// TestDashboardURLs asks for every URL the benchmark measures, on the
// tiny generated org (the big one's shape) of each dialect after a
// refresh, so that the benchmark's list cannot rot: each answers 200 with
// the format it asks for, every registered page is in it, and each page's
// JSON has rows (the generated org has what the page reads).
func TestDashboardURLs(t *testing.T) {
	urls := dashboardURLs(t)
	for _, pattern := range web.PagePatterns() {
		if _, ok := benchPages[pattern]; !ok {
			t.Errorf("page %q has no entry in benchPages (bench_test.go): add its name and a filtered, sorted or paged variant", pattern)
		}
	}
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			st := storetest.Open(t, d)
			if err := storetest.GenerateOrg(context.Background(), st, storetest.TinyScale); err != nil {
				t.Fatal(err)
			}
			if err := web.Refresh(context.Background(), st, storetest.BigOrg, storetest.BigOrgEndTime()); err != nil {
				t.Fatal(err)
			}
			h, ctx := dashboard(st)
			for _, u := range urls {
				url, err := resolve(h, ctx, u.url)
				if err != nil {
					t.Errorf("%s: %v", u.name, err)
					continue
				}
				w := httptest.NewRecorder()
				h.ServeHTTP(w, httptest.NewRequestWithContext(ctx, "GET", url, nil))
				if w.Code != 200 {
					t.Errorf("%s: GET %s: %d\n%.2000s", u.name, url, w.Code, w.Body)
					continue
				}
				ct := w.Header().Get("Content-Type")
				switch {
				case strings.Contains(u.url, "format=json"):
					var doc struct {
						Sections []struct {
							Table *struct {
								Rows []json.RawMessage `json:"rows"`
							} `json:"table"`
						} `json:"sections"`
					}
					if err := json.Unmarshal(w.Body.Bytes(), &doc); err != nil || !strings.HasPrefix(ct, "application/json") {
						t.Errorf("%s: GET %s: %s, not JSON: %v", u.name, url, ct, err)
					}
					// The generated org has what the page reads: a page
					// of empty states would measure nothing.
					rows := 0
					for _, s := range doc.Sections {
						if s.Table != nil {
							rows += len(s.Table.Rows)
						}
					}
					if rows == 0 {
						t.Errorf("%s: GET %s: no table has a row on the generated org: generate what the page reads (storetest.GenerateOrg)", u.name, url)
					}
				case strings.Contains(u.url, "format=csv"):
					if !strings.HasPrefix(ct, "text/csv") || !strings.Contains(w.Body.String(), "\n") {
						t.Errorf("%s: GET %s: %s, not CSV: %.200q", u.name, url, ct, w.Body)
					}
				default:
					if !strings.HasPrefix(ct, "text/html") || !strings.Contains(w.Body.String(), "</main>") {
						t.Errorf("%s: GET %s: %s, not a page: %.200q", u.name, url, ct, w.Body)
					}
				}
			}
		})
	}
}
