package store_test

import (
	"context"
	"fmt"
	"reflect"
	"sort"
	"testing"
	"time"

	"github.com/ospo-bot/ospo-bot/internal/store"
	"github.com/ospo-bot/ospo-bot/internal/store/storetest"
)

func TestDashboardRollupStore(t *testing.T) {
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) { testDashboardRollupStore(t, storetest.Open(t, d)) })
	}
}

func testDashboardRollupStore(t *testing.T, s *store.Store) {
	ctx := context.Background()
	mon := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	day := func(n int) time.Time { return mon.AddDate(0, 0, n) }
	if _, ok, err := s.DashboardRollupOf(ctx, "acme"); ok || err != nil {
		t.Fatalf("a rollup before any: %v %v", ok, err)
	}
	state := store.DashboardRollup{Org: "acme", RefreshedAt: day(9).Add(time.Hour), FirstDay: mon, LastDay: day(9), MarkDay: day(7), MarkCounts: "x"}
	days := []store.DashboardDay{{Day: day(0), Metric: "pr.opened", Num: 2}, {Day: day(8), Metric: "compliance", Num: 1, Den: 2}}
	weeks := []store.DashboardWeek{{Week: mon, Metric: "pr.close", N: 3, P50: time.Hour, P90: 2 * time.Hour}, {Week: day(7), Metric: "pr.close", N: 1, P50: time.Minute, P90: time.Minute}}
	if err := s.ReplaceDashboardRollup(ctx, state, mon, true, days, weeks); err != nil {
		t.Fatal(err)
	}
	// Another org's rows are never touched.
	if err := s.ReplaceDashboardRollup(ctx, store.DashboardRollup{Org: "other", RefreshedAt: mon, FirstDay: mon, LastDay: mon, MarkDay: mon}, mon, true,
		[]store.DashboardDay{{Day: day(8), Metric: "pr.opened", Num: 5}}, nil); err != nil {
		t.Fatal(err)
	}
	// From the second Monday on: the first week's rows stay.
	state.MarkCounts = "y"
	if err := s.ReplaceDashboardRollup(ctx, state, day(7), false, []store.DashboardDay{{Day: day(9), Metric: "pr.opened", Num: 4}}, nil); err != nil {
		t.Fatal(err)
	}
	gotDays, err := s.DashboardDays(ctx, "acme", mon, day(14))
	if err != nil {
		t.Fatal(err)
	}
	if want := []store.DashboardDay{days[0], {Day: day(9), Metric: "pr.opened", Num: 4}}; !reflect.DeepEqual(gotDays, want) {
		t.Errorf("days %+v, want %+v", gotDays, want)
	}
	gotWeeks, err := s.DashboardWeeks(ctx, "acme", mon, day(14))
	if err != nil || !reflect.DeepEqual(gotWeeks, weeks[:1]) {
		t.Errorf("weeks %+v, %v", gotWeeks, err)
	}
	if r, ok, err := s.DashboardRollupOf(ctx, "acme"); err != nil || !ok || r.MarkCounts != "y" || !r.RefreshedAt.Equal(state.RefreshedAt) || !r.MarkDay.Equal(day(7)) {
		t.Errorf("state %+v %v %v", r, ok, err)
	}
	if other, _ := s.DashboardDays(ctx, "other", mon, day(14)); len(other) != 1 || other[0].Num != 5 {
		t.Errorf("the other org's rows: %+v", other)
	}
}

func TestDashboardHistoryReaders(t *testing.T) {
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) { testDashboardHistoryReaders(t, storetest.Open(t, d)) })
	}
}

func testDashboardHistoryReaders(t *testing.T, s *store.Store) {
	ctx := context.Background()
	from := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	u := func(d int) int64 { return from.AddDate(0, 0, d).Unix() }
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := s.DB.ExecContext(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	// Pull requests by number: 1 opened after from; 2 opened before and
	// closed after; 3 opened and closed before, blocked after (its block
	// falls in a day from from on); 4 opened before, still
	// open, blocked after; 5 all before; 6 another org's.
	for _, p := range []struct {
		n                               int
		org, author                     string
		opened, closed, blocked, reopen int64
	}{
		{1, "acme", "ann", u(1), 0, 0, 0},
		{2, "acme", "ann", u(-10), u(2), 0, 0},
		{3, "acme", "bo", u(-10), u(-5), u(1), 0},
		{4, "acme", "cy", u(-3), 0, u(2), 1},
		{5, "acme", "dee", u(-20), u(-19), 0, 0},
		{6, "other", "eve", u(1), 0, 0, 0},
		{7, "acme", "fay", u(3), 0, 0, 0},
	} {
		exec(`INSERT INTO pull_request_facts (repository, number, installation_id, org, author, opened_at, closed_at, cla_blocked_at, reopened, updated_at)
			VALUES ('acme/a', $1, 1, $2, $3, $4, $5, $6, $7, $4)`, p.n, p.org, p.author, p.opened, p.closed, p.blocked, p.reopen)
	}
	var got []int64
	if err := s.EachPullRequestFrom(ctx, "acme", from, func(r store.PullRequestRow) { got = append(got, r.OpenedAt.Unix()) }); err != nil {
		t.Fatal(err)
	}
	sort.Slice(got, func(i, j int) bool { return got[i] < got[j] })
	if want := []int64{u(-10), u(-10), u(-3), u(1), u(3)}; !reflect.DeepEqual(got, want) {
		t.Errorf("pull requests from: %v, want %v (2, 3, 4, 1, 7: each once)", got, want)
	}
	// First pull requests from: ann's first is before from (2); fay's is after.
	firsts, err := s.OrgFirstPullRequestsFrom(ctx, "acme", from)
	if err != nil || len(firsts) != 1 || firsts[0].Author != "fay" || firsts[0].First.Unix() != u(3) {
		t.Errorf("firsts %+v %v", firsts, err)
	}
	// Reopened: 4, updated (opened) at u(-3).
	if at, ok, err := s.ReopenedSince(ctx, "acme", from.AddDate(0, 0, -4)); err != nil || !ok || at.Unix() != u(-3) {
		t.Errorf("reopened %v %v %v", at, ok, err)
	}
	if _, ok, _ := s.ReopenedSince(ctx, "acme", from); ok {
		t.Error("reopened found after its change")
	}
	counts, err := s.HistoryCounts(ctx, "acme", from)
	if err != nil || counts != "days:0,pulls:4,reviews:0,cla:0,signatures:0" {
		t.Errorf("counts %q %v", counts, err)
	}
	if start, ok, err := s.HistoryStart(ctx, "acme"); err != nil || !ok || start.Unix() != u(-20) {
		t.Errorf("start %v %v %v", start, ok, err)
	}

	// Each repository's latest day before a day, as LatestRepositoryDays
	// finds it: 1's of day -1 (its day 0 is not before), 2's of day -5, none of 3.
	for _, r := range []struct {
		id  int64
		org string
		day int
	}{{1, "acme", -3}, {1, "acme", -1}, {1, "acme", 0}, {2, "acme", -5}, {3, "acme", 2}, {4, "other", -1}} {
		exec(`INSERT INTO repository_days (repository_id, day, installation_id, org, repository, failing, results, checked_at)
			VALUES ($1, $2, 1, $3, $4, 'repository.license', '{"repository.license":"enforce/fail"}', $5)`,
			r.id, u(r.day), r.org, fmt.Sprintf("%s/r%d", r.org, r.id), u(r.day)+int64(r.day+10))
	}
	latest, err := s.LatestRepositoryDaysBefore(ctx, "acme", from)
	sort.Slice(latest, func(i, j int) bool { return latest[i].RepositoryID < latest[j].RepositoryID })
	same, _ := s.LatestRepositoryDays(ctx, "acme", from)
	if err != nil || len(latest) != 2 || latest[0].CheckedAt.Unix() != u(-1)+9 || latest[1].CheckedAt.Unix() != u(-5)+5 ||
		latest[0].Results["repository.license"] != "enforce/fail" || !reflect.DeepEqual(latest, same) {
		t.Errorf("latest days before %+v (%v), LatestRepositoryDays %+v", latest, err, same)
	}

	// Decisions by approver in [from, from+7d).
	for i, e := range []struct {
		actor, verb string
		at          int64
	}{{"lead", "approve", u(0)}, {"lead", "reject", u(1)}, {"amy", "exempt", u(2)}, {"amy", "unexempt", u(3)}, {"zed", "approve", u(4)}, {"lead", "approve", u(8)}} {
		exec(`INSERT INTO review_events (event_key, repository_id, installation_id, org, repository, kind, actor, verb, at)
			VALUES ($1, 1, 1, 'acme', 'acme/a', 'decided', $2, $3, $4)`, fmt.Sprint(i), e.actor, e.verb, e.at)
	}
	exec(`INSERT INTO review_events (event_key, repository_id, installation_id, org, repository, kind, actor, at) VALUES ('o', 1, 1, 'acme', 'acme/a', 'opened', 'bot', $1)`, u(0))
	as, err := s.OrgDecisionsByApprover(ctx, "acme", from, from.AddDate(0, 0, 7))
	want := []store.ApproverDecisions{{Actor: "amy", Exempt: 1, Unexempt: 1}, {Actor: "lead", Approve: 1, Reject: 1}, {Actor: "zed", Approve: 1}}
	if err != nil || !reflect.DeepEqual(as, want) {
		t.Errorf("by approver %+v, want %+v (%v)", as, want, err)
	}
}

func TestDashboardReviewCycles(t *testing.T) {
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			s := storetest.Open(t, d)
			ctx := context.Background()
			at := func(h int) time.Time { return time.Date(2026, 3, 1, h, 0, 0, 0, time.UTC) }
			a := store.DashboardReviewCycle{RepositoryID: 1, Opened: at(1)}
			b := store.DashboardReviewCycle{RepositoryID: 2, Opened: at(2), FirstResponse: at(3), Decided: at(4), Closed: at(5)}
			if err := s.ReplaceDashboardReviewCycles(ctx, "acme", []store.DashboardReviewCycle{b, a}); err != nil {
				t.Fatal(err)
			}
			if err := s.ReplaceDashboardReviewCycles(ctx, "other", []store.DashboardReviewCycle{a}); err != nil {
				t.Fatal(err)
			}
			got, err := s.DashboardReviewCycles(ctx, "acme")
			if err != nil || !reflect.DeepEqual(got, []store.DashboardReviewCycle{a, b}) {
				t.Fatalf("cycles %+v %v", got, err)
			}
			// a decided, b gone, c new.
			a2 := a
			a2.Decided = at(6)
			c := store.DashboardReviewCycle{RepositoryID: 3, Opened: at(7)}
			if err := s.ReplaceDashboardReviewCycles(ctx, "acme", []store.DashboardReviewCycle{a2, c}); err != nil {
				t.Fatal(err)
			}
			got, _ = s.DashboardReviewCycles(ctx, "acme")
			if !reflect.DeepEqual(got, []store.DashboardReviewCycle{a2, c}) {
				t.Errorf("after a change: %+v", got)
			}
			if other, _ := s.DashboardReviewCycles(ctx, "other"); len(other) != 1 {
				t.Errorf("the other org's cycles: %+v", other)
			}
		})
	}
}
