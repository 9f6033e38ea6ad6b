package web

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/ospo-bot/ospo-bot/internal/kpi"
	"github.com/ospo-bot/ospo-bot/internal/store"
)

// QueueSize is the number of open reviews a page of the queue lists.
const QueueSize = 50

// decisionBuckets are the time-to-decision histogram's bars: hours, then
// days. Min ≤ time < Max (Max 0: no upper bound).
var decisionBuckets = []kpi.Bucket{
	{Label: "<1h", Max: time.Hour},
	{Label: "1-4h", Min: time.Hour, Max: 4 * time.Hour},
	{Label: "4-24h", Min: 4 * time.Hour, Max: 24 * time.Hour},
	{Label: "1-3d", Min: 24 * time.Hour, Max: 3 * 24 * time.Hour},
	{Label: "3-7d", Min: 3 * 24 * time.Hour, Max: 7 * 24 * time.Hour},
	{Label: "7-30d", Min: 7 * 24 * time.Hour, Max: 30 * 24 * time.Hour},
	{Label: ">=30d", Min: 30 * 24 * time.Hour},
}

// reviewsPage shows how the OSPO's reviews go: the time to decision of
// the reviews decided in the period, the queue of those still waiting,
// oldest first, and the decisions by approver.
func reviewsPage(s *Site, ctx context.Context, q Query) (*Page, error) {
	offset, err := Paging(q.Values, QueueSize)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	asOf := q.Period.Until
	if now.Before(asOf) {
		asOf = now
	}
	p := &Page{Title: "Reviews", Nav: "reviews"}
	// The reviews' cycles come from the overview's rollup (kpi.ReviewCycles
	// over review_events, rewritten by each refresh).
	rollup, computed, err := s.Store.DashboardRollupOf(ctx, q.Org)
	if err != nil {
		return nil, err
	}
	if computed {
		cycles, err := reviewCycles(ctx, s.Store, q.Org)
		if err != nil {
			return nil, err
		}
		ttd := decisionTimes(cycles, q.Period)
		queue, err := s.reviewQueue(ctx, q, cycles, asOf, offset)
		if err != nil {
			return nil, err
		}
		for _, sec := range []*Section{&ttd, &queue} {
			if sec.Empty == "" {
				sec.Note += " " + overviewRollupNote(rollup)
			}
		}
		p.Body = append(p.Body, ttd, queue)
	} else {
		p.Body = append(p.Body, Section{ID: "time-to-decision", Title: fmt.Sprintf("Time to decision (reviews decided %s)", q.Period.Label()), Empty: notComputed},
			Section{ID: "queue", Title: "Reviews awaiting a decision, oldest first", Empty: notComputed})
	}
	byApprover, err := s.Store.OrgDecisionsByApprover(ctx, q.Org, q.Period.Since, q.Period.Until)
	if err != nil {
		return nil, err
	}
	p.Body = append(p.Body, approvers(byApprover, q.Period))
	return p, nil
}

// decisionTimes is the histogram of the time from a review's opening to
// its first approve or reject, for those decided in the period: the
// report's "review time to decision", bucketed.
func decisionTimes(cycles []kpi.ReviewCycle, period Period) Section {
	sec := Section{ID: "time-to-decision", Title: fmt.Sprintf("Time to decision (reviews decided %s)", period.Label())}
	var ds []time.Duration
	buckets := slices.Clone(decisionBuckets)
	for _, c := range cycles {
		if c.Decided.IsZero() || c.Decided.Before(period.Since) || !c.Decided.Before(period.Until) {
			continue
		}
		d := c.Decided.Sub(c.Opened)
		ds = append(ds, d)
		for i, b := range buckets {
			if d >= b.Min && (b.Max == 0 || d < b.Max) {
				buckets[i].Count++
				break
			}
		}
	}
	if len(ds) == 0 {
		sec.Empty = "No review was decided in the period: a review is decided by an /ospo approve or /ospo reject comment on its issue."
		return sec
	}
	t := &Table{Columns: []Column{{Key: "time_to_decision", Label: "Time to decision"}, {Key: "reviews", Label: "Reviews", Numeric: true}}}
	c := &Chart{Kind: "bar", Unit: "reviews"}
	s := Series{Name: "Reviews decided"}
	for _, b := range buckets {
		t.Rows = append(t.Rows, []Cell{{Text: b.Label}, {Text: fmt.Sprint(b.Count), Value: b.Count}})
		c.X = append(c.X, b.Label)
		s.Values = append(s.Values, Float(float64(b.Count)))
	}
	c.Series = []Series{s}
	sec.Table, sec.Chart = t, c
	sum := kpi.Of(ds)
	sec.Note = fmt.Sprintf("p50 %s, p90 %s (nearest rank, n = %d). From each opening (or reopening) of a review issue to its first "+
		"approve or reject; exempt and unexempt do not decide a review.", humanDuration(sum.P50), humanDuration(sum.P90), sum.N)
	return sec
}

// reviewQueue lists the reviews awaiting a decision at asOf, oldest
// first, a page of QueueSize.
func (s *Site) reviewQueue(ctx context.Context, q Query, cycles []kpi.ReviewCycle, asOf time.Time, offset int) (Section, error) {
	sec := Section{ID: "queue", Title: fmt.Sprintf("Reviews awaiting a decision, oldest first, at %s UTC (age in days)", asOf.Format("2006-01-02 15:04"))}
	var open []kpi.ReviewCycle
	for _, c := range cycles {
		if c.Opened.Before(asOf) && (c.Decided.IsZero() || c.Decided.After(asOf)) && (c.Closed.IsZero() || c.Closed.After(asOf)) {
			open = append(open, c)
		}
	}
	if len(open) == 0 {
		sec.Empty = fmt.Sprintf("No review issue was awaiting a decision at %s UTC: a review opens when a check flags a repository.",
			asOf.Format("2006-01-02 15:04"))
		return sec, nil
	}
	slices.SortStableFunc(open, func(a, b kpi.ReviewCycle) int {
		if c := a.Opened.Compare(b.Opened); c != 0 {
			return c
		}
		return int(a.RepositoryID - b.RepositoryID)
	})
	if offset >= len(open) && offset > 0 {
		return sec, BadRequest("page=%s: the queue has %d pages", q.Values.Get("page"), (len(open)+QueueSize-1)/QueueSize)
	}
	page := open[offset:min(offset+QueueSize, len(open))]
	ids := make([]int64, len(page))
	for i, c := range page {
		ids[i] = c.RepositoryID
	}
	byID, err := s.Store.ReviewIssuesOf(ctx, ids)
	if err != nil {
		return sec, err
	}
	web := strings.TrimSuffix(s.GitHubURL, "/")
	if web == "" {
		web = "https://github.com"
	}
	t := &Table{Columns: []Column{{Key: "repository", Label: "Repository"}, {Key: "opened", Label: "Opened (UTC)"},
		{Key: "age_days", Label: "Age (days)", Numeric: true}, {Key: "first_response", Label: "First response (UTC)"},
		{Key: "issue", Label: "Review issue"}},
		Sort: "opened", Pages: &Pages{Offset: offset, Size: QueueSize, Total: len(open)}}
	for _, c := range page {
		is, ok := byID[c.RepositoryID]
		repo := Cell{Text: fmt.Sprintf("repository %d", c.RepositoryID)}
		issue := Cell{Text: "—"}
		if ok {
			repo = Cell{Text: is.Repository, Link: web + "/" + pathEscapeRepo(is.Repository)}
			if is.IssueNumber > 0 {
				issue = Cell{Text: fmt.Sprintf("%s#%d", is.ReviewRepo, is.IssueNumber),
					Link: fmt.Sprintf("%s/%s/issues/%d", web, pathEscapeRepo(is.ReviewRepo), is.IssueNumber)}
			}
		}
		age := asOf.Sub(c.Opened).Hours() / 24
		first := Cell{Text: "—"}
		if !c.FirstResponse.IsZero() && !c.FirstResponse.After(asOf) {
			first = Cell{Text: c.FirstResponse.UTC().Format("2006-01-02 15:04"), Value: c.FirstResponse.UTC()}
		}
		t.Rows = append(t.Rows, []Cell{repo, {Text: c.Opened.UTC().Format("2006-01-02 15:04"), Value: c.Opened.UTC()},
			{Text: fmt.Sprintf("%.1f", age), Value: age}, first, issue})
	}
	sec.Table = t
	sec.Note = "A review waits from its issue's opening (or reopening) until its first approve or reject, or its close."
	return sec, nil
}

// pathEscapeRepo keeps an "owner/name" a path of two segments, each
// escaped.
func pathEscapeRepo(full string) string {
	owner, name, _ := strings.Cut(full, "/")
	return url.PathEscape(owner) + "/" + url.PathEscape(name)
}

// approvers is the decisions of the period by who gave them.
func approvers(as []store.ApproverDecisions, period Period) Section {
	sec := Section{ID: "approvers", Title: fmt.Sprintf("Decisions by approver (decisions), %s", period.Label())}
	if len(as) == 0 {
		sec.Empty = "No decision was given in the period: decisions are /ospo approve, reject, exempt and unexempt comments on review issues."
		return sec
	}
	t := &Table{Columns: []Column{{Key: "approver", Label: "Approver"}, {Key: "approve", Label: "Approve", Numeric: true},
		{Key: "reject", Label: "Reject", Numeric: true}, {Key: "exempt", Label: "Exempt", Numeric: true},
		{Key: "unexempt", Label: "Unexempt", Numeric: true}, {Key: "total", Label: "Total", Numeric: true}}}
	c := &Chart{Kind: "bar", Unit: "decisions"}
	verbs := []string{"Approve", "Reject", "Exempt", "Unexempt"}
	series := make([]Series, len(verbs))
	for i, v := range verbs {
		series[i] = Series{Name: v}
	}
	for _, a := range as {
		counts := []int{a.Approve, a.Reject, a.Exempt, a.Unexempt}
		row := []Cell{{Text: a.Actor}}
		for i, n := range counts {
			row = append(row, Cell{Text: fmt.Sprint(n), Value: n})
			series[i].Values = append(series[i].Values, Float(float64(n)))
		}
		row = append(row, Cell{Text: fmt.Sprint(a.Total()), Value: a.Total()})
		t.Rows = append(t.Rows, row)
		c.X = append(c.X, a.Actor)
	}
	c.Series = series
	sec.Table, sec.Chart = t, c
	sec.Note = "Each accepted deciding command counts once; most decisions first."
	return sec
}
