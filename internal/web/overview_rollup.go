package web

import (
	"context"
	"fmt"
	"time"

	"github.com/ospo-bot/ospo-bot/internal/kpi"
	"github.com/ospo-bot/ospo-bot/internal/review"
	"github.com/ospo-bot/ospo-bot/internal/store"
)

// The overview's rollup: per UTC day, compliance (overall, per rule),
// licence coverage and the OSI share as each repository's latest check on
// or before that day leaves them, and the day's pull request counts; per
// week (Monday on), the pull request duration KPIs. Each value is the
// report's KPI (internal/kpi) computed over that day or week.

const (
	oneDay = 24 * time.Hour
	// rollupKeep is how far back the rollup goes: a page may show two
	// years ending at any day of the year before now.
	rollupKeep = 3 * 366 * oneDay
	// rollupSlack is how far back from a refresh the next one recomputes:
	// history is recorded with the time of its event, which arrives late
	// by at most GitHub's redelivery window (3 days) in practice.
	rollupSlack = 7 * oneDay
)

// Metrics of the rollup's days and weeks.
const (
	mCompliance  = "compliance"
	mRulePrefix  = "rule:" // + the rule's ID
	mCoverage    = "license.coverage"
	mOSI         = "license.osi"
	mOpened      = "pr.opened"
	mClosed      = "pr.closed"
	mMember      = "pr.member"
	mExternal    = "pr.external"
	mCLABlocked  = "cla.blocked"
	mFirstTime   = "contributors.first"
	mFirstReply  = "pr.first_response"
	mTimeToClose = "pr.close"
	mCLAUnblock  = "cla.unblock"
	mCLASigners  = "cla.signers"
	mExemptions  = "exemptions"
)

func dayOf(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// mondayOf is the start (Monday 00:00 UTC) of t's week.
func mondayOf(t time.Time) time.Time {
	d := dayOf(t)
	return d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7))
}

// refreshOverview brings org's overview rollup up to date as of now. It
// recomputes from the mark its last run left (a Monday at least a week
// before that run) unless history older than the mark was added or
// removed since, or a pull request reopened since had closed before it:
// then from the start (or from that pull request's week).
func refreshOverview(ctx context.Context, st *store.Store, org string, now time.Time) error {
	now = now.UTC()
	today := dayOf(now)
	start, has, err := st.HistoryStart(ctx, org)
	if err != nil {
		return err
	}
	if !has || start.After(now) {
		start = now
	}
	first := mondayOf(start)
	if keep := mondayOf(now.Add(-rollupKeep)); first.Before(keep) {
		first = keep
	}
	// The mark of the next run, and its counts, read before the history
	// so that anything older written meanwhile is seen then.
	mark := mondayOf(now.Add(-rollupSlack))
	if mark.Before(first) {
		mark = first
	}
	counts, err := st.HistoryCounts(ctx, org, mark)
	if err != nil {
		return err
	}
	from, full := first, true
	prev, ok, err := st.DashboardRollupOf(ctx, org)
	if err != nil {
		return err
	}
	if ok && !first.Before(prev.FirstDay) && !prev.MarkDay.After(mark) {
		then := counts // the same mark: the same counts
		if !prev.MarkDay.Equal(mark) {
			if then, err = st.HistoryCounts(ctx, org, prev.MarkDay); err != nil {
				return err
			}
		}
		if then == prev.MarkCounts {
			from, full, first = prev.MarkDay, false, prev.FirstDay
			if t, ok, err := st.ReopenedSince(ctx, org, prev.MarkDay); err != nil {
				return err
			} else if ok && mondayOf(t).Before(from) {
				from = mondayOf(t)
				if from.Before(first) {
					from = first
				}
			}
		}
	}
	if from.After(today) {
		from = mondayOf(today)
	}
	days, err := complianceDays(ctx, st, org, from, today)
	if err != nil {
		return err
	}
	pd, weeks, err := pullRequestRollup(ctx, st, org, from, today)
	if err != nil {
		return err
	}
	days = append(days, pd...)
	cd, err := claDays(ctx, st, org, from, today)
	if err != nil {
		return err
	}
	days = append(days, cd...)
	rd, err := reviewRollup(ctx, st, org, from, today, now)
	if err != nil {
		return err
	}
	days = append(days, rd...)
	return st.ReplaceDashboardRollup(ctx, store.DashboardRollup{Org: org, RefreshedAt: now, FirstDay: first, LastDay: today,
		MarkDay: mark, MarkCounts: counts}, from, full, days, weeks)
}

// complianceDays replays org's repository days from from to today: each
// day's compliance is kpi.Compliance over each repository's latest check
// on or before it.
func complianceDays(ctx context.Context, st *store.Store, org string, from, today time.Time) ([]store.DashboardDay, error) {
	before, err := st.LatestRepositoryDaysBefore(ctx, org, from)
	if err != nil {
		return nil, err
	}
	var states []kpi.RepositoryState
	idx := map[int64]int{}
	apply := func(r store.RepositoryDayRow) {
		s := kpi.RepositoryState{Repository: r.Repository, InScope: r.InScope, Failing: r.Failing, Results: r.Results, License: r.License}
		if i, ok := idx[r.RepositoryID]; ok {
			states[i] = s
			return
		}
		idx[r.RepositoryID] = len(states)
		states = append(states, s)
	}
	for _, r := range before {
		apply(r)
	}
	var out []store.DashboardDay
	cur := from
	emit := func(until time.Time) {
		for ; cur.Before(until) && !cur.After(today); cur = cur.Add(oneDay) {
			all, byRule := kpi.Compliance(states)
			if all.Den == 0 {
				continue // no repository in scope yet: no data, not 0 %
			}
			out = append(out, store.DashboardDay{Day: cur, Metric: mCompliance, Num: int64(all.Num), Den: int64(all.Den)})
			for rule, r := range byRule {
				out = append(out, store.DashboardDay{Day: cur, Metric: mRulePrefix + rule, Num: int64(r.Num), Den: int64(r.Den)})
			}
			cov, osi := kpi.Licenses(states)
			out = append(out, store.DashboardDay{Day: cur, Metric: mCoverage, Num: int64(cov.Num), Den: int64(cov.Den)})
			if osi.Den > 0 {
				out = append(out, store.DashboardDay{Day: cur, Metric: mOSI, Num: int64(osi.Num), Den: int64(osi.Den)})
			}
		}
	}
	err = st.EachRepositoryDayFrom(ctx, org, from, func(d time.Time, r store.RepositoryDayRow) error {
		if d.After(today) {
			return nil
		}
		emit(d)
		apply(r)
		return nil
	})
	if err != nil {
		return nil, err
	}
	emit(today.Add(oneDay))
	return out, nil
}

// pullRequestRollup counts, for each day from from to today, the day's
// pull request KPIs that add up over days (kpi.PullRequests over the
// day), and for each week the duration KPIs over the week; and each day's
// first-time contributors.
func pullRequestRollup(ctx context.Context, st *store.Store, org string, from, today time.Time) ([]store.DashboardDay, []store.DashboardWeek, error) {
	end := today.Add(oneDay)
	dayAcc := map[time.Time]*kpi.PullRequests{}
	weekAcc := map[time.Time]*kpi.PullRequests{}
	add := func(acc map[time.Time]*kpi.PullRequests, start time.Time, length time.Duration, pr kpi.PullRequest) {
		if start.Before(from) || !start.Before(end) {
			return
		}
		a, ok := acc[start]
		if !ok {
			a = &kpi.PullRequests{Since: start, Until: start.Add(length)}
			acc[start] = a
		}
		a.Add(pr)
	}
	err := st.EachPullRequestFrom(ctx, org, from, func(r store.PullRequestRow) {
		pr := kpi.PullRequest(r)
		var seenD, seenW []time.Time
		for _, t := range []time.Time{pr.OpenedAt, pr.ClosedAt, pr.CLABlockedAt} {
			if t.IsZero() {
				continue
			}
			if d := dayOf(t); !contains(seenD, d) {
				seenD = append(seenD, d)
				add(dayAcc, d, oneDay, pr)
			}
			if w := mondayOf(t); !contains(seenW, w) {
				seenW = append(seenW, w)
				add(weekAcc, w, 7*oneDay, pr)
			}
		}
	})
	if err != nil {
		return nil, nil, err
	}
	var days []store.DashboardDay
	for d, a := range dayAcc {
		var s kpi.Summary
		a.Summarise(&s)
		for _, m := range []struct {
			name string
			n    int
		}{{mOpened, s.ChangeRequestClosure.Den}, {mClosed, s.ChangeRequestClosure.Num}, {mMember, s.MemberContributions},
			{mExternal, s.ExternalContributions}, {mCLABlocked, s.CLABlockedPRs}} {
			if m.n > 0 {
				days = append(days, store.DashboardDay{Day: d, Metric: m.name, Num: int64(m.n)})
			}
		}
	}
	var weeks []store.DashboardWeek
	for w, a := range weekAcc {
		var s kpi.Summary
		a.Summarise(&s)
		for _, m := range []struct {
			name string
			d    kpi.Durations
		}{{mFirstReply, s.TimeToFirstResponse}, {mTimeToClose, s.TimeToClose}, {mCLAUnblock, s.CLATimeToUnblock}} {
			if m.d.N > 0 {
				weeks = append(weeks, store.DashboardWeek{Week: w, Metric: m.name, N: int64(m.d.N), P50: m.d.P50, P90: m.d.P90})
			}
		}
	}
	firsts, err := st.OrgFirstPullRequestsFrom(ctx, org, from)
	if err != nil {
		return nil, nil, err
	}
	byDay := map[time.Time][]kpi.AuthorFirst{}
	for _, f := range firsts {
		byDay[dayOf(f.First)] = append(byDay[dayOf(f.First)], kpi.AuthorFirst(f))
	}
	for d, fs := range byDay {
		if d.Before(from) || !d.Before(end) {
			continue
		}
		if n := kpi.FirstTimeContributors(fs, d, d.Add(oneDay)); n > 0 {
			days = append(days, store.DashboardDay{Day: d, Metric: mFirstTime, Num: int64(n)})
		}
	}
	return days, weeks, nil
}

// claDays counts, for each day from from to today, the CLA signers at
// its end: kpi.CLASigners over the day.
func claDays(ctx context.Context, st *store.Store, org string, from, today time.Time) ([]store.DashboardDay, error) {
	rows, err := st.OrgCLAEvents(ctx, org, today.Add(oneDay))
	if err != nil {
		return nil, err
	}
	evs := make([]kpi.CLAEvent, len(rows))
	for i, e := range rows {
		evs[i] = kpi.CLAEvent{UserID: e.UserID, Kind: e.Kind, At: e.At}
	}
	var out []store.DashboardDay
	for d := from; !d.After(today); d = d.Add(oneDay) {
		if n, _ := kpi.CLASigners(evs, d, d.Add(oneDay)); n > 0 {
			out = append(out, store.DashboardDay{Day: d, Metric: mCLASigners, Num: int64(n)})
		}
	}
	return out, nil
}

// reviewRollup writes org's review cycles (kpi.ReviewCycles, what the
// pages' review numbers are computed from) and returns, for each day from
// from to today, the exemptions in force at its end (or now, today): the
// decisions given by then replayed, as the report does.
func reviewRollup(ctx context.Context, st *store.Store, org string, from, today, now time.Time) ([]store.DashboardDay, error) {
	evs, err := st.OrgReviewLife(ctx, org, now.Add(time.Second))
	if err != nil {
		return nil, err
	}
	kevs := make([]kpi.ReviewEvent, len(evs))
	for i, e := range evs {
		kevs[i] = kpi.ReviewEvent{RepositoryID: e.RepositoryID, Kind: e.Kind, Verb: e.Verb, At: e.At}
	}
	var cycles []store.DashboardReviewCycle
	seen := map[[2]int64]bool{}
	for _, c := range kpi.ReviewCycles(kevs) {
		if k := [2]int64{c.RepositoryID, c.Opened.Unix()}; !seen[k] {
			seen[k] = true
			cycles = append(cycles, store.DashboardReviewCycle(c))
		}
	}
	if err := st.ReplaceDashboardReviewCycles(ctx, org, cycles); err != nil {
		return nil, err
	}
	decisions, err := st.OrgReviewDecisions(ctx, org, now.Add(time.Second))
	if err != nil {
		return nil, err
	}
	var out []store.DashboardDay
	for d := from; !d.After(today); d = d.Add(oneDay) {
		asOf := d.Add(oneDay)
		if now.Before(asOf) {
			asOf = now
		}
		n := 0
		for _, ds := range decisions {
			k := 0
			for k < len(ds) && ds[k].At.Before(asOf) {
				k++
			}
			n += len(review.Replay(review.Decisions(ds[:k])).InForce(asOf).Exemptions)
		}
		if n > 0 {
			out = append(out, store.DashboardDay{Day: d, Metric: mExemptions, Num: int64(n)})
		}
	}
	return out, nil
}

func contains(ts []time.Time, t time.Time) bool {
	for _, x := range ts {
		if x.Equal(t) {
			return true
		}
	}
	return false
}

// overviewRollupNote says how fresh the rollup a section shows is.
func overviewRollupNote(r store.DashboardRollup) string {
	return fmt.Sprintf("From the dashboard's rollup as of %s UTC (brought up to date after each sweep and within 10 minutes of a change).",
		r.RefreshedAt.UTC().Format("2006-01-02 15:04"))
}
