package web

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ospo-bot/ospo-bot/internal/kpi"
	"github.com/ospo-bot/ospo-bot/internal/store"
)

// dailyUpTo: the compliance chart has a point a day for periods up to
// this long, a point a week (each week's last day) beyond.
const dailyUpTo = 92 * oneDay

// notComputed is the empty state of a section that reads the rollup
// before its first refresh.
const notComputed = "The dashboard's numbers for this org have not been computed yet: they are computed after each sweep " +
	"and within 10 minutes of a change (web.Refresh, run by the org's dashboard job)."

// overviewPage is the org at a glance: the headline KPIs with their trend
// over the period, compliance over time by rule, open reviews by age.
func overviewPage(s *Site, ctx context.Context, q Query) (*Page, error) {
	now := s.now().UTC()
	step, err := complianceStep(q)
	if err != nil {
		return nil, err
	}
	v, err := newOverview(s, ctx, q, now, step)
	if err != nil {
		return nil, err
	}
	p := &Page{Title: "Overview", Nav: "overview", Filter: &Filter{Fields: []Field{{
		Name: "step", Label: "Compliance by", Value: q.Values.Get("step"),
		Options: []Option{{"", "automatic"}, {"day", "day"}, {"week", "week"}},
	}}}}
	p.Body = append(p.Body, v.headline(), v.trendShares(), v.trendDurations(), v.trendCounts(), v.compliance(step), v.openReviews())
	return p, nil
}

// complianceStep reads ?step= (day or week; by default a day for periods
// up to dailyUpTo).
func complianceStep(q Query) (time.Duration, error) {
	switch v := q.Values.Get("step"); v {
	case "":
		if q.Period.Until.Sub(q.Period.Since) <= dailyUpTo {
			return oneDay, nil
		}
		return 7 * oneDay, nil
	case "day":
		return oneDay, nil
	case "week":
		return 7 * oneDay, nil
	default:
		return 0, BadRequest("step=%q: ask for day or week", v)
	}
}

// overview holds what the page's sections are built from.
type overview struct {
	org    string
	period Period
	now    time.Time
	// asOf is when the period's states are taken: its end, or now if
	// earlier; lastDay the last day whose state counts (today at most).
	asOf, lastDay time.Time
	// weeks are the weeks (Monday on) the trend shows: those overlapping
	// the period, up to the current week.
	weeks []time.Time

	rollup   store.DashboardRollup
	computed bool
	days     map[time.Time]map[string]store.DashboardDay
	weekRows map[time.Time]map[string]store.DashboardWeek

	cycles []kpi.ReviewCycle
}

// countMetrics add up over days (the others are states at a day's end).
var countMetrics = []string{mOpened, mClosed, mMember, mExternal, mCLABlocked, mFirstTime}

func newOverview(s *Site, ctx context.Context, q Query, now time.Time, step time.Duration) (*overview, error) {
	v := &overview{org: q.Org, period: q.Period, now: now, asOf: q.Period.Until}
	if now.Before(v.asOf) {
		v.asOf = now
	}
	v.lastDay = dayOf(q.Period.Until.Add(-time.Nanosecond))
	if today := dayOf(now); v.lastDay.After(today) {
		v.lastDay = today
	}
	for w := mondayOf(q.Period.Since); !w.After(v.lastDay); w = w.Add(7 * oneDay) {
		v.weeks = append(v.weeks, w)
	}
	st := s.Store
	var err error
	if v.rollup, v.computed, err = st.DashboardRollupOf(ctx, q.Org); err != nil {
		return nil, err
	}
	if v.computed && len(v.weeks) > 0 {
		from, until := mondayOf(q.Period.Since), v.weeks[len(v.weeks)-1].Add(7*oneDay)
		// Counts of every day of the weeks shown; states on the days a
		// chart or the headline shows them only.
		days, err := st.DashboardCounts(ctx, q.Org, from, until, countMetrics)
		if err != nil {
			return nil, err
		}
		states, err := st.DashboardDaysOf(ctx, q.Org, v.stateDays(step), nil)
		if err != nil {
			return nil, err
		}
		v.days = map[time.Time]map[string]store.DashboardDay{}
		for _, d := range append(days, states...) {
			if v.days[d.Day] == nil {
				v.days[d.Day] = map[string]store.DashboardDay{}
			}
			v.days[d.Day][d.Metric] = d
		}
		weeks, err := st.DashboardWeeks(ctx, q.Org, v.weeks[0], until)
		if err != nil {
			return nil, err
		}
		v.weekRows = map[time.Time]map[string]store.DashboardWeek{}
		for _, w := range weeks {
			if v.weekRows[w.Week] == nil {
				v.weekRows[w.Week] = map[string]store.DashboardWeek{}
			}
			v.weekRows[w.Week][w.Metric] = w
		}
	}
	if v.cycles, err = reviewCycles(ctx, st, q.Org); err != nil {
		return nil, err
	}
	return v, nil
}

// reviewCycles reads org's review cycles from the rollup.
func reviewCycles(ctx context.Context, st *store.Store, org string) ([]kpi.ReviewCycle, error) {
	rows, err := st.DashboardReviewCycles(ctx, org)
	if err != nil {
		return nil, err
	}
	out := make([]kpi.ReviewCycle, len(rows))
	for i, c := range rows {
		out[i] = kpi.ReviewCycle(c)
	}
	return out, nil
}

// stateAt is a share metric's value at the end of day d (the rollup's
// last day if d is after it), and that day; false when the period or the
// rollup does not reach it, or no repository was in scope then.
func (v *overview) stateAt(metric string, d time.Time) (kpi.Ratio, time.Time, bool) {
	d, ok := v.rolledUpDay(d)
	if !ok || v.days[d][mCompliance].Den == 0 {
		return kpi.Ratio{}, time.Time{}, false
	}
	r := v.days[d][metric]
	return kpi.Ratio{Num: int(r.Num), Den: int(r.Den)}, d, true
}

// stateDays are the days whose states the page shows: each step's end,
// each trend week's end and the period's last day.
func (v *overview) stateDays(step time.Duration) []time.Time {
	seen := map[time.Time]bool{}
	var out []time.Time
	add := func(d time.Time) {
		if d, ok := v.rolledUpDay(d); ok && !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	for _, e := range v.complianceEnds(step) {
		add(e)
	}
	for _, w := range v.weeks {
		add(earliest(w.Add(6*oneDay), v.lastDay))
	}
	add(v.lastDay)
	return out
}

// complianceEnds are the compliance chart's steps: each day of the
// period (up to today), or each week's last day within it.
func (v *overview) complianceEnds(step time.Duration) []time.Time {
	var ends []time.Time
	if step == oneDay {
		for d := v.period.Since; !d.After(v.lastDay); d = d.Add(oneDay) {
			ends = append(ends, d)
		}
		return ends
	}
	for _, w := range v.weeks {
		ends = append(ends, earliest(w.Add(6*oneDay), v.lastDay))
	}
	return ends
}

// rolledUpDay is the latest day on or before d that the rollup covers,
// within the period.
func (v *overview) rolledUpDay(d time.Time) (time.Time, bool) {
	if !v.computed {
		return time.Time{}, false
	}
	if d.After(v.rollup.LastDay) {
		d = v.rollup.LastDay
	}
	return d, !d.Before(v.period.Since) && !d.Before(v.rollup.FirstDay)
}

// sum adds a count metric over the days of [since, until).
func (v *overview) sum(metric string, since, until time.Time) int {
	n := 0
	for d := since; d.Before(until); d = d.Add(oneDay) {
		n += int(v.days[d][metric].Num)
	}
	return n
}

// periodEnd is the end of the period's rolled-up days.
func (v *overview) periodEnd() time.Time { return v.lastDay.Add(oneDay) }

func (v *overview) headline() Section {
	sec := Section{ID: "kpis", Title: fmt.Sprintf("Headline KPIs, %s (UTC)", v.period.Label())}
	t := &Table{Columns: []Column{{Key: "kpi", Label: "KPI"}, {Key: "value", Label: "Value"}, {Key: "over", Label: "Over"}}}
	endLabel := "at " + v.asOf.UTC().Format("2006-01-02 15:04") + " UTC"
	periodLabel := v.period.Label()
	row := func(name, text string, value any, over string) {
		t.Rows = append(t.Rows, []Cell{{Text: name}, {Text: text, Value: value}, {Text: over}})
	}
	ratio := func(name, metric string) {
		if !v.computed {
			row(name, "not computed yet", nil, "")
			return
		}
		r, d, ok := v.stateAt(metric, v.lastDay)
		if !ok {
			row(name, "no data", nil, "no repository checked by the end of the period")
			return
		}
		text, val := ratioCell(r)
		row(name, text, val, "at the end of "+d.Format(time.DateOnly))
	}
	count := func(name, metric string) {
		if !v.computed {
			row(name, "not computed yet", nil, "")
			return
		}
		n := v.sum(metric, v.period.Since, v.periodEnd())
		row(name, fmt.Sprint(n), n, periodLabel)
	}
	ratio("Compliance: in-scope repositories passing every enforce rule", mCompliance)
	ratio("Licence coverage", mCoverage)
	ratio("OSI-approved licences (of those with a licence)", mOSI)

	if v.computed {
		ttd, open, _ := kpi.Reviews(v.cycles, v.period.Since, v.period.Until, v.asOf)
		text, val := durationsCell(ttd)
		row("Review time to decision", text, val, periodLabel)
		row("Open reviews awaiting a decision", fmt.Sprint(open), open, endLabel)
	} else {
		row("Review time to decision", "not computed yet", nil, "")
		row("Open reviews awaiting a decision", "not computed yet", nil, "")
	}
	if d, ok := v.rolledUpDay(v.lastDay); ok {
		n := v.days[d][mExemptions].Num
		row("Exemptions in force", fmt.Sprint(n), n, "at the end of "+d.Format(time.DateOnly))
	} else {
		row("Exemptions in force", "not computed yet", nil, "")
	}
	if d, ok := v.rolledUpDay(v.lastDay); ok {
		n := v.days[d][mCLASigners].Num
		row("CLA signers", fmt.Sprint(n), n, "at the end of "+d.Format(time.DateOnly))
	} else {
		row("CLA signers", "not computed yet", nil, "")
	}

	count("Pull requests opened", mOpened)
	count("Pull requests closed", mClosed)
	if v.computed {
		r := kpi.Ratio{Num: v.sum(mClosed, v.period.Since, v.periodEnd()), Den: v.sum(mOpened, v.period.Since, v.periodEnd())}
		text, val := ratioCell(r)
		row("Change request closure ratio", text, val, periodLabel)
	} else {
		row("Change request closure ratio", "not computed yet", nil, "")
	}
	count("Contributions by members", mMember)
	count("Contributions by external contributors", mExternal)
	count("First-time contributors", mFirstTime)
	count("Pull requests blocked by the CLA", mCLABlocked)
	for _, m := range []struct{ name, metric string }{
		{"Time to first response (pull requests)", mFirstReply},
		{"Time to close (pull requests)", mTimeToClose},
		{"CLA time to unblock", mCLAUnblock},
	} {
		if !v.computed || len(v.weeks) == 0 {
			row(m.name, "not computed yet", nil, "")
			continue
		}
		w := v.weeks[len(v.weeks)-1]
		r := v.weekRows[w][m.metric]
		text, val := durationsCell(kpi.Durations{N: int(r.N), P50: r.P50, P90: r.P90})
		row(m.name, text, val, "week of "+w.Format(time.DateOnly)+" (the trend below has every week)")
	}
	sec.Table = t
	sec.Note = "Definitions as in the README's KPI table and the report (ospo-bot report). Counts add up the period's days; " +
		"states are taken at the period's end; durations are nearest-rank p50 and p90, of the period for reviews and of " +
		"the period's last week for pull requests."
	if v.computed {
		sec.Note += " " + overviewRollupNote(v.rollup)
	}
	return sec
}

// weekLabel names a trend's point.
func weekLabel(w time.Time) string { return w.Format(time.DateOnly) }

// weekTable is a trend's table: a row a week, a column a series, and the
// chart of the same numbers.
func weekTable(weeks []time.Time, unit, kind string, series []Series) (*Table, *Chart) {
	t := &Table{Columns: []Column{{Key: "week", Label: "Week of"}}}
	c := &Chart{Kind: kind, Unit: unit}
	for _, s := range series {
		t.Columns = append(t.Columns, Column{Key: columnKey(s.Name), Label: s.Name + " (" + unit + ")", Numeric: true})
	}
	for i, w := range weeks {
		c.X = append(c.X, weekLabel(w))
		row := []Cell{{Text: weekLabel(w), Value: w.Format(time.DateOnly)}}
		for _, s := range series {
			if s.Values[i] == nil {
				row = append(row, Cell{Text: "—"})
				continue
			}
			row = append(row, Cell{Text: number(*s.Values[i]), Value: *s.Values[i]})
		}
		t.Rows = append(t.Rows, row)
	}
	c.Series = series
	return t, c
}

// columnKey turns a series' name into a column key: lower case, words
// joined by "_".
func columnKey(name string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '.':
			return r
		case r >= 'A' && r <= 'Z':
			return r + 'a' - 'A'
		}
		return '_'
	}, name)
}

func (v *overview) trendTitle(what, unit string) string {
	return fmt.Sprintf("%s by week (%s), %s", what, unit, v.period.Label())
}

func (v *overview) trendShares() Section {
	sec := Section{ID: "trend-shares", Title: v.trendTitle("Compliance, licence coverage and closure ratio", "%")}
	if !v.computed {
		sec.Empty = notComputed
		return sec
	}
	names := []string{"Compliance", "Licence coverage", "Change request closure ratio"}
	series := make([]Series, len(names))
	for i, n := range names {
		series[i] = Series{Name: n, Values: make([]*float64, len(v.weeks))}
	}
	data := false
	for i, w := range v.weeks {
		end := earliest(w.Add(6*oneDay), v.lastDay)
		if r, _, ok := v.stateAt(mCompliance, end); ok {
			series[0].Values[i], data = percent(r), true
		}
		if r, _, ok := v.stateAt(mCoverage, end); ok {
			series[1].Values[i] = percent(r)
		}
		r := kpi.Ratio{Num: v.sum(mClosed, w, w.Add(7*oneDay)), Den: v.sum(mOpened, w, w.Add(7*oneDay))}
		if r.Den > 0 {
			series[2].Values[i], data = percent(r), true
		}
	}
	if !data {
		sec.Empty = "No data in the period: no repository was checked and no pull request opened by its end."
		return sec
	}
	sec.Table, sec.Chart = weekTable(v.weeks, "%", "line", series)
	sec.Note = "Compliance and licence coverage at each week's end (the period's end for its last week); the closure ratio " +
		"of each whole week (closed ÷ opened). " + overviewRollupNote(v.rollup)
	return sec
}

func (v *overview) trendDurations() Section {
	sec := Section{ID: "trend-durations", Title: v.trendTitle("Time to first response, to close, to unblock and to decision, p50", "hours")}
	if !v.computed {
		sec.Empty = notComputed
		return sec
	}
	names := []string{"Time to first response", "Time to close", "CLA time to unblock", "Review time to decision"}
	metrics := []string{mFirstReply, mTimeToClose, mCLAUnblock}
	series := make([]Series, len(names))
	for i, n := range names {
		series[i] = Series{Name: n, Values: make([]*float64, len(v.weeks))}
	}
	data := false
	for i, w := range v.weeks {
		for j, m := range metrics {
			if r, ok := v.weekRows[w][m]; ok && r.N > 0 {
				series[j].Values[i], data = hours(r.P50), true
			}
		}
		if ttd, _, _ := kpi.Reviews(v.cycles, w, w.Add(7*oneDay), v.asOf); ttd.N > 0 {
			series[3].Values[i], data = hours(ttd.P50), true
		}
	}
	if !data {
		sec.Empty = "No data in the period: no pull request was answered, closed or unblocked and no review decided in its weeks."
		return sec
	}
	sec.Table, sec.Chart = weekTable(v.weeks, "hours", "line", series)
	sec.Note = "Nearest-rank p50 of each whole week, as the KPI is defined over that week; a gap is a week without one. " +
		overviewRollupNote(v.rollup)
	return sec
}

func (v *overview) trendCounts() Section {
	sec := Section{ID: "trend-counts", Title: v.trendTitle("Pull requests opened, closed and blocked by the CLA", "pull requests")}
	if !v.computed {
		sec.Empty = notComputed
		return sec
	}
	ms := []struct{ name, metric string }{
		{"Opened", mOpened}, {"Closed", mClosed}, {"By members", mMember}, {"By external contributors", mExternal},
		{"Blocked by the CLA", mCLABlocked},
	}
	series := make([]Series, len(ms))
	total := 0
	for j, m := range ms {
		series[j] = Series{Name: m.name, Values: make([]*float64, len(v.weeks))}
		for i, w := range v.weeks {
			n := v.sum(m.metric, w, w.Add(7*oneDay))
			total += n
			series[j].Values[i] = Float(float64(n))
		}
	}
	if total == 0 {
		sec.Empty = "No pull request was opened, closed or blocked by the CLA in the period's weeks: pull requests are recorded from their webhooks (ospo-bot backfill fills older ones)."
		return sec
	}
	sec.Table, sec.Chart = weekTable(v.weeks, "pull requests", "line", series)
	sec.Note = "Counts of each whole week; pull requests opened by bots are left out. " + overviewRollupNote(v.rollup)
	return sec
}

// compliance is the share of in-scope repositories passing each enforce
// rule (and every one), a point a step.
func (v *overview) compliance(step time.Duration) Section {
	unitName := "day"
	if step > oneDay {
		unitName = "week"
	}
	sec := Section{ID: "compliance", Title: fmt.Sprintf("Compliance by rule, by %s (%% of in-scope repositories where the rule is enforced), %s",
		unitName, v.period.Label())}
	if !v.computed {
		sec.Empty = notComputed
		return sec
	}
	// The steps: each day of the period (to today), or each week's last
	// day within it.
	ends := v.complianceEnds(step)
	var labels []string
	for i, d := range ends {
		if step == oneDay {
			labels = append(labels, d.Format(time.DateOnly))
		} else {
			labels = append(labels, "week of "+v.weeks[i].Format(time.DateOnly))
		}
	}
	rules := map[string]bool{}
	for _, d := range ends {
		for m := range v.days[d] {
			if r, ok := strings.CutPrefix(m, mRulePrefix); ok {
				rules[r] = true
			}
		}
	}
	names := []string{"Every enforce rule"}
	metrics := []string{mCompliance}
	for _, r := range slices.Sorted(mapKeys(rules)) {
		names, metrics = append(names, r), append(metrics, mRulePrefix+r)
	}
	t := &Table{Columns: []Column{{Key: unitName, Label: strings.ToUpper(unitName[:1]) + unitName[1:]}}}
	series := make([]Series, len(names))
	for j, n := range names {
		series[j] = Series{Name: n, Values: make([]*float64, len(ends))}
		t.Columns = append(t.Columns, Column{Key: columnKey(n), Label: n + " (%)", Numeric: true})
	}
	data := false
	for i, d := range ends {
		row := []Cell{{Text: labels[i], Value: d.Format(time.DateOnly)}}
		for j, m := range metrics {
			r, ok := v.days[d][m]
			if !ok || r.Den == 0 || d.After(v.rollup.LastDay) {
				row = append(row, Cell{Text: "—"})
				continue
			}
			series[j].Values[i], data = percent(kpi.Ratio{Num: int(r.Num), Den: int(r.Den)}), true
			row = append(row, Cell{Text: fmt.Sprintf("%s (%d of %d)", number(*series[j].Values[i]), r.Num, r.Den), Value: *series[j].Values[i]})
		}
		t.Rows = append(t.Rows, row)
	}
	if !data {
		sec.Empty = fmt.Sprintf("No repository was checked by %s: compliance comes from each repository's check (on a push, "+
			"a change of the policy, or the periodic sweep).", v.lastDay.Format(time.DateOnly))
		return sec
	}
	sec.Table = t
	sec.Chart = &Chart{Kind: "line", Unit: "%", X: labels, Series: series}
	sec.Note = "Each day's value is each repository's latest check on or before that day; a week's is its last day's. " +
		"Every enforce rule: repositories failing none. " + overviewRollupNote(v.rollup)
	return sec
}

// openReviews counts the reviews awaiting a decision at the period's end
// (or now) by age, as the report does.
func (v *overview) openReviews() Section {
	sec := Section{ID: "open-reviews", Title: fmt.Sprintf("Open reviews by age (reviews), at %s UTC", v.asOf.Format("2006-01-02 15:04"))}
	if !v.computed {
		sec.Empty = notComputed
		return sec
	}
	_, open, byAge := kpi.Reviews(v.cycles, v.period.Since, v.period.Until, v.asOf)
	if open == 0 {
		sec.Empty = fmt.Sprintf("No review issue was awaiting a decision at %s UTC: a review opens when a check flags a repository.",
			v.asOf.Format("2006-01-02 15:04"))
		return sec
	}
	t := &Table{Columns: []Column{{Key: "age", Label: "Age"}, {Key: "reviews", Label: "Open reviews", Numeric: true}}}
	c := &Chart{Kind: "bar", Unit: "reviews"}
	s := Series{Name: "Open reviews"}
	for _, b := range byAge {
		t.Rows = append(t.Rows, []Cell{{Text: b.Label}, {Text: fmt.Sprint(b.Count), Value: b.Count}})
		c.X = append(c.X, b.Label)
		s.Values = append(s.Values, Float(float64(b.Count)))
	}
	c.Series = []Series{s}
	sec.Table, sec.Chart = t, c
	sec.Note = "Review issue openings neither decided (approve or reject) nor closed; the Reviews page lists them oldest first. " +
		overviewRollupNote(v.rollup)
	return sec
}

func mapKeys(m map[string]bool) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// percent is a ratio's share in %, nil without data.
func percent(r kpi.Ratio) *float64 {
	s, ok := r.Share()
	if !ok {
		return nil
	}
	return Float(100 * s)
}

func hours(d time.Duration) *float64 { return Float(d.Hours()) }

// ratioCell is a ratio as the report writes it, and its share in % as
// the JSON's value (nil: no data).
func ratioCell(r kpi.Ratio) (string, any) {
	s, ok := r.Share()
	if !ok {
		return "no data", nil
	}
	return fmt.Sprintf("%.1f %% (%d of %d)", 100*s, r.Num, r.Den), 100 * s
}

// durationsCell is a duration KPI as the report writes it, and in the
// JSON {n, p50_seconds, p90_seconds}.
func durationsCell(d kpi.Durations) (string, any) {
	if d.N == 0 {
		return "no data", nil
	}
	return fmt.Sprintf("p50 %s, p90 %s (n = %d)", humanDuration(d.P50), humanDuration(d.P90), d.N),
		map[string]any{"n": d.N, "p50_seconds": int64(d.P50 / time.Second), "p90_seconds": int64(d.P90 / time.Second)}
}

// humanDuration writes a duration in its two largest units: 3d 4h, 2h 5m, 45s.
func humanDuration(d time.Duration) string {
	d = d.Round(time.Second)
	days, h, m, s := int(d/(24*time.Hour)), int(d/time.Hour)%24, int(d/time.Minute)%60, int(d/time.Second)%60
	switch {
	case days > 0:
		return fmt.Sprintf("%dd %dh", days, h)
	case h > 0:
		return fmt.Sprintf("%dh %dm", h, m)
	case m > 0:
		return fmt.Sprintf("%dm %ds", m, s)
	}
	return fmt.Sprintf("%ds", s)
}

func earliest(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}
