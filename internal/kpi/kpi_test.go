package kpi

import (
	"reflect"
	"testing"
	"time"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func at(h float64) time.Time { return t0.Add(time.Duration(h * float64(time.Hour))) }

func hours(h ...float64) []time.Duration {
	var ds []time.Duration
	for _, x := range h {
		ds = append(ds, time.Duration(x*float64(time.Hour)))
	}
	return ds
}

func TestOfNearestRank(t *testing.T) {
	for _, c := range []struct {
		in       []time.Duration
		p50, p90 time.Duration
	}{
		// N=1: ceil(0.5)=1, ceil(0.9)=1.
		{hours(5), hours(5)[0], hours(5)[0]},
		// N=4 sorted 1,2,3,4: p50 rank ceil(2)=2 → 2; p90 rank ceil(3.6)=4 → 4.
		{hours(4, 1, 3, 2), hours(2)[0], hours(4)[0]},
		// N=10 sorted 1..10: p50 rank 5 → 5; p90 rank 9 → 9.
		{hours(10, 9, 8, 7, 6, 5, 4, 3, 2, 1), hours(5)[0], hours(9)[0]},
		// N=11: p50 rank ceil(5.5)=6 → 6; p90 rank ceil(9.9)=10 → 10.
		{hours(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11), hours(6)[0], hours(10)[0]},
	} {
		got := Of(c.in)
		if got.N != len(c.in) || got.P50 != c.p50 || got.P90 != c.p90 {
			t.Errorf("Of(%v) = %+v, want p50 %v p90 %v", c.in, got, c.p50, c.p90)
		}
	}
	if got := Of(nil); got != (Durations{}) {
		t.Errorf("Of(nil) = %+v, want no data", got)
	}
}

func TestCompliance(t *testing.T) {
	rs := []RepositoryState{
		{Repository: "a", InScope: true, Results: map[string]string{"license": "enforce/pass", "files": "warn/fail"}},
		{Repository: "b", InScope: true, Failing: []string{"license"}, Results: map[string]string{"license": "enforce/fail", "files": "enforce/pass"}},
		{Repository: "c", InScope: true, Results: map[string]string{"license": "enforce/exempt", "codeowners": "off/skip"}},
		{Repository: "fork", InScope: false, Failing: []string{"license"}, Results: map[string]string{"license": "enforce/fail"}},
	}
	all, byRule := Compliance(rs)
	if all != (Ratio{2, 3}) {
		t.Errorf("compliance = %+v, want 2 of 3 (a and c; fork out of scope)", all)
	}
	want := map[string]Ratio{"license": {2, 3}, "files": {1, 1}}
	if !reflect.DeepEqual(byRule, want) {
		t.Errorf("by rule = %+v, want %+v", byRule, want)
	}
	if all, byRule := Compliance(nil); all != (Ratio{}) || len(byRule) != 0 {
		t.Errorf("no data: %+v %+v", all, byRule)
	}
	if _, ok := (Ratio{}).Share(); ok {
		t.Error("a ratio of nothing has a share")
	}
}

func TestLicenses(t *testing.T) {
	rs := []RepositoryState{
		{InScope: true, License: "Apache-2.0"},
		{InScope: true, License: "mit"},
		{InScope: true, License: "NOASSERTION"},
		{InScope: true, License: "BUSL-1.1"},
		{InScope: true, License: "(MIT OR GPL-2.0-or-later WITH Classpath-exception-2.0)"},
		{InScope: true},
		{InScope: false, License: "MIT"},
	}
	cov, osi := Licenses(rs)
	if cov != (Ratio{5, 6}) || osi != (Ratio{3, 5}) {
		t.Errorf("coverage %+v osi %+v, want 5 of 6 and 3 of 5", cov, osi)
	}
	for expr, want := range map[string]bool{"": false, "NOASSERTION": false, "MIT AND BUSL-1.1": false, "GPL-2.0+": true, "0BSD": true} {
		if OSIApproved(expr) != want {
			t.Errorf("OSIApproved(%q) = %v", expr, !want)
		}
	}
	if SPDXListVersion == "" {
		t.Error("no SPDX list version recorded")
	}
}

func TestReviews(t *testing.T) {
	evs := []ReviewEvent{
		// Repository 1: decided twice (approve at 10h, reject at 20h): the
		// time to decision is to the first, 10h; then closed.
		{1, ReviewOpened, "", at(0)}, {1, ReviewResponded, "", at(2)}, {1, ReviewDecided, "exempt", at(5)},
		{1, ReviewDecided, "approve", at(10)}, {1, ReviewDecided, "reject", at(20)}, {1, ReviewClosed, "", at(21)},
		// ... reopened at 100h, decided at 130h: a second cycle of 30h.
		{1, ReviewReopened, "", at(100)}, {1, ReviewDecided, "approve", at(130)},
		// Repository 2: open, no decision, 40 days old at asOf; a
		// redelivered opening does not restart it.
		{2, ReviewOpened, "", at(0)}, {2, ReviewOpened, "", at(50)},
		// Repository 3: open 2 days at asOf, only an exemption given.
		{3, ReviewOpened, "", at(40*24 - 48)}, {3, ReviewDecided, "exempt", at(40*24 - 47)},
		// Repository 4: a decision before any opening is ignored; opened
		// after asOf: not open yet.
		{4, ReviewDecided, "approve", at(1)}, {4, ReviewOpened, "", at(40*24 + 1)},
	}
	cs := ReviewCycles(evs)
	want := []ReviewCycle{
		{1, at(0), at(2), at(10), at(21)},
		{1, at(100), time.Time{}, at(130), time.Time{}},
		{2, at(0), time.Time{}, time.Time{}, time.Time{}},
		{3, at(40*24 - 48), time.Time{}, time.Time{}, time.Time{}},
		{4, at(40*24 + 1), time.Time{}, time.Time{}, time.Time{}},
	}
	if !reflect.DeepEqual(cs, want) {
		t.Fatalf("cycles\n got %+v\nwant %+v", cs, want)
	}
	asOf := at(40 * 24)
	d, open, byAge := Reviews(cs, t0, asOf, asOf)
	if d != (Durations{N: 2, P50: 10 * time.Hour, P90: 30 * time.Hour}) {
		t.Errorf("time to decision = %+v, want N 2, p50 10h, p90 30h", d)
	}
	if open != 2 {
		t.Errorf("open = %d, want 2", open)
	}
	counts := map[string]int{}
	for _, b := range byAge {
		counts[b.Label] = b.Count
	}
	if !reflect.DeepEqual(counts, map[string]int{"<1d": 0, "1-7d": 1, "7-30d": 0, ">=30d": 1}) {
		t.Errorf("by age = %v", counts)
	}
	// The period holds only the first decision.
	if d, _, _ := Reviews(cs, t0, at(50), at(50)); d.N != 1 || d.P50 != 10*time.Hour {
		t.Errorf("first period: %+v", d)
	}
	if d, open, _ := Reviews(nil, t0, asOf, asOf); d.N != 0 || open != 0 {
		t.Errorf("no data: %+v %d", d, open)
	}
}

func TestCLASigners(t *testing.T) {
	since, until := t0, t0.AddDate(0, 3, 0) // January to March
	evs := []CLAEvent{
		{1, "signed", t0.AddDate(0, -1, 0)}, // before the period: counts in total only
		{2, "signed", t0.AddDate(0, 0, 3)},  // January
		{2, "signed", t0.AddDate(0, 1, 3)},  // signs again in February: still January's
		{3, "signed", t0.AddDate(0, 2, 1)},  // March, then revoked
		{3, "revoked", t0.AddDate(0, 2, 2)}, //
		{4, "signed", t0.AddDate(0, 2, 10)}, // March
		{5, "signed", until},                // after the period
		{1, "revoked", t0.AddDate(0, 0, 1)}, // 1 revokes and
		{1, "signed", t0.AddDate(0, 0, 2)},  // signs again: not new
	}
	total, per := CLASigners(evs, since, until)
	if total != 3 {
		t.Errorf("signers = %d, want 3 (1, 2, 4)", total)
	}
	want := []MonthCount{{"2026-01", 1}, {"2026-02", 0}, {"2026-03", 2}}
	if !reflect.DeepEqual(per, want) {
		t.Errorf("new per month = %+v, want %+v", per, want)
	}
	if total, per := CLASigners(nil, since, until); total != 0 || len(per) != 3 || per[0].Count != 0 {
		t.Errorf("no data: %d %+v", total, per)
	}
}

func TestPullRequests(t *testing.T) {
	p := PullRequests{Since: t0, Until: at(1000)}
	for _, pr := range []PullRequest{
		// Member, answered after 2h by a reviewer, merged after 10h.
		{Author: "ann", AuthorAssociation: "MEMBER", OpenedAt: at(0), FirstResponseAt: at(2), FirstResponder: "bob", ClosedAt: at(10), Merged: true},
		// External; the first "response" is a bot's: no response.
		{Author: "eve", AuthorAssociation: "FIRST_TIME_CONTRIBUTOR", OpenedAt: at(1), FirstResponseAt: at(1.5), FirstResponder: "ci-helper[bot]"},
		// External, its own author's comment is no response; blocked by
		// the CLA at 3h, unblocked at 7h; closed at 5h, reopened, closed
		// again at 41h: time to close from opening to the last close, 40h.
		{Author: "Zed", AuthorAssociation: "CONTRIBUTOR", OpenedAt: at(1), FirstResponseAt: at(1.2), FirstResponder: "zed",
			ClosedAt: at(41), CLABlockedAt: at(3), CLAUnblockedAt: at(7)},
		// Collaborator, answered after 6h, still open; blocked, never unblocked.
		{Author: "col", AuthorAssociation: "COLLABORATOR", OpenedAt: at(5), FirstResponseAt: at(11), FirstResponder: "ann", CLABlockedAt: at(6)},
		// A bot's pull request counts nowhere.
		{Author: "dependabot[bot]", AuthorBot: true, AuthorAssociation: "NONE", OpenedAt: at(2), FirstResponseAt: at(3), FirstResponder: "ann", ClosedAt: at(4), Merged: true},
		{Author: "renovate", AuthorBot: true, OpenedAt: at(2)},
		// Opened before the period, closed in it after 1000h... 100h.
		{Author: "old", AuthorAssociation: "OWNER", OpenedAt: at(-90), FirstResponseAt: at(-80), FirstResponder: "ann", ClosedAt: at(10), Merged: true},
	} {
		p.Add(pr)
	}
	var s Summary
	p.Summarise(&s)
	if want := (Durations{N: 2, P50: 2 * time.Hour, P90: 6 * time.Hour}); s.TimeToFirstResponse != want {
		t.Errorf("time to first response = %+v, want %+v", s.TimeToFirstResponse, want)
	}
	// Closed: 10h, 40h, 100h: p50 rank 2 → 40h, p90 rank 3 → 100h.
	if want := (Durations{N: 3, P50: 40 * time.Hour, P90: 100 * time.Hour}); s.TimeToClose != want {
		t.Errorf("time to close = %+v, want %+v", s.TimeToClose, want)
	}
	if s.ChangeRequestClosure != (Ratio{3, 4}) {
		t.Errorf("closure ratio = %+v, want 3 closed of 4 opened", s.ChangeRequestClosure)
	}
	if s.ExternalContributions != 2 || s.MemberContributions != 2 {
		t.Errorf("external %d member %d, want 2 and 2", s.ExternalContributions, s.MemberContributions)
	}
	if s.CLABlockedPRs != 2 || s.CLATimeToUnblock != (Durations{N: 1, P50: 4 * time.Hour, P90: 4 * time.Hour}) {
		t.Errorf("CLA blocked %d, unblock %+v", s.CLABlockedPRs, s.CLATimeToUnblock)
	}
	var empty Summary
	(&PullRequests{Since: t0, Until: at(1)}).Summarise(&empty)
	if empty.TimeToFirstResponse.N != 0 || empty.ChangeRequestClosure != (Ratio{}) {
		t.Errorf("no data: %+v", empty)
	}
}

func TestFirstTimeContributors(t *testing.T) {
	fs := []AuthorFirst{
		{"new", false, at(5)}, {"old", false, at(-5)}, {"later", false, at(100)},
		{"dependabot[bot]", false, at(5)}, {"app", true, at(5)},
	}
	if n := FirstTimeContributors(fs, t0, at(100)); n != 1 {
		t.Errorf("first-time contributors = %d, want 1", n)
	}
}

func TestAbsenceFactors(t *testing.T) {
	got := AbsenceFactors([]AuthorCount{
		// a: 6, 2, 1, 1 of 10: the first reaches half → 1.
		{"a", "x", false, 6}, {"a", "y", false, 2}, {"a", "z", false, 1}, {"a", "w", false, 1},
		// b: 3, 3, 2, 2 of 10: 3 < 5, 6 ≥ 5 → 2; a bot's 50 merges are not counted.
		{"b", "x", false, 3}, {"b", "y", false, 2}, {"b", "z", false, 3}, {"b", "w", false, 2},
		{"b", "dependabot[bot]", true, 50},
		// c: only a bot: no factor.
		{"c", "renovate[bot]", false, 4},
		// d: 1, 1: half is 1 → 1.
		{"d", "x", false, 1}, {"d", "y", false, 1},
	})
	want := []RepositoryFactor{{"a", 1, 4, 10}, {"d", 1, 2, 2}, {"b", 2, 4, 10}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("factors\n got %+v\nwant %+v", got, want)
	}
	if got := AbsenceFactors(nil); len(got) != 0 {
		t.Errorf("no data: %+v", got)
	}
}

// TestReviewCyclesSameSecond: history is kept in whole seconds, and the bot
// closes a review in the second of the approve that decided it; events of
// one second count in the order they can happen (opened, responded,
// decided, closed, reopened), whatever order they were read in.
func TestReviewCyclesSameSecond(t *testing.T) {
	evs := []ReviewEvent{
		{1, ReviewOpened, "", at(0)},
		{1, ReviewClosed, "", at(3)}, {1, ReviewDecided, "approve", at(3)}, {1, ReviewResponded, "", at(3)},
		{2, ReviewOpened, "", at(0)}, {2, ReviewReopened, "", at(5)}, {2, ReviewClosed, "", at(5)},
	}
	want := []ReviewCycle{
		{1, at(0), at(3), at(3), at(3)},
		{2, at(0), time.Time{}, time.Time{}, at(5)},
		{2, at(5), time.Time{}, time.Time{}, time.Time{}},
	}
	if cs := ReviewCycles(evs); !reflect.DeepEqual(cs, want) {
		t.Fatalf("cycles\n got %+v\nwant %+v", cs, want)
	}
}
