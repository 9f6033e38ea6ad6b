package web

import (
	"cmp"
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ospo-bot/ospo-bot/internal/kpi"
	"github.com/ospo-bot/ospo-bot/internal/store"
)

// absencePageSize is the rows of the absence factor's table a page.
const absencePageSize = 50

const week = 7 * 24 * time.Hour

// unblockBuckets are the time-to-unblock distribution's bars: Min ≤ the
// time < Max (Max 0: no bound).
var unblockBuckets = []kpi.Bucket{
	{Label: "under 1 hour", Max: time.Hour},
	{Label: "1–4 hours", Min: time.Hour, Max: 4 * time.Hour},
	{Label: "4–24 hours", Min: 4 * time.Hour, Max: 24 * time.Hour},
	{Label: "1–3 days", Min: 24 * time.Hour, Max: 72 * time.Hour},
	{Label: "3–7 days", Min: 72 * time.Hour, Max: 7 * 24 * time.Hour},
	{Label: "7 days or more", Min: 7 * 24 * time.Hour},
}

// contributorsPage is the Contributors & CLA page: CLA signers, pull
// requests blocked by the CLA and their time to unblock, contributions by
// members and external authors, first-time contributors and each
// repository's Contributor Absence Factor, with internal/kpi's
// definitions (the report's numbers for the same period), read from the
// rollups web.Refresh keeps (store.RefreshContributors).
func contributorsPage(s *Site, ctx context.Context, q Query) (*Page, error) {
	p := &Page{Title: "Contributors & CLA", Nav: "contributors"}
	absence := &Table{Columns: []Column{
		{Key: "repository", Label: "Repository", Sortable: true},
		{Key: "factor", Label: "Absence factor (contributors)", Numeric: true, Sortable: true},
		{Key: "contributors", Label: "Contributors", Numeric: true, Sortable: true},
		{Key: "merged", Label: "Merged pull requests", Numeric: true, Sortable: true},
	}}
	if err := Sorting(q.Values, absence, "factor", false); err != nil {
		return nil, err
	}
	offset, err := Paging(q.Values, absencePageSize)
	if err != nil {
		return nil, err
	}
	since, until := q.Period.Since, q.Period.Until
	period := q.Period.Label()

	asOf, refreshed, err := s.Store.ContributorsAsOf(ctx, q.Org)
	if err != nil {
		return nil, err
	}
	signers := Section{ID: "cla-signers", Title: "CLA signers by month, " + period + " (people)"}
	blocked := Section{ID: "cla-blocked", Title: "Pull requests blocked by the CLA and time to unblock, " + period + " (pull requests, hours)"}
	unblock := Section{ID: "cla-unblock", Title: "Time to unblock of pull requests blocked by the CLA, " + period + " (pull requests)"}
	contrib := Section{ID: "contributions", Title: "Pull requests opened by members and external authors, by week, " + period + " (pull requests)"}
	first := Section{ID: "first-time", Title: "First-time contributors by week, " + period + " (people)"}
	lastDay := until.Add(-time.Nanosecond).UTC().Format(time.DateOnly)
	abs := Section{ID: "absence", Title: "Contributor Absence Factor by repository, the 90 days to " + lastDay + " (contributors)"}
	if !refreshed {
		const never = "The contributors' rollup of this org has not been computed yet: the org's dashboard job computes it after its next sweep."
		for _, sec := range []*Section{&signers, &blocked, &unblock, &contrib, &first, &abs} {
			sec.Empty = never
		}
		p.Body = append(p.Body, signers, blocked, unblock, contrib, first, abs)
		return p, nil
	}
	stamp := "As of " + asOf.UTC().Format("2006-01-02 15:04") + " UTC (refreshed in the background after each sweep and 10 minutes after a change)."
	if err := claSigners(ctx, s.Store, q.Org, q.Period, &signers); err != nil {
		return nil, err
	}
	if err := claBlocked(ctx, s.Store, q.Org, q.Period, &blocked, &unblock); err != nil {
		return nil, err
	}
	for _, sec := range []*Section{&signers, &blocked, &unblock} {
		sec.Note += " " + stamp
	}
	p.Body = append(p.Body, signers, blocked, unblock)
	weeks := weekStarts(since, until)
	xs := make([]string, len(weeks))
	for i, w := range weeks {
		xs[i] = w.Format(time.DateOnly)
	}

	// Contributions by week.
	days, err := s.Store.ContributorDays(ctx, q.Org, since, until)
	if err != nil {
		return nil, err
	}
	members, externals, bots := make([]int, len(weeks)), make([]int, len(weeks)), make([]int, len(weeks))
	total := 0
	for _, d := range days {
		i := int(d.Day.Sub(since) / week)
		members[i] += d.Members
		externals[i] += d.Externals
		bots[i] += d.Bots
		total += d.Members + d.Externals
	}
	contrib.Note = "Members: authors GitHub calls OWNER, MEMBER or COLLABORATOR; external: everyone else. Pull requests opened by bots are left out of both (their column is for reference). Weeks of 7 days from the period's first day; the last may be shorter. " + stamp
	if total == 0 {
		contrib.Empty = "No pull request was opened in the period, bots apart: pull requests are recorded from their webhooks once the app is installed."
	} else {
		contrib.Chart = &Chart{Kind: "line", Unit: "pull requests", X: xs, Series: []Series{
			{Name: "Members", Values: floats(members)}, {Name: "External authors", Values: floats(externals)}}}
		t := &Table{Columns: []Column{{Key: "week", Label: "Week from"}, {Key: "members", Label: "Members", Numeric: true},
			{Key: "external", Label: "External authors", Numeric: true}, {Key: "bots", Label: "Bots (left out)", Numeric: true}}}
		for i := range weeks {
			t.Rows = append(t.Rows, []Cell{{Text: xs[i]}, intCell(members[i]), intCell(externals[i]), intCell(bots[i])})
		}
		contrib.Table = t
	}

	// First-time contributors by week.
	firsts, err := s.Store.FirstTimeContributorDays(ctx, q.Org, since, until)
	if err != nil {
		return nil, err
	}
	newcomers := make([]int, len(weeks))
	total = 0
	for d, n := range firsts {
		newcomers[int(d.Sub(since)/week)] += n
		total += n
	}
	first.Note = "Authors, bots apart, whose first pull request in the org (in all its recorded history) was opened in the week. " + stamp
	if total == 0 {
		first.Empty = "No one opened their first pull request in the org in the period, bots apart."
	} else {
		first.Chart = &Chart{Kind: "bar", Unit: "people", X: xs, Series: []Series{{Name: "First-time contributors", Values: floats(newcomers)}}}
		t := &Table{Columns: []Column{{Key: "week", Label: "Week from"}, {Key: "first_time_contributors", Label: "First-time contributors", Numeric: true}}}
		for i := range weeks {
			t.Rows = append(t.Rows, []Cell{{Text: xs[i]}, intCell(newcomers[i])})
		}
		first.Table = t
	}

	// The absence factor: from the rollup, or computed now for an until
	// it does not hold yet (the next refresh keeps it).
	factors, n, ok, err := s.Store.AbsenceFactors(ctx, q.Org, until, absence.Sort, absence.Desc, offset, absencePageSize, s.now())
	if err != nil {
		return nil, err
	}
	abs.Note = "The fewest contributors whose merged pull requests make up half of the repository's, bots apart (CHAOSS); a factor of 1 means one person's absence would stop half the work. "
	if ok {
		abs.Note += stamp
	} else {
		counts, err := s.Store.OrgMergedCounts(ctx, q.Org, until.Add(-kpi.AbsenceWindow), until)
		if err != nil {
			return nil, err
		}
		kc := make([]kpi.AuthorCount, len(counts))
		for i, c := range counts {
			kc[i] = kpi.AuthorCount(c)
		}
		all := kpi.AbsenceFactors(kc)
		sortFactors(all, absence.Sort, absence.Desc)
		n = len(all)
		factors = all[min(offset, n):min(offset+absencePageSize, n)]
		abs.Note += "Computed for this request; the rollup keeps it from its next refresh."
	}
	if n == 0 {
		abs.Empty = "No pull request was merged in the 90 days to " + lastDay + ", bots apart: the factor counts merged pull requests."
	} else {
		web := strings.TrimSuffix(cmp.Or(s.GitHubURL, "https://github.com"), "/")
		for _, f := range factors {
			absence.Rows = append(absence.Rows, []Cell{{Text: f.Repository, Link: web + "/" + f.Repository},
				intCell(f.Factor), intCell(f.Contributors), intCell(f.Merged)})
		}
		absence.Pages = &Pages{Offset: offset, Size: absencePageSize, Total: n}
		abs.Table = absence
	}
	p.Body = append(p.Body, contrib, first, abs)
	return p, nil
}

// claSigners fills sec: new signers by month and the signers in force
// at each month's end (or the period's), as kpi.CLASigners counts them.
func claSigners(ctx context.Context, st *store.Store, org string, period Period, sec *Section) error {
	sec.Note = "New: people whose first signature falls in the month. In force: people whose latest signature or revocation before the month's end (the period's end for the last month) is a signature."
	inForce, days, any, err := st.CLADays(ctx, org, period.Since, period.Until)
	if err != nil {
		return err
	}
	if !any {
		sec.Empty = "No CLA is configured or no one has signed by " + period.Until.Add(-time.Nanosecond).UTC().Format(time.DateOnly) +
			": signatures are recorded when contributors sign the CLA that pull_request.cla in ospo.yml asks for."
		return nil
	}
	_, months := kpi.CLASigners(nil, period.Since, period.Until) // the months, as the report lists them
	t := &Table{Columns: []Column{{Key: "month", Label: "Month"}, {Key: "new_signers", Label: "New signers", Numeric: true},
		{Key: "signers_in_force", Label: "Signers in force at its end", Numeric: true}}}
	c := &Chart{Kind: "line", Unit: "people", Series: []Series{{Name: "New signers"}, {Name: "Signers in force"}}}
	for _, m := range months {
		start, _ := time.Parse("2006-01", m.Month)
		end := start.AddDate(0, 1, 0)
		for len(days) > 0 && days[0].Day.Before(end) {
			m.Count += days[0].NewSigners
			inForce += days[0].InForce
			days = days[1:]
		}
		t.Rows = append(t.Rows, []Cell{{Text: m.Month}, intCell(m.Count), intCell(inForce)})
		c.X = append(c.X, m.Month)
		c.Series[0].Values = append(c.Series[0].Values, Float(float64(m.Count)))
		c.Series[1].Values = append(c.Series[1].Values, Float(float64(inForce)))
	}
	sec.Chart, sec.Table = c, t
	return nil
}

// claBlocked fills sum and dist: how many pull requests the CLA blocked
// in the period and how long they waited (kpi's count and nearest-rank
// percentiles, of exact times), and the distribution of those waits.
func claBlocked(ctx context.Context, st *store.Store, org string, period Period, sum, dist *Section) error {
	sum.Note = "Pull requests, bots apart, whose CLA block began in the period; unblocked: the CLA no longer blocked them before the period's end. Median and 90th percentile by the nearest-rank method, of the unblocked."
	blocked, took, err := st.CLABlocked(ctx, org, period.Since, period.Until)
	if err != nil {
		return err
	}
	if blocked == 0 {
		sum.Empty = "No pull request was blocked by the CLA in the period, bots apart: the CLA blocks a pull request whose authors have not signed the CLA that pull_request.cla in ospo.yml asks for (or no CLA is configured)."
		dist.Empty = sum.Empty
		return nil
	}
	counts := make([]int, len(unblockBuckets)+1) // the last: still blocked
	for _, t := range took {
		for i, b := range unblockBuckets {
			if t >= b.Min && (b.Max == 0 || t < b.Max) {
				counts[i]++
				break
			}
		}
	}
	counts[len(unblockBuckets)] = blocked - len(took)
	d := kpi.Of(took)
	hours := func(x time.Duration) Cell {
		if d.N == 0 {
			return Cell{Text: "–"}
		}
		return Cell{Text: strconv.FormatFloat(x.Hours(), 'f', 1, 64), Value: x.Hours()}
	}
	sum.Table = &Table{Columns: []Column{{Key: "blocked", Label: "Blocked", Numeric: true}, {Key: "unblocked", Label: "Unblocked", Numeric: true},
		{Key: "still_blocked", Label: "Still blocked at the period's end", Numeric: true},
		{Key: "median_hours", Label: "Median time to unblock (hours)", Numeric: true}, {Key: "p90_hours", Label: "90th percentile (hours)", Numeric: true}},
		Rows: [][]Cell{{intCell(blocked), intCell(d.N), intCell(blocked - d.N), hours(d.P50), hours(d.P90)}}}
	dist.Note = "The buckets only draw the distribution: the median and percentile above are of the exact times."
	t := &Table{Columns: []Column{{Key: "time_to_unblock", Label: "Time to unblock"}, {Key: "pull_requests", Label: "Pull requests", Numeric: true}}}
	c := &Chart{Kind: "bar", Unit: "pull requests", Series: []Series{{Name: "Pull requests"}}}
	for i, n := range counts {
		l := "still blocked"
		if i < len(unblockBuckets) {
			l = unblockBuckets[i].Label
		}
		t.Rows = append(t.Rows, []Cell{{Text: l}, intCell(n)})
		c.X = append(c.X, l)
		c.Series[0].Values = append(c.Series[0].Values, Float(float64(n)))
	}
	dist.Chart, dist.Table = c, t
	return nil
}

// refreshContributors brings the page's rollups up to date (a refresher).
func refreshContributors(ctx context.Context, st *store.Store, org string, now time.Time) error {
	return st.RefreshContributors(ctx, org, now)
}

// weekStarts are the first days of the 7-day weeks of [since, until).
func weekStarts(since, until time.Time) []time.Time {
	var out []time.Time
	for w := since.UTC(); w.Before(until); w = w.Add(week) {
		out = append(out, w)
	}
	return out
}

// sortFactors sorts factors as the rollup's query does: by key, then by
// repository; descending is the exact reverse.
func sortFactors(fs []kpi.RepositoryFactor, key string, desc bool) {
	val := func(f kpi.RepositoryFactor) int {
		switch key {
		case "factor":
			return f.Factor
		case "contributors":
			return f.Contributors
		case "merged":
			return f.Merged
		}
		return 0
	}
	slices.SortStableFunc(fs, func(a, b kpi.RepositoryFactor) int {
		c := cmp.Or(cmp.Compare(val(a), val(b)), strings.Compare(a.Repository, b.Repository))
		if desc {
			c = -c
		}
		return c
	})
}

func intCell(n int) Cell { return Cell{Text: strconv.Itoa(n), Value: n} }

func floats(ns []int) []*float64 {
	out := make([]*float64, len(ns))
	for i, n := range ns {
		out[i] = Float(float64(n))
	}
	return out
}
