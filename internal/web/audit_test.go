package web

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ospo-bot/ospo-bot/internal/store"
	"github.com/ospo-bot/ospo-bot/internal/store/storetest"
)

// reasons are the reason column of the audit page's table.
func (ts pageSite) reasons(path string) []string {
	ts.t.Helper()
	p := ts.json(path)
	var out []string
	if p.Sections[0].Table == nil {
		return out
	}
	for _, r := range p.Sections[0].Table.Rows {
		out = append(out, strings.Fields(r["reason"].(string))[0])
	}
	return out
}

func TestAuditSearch(t *testing.T) {
	eachRepoDialect(t, func(t *testing.T, st *store.Store) {
		seedRepositories(t, st)
		ts := newPageSite(t, st)
		for _, c := range []struct {
			query string
			want  []string
		}{
			{"", []string{"a7", "a4", "a3", "a2", "a1"}}, // acme's only: not acme-other's, not acmex's
			{"actor=LEAD", []string{"a7", "a4", "a1"}},
			{"actor=%40lead", []string{"a7", "a4", "a1"}},
			{"action=approve", []string{"a1"}},
			{"repository=alpha", []string{"a4", "a2"}},
			{"repository=acme%2FAlpha", []string{"a4", "a2"}},
			{"repository=alph", nil},
			{"since=2026-08-01", []string{"a7", "a4", "a3", "a2", "a1", "a6"}},
			{"since=2026-11-30", []string{"a7", "a4", "a3"}},
			{"until=2026-11-29", []string{"a2", "a1"}},
			{"actor=lead&repository=gamma&since=2026-01-01", []string{"a1", "a6"}},
		} {
			if got := ts.reasons("/dashboard/acme/audit?" + c.query); !slices.Equal(got, c.want) {
				t.Errorf("%s: got %q, want %q", c.query, got, c.want)
			}
		}
		// The CSV holds exactly the search's entries, formulas kept inert.
		code, body := ts.get("/dashboard/acme/audit?format=csv&actor=mallory")
		recs := readRepoCSV(t, code, body)
		if len(recs) != 2 || recs[0][0] != "at" || recs[1][1] != "mallory" || recs[1][3] != "acme/alpha" || !strings.HasPrefix(recs[1][4], "a2 ") {
			t.Errorf("CSV: %q", recs)
		}
		_, body = ts.get("/dashboard/acme/audit")
		for _, want := range []string{`href="/dashboard/acme/repositories/gamma"`, `href="https://github.com/acme/alpha/issues/12"`,
			`href="https://github.com/acme/ospo/issues/3#issuecomment-30"`, `<option value="make private">`} {
			if !strings.Contains(body, want) {
				t.Errorf("the audit page lacks %s", want)
			}
		}
	})
}

func TestAuditPagingAndCSV(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	ctx := context.Background()
	for i := range 60 {
		if err := st.AppendAudit(ctx, store.AuditEntry{At: reposNow.Add(-repoMinutes(i)), InstallationID: 1, Actor: "lead",
			Action: "approve", Subject: "acme/widget", Reason: fmt.Sprintf("e%02d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	ts := newPageSite(t, st)
	p := ts.json("/dashboard/acme/audit?page=2")
	tb := p.Sections[0].Table
	if len(tb.Rows) != 10 || tb.Pages.Total != 60 || tb.Rows[0]["reason"] != "e50" {
		t.Fatalf("page 2: %d rows of %+v, first %v", len(tb.Rows), tb.Pages, tb.Rows[0])
	}
	code, body := ts.get("/dashboard/acme/audit?format=csv&page=2")
	recs := readRepoCSV(t, code, body)
	if len(recs) != 61 || recs[1][4] != "e00" || recs[60][4] != "e59" {
		t.Errorf("the CSV has %d lines (want the header and all 60, newest first): %q … %q", len(recs), recs[1], recs[len(recs)-1])
	}
	for q, want := range map[string]string{"action=nope": "approve", "page=-1": "page number", "repository=other%2Fx": "name one of its repositories",
		"repository=a%2Fb%2Fc": "owner/name"} {
		if code, body := ts.get("/dashboard/acme/audit?" + q); code != 400 || !strings.Contains(body, want) {
			t.Errorf("%s: %d, want 400 saying %q", q, code, want)
		}
	}
}

func repoMinutes(i int) time.Duration { return time.Duration(i) * time.Minute }
