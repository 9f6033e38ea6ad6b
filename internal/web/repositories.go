package web

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ospo-bot/ospo-bot/internal/review"
	"github.com/ospo-bot/ospo-bot/internal/rules"
	"github.com/ospo-bot/ospo-bot/internal/store"
)

// PageSize is the rows a page of a long table shows.
const PageSize = 50

// ExportCap bounds a CSV export (?format=csv) of a long table: the CSV
// holds every row the filters select, not one page, up to this many; a
// larger selection is refused with a 400 that says how many rows it has
// (narrow the period or the filters), never cut short.
const ExportCap = 100_000

// Review states of a repository on the dashboard, derived from its
// review issue and its recorded decisions (review.Replay) at the
// refresher's time: a rejection in force, else an approval, else
// exemptions in force, else the issue open or closed, else none.
var reviewStates = []string{"none", "open", "closed", "exempted", "approved", "rejected"}

var statuses = []string{store.StatusCompliant, store.StatusFailing, store.StatusFlagged, store.StatusOutOfScope}

// topicSyntax is GitHub's: lowercase letters, digits and hyphens, starting
// with a letter or digit, at most 50 characters.
var topicSyntax = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,49}$`)

// refreshRepositories brings the Repositories page's rows up to date:
// the repositories checked since the last run, then every review state
// of the org (an org's reviews are one row a flagged repository), writing
// only the rows that changed; and the org of audit entries written
// without one (store.FillAuditOrgs).
func refreshRepositories(ctx context.Context, st *store.Store, org string, now time.Time) error {
	if _, err := st.FillAuditOrgs(ctx); err != nil {
		return err
	}
	if _, err := st.RefreshDashboardRepositories(ctx, org); err != nil {
		return err
	}
	inputs, err := st.DashboardReviewInputs(ctx, org)
	if err != nil {
		return err
	}
	states := make(map[int64]store.ReviewCell, len(inputs))
	for id, in := range inputs {
		states[id] = reviewCell(in, now)
	}
	_, err = st.SetDashboardReviewStates(ctx, org, states)
	return err
}

// reviewCell is a repository's review state at now.
func reviewCell(in *store.ReviewInputs, now time.Time) store.ReviewCell {
	st := review.Replay(review.Decisions(in.Decisions)).InForce(now)
	c := store.ReviewCell{ReviewRepo: in.ReviewRepo, Number: in.Number}
	switch {
	case st.Status == review.Rejected:
		c.State = "rejected"
	case st.Status == review.Approved:
		c.State = "approved"
	case len(st.Exemptions) > 0:
		c.State = "exempted"
	case in.Number > 0 && !in.Closed:
		c.State = "open"
	case in.Number > 0:
		c.State = "closed"
	default:
		c.State = "none"
	}
	return c
}

// repositoryRules are the IDs of the rules a repository check runs.
func repositoryRules() []string {
	var out []string
	for _, r := range rules.Registry {
		if r.Scope == rules.RepositoryScope {
			out = append(out, r.ID)
		}
	}
	slices.Sort(out)
	return out
}

// oneOf reads a select's value: "" (any) or one of allowed.
func oneOf(q url.Values, name string, allowed []string) (string, error) {
	v := q.Get(name)
	if v == "" || slices.Contains(allowed, v) {
		return v, nil
	}
	return "", BadRequest("%s=%q: ask for one of %s (or nothing, for any)", name, v, strings.Join(allowed, ", "))
}

func options(any string, values []string, label func(string) string) []Option {
	out := []Option{{Value: "", Label: any}}
	for _, v := range values {
		out = append(out, Option{Value: v, Label: label(v)})
	}
	return out
}

func same(s string) string { return s }

// statusLabel is a status as a person reads it.
func statusLabel(s string) string { return strings.ReplaceAll(s, "_", " ") }

// exporting: the request is the CSV export, which holds every row.
func exporting(q Query) bool { return q.Values.Get("format") == "csv" }

// window is the offset and size of the rows to read: one page, or every
// row up to ExportCap for the CSV (tooMany refuses more, by the count).
func window(q Query) (offset, limit int, err error) {
	if exporting(q) {
		return 0, ExportCap, nil
	}
	offset, err = Paging(q.Values, PageSize)
	return offset, PageSize, err
}

// tooMany refuses an export of more rows than ExportCap.
func tooMany(q Query, total int) error {
	if exporting(q) && total > ExportCap {
		return BadRequest("these filters select %d rows; a CSV export holds at most %d: narrow the period or the filters", total, ExportCap)
	}
	return nil
}

// pagesOf is the Pages of a table, or nil for the CSV (every row).
func pagesOf(q Query, offset, total int) *Pages {
	if exporting(q) {
		return nil
	}
	return &Pages{Offset: offset, Size: PageSize, Total: total}
}

// Links.

func (s *Site) github() string {
	if s.GitHubURL != "" {
		return strings.TrimRight(s.GitHubURL, "/")
	}
	return "https://github.com"
}

// repoPath escapes each part of owner/name for a URL path.
func repoPath(full string) string {
	owner, name, _ := strings.Cut(full, "/")
	return url.PathEscape(owner) + "/" + url.PathEscape(name)
}

func (s *Site) githubRepo(full string) string { return s.github() + "/" + repoPath(full) }

func (s *Site) githubIssue(repo string, n int) string {
	return s.github() + "/" + repoPath(repo) + "/issues/" + strconv.Itoa(n)
}

// repositoryPage is the dashboard page of org's repository full.
func repositoryPage(org, full string) string {
	_, name, _ := strings.Cut(full, "/")
	return "/dashboard/" + url.PathEscape(org) + "/repositories/" + url.PathEscape(name)
}

func dateText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.DateOnly)
}

func timeText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04:05") + " UTC"
}

func reviewText(c store.ReviewCell) string {
	if c.State == "" {
		return "unknown until the dashboard's next refresh"
	}
	if c.Number > 0 {
		return fmt.Sprintf("%s (%s#%d)", c.State, c.ReviewRepo, c.Number)
	}
	return c.State
}

func topicsText(r store.DashboardRepository) (topics, class string) {
	if !r.TopicsKnown {
		return "unknown until its next check", "unknown until its next check"
	}
	return strings.Join(r.Topics, ", "), r.Classification
}

func visibility(private bool) string {
	if private {
		return "private"
	}
	return "public"
}

// repositoriesPage is the org's repositories: filtered, sorted, a page at
// a time, from the dashboard's current-state rows.
func repositoriesPage(s *Site, ctx context.Context, q Query) (*Page, error) {
	v := q.Values
	ruleIDs := repositoryRules()
	classes, err := s.Store.DashboardClassifications(ctx, q.Org)
	if err != nil {
		return nil, err
	}
	classValues := []string{}
	for _, c := range classes {
		if c == "" {
			classValues = append(classValues, "-")
		} else {
			classValues = append(classValues, c)
		}
	}
	f := store.RepositoryFilter{Org: q.Org}
	if f.Rule, err = oneOf(v, "rule", ruleIDs); err != nil {
		return nil, err
	}
	if f.Status, err = oneOf(v, "status", statuses); err != nil {
		return nil, err
	}
	if f.Visibility, err = oneOf(v, "visibility", []string{"public", "private"}); err != nil {
		return nil, err
	}
	if f.Review, err = oneOf(v, "review", reviewStates); err != nil {
		return nil, err
	}
	if f.Classification, err = oneOf(v, "classification", classValues); err != nil {
		if len(classValues) == 0 {
			return nil, BadRequest("classification=%q: no repository has a classification yet (it is recorded at each check, from the policy's repository.topics.one_of)", v.Get("classification"))
		}
		return nil, err
	}
	if f.Topic = v.Get("topic"); f.Topic != "" && !topicSyntax.MatchString(f.Topic) {
		return nil, BadRequest("topic=%q: a GitHub topic is lowercase letters, digits and hyphens (at most 50)", f.Topic)
	}
	if f.Name = v.Get("name"); len(f.Name) > 100 {
		return nil, BadRequest("name: at most 100 characters")
	}
	t := &Table{Columns: []Column{
		{Key: "repository", Label: "Repository", Sortable: true},
		{Key: "github", Label: "On GitHub"},
		{Key: "status", Label: "Status", Sortable: true},
		{Key: "failing", Label: "Failing enforce rules", Numeric: true, Sortable: true},
		{Key: "failing_rules", Label: "Which"},
		{Key: "visibility", Label: "Visibility", Sortable: true},
		{Key: "topics", Label: "Topics"},
		{Key: "classification", Label: "Classification"},
		{Key: "review", Label: "Review", Sortable: true},
		{Key: "checked", Label: "Last checked (UTC)", Sortable: true},
	}}
	if err := Sorting(v, t, "repository", false); err != nil {
		return nil, err
	}
	f.Sort, f.Desc = t.Sort, t.Desc
	if f.Offset, f.Limit, err = window(q); err != nil {
		return nil, err
	}
	rows, total, err := s.Store.DashboardRepositories(ctx, f)
	if err != nil {
		return nil, err
	}
	if err := tooMany(q, total); err != nil {
		return nil, err
	}
	t.Pages = pagesOf(q, f.Offset, total)
	unknown := false
	for _, r := range rows {
		topics, class := topicsText(r)
		unknown = unknown || !r.TopicsKnown
		rc := Cell{Text: reviewText(r.Review), Value: r.Review.State}
		if r.Review.Number > 0 {
			rc.Link = s.githubIssue(r.Review.ReviewRepo, r.Review.Number)
		}
		t.Rows = append(t.Rows, []Cell{
			{Text: r.Repository, Link: repositoryPage(q.Org, r.Repository)},
			{Text: "GitHub", Value: s.githubRepo(r.Repository), Link: s.githubRepo(r.Repository)},
			{Text: statusLabel(r.Status), Value: r.Status},
			{Text: strconv.Itoa(len(r.Failing)), Value: len(r.Failing)},
			{Text: strings.Join(r.Failing, ", ")},
			{Text: visibility(r.Private)},
			{Text: topics},
			{Text: class},
			rc,
			{Text: timeText(r.CheckedAt), Value: r.CheckedAt},
		})
	}
	sec := Section{ID: "repositories", Title: "Repositories, as of their latest check", Table: t,
		Note: "Status: flagged (needs a review), else failing (an enforce rule fails, accepted by an approval), else compliant; out of scope: left out by the policy (fork, archived) or gone from GitHub. " +
			"The status filter's failing and flagged overlap: a flagged repository may fail rules too. Review: rejected or approved (the decision in force), else exempted (an exemption in force), else the review issue's open or closed, else none. " +
			"Rows are brought up to date by the dashboard's refresh, within 10 minutes of a check; the period does not apply to this table."}
	if unknown {
		sec.Note += " Topics and classification are recorded at each check from this version on: a repository not checked since shows them as unknown."
	}
	if total == 0 {
		sec.Table = nil
		if len(v.Get("rule")+v.Get("status")+v.Get("visibility")+v.Get("topic")+v.Get("classification")+v.Get("review")+v.Get("name")) > 0 {
			sec.Empty = "No repository matches these filters."
		} else {
			sec.Empty = "No repository of this org has been checked yet: a repository appears after its first check (a webhook, or the periodic sweep) and the dashboard's refresh that follows."
		}
	}
	return &Page{Title: "Repositories", Nav: "repositories", Body: []Section{sec}, Filter: &Filter{Fields: []Field{
		{Name: "name", Label: "Name contains", Value: f.Name},
		{Name: "status", Label: "Status", Value: f.Status, Options: options("any", statuses, statusLabel)},
		{Name: "rule", Label: "Failing rule", Value: f.Rule, Options: options("any", ruleIDs, same)},
		{Name: "visibility", Label: "Visibility", Value: f.Visibility, Options: options("any", []string{"public", "private"}, same)},
		{Name: "topic", Label: "Topic", Value: f.Topic},
		{Name: "classification", Label: "Classification", Value: f.Classification, Options: options("any", classValues, func(c string) string {
			if c == "-" {
				return "none"
			}
			return c
		})},
		{Name: "review", Label: "Review", Value: f.Review, Options: options("any", reviewStates, same)},
	}}}, nil
}

// repositoryDetailPage is one repository's page: its current state, its
// check history over the period, its review and its audit entries.
func repositoryDetailPage(s *Site, ctx context.Context, q Query) (*Page, error) {
	name := q.Path
	if name == "" || strings.Contains(name, "/") {
		return nil, NotFound
	}
	r, err := s.Store.DashboardRepositoryNamed(ctx, q.Org, name)
	if store.IsNotFound(err) {
		return nil, NotFound
	}
	if err != nil {
		return nil, err
	}
	p := &Page{Title: r.Repository, Nav: "repositories"}
	topics, class := topicsText(r)
	rc := Cell{Text: reviewText(r.Review)}
	if r.Review.Number > 0 {
		rc.Link = s.githubIssue(r.Review.ReviewRepo, r.Review.Number)
	}
	p.Body = append(p.Body, Section{ID: "summary", Title: "As of its latest check", Table: &Table{
		Columns: []Column{{Key: "field", Label: "Field"}, {Key: "value", Label: "Value"}},
		Rows: [][]Cell{
			{{Text: "Repository"}, {Text: r.Repository, Link: s.githubRepo(r.Repository)}},
			{{Text: "Status"}, {Text: statusLabel(r.Status)}},
			{{Text: "Failing enforce rules"}, {Text: strings.Join(r.Failing, ", ")}},
			{{Text: "Visibility"}, {Text: visibility(r.Private)}},
			{{Text: "License"}, {Text: r.License}},
			{{Text: "Topics"}, {Text: topics}},
			{{Text: "Classification"}, {Text: class}},
			{{Text: "Review"}, rc},
			{{Text: "Last checked"}, {Text: timeText(r.CheckedAt)}},
		}}})

	// The check history: a day a row, and the failing count as a chart.
	days, err := s.Store.RepositoryHistory(ctx, r.RepositoryID, q.Period.Since, q.Period.Until)
	if err != nil {
		return nil, err
	}
	title := "Failing enforce rules per day (rules), " + q.Period.Label()
	hist := Section{ID: "history", Title: title}
	if len(days) == 0 {
		hist.Empty = "No check of this repository was recorded in the period: a day is recorded at each check (a webhook, the periodic sweep)."
	} else {
		var ruleCols []string
		for _, d := range days {
			for rule := range d.Results {
				if !slices.Contains(ruleCols, rule) {
					ruleCols = append(ruleCols, rule)
				}
			}
		}
		slices.Sort(ruleCols)
		t := &Table{Columns: []Column{{Key: "day", Label: "Day (UTC)"}, {Key: "in_scope", Label: "In scope"},
			{Key: "flagged", Label: "Flagged"}, {Key: "failing", Label: "Failing enforce rules", Numeric: true},
			{Key: "failing_rules", Label: "Which"}}}
		for _, rule := range ruleCols {
			t.Columns = append(t.Columns, Column{Key: "rule_" + rule, Label: rule + " (mode/result)"})
		}
		c := &Chart{Kind: "bar", Unit: "rules", Series: []Series{{Name: "Failing enforce rules"}}}
		for _, d := range days {
			row := []Cell{{Text: dateText(d.Day), Value: dateText(d.Day)}, {Text: yesNo(d.InScope), Value: d.InScope},
				{Text: yesNo(d.Flagged), Value: d.Flagged}, {Text: strconv.Itoa(len(d.Failing)), Value: len(d.Failing)},
				{Text: strings.Join(d.Failing, ", ")}}
			for _, rule := range ruleCols {
				row = append(row, Cell{Text: d.Results[rule]})
			}
			t.Rows = append(t.Rows, row)
			c.X = append(c.X, dateText(d.Day))
			c.Series[0].Values = append(c.Series[0].Values, Float(float64(len(d.Failing))))
		}
		hist.Table, hist.Chart = t, c
		hist.Note = "One row a day with a check (the day's last check); results are mode/result per rule, empty when the rule was not evaluated that day."
	}
	p.Body = append(p.Body, hist)

	// Its review: every decision (the state is their replay), and the
	// review issue's life in the period.
	ds, err := s.Store.ReviewDecisions(ctx, r.RepositoryID)
	if err != nil {
		return nil, err
	}
	dec := Section{ID: "decisions", Title: "Review decisions (all time, newest first)"}
	if len(ds) == 0 {
		dec.Empty = "No decision was recorded on this repository's review: approvers decide with /ospo approve, /ospo reject or /ospo exempt on its review issue."
	} else {
		t := &Table{Columns: []Column{{Key: "at", Label: "When (UTC)"}, {Key: "actor", Label: "Who"}, {Key: "verb", Label: "Decision"},
			{Key: "rule", Label: "Rule"}, {Key: "reason", Label: "Reason"}, {Key: "expires", Label: "Exempt through"}, {Key: "comment", Label: "Comment"}}}
		for i := len(ds) - 1; i >= 0; i-- {
			d := ds[i]
			through := ""
			if !d.Expires.IsZero() {
				through = review.Through(d.Expires)
			}
			t.Rows = append(t.Rows, []Cell{{Text: timeText(d.At), Value: d.At}, {Text: d.Actor}, {Text: d.Verb}, {Text: d.Rule},
				{Text: d.Reason}, {Text: through}, commentCell(d.URL)})
		}
		dec.Table = t
	}
	p.Body = append(p.Body, dec)

	evs, err := s.Store.RepositoryReviewEvents(ctx, r.RepositoryID, q.Period.Since, q.Period.Until)
	if err != nil {
		return nil, err
	}
	life := Section{ID: "review-events", Title: "Review issue events, " + q.Period.Label()}
	if len(evs) == 0 {
		life.Empty = "Nothing happened on this repository's review issue in the period."
	} else {
		t := &Table{Columns: []Column{{Key: "at", Label: "When (UTC)"}, {Key: "kind", Label: "Event"}, {Key: "actor", Label: "Who"},
			{Key: "verb", Label: "Decision"}, {Key: "rule", Label: "Rule"}}}
		for _, e := range evs {
			t.Rows = append(t.Rows, []Cell{{Text: timeText(e.At), Value: e.At}, {Text: e.Kind}, {Text: e.Actor}, {Text: e.Verb}, {Text: e.Rule}})
		}
		life.Table = t
	}
	p.Body = append(p.Body, life)

	// Its audit entries (and its pull requests'), a page at a time.
	offset, limit, err := window(q)
	if err != nil {
		return nil, err
	}
	entries, total, err := s.Store.DashboardAudit(ctx, store.AuditFilter{Org: q.Org, Since: q.Period.Since, Until: q.Period.Until,
		Repository: r.Repository, Offset: offset, Limit: limit})
	if err != nil {
		return nil, err
	}
	if err := tooMany(q, total); err != nil {
		return nil, err
	}
	au := Section{ID: "audit", Title: "Audit entries about it and its pull requests, " + q.Period.Label() + ", newest first"}
	if total == 0 {
		au.Empty = "No audit entry about this repository in the period: decisions, refusals and the bot's own acts are written there."
	} else {
		au.Table = s.auditTable(q, entries, offset, total)
	}
	p.Body = append(p.Body, au)
	return p, nil
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// commentCell links to a comment on GitHub (only an https address).
func commentCell(u string) Cell {
	if strings.HasPrefix(u, "https://") {
		return Cell{Text: "comment", Value: u, Link: u}
	}
	return Cell{Text: u}
}
