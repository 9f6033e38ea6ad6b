package web

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/ospo-bot/ospo-bot/internal/store"
	"github.com/ospo-bot/ospo-bot/internal/store/storetest"
)

// dump is every rollup row of the org, in order.
func dump(t *testing.T, st *store.Store) []string {
	t.Helper()
	var out []string
	for _, q := range []string{
		`SELECT 'day', day, metric, num, den FROM dashboard_days WHERE org = 'Acme' ORDER BY day, metric`,
		`SELECT 'week', week, metric, n * 1000000000 + p50, p90 FROM dashboard_weeks WHERE org = 'Acme' ORDER BY week, metric`,
		`SELECT 'cycle', opened, CAST(repository_id AS TEXT) || ' ' || CAST(first_response AS TEXT), decided, closed FROM dashboard_review_cycles
			WHERE org = 'Acme' ORDER BY opened, repository_id`,
	} {
		rows, err := st.DB.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var kind, metric string
			var at, a, b int64
			if err := rows.Scan(&kind, &at, &metric, &a, &b); err != nil {
				t.Fatal(err)
			}
			out = append(out, fmt.Sprintf("%s %s %s %d %d", kind, time.Unix(at, 0).UTC().Format(time.DateOnly), metric, a, b))
		}
		rows.Close()
	}
	return out
}

func num(t *testing.T, st *store.Store, day time.Time, metric string) int64 {
	t.Helper()
	var n int64 = -1
	rows, err := st.DB.Query(`SELECT num FROM dashboard_days WHERE org = 'Acme' AND day = $1 AND metric = $2`, day.Unix(), metric)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		rows.Scan(&n)
	}
	return n
}

func TestRefreshOverview(t *testing.T) {
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) { testRefreshOverview(t, d) })
	}
}

func testRefreshOverview(t *testing.T, d store.Dialect) {
	ctx := context.Background()
	st := storetest.Open(t, d)
	seed(t, st)
	refresh := func(now time.Time) {
		t.Helper()
		if err := Refresh(ctx, st, "Acme", now); err != nil {
			t.Fatal(err)
		}
	}
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := st.DB.Exec(q, args...); err != nil {
			t.Fatal(err)
		}
	}

	// Idempotent: the same history and clock, the same rows.
	refresh(seedNow)
	first := dump(t, st)
	if len(first) == 0 {
		t.Fatal("no rows")
	}
	refresh(seedNow)
	if again := dump(t, st); !reflect.DeepEqual(first, again) {
		t.Errorf("a second run changed the rows:\n%v\n%v", first, again)
	}
	r, ok, err := st.DashboardRollupOf(ctx, "Acme")
	// The history starts Jan 5 (bob's first pull request): its Monday.
	if err != nil || !ok || !r.RefreshedAt.Equal(seedNow) || !r.MarkDay.Equal(at(3, 9, 0, 0)) || !r.FirstDay.Equal(at(1, 5, 0, 0)) ||
		!r.LastDay.Equal(at(3, 20, 0, 0)) {
		t.Fatalf("rollup state %+v %v %v", r, ok, err)
	}

	// Incremental: a row before the mark (Mar 9) is not recomputed when
	// only newer history came; one after it is.
	exec(`UPDATE dashboard_days SET num = 999 WHERE org = 'Acme' AND day = $1 AND metric = 'pr.opened'`, at(3, 3, 0, 0).Unix())
	if err := st.RecordPullRequestOpened(ctx, store.PullRequestFact{Repository: "Acme/api", Number: 10, InstallationID: 1, Org: "Acme",
		Author: "dave", AuthorAssociation: "NONE", OpenedAt: at(3, 20, 13, 0), Opening: true}); err != nil {
		t.Fatal(err)
	}
	refresh(seedNow.Add(2 * time.Hour))
	if n := num(t, st, at(3, 3, 0, 0), mOpened); n != 999 {
		t.Errorf("Mar 3 was recomputed (%d): the refresh is not incremental", n)
	}
	if n := num(t, st, at(3, 20, 0, 0), mOpened); n != 1 {
		t.Errorf("Mar 20: %d opened, want 1", n)
	}
	if n := num(t, st, at(3, 20, 0, 0), mFirstTime); n != 1 {
		t.Errorf("Mar 20: %d first-time contributors, want 1 (dave)", n)
	}

	// A reopened pull request whose close counted before the mark: its
	// week is recomputed (Mar 2 on), not what came before.
	exec(`UPDATE dashboard_days SET num = 999 WHERE org = 'Acme' AND day = $1 AND metric = 'pr.opened'`, at(2, 20, 0, 0).Unix())
	if err := st.RecordPullRequestReopened(ctx, "Acme/api", 1, at(3, 20, 15, 0)); err != nil {
		t.Fatal(err)
	}
	refresh(seedNow.Add(4 * time.Hour))
	if n := num(t, st, at(3, 4, 0, 0), mClosed); n != -1 {
		t.Errorf("Mar 4 still counts the reopened pull request's close (%d)", n)
	}
	if n := num(t, st, at(3, 3, 0, 0), mOpened); n != 1 {
		t.Errorf("Mar 3 was not recomputed after the reopen: %d", n)
	}
	if n := num(t, st, at(2, 20, 0, 0), mOpened); n != 999 {
		t.Errorf("Feb 20 was recomputed (%d): only the reopened pull request's weeks may be", n)
	}

	// Older history added (a backfill): everything is recomputed.
	if err := st.RecordPullRequestOpened(ctx, store.PullRequestFact{Repository: "Acme/web", Number: 11, InstallationID: 1, Org: "Acme",
		Author: "erin", AuthorAssociation: "NONE", OpenedAt: at(2, 25, 9, 0), Opening: true}); err != nil {
		t.Fatal(err)
	}
	refresh(seedNow.Add(6 * time.Hour))
	if n := num(t, st, at(2, 20, 0, 0), mOpened); n != 1 {
		t.Errorf("Feb 20 after a backfill: %d", n)
	}
	if n := num(t, st, at(2, 25, 0, 0), mOpened); n != 1 {
		t.Errorf("Feb 25, backfilled: %d", n)
	}

	// And the incremental result is the full one: a new day's check and
	// review, refreshed incrementally, then from scratch.
	if err := st.RecordRepositoryDay(ctx, store.RepositoryDay{RepositoryID: 1, InstallationID: 1, Org: "Acme", Repository: "Acme/api", InScope: true,
		Failing: []string{"repository.license"}, Results: map[string]string{"repository.license": "enforce/fail"}, At: at(3, 21, 1, 0)}); err != nil {
		t.Fatal(err)
	}
	if err := st.RecordPullRequestClosed(ctx, "Acme/web", 4, false, at(3, 21, 2, 0)); err != nil {
		t.Fatal(err)
	}
	if err := st.RecordReviewEvent(ctx, store.ReviewEvent{Key: "late", RepositoryID: 1, InstallationID: 1, Org: "Acme", Repository: "Acme/api",
		Kind: store.ReviewDecided, Actor: "lead", Verb: "approve", At: at(3, 21, 2, 30)}); err != nil {
		t.Fatal(err)
	}
	refresh(at(3, 21, 3, 0))
	incremental := dump(t, st)
	if !slices.Contains(incremental, fmt.Sprintf("cycle %s 1 0 %d 0", at(3, 10, 0, 0).Format(time.DateOnly), at(3, 21, 2, 30).Unix())) {
		t.Errorf("api's review is not decided in the rollup: %v", incremental)
	}
	if n := num(t, st, at(3, 21, 0, 0), mCompliance); n != 1 {
		t.Errorf("Mar 21: %d compliant, want 1 (web)", n)
	}
	exec(`DELETE FROM dashboard_rollups`)
	refresh(at(3, 21, 3, 0))
	if full := dump(t, st); !reflect.DeepEqual(incremental, full) {
		t.Errorf("incremental and full refresh differ:\n%v\n%v", incremental, full)
	}
}
