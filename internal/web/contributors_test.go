package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ospo-bot/ospo-bot/internal/kpi"
	"github.com/ospo-bot/ospo-bot/internal/report"
	"github.com/ospo-bot/ospo-bot/internal/signin"
	"github.com/ospo-bot/ospo-bot/internal/store"
	"github.com/ospo-bot/ospo-bot/internal/store/storetest"
	"github.com/ospo-bot/ospo-bot/internal/web"
)

func at(m time.Month, d, h int) time.Time { return time.Date(2026, m, d, h, 0, 0, 0, time.UTC) }

// site serves st as lead, who may see acme, with the clock at now.
func site(st *store.Store, now time.Time) http.Handler {
	s := &web.Site{Store: st, Now: func() time.Time { return now }, GitHubURL: "https://github.example"}
	return s.Handler()
}

func get(t *testing.T, h http.Handler, url string) (int, string) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, url, nil)
	req = req.WithContext(signin.WithViewer(req.Context(), signin.Viewer{Login: "lead", Orgs: []string{"acme"}}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	b, _ := io.ReadAll(rec.Result().Body)
	return rec.Code, string(b)
}

// jsonPage is what ?format=json says, read back.
type jsonPage struct {
	Sections []struct {
		ID    string `json:"id"`
		Title string `json:"title"`
		Empty string `json:"empty"`
		Note  string `json:"note"`
		Chart *struct {
			X      []string `json:"x"`
			Series []struct {
				Name   string     `json:"name"`
				Values []*float64 `json:"values"`
			} `json:"series"`
		} `json:"chart"`
		Table *struct {
			Rows  []map[string]any `json:"rows"`
			Pages *web.Pages       `json:"pages"`
		} `json:"table"`
	} `json:"sections"`
}

func getJSON(t *testing.T, h http.Handler, url string) jsonPage {
	t.Helper()
	code, body := get(t, h, url)
	if code != http.StatusOK {
		t.Fatalf("GET %s: %d %s", url, code, body)
	}
	var p jsonPage
	if err := json.Unmarshal([]byte(body), &p); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	return p
}

func (p jsonPage) section(t *testing.T, id string) int {
	t.Helper()
	for i, s := range p.Sections {
		if s.ID == id {
			return i
		}
	}
	t.Fatalf("no section %q", id)
	return -1
}

// column is a table column's values, as JSON gives them (numbers as
// float64), in row order.
func (p jsonPage) column(t *testing.T, id, key string) []any {
	t.Helper()
	s := p.Sections[p.section(t, id)]
	if s.Table == nil {
		t.Fatalf("section %s has no table (empty: %q)", id, s.Empty)
	}
	var out []any
	for _, r := range s.Table.Rows {
		out = append(out, r[key])
	}
	return out
}

func nums(ns ...float64) []any {
	out := make([]any, len(ns))
	for i, n := range ns {
		out[i] = n
	}
	return out
}

// seedContributors writes the hand-computed org of the page's tests
// through the store's own writers.
func seedContributors(t *testing.T, st *store.Store) {
	t.Helper()
	ctx := context.Background()
	if _, err := st.DB.ExecContext(ctx, `INSERT INTO installations (id, account, account_type, state, updated_at)
		VALUES (1, 'Acme', 'Organization', 'active', $1)`, at(1, 1, 0)); err != nil {
		t.Fatal(err)
	}
	type pr struct {
		repo           string
		number         int
		author, assoc  string
		bot            bool
		opened, closed time.Time
		merged         bool
	}
	for _, p := range []pr{
		{"Acme/a", 1, "alice", "MEMBER", false, at(3, 2, 10), at(3, 3, 0), true},
		{"Acme/a", 2, "bob", "CONTRIBUTOR", false, at(3, 2, 11), at(3, 5, 0), true},
		{"Acme/a", 3, "alice", "MEMBER", false, at(3, 9, 8), at(3, 10, 0), true},
		{"Acme/a", 4, "dependabot[bot]", "NONE", true, at(3, 9, 9), at(3, 9, 10), true},
		{"Acme/b", 1, "carol", "NONE", false, at(3, 16, 1), time.Time{}, false},
		{"Acme/b", 2, "bob", "CONTRIBUTOR", false, at(2, 10, 0), at(3, 1, 0), true},
		{"Acme/c<b>", 1, "dan", "NONE", false, at(1, 5, 0), at(1, 6, 0), true},
		{"Acme/c<b>", 2, "erin", "NONE", false, at(1, 5, 1), at(1, 6, 1), true},
		{"Acme/c<b>", 3, "fay", "MEMBER", false, at(1, 5, 2), at(1, 6, 2), true},
		{"Acme/c<b>", 4, "gus", "OWNER", false, at(1, 5, 3), at(1, 6, 3), true},
	} {
		if err := st.RecordPullRequestOpened(ctx, store.PullRequestFact{Repository: p.repo, Number: p.number, InstallationID: 1,
			Org: "Acme", Author: p.author, AuthorAssociation: p.assoc, AuthorBot: p.bot, OpenedAt: p.opened, Opening: true}); err != nil {
			t.Fatal(err)
		}
		if !p.closed.IsZero() {
			if err := st.RecordPullRequestClosed(ctx, p.repo, p.number, p.merged, p.closed); err != nil {
				t.Fatal(err)
			}
		}
	}
	block := func(repo string, number int, blocked, unblocked time.Time) {
		ref := store.PullRequestRef{InstallationID: 1, Repository: repo, Number: number}
		if err := st.SetBlockersAt(ctx, ref, []int64{99}, blocked); err != nil {
			t.Fatal(err)
		}
		if !unblocked.IsZero() {
			if err := st.SetBlockersAt(ctx, ref, nil, unblocked); err != nil {
				t.Fatal(err)
			}
		}
	}
	block("Acme/a", 2, at(3, 2, 12), at(3, 2, 14)) // 2 hours
	block("Acme/a", 1, at(3, 2, 10), at(3, 4, 10)) // 48 hours
	block("Acme/b", 1, at(3, 16, 2), time.Time{})  // still blocked
	block("Acme/a", 4, at(3, 9, 9), at(3, 9, 10))  // a bot's: left out
	block("Acme/b", 2, at(2, 10, 1), at(2, 10, 2)) // before the period
	sign := func(user int64, key string, when time.Time) {
		if err := st.SaveSignature(ctx, store.Signature{Org: "Acme", UserID: user, Login: fmt.Sprint("u", user), Version: "1",
			SignedAt: when, Key: key}); err != nil {
			t.Fatal(err)
		}
	}
	sign(1, "s1", at(2, 20, 0))
	sign(2, "s2", at(3, 3, 0))
	if _, err := st.RevokeSignatureEvent(ctx, store.CLAEvent{Key: "r2", Org: "Acme", UserID: 2, Login: "u2", At: at(3, 10, 0)}); err != nil {
		t.Fatal(err)
	}
	sign(2, "s2b", at(3, 20, 0))
	sign(3, "s3", at(4, 2, 0)) // after the period
}

// The period of the page's tests: March 1 to 28 (four whole weeks); the
// clock is on the 28th, so it is the default period's until too.
const marchURL = "/dashboard/acme/contributors?since=2026-03-01&until=2026-03-28"

var marchNow = at(3, 28, 12)

func TestContributorsPage(t *testing.T) {
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			st := storetest.Open(t, d)
			seedContributors(t, st)
			if err := web.Refresh(context.Background(), st, "Acme", marchNow); err != nil {
				t.Fatal(err)
			}
			h := site(st, marchNow)
			p := getJSON(t, h, marchURL+"&format=json")

			// CLA: u2 signed first on March 3 (u1 in February); at the
			// end u1 and u2 (signed again) are in force.
			if got := p.column(t, "cla-signers", "month"); !reflect.DeepEqual(got, []any{"2026-03"}) {
				t.Errorf("CLA months = %v", got)
			}
			if got := p.column(t, "cla-signers", "new_signers"); !reflect.DeepEqual(got, nums(1)) {
				t.Errorf("new signers = %v", got)
			}
			if got := p.column(t, "cla-signers", "signers_in_force"); !reflect.DeepEqual(got, nums(2)) {
				t.Errorf("signers in force = %v", got)
			}
			// Blocked: bob's (2 h), alice's (48 h), carol's (still); the
			// bot's and February's left out. Nearest rank of {2, 48}:
			// median 2, p90 48.
			for key, want := range map[string]any{"blocked": 3.0, "unblocked": 2.0, "still_blocked": 1.0, "median_hours": 2.0, "p90_hours": 48.0} {
				if got := p.column(t, "cla-blocked", key); !reflect.DeepEqual(got, []any{want}) {
					t.Errorf("cla-blocked %s = %v, want %v", key, got, want)
				}
			}
			if got := p.column(t, "cla-unblock", "pull_requests"); !reflect.DeepEqual(got, nums(0, 1, 0, 1, 0, 0, 1)) {
				t.Errorf("unblock distribution = %v", got)
			}
			// Contributions by week from March 1.
			if got := p.column(t, "contributions", "week"); !reflect.DeepEqual(got, []any{"2026-03-01", "2026-03-08", "2026-03-15", "2026-03-22"}) {
				t.Errorf("weeks = %v", got)
			}
			for key, want := range map[string][]any{"members": nums(1, 1, 0, 0), "external": nums(1, 0, 1, 0), "bots": nums(0, 1, 0, 0)} {
				if got := p.column(t, "contributions", key); !reflect.DeepEqual(got, want) {
					t.Errorf("contributions %s = %v, want %v", key, got, want)
				}
			}
			// alice's first is March 2, carol's March 16; bob's is in
			// February, the bot is a bot.
			if got := p.column(t, "first-time", "first_time_contributors"); !reflect.DeepEqual(got, nums(1, 0, 1, 0)) {
				t.Errorf("first-time contributors = %v", got)
			}
			// Absence, 90 days to March 28: a (alice 2, bob 1), b (bob
			// 1), c<b> (four people, one each).
			if got := p.column(t, "absence", "repository"); !reflect.DeepEqual(got, []any{"Acme/a", "Acme/b", "Acme/c<b>"}) {
				t.Errorf("absence repositories = %v", got)
			}
			for key, want := range map[string][]any{"factor": nums(1, 1, 2), "contributors": nums(2, 1, 4), "merged": nums(3, 1, 4)} {
				if got := p.column(t, "absence", key); !reflect.DeepEqual(got, want) {
					t.Errorf("absence %s = %v, want %v", key, got, want)
				}
			}
			if s := p.Sections[p.section(t, "contributions")]; !strings.Contains(s.Note, "As of 2026-03-28 12:00 UTC") {
				t.Errorf("contributions note = %q", s.Note)
			}
			if c := p.Sections[p.section(t, "contributions")].Chart; c == nil || len(c.X) != 4 || len(c.Series) != 2 || *c.Series[1].Values[2] != 1 {
				t.Errorf("contributions chart = %+v", c)
			}

			// Sorted by merged, descending.
			p = getJSON(t, h, marchURL+"&format=json&sort=merged&dir=desc")
			if got := p.column(t, "absence", "repository"); !reflect.DeepEqual(got, []any{"Acme/c<b>", "Acme/a", "Acme/b"}) {
				t.Errorf("by merged, descending = %v", got)
			}

			// CSV of a table.
			code, csv := get(t, h, marchURL+"&format=csv&table=absence")
			if want := "repository,factor,contributors,merged\nAcme/a,1,2,3\nAcme/b,1,1,1\nAcme/c<b>,2,4,4\n"; code != 200 || csv != want {
				t.Errorf("absence CSV: %d\n%s\nwant\n%s", code, csv, want)
			}
			code, csv = get(t, h, marchURL+"&format=csv&table=cla-blocked")
			if want := "blocked,unblocked,still_blocked,median_hours,p90_hours\n3,2,1,2.0,48.0\n"; code != 200 || csv != want {
				t.Errorf("cla-blocked CSV: %d\n%s\nwant\n%s", code, csv, want)
			}

			// HTML: the numbers, the as-of, the charts' points, the
			// hostile name escaped.
			code, html := get(t, h, marchURL)
			if code != 200 {
				t.Fatalf("HTML: %d", code)
			}
			for _, want := range []string{
				"As of 2026-03-28 12:00 UTC",
				`href="https://github.example/Acme/c%3cb%3e">Acme/c&lt;b&gt;</a>`,
				`<td class="num">48.0</td>`,
				"Pull requests blocked by the CLA and time to unblock, 2026-03-01 – 2026-03-28 (pull requests, hours)",
				`id="contributions-chart"`, `id="first-time-chart"`, `id="cla-signers-chart"`, `id="cla-unblock-chart"`,
			} {
				if !strings.Contains(html, want) {
					t.Errorf("the HTML lacks %s", want)
				}
			}
			if strings.Contains(html, "c<b>") {
				t.Error("a repository's name reached the HTML unescaped")
			}
			if n := strings.Count(html, `class="point" data-series="Members"`); n != 4 {
				t.Errorf("%d points of members, want 4", n)
			}
		})
	}
}

// A pull request closed or reopened after a refresh shows on the page
// after the next one, and not before (the page says as of when).
func TestContributorsPageRefresh(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	seedContributors(t, st)
	ctx := context.Background()
	if err := web.Refresh(ctx, st, "Acme", marchNow); err != nil {
		t.Fatal(err)
	}
	// alice's a#1 reopened, carol's b#1 merged.
	if err := st.RecordPullRequestReopened(ctx, "Acme/a", 1, at(3, 28, 13)); err != nil {
		t.Fatal(err)
	}
	if err := st.RecordPullRequestClosed(ctx, "Acme/b", 1, true, at(3, 28, 14)); err != nil {
		t.Fatal(err)
	}
	// u1 revokes; carol's b#1 is no longer blocked.
	if _, err := st.RevokeSignatureEvent(ctx, store.CLAEvent{Key: "r1", Org: "Acme", UserID: 1, Login: "u1", At: at(3, 28, 13)}); err != nil {
		t.Fatal(err)
	}
	if err := st.SetBlockersAt(ctx, store.PullRequestRef{InstallationID: 1, Repository: "Acme/b", Number: 1}, nil, at(3, 28, 2)); err != nil {
		t.Fatal(err)
	}
	h := site(st, at(3, 28, 15))
	p := getJSON(t, h, marchURL+"&format=json&sort=repository")
	if got := p.column(t, "absence", "merged"); !reflect.DeepEqual(got, nums(3, 1, 4)) {
		t.Errorf("merged before the refresh = %v", got)
	}
	if got := p.column(t, "cla-signers", "signers_in_force"); !reflect.DeepEqual(got, nums(2)) {
		t.Errorf("signers in force before the refresh = %v", got)
	}
	if err := web.Refresh(ctx, st, "Acme", at(3, 28, 15)); err != nil {
		t.Fatal(err)
	}
	p = getJSON(t, h, marchURL+"&format=json&sort=repository")
	// a: alice 1, bob 1 → 1 of 2; b: bob 1, carol 1.
	for key, want := range map[string][]any{"merged": nums(2, 2, 4), "contributors": nums(2, 2, 4), "factor": nums(1, 1, 2)} {
		if got := p.column(t, "absence", key); !reflect.DeepEqual(got, want) {
			t.Errorf("absence %s after the refresh = %v, want %v", key, got, want)
		}
	}
	if got := p.column(t, "cla-signers", "signers_in_force"); !reflect.DeepEqual(got, nums(1)) {
		t.Errorf("signers in force after u1 revoked = %v", got)
	}
	// carol's: 12 days blocked (from March 16, 02:00); nearest rank of
	// {2, 48, 288} hours: median 48, p90 288.
	for key, want := range map[string]any{"unblocked": 3.0, "still_blocked": 0.0, "median_hours": 48.0, "p90_hours": 288.0} {
		if got := p.column(t, "cla-blocked", key); !reflect.DeepEqual(got, []any{want}) {
			t.Errorf("cla-blocked %s after the refresh = %v, want %v", key, got, want)
		}
	}
	if s := p.Sections[p.section(t, "absence")]; !strings.Contains(s.Note, "As of 2026-03-28 15:00 UTC") {
		t.Errorf("absence note = %q", s.Note)
	}
}

func TestContributorsPageEmpty(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	if _, err := st.DB.Exec(`INSERT INTO installations (id, account, account_type, state, updated_at)
		VALUES (1, 'Acme', 'Organization', 'active', $1)`, at(1, 1, 0)); err != nil {
		t.Fatal(err)
	}
	h := site(st, marchNow)
	empties := func(want map[string]string) {
		t.Helper()
		p := getJSON(t, h, marchURL+"&format=json")
		for id, w := range want {
			s := p.Sections[p.section(t, id)]
			if !strings.Contains(s.Empty, w) || s.Table != nil || s.Chart != nil {
				t.Errorf("section %s: empty %q (want %q), table %v", id, s.Empty, w, s.Table != nil)
			}
		}
	}
	never := "has not been computed yet"
	empties(map[string]string{"cla-signers": never, "cla-blocked": never, "cla-unblock": never,
		"contributions": never, "first-time": never, "absence": never})
	if err := web.Refresh(context.Background(), st, "Acme", marchNow); err != nil {
		t.Fatal(err)
	}
	empties(map[string]string{
		"cla-signers":   "No CLA is configured or no one has signed by 2026-03-28",
		"cla-blocked":   "No pull request was blocked by the CLA in the period",
		"cla-unblock":   "No pull request was blocked by the CLA in the period",
		"contributions": "No pull request was opened in the period",
		"first-time":    "No one opened their first pull request in the org in the period",
		"absence":       "No pull request was merged in the 90 days to 2026-03-28",
	})
	code, html := get(t, h, marchURL)
	if code != 200 || !strings.Contains(html, `<p class="empty">No CLA is configured`) {
		t.Errorf("HTML empty state: %d", code)
	}
}

func TestContributorsPageBadRequests(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	h := site(st, marchNow)
	for _, q := range []string{"sort=author", "sort=factor&dir=up", "page=0", "page=x", "since=2026-13-01", "format=xml",
		"format=csv&table=nope"} {
		code, body := get(t, h, "/dashboard/acme/contributors?until=2026-03-28&"+q)
		if code != http.StatusBadRequest {
			t.Errorf("?%s: %d, want 400", q, code)
		}
		if !strings.Contains(body, strings.SplitN(strings.Split(q, "&")[len(strings.Split(q, "&"))-1], "=", 2)[0]) {
			t.Errorf("?%s: the page does not name the parameter:\n%s", q, body)
		}
	}
}

// More repositories than a page: page 2 holds the rest, in the same
// order, whether read from the rollup or computed for the request.
func TestContributorsPagePages(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	ctx := context.Background()
	if _, err := st.DB.Exec(`INSERT INTO installations (id, account, account_type, state, updated_at)
		VALUES (1, 'Acme', 'Organization', 'active', $1)`, at(1, 1, 0)); err != nil {
		t.Fatal(err)
	}
	for i := range 60 {
		repo := fmt.Sprintf("Acme/r%02d", i)
		if err := st.RecordPullRequestOpened(ctx, store.PullRequestFact{Repository: repo, Number: 1, InstallationID: 1, Org: "Acme",
			Author: fmt.Sprint("p", i%7), OpenedAt: at(3, 1, 0), Opening: true}); err != nil {
			t.Fatal(err)
		}
		if err := st.RecordPullRequestClosed(ctx, repo, 1, true, at(3, 2, i%24)); err != nil {
			t.Fatal(err)
		}
	}
	if err := web.Refresh(ctx, st, "Acme", marchNow); err != nil {
		t.Fatal(err)
	}
	h := site(st, marchNow)
	for _, u := range []string{marchURL, "/dashboard/acme/contributors?since=2026-03-01&until=2026-03-20"} {
		p := getJSON(t, h, u+"&format=json&page=2&sort=repository&dir=desc")
		got := p.column(t, "absence", "repository")
		if len(got) != 10 || got[0] != "Acme/r09" || got[9] != "Acme/r00" {
			t.Errorf("%s page 2 = %v", u, got)
		}
		if pg := p.Sections[p.section(t, "absence")].Table.Pages; pg == nil || pg.Total != 60 || pg.Offset != 50 || pg.Size != 50 {
			t.Errorf("%s pages = %+v", u, pg)
		}
	}
}

// The page's numbers are the report's (report.Build) over the same
// period, on a generated org with bots, reopens, revocations and blocks;
// for the default period's until (from the rollup) and another (computed
// for the request, then from the rollup after a refresh).
func TestContributorsPageMatchesReport(t *testing.T) {
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			st := storetest.Open(t, d)
			ctx := context.Background()
			seedRandomOrg(t, st)
			now := at(6, 30, 12)
			if err := web.Refresh(ctx, st, "Acme", now); err != nil {
				t.Fatal(err)
			}
			h := site(st, now)
			for _, period := range [][2]string{{"2026-04-01", "2026-06-30"}, {"2026-01-01", "2026-05-15"}, {"2026-05-03", "2026-05-09"}} {
				for _, pass := range []string{"first", "after a refresh"} {
					url := fmt.Sprintf("/dashboard/acme/contributors?since=%s&until=%s&format=json", period[0], period[1])
					since, _ := time.Parse(time.DateOnly, period[0])
					until, _ := time.Parse(time.DateOnly, period[1])
					until = until.AddDate(0, 0, 1)
					r, err := report.Build(ctx, st, report.Options{Org: "acme", Since: since, Until: until, Now: now})
					if err != nil {
						t.Fatal(err)
					}
					compareWithReport(t, fmt.Sprint(period, " ", pass), h, url, r.KPIs)
					if err := web.Refresh(ctx, st, "Acme", now); err != nil {
						t.Fatal(err)
					}
				}
			}
		})
	}
}

func compareWithReport(t *testing.T, name string, h http.Handler, url string, k kpi.Summary) {
	t.Helper()
	p := getJSON(t, h, url)
	sum := func(id, key string) int {
		n := 0.0
		if p.Sections[p.section(t, id)].Table == nil {
			return 0
		}
		for _, v := range p.column(t, id, key) {
			n += v.(float64)
		}
		return int(n)
	}
	if m, e := sum("contributions", "members"), sum("contributions", "external"); m != k.MemberContributions || e != k.ExternalContributions {
		t.Errorf("%s: members %d, external %d; the report: %d, %d", name, m, e, k.MemberContributions, k.ExternalContributions)
	}
	if n := sum("first-time", "first_time_contributors"); n != k.FirstTimeContributors {
		t.Errorf("%s: first-time %d; the report: %d", name, n, k.FirstTimeContributors)
	}
	if n := sum("cla-blocked", "blocked"); n != k.CLABlockedPRs {
		t.Errorf("%s: blocked %d; the report: %d", name, n, k.CLABlockedPRs)
	}
	if k.CLATimeToUnblock.N > 0 {
		med, p90 := p.column(t, "cla-blocked", "median_hours")[0].(float64), p.column(t, "cla-blocked", "p90_hours")[0].(float64)
		if sum("cla-blocked", "unblocked") != k.CLATimeToUnblock.N || math.Abs(med-k.CLATimeToUnblock.P50.Hours()) > 1e-9 ||
			math.Abs(p90-k.CLATimeToUnblock.P90.Hours()) > 1e-9 {
			t.Errorf("%s: unblocked %d, median %v h, p90 %v h; the report: %+v", name, sum("cla-blocked", "unblocked"), med, p90, k.CLATimeToUnblock)
		}
	}
	var months []kpi.MonthCount
	if p.Sections[p.section(t, "cla-signers")].Table != nil {
		ms, ns, inForce := p.column(t, "cla-signers", "month"), p.column(t, "cla-signers", "new_signers"), p.column(t, "cla-signers", "signers_in_force")
		for i := range ms {
			months = append(months, kpi.MonthCount{Month: ms[i].(string), Count: int(ns[i].(float64))})
		}
		if last := int(inForce[len(inForce)-1].(float64)); last != k.CLASigners {
			t.Errorf("%s: signers in force at the end %d; the report: %d", name, last, k.CLASigners)
		}
	}
	if !reflect.DeepEqual(months, k.CLANewSigners) {
		t.Errorf("%s: new signers %v; the report: %v", name, months, k.CLANewSigners)
	}
	var factors []kpi.RepositoryFactor
	for page := 1; ; page++ {
		pp := getJSON(t, h, fmt.Sprintf("%s&page=%d", url, page))
		s := pp.Sections[pp.section(t, "absence")]
		if s.Table == nil || len(s.Table.Rows) == 0 {
			break
		}
		for _, r := range s.Table.Rows {
			factors = append(factors, kpi.RepositoryFactor{Repository: r["repository"].(string), Factor: int(r["factor"].(float64)),
				Contributors: int(r["contributors"].(float64)), Merged: int(r["merged"].(float64))})
		}
	}
	if !reflect.DeepEqual(factors, k.AbsenceFactor) && !(len(factors) == 0 && len(k.AbsenceFactor) == 0) {
		t.Errorf("%s: absence factors\n%v\nthe report:\n%v", name, factors, k.AbsenceFactor)
	}
	if k.MemberContributions+k.ExternalContributions == 0 || len(k.AbsenceFactor) == 0 {
		t.Errorf("%s: the generated org gives the comparison nothing to compare", name)
	}
}

// seedRandomOrg writes a generated org: 40 repositories, 40 authors (some
// bots, by flag or by name), 600 pull requests over the first half of
// 2026, some closed, merged, reopened, blocked and unblocked by the CLA,
// and signatures with revocations.
const seedPRs = 600

func seedRandomOrg(t *testing.T, st *store.Store) {
	t.Helper()
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(14, 18))
	if _, err := st.DB.ExecContext(ctx, `INSERT INTO installations (id, account, account_type, state, updated_at)
		VALUES (1, 'Acme', 'Organization', 'active', $1)`, at(1, 1, 0)); err != nil {
		t.Fatal(err)
	}
	assocs := []string{"OWNER", "MEMBER", "member", "COLLABORATOR", "CONTRIBUTOR", "FIRST_TIME_CONTRIBUTOR", "NONE", ""}
	start := at(1, 1, 0).Add(-60 * 24 * time.Hour)
	span := int64(at(6, 30, 0).Sub(start) / time.Second)
	for i := range seedPRs {
		a := rng.IntN(40)
		author := fmt.Sprint("user", a)
		bot := a%13 == 0
		if a%17 == 0 {
			author = "Renovate[BOT]"
		}
		repo := fmt.Sprintf("Acme/repo-%d", rng.IntN(40))
		opened := start.Add(time.Duration(rng.Int64N(span)) * time.Second)
		if err := st.RecordPullRequestOpened(ctx, store.PullRequestFact{Repository: repo, Number: i + 1, InstallationID: 1, Org: "Acme",
			Author: author, AuthorAssociation: assocs[a%len(assocs)], AuthorBot: bot, OpenedAt: opened, Opening: true}); err != nil {
			t.Fatal(err)
		}
		ref := store.PullRequestRef{InstallationID: 1, Repository: repo, Number: i + 1}
		if rng.IntN(10) == 0 {
			blocked := opened.Add(time.Minute)
			if err := st.SetBlockersAt(ctx, ref, []int64{int64(a)}, blocked); err != nil {
				t.Fatal(err)
			}
			if rng.IntN(3) > 0 {
				if err := st.SetBlockersAt(ctx, ref, nil, blocked.Add(time.Duration(rng.IntN(100*3600))*time.Second)); err != nil {
					t.Fatal(err)
				}
			}
		}
		if s := rng.IntN(10); s < 8 {
			closed := opened.Add(time.Duration(rng.IntN(20*24*3600)) * time.Second)
			if err := st.RecordPullRequestClosed(ctx, repo, i+1, s < 6, closed); err != nil {
				t.Fatal(err)
			}
			if s == 0 {
				if err := st.RecordPullRequestReopened(ctx, repo, i+1, closed.Add(time.Hour)); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	for u := range 60 {
		when := start.Add(time.Duration(rng.Int64N(span)) * time.Second)
		if err := st.SaveSignature(ctx, store.Signature{Org: "Acme", UserID: int64(u), Login: fmt.Sprint("user", u), Version: "1",
			SignedAt: when, Key: fmt.Sprint("s", u)}); err != nil {
			t.Fatal(err)
		}
		if u%4 == 0 {
			if _, err := st.RevokeSignatureEvent(ctx, store.CLAEvent{Key: fmt.Sprint("r", u), Org: "Acme", UserID: int64(u),
				Login: fmt.Sprint("user", u), At: when.Add(20 * 24 * time.Hour)}); err != nil {
				t.Fatal(err)
			}
		}
	}
}
