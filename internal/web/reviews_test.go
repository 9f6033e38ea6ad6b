package web

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ospo-bot/ospo-bot/internal/store"
	"github.com/ospo-bot/ospo-bot/internal/store/storetest"
)

func TestReviewsPage(t *testing.T) {
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) { testReviewsPage(t, d) })
	}
}

func testReviewsPage(t *testing.T, d store.Dialect) {
	_, h := seededSite(t, d)
	doc := getJSON(t, h, "/dashboard/acme/reviews"+seedQ+"&format=json")
	// Decided in the period: quick's in 30 minutes, web's in 24 hours.
	ttd := doc.Sections[doc.section(t, "time-to-decision")]
	if got := values(ttd.Chart.Series); !reflect.DeepEqual(ttd.Chart.X, []string{"<1h", "1-4h", "4-24h", "1-3d", "3-7d", "7-30d", ">=30d"}) ||
		!reflect.DeepEqual(got, [][]float64{{1, 0, 0, 1, 0, 0, 0}}) {
		t.Errorf("time to decision %v %v", ttd.Chart.X, got)
	}
	if !strings.Contains(ttd.Note, "p50 30m 0s, p90 1d 0h (nearest rank, n = 2)") || ttd.Title != "Time to decision (reviews decided 2026-03-02 – 2026-03-15)" {
		t.Errorf("time to decision: %q %q", ttd.Title, ttd.Note)
	}
	// Waiting at the period's end, oldest first: old's since Feb 1 (43
	// days), api's since Mar 10 (6 days).
	q := doc.Sections[doc.section(t, "queue")].Table
	if len(q.Rows) != 2 || q.Rows[0]["repository"] != "Acme/old" || q.Rows[0]["age_days"] != 43.0 || q.Rows[0]["issue"] != "Acme/ospo#3" ||
		q.Rows[1]["repository"] != "Acme/api" || q.Rows[1]["age_days"] != 6.0 || q.Pages.Total != 2 {
		t.Errorf("queue %v %+v", q.Rows, q.Pages)
	}
	// Decisions in the period: lead's reject and exempt, boss's approve.
	a := doc.Sections[doc.section(t, "approvers")]
	if rows := a.Table.Rows; len(rows) != 2 || rows[0]["approver"] != "lead" || rows[0]["total"] != 2.0 || rows[0]["reject"] != 1.0 ||
		rows[1]["approver"] != "<b>boss</b>" || rows[1]["approve"] != 1.0 {
		t.Errorf("approvers %v", rows)
	}
	if got := values(a.Chart.Series); !reflect.DeepEqual(got, [][]float64{{0, 1}, {1, 0}, {1, 0}, {0, 0}}) {
		t.Errorf("approvers chart %v", got)
	}

	w := get(t, h, "/dashboard/acme/reviews"+seedQ, lead)
	html := w.Body.String()
	for _, want := range []string{
		`<a href="https://github.example/Acme/old">Acme/old</a>`,
		`<a href="https://github.example/Acme/ospo/issues/3">Acme/ospo#3</a>`,
		`&lt;b&gt;boss&lt;/b&gt;`,
		`aria-current="page">Reviews</a>`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("the page lacks %s", want)
		}
	}
	if strings.Contains(html, "<b>boss") {
		t.Error("a login went into the page as markup")
	}
	// One bar a bucket and one a verb and approver.
	if n := strings.Count(html, `class="point"`); n != 7+4*2 {
		t.Errorf("%d bars drawn, want 15", n)
	}
}

// The queue pages by QueueSize, oldest first across pages.
func TestReviewQueuePages(t *testing.T) {
	site, h := seededSite(t, store.SQLite)
	ctx := context.Background()
	for i := range 55 {
		id := int64(100 + i)
		repo := fmt.Sprintf("Acme/r%02d", i)
		if _, _, err := site.Store.ClaimReviewIssue(ctx, store.ReviewIssue{RepositoryID: id, InstallationID: 1, Repository: repo, ReviewRepo: "Acme/ospo"}); err != nil {
			t.Fatal(err)
		}
		if err := site.Store.RecordReviewEvent(ctx, store.ReviewEvent{Key: fmt.Sprint("q", i), RepositoryID: id, InstallationID: 1, Org: "Acme",
			Repository: repo, Kind: store.ReviewOpened, At: time.Date(2026, 1, 1, i, 0, 0, 0, time.UTC)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := Refresh(ctx, site.Store, "Acme", seedNow.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	doc := getJSON(t, h, "/dashboard/acme/reviews"+seedQ+"&format=json")
	q := doc.Sections[doc.section(t, "queue")].Table
	if len(q.Rows) != QueueSize || q.Rows[0]["repository"] != "Acme/r00" || q.Rows[49]["repository"] != "Acme/r49" || q.Pages.Total != 57 {
		t.Errorf("page 1: %d rows, first %v, last %v, %+v", len(q.Rows), q.Rows[0]["repository"], q.Rows[len(q.Rows)-1]["repository"], q.Pages)
	}
	// Not yet created on GitHub: no issue link.
	if q.Rows[0]["issue"] != "—" {
		t.Errorf("an issue not created yet: %v", q.Rows[0]["issue"])
	}
	doc = getJSON(t, h, "/dashboard/acme/reviews"+seedQ+"&page=2&format=json")
	q = doc.Sections[doc.section(t, "queue")].Table
	if len(q.Rows) != 7 || q.Rows[0]["repository"] != "Acme/r50" || q.Rows[5]["repository"] != "Acme/old" || q.Rows[6]["repository"] != "Acme/api" || q.Pages.Offset != 50 {
		t.Errorf("page 2: %v", q.Rows)
	}
	w := get(t, h, "/dashboard/acme/reviews"+seedQ, lead)
	if !strings.Contains(w.Body.String(), "Page 1 of 2") || !strings.Contains(w.Body.String(), `rel="next"`) {
		t.Error("no link to the queue's next page")
	}
}

func TestReviewsEmpty(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	s := &Site{Store: st, Now: func() time.Time { return seedNow }}
	doc := getJSON(t, s.Handler(), "/dashboard/acme/reviews?format=json")
	for _, id := range []string{"time-to-decision", "queue"} {
		if e := doc.Sections[doc.section(t, id)].Empty; !strings.Contains(e, "not been computed yet") {
			t.Errorf("%s before a refresh: %q", id, e)
		}
	}
	if err := Refresh(context.Background(), st, "acme", seedNow); err != nil {
		t.Fatal(err)
	}
	doc = getJSON(t, s.Handler(), "/dashboard/acme/reviews?format=json")
	for id, want := range map[string]string{
		"time-to-decision": "No review was decided in the period",
		"queue":            "No review issue was awaiting a decision at 2026-03-20 12:00 UTC",
		"approvers":        "No decision was given in the period",
	} {
		if e := doc.Sections[doc.section(t, id)].Empty; !strings.Contains(e, want) {
			t.Errorf("%s: %q", id, e)
		}
	}
}
