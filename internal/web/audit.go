package web

import (
	"context"
	"strconv"
	"strings"
	"unicode"

	"github.com/ospo-bot/ospo-bot/internal/store"
)

// auditPage is the org's audit log over the period, newest first,
// searchable by actor, action and repository. Its CSV (?format=csv) holds
// every entry the search selects, not one page (up to ExportCap).
func auditPage(s *Site, ctx context.Context, q Query) (*Page, error) {
	v := q.Values
	actions, err := s.Store.DashboardAuditActions(ctx, q.Org)
	if err != nil {
		return nil, err
	}
	f := store.AuditFilter{Org: q.Org, Since: q.Period.Since, Until: q.Period.Until}
	if f.Action, err = oneOf(v, "action", actions); err != nil {
		if len(actions) == 0 {
			return nil, BadRequest("action=%q: this org's audit log is empty", v.Get("action"))
		}
		return nil, err
	}
	if f.Actor = strings.TrimPrefix(strings.TrimSpace(v.Get("actor")), "@"); !plainText(f.Actor, 100) {
		return nil, BadRequest("actor: a GitHub login, at most 100 characters")
	}
	repo := strings.TrimSpace(v.Get("repository"))
	if !plainText(repo, 200) || strings.Count(repo, "/") > 1 {
		return nil, BadRequest("repository=%q: a repository's name (widget) or owner/name (%s/widget)", repo, q.Org)
	}
	if repo != "" {
		f.Repository = repo
		if !strings.Contains(repo, "/") {
			f.Repository = q.Org + "/" + repo
		}
		if owner, _, _ := strings.Cut(f.Repository, "/"); !strings.EqualFold(owner, q.Org) {
			return nil, BadRequest("repository=%q: this is %s's audit log; name one of its repositories", repo, q.Org)
		}
	}
	if f.Offset, f.Limit, err = window(q); err != nil {
		return nil, err
	}
	entries, total, err := s.Store.DashboardAudit(ctx, f)
	if err != nil {
		return nil, err
	}
	if err := tooMany(q, total); err != nil {
		return nil, err
	}
	sec := Section{ID: "audit", Title: "Audit log, " + q.Period.Label() + ", newest first",
		Note: "Every decision, refusal and act of the bot on the org's repositories and pull requests. The CSV holds every entry the search selects (at most " +
			strconv.Itoa(ExportCap) + "; more is refused with the count, to be narrowed), not only this page."}
	if total == 0 {
		if f.Actor+f.Action+f.Repository != "" {
			sec.Empty = "No audit entry in the period matches this search."
		} else {
			sec.Empty = "No audit entry in the period: decisions (/ospo approve, reject, exempt), refusals and the bot's own acts (making a repository private) are written there."
		}
	} else {
		sec.Table = s.auditTable(q, entries, f.Offset, total)
	}
	return &Page{Title: "Audit log", Nav: "audit", Body: []Section{sec}, Filter: &Filter{Fields: []Field{
		{Name: "actor", Label: "Actor", Value: f.Actor},
		{Name: "action", Label: "Action", Value: f.Action, Options: options("any", actions, same)},
		{Name: "repository", Label: "Repository", Value: repo},
	}}}, nil
}

// plainText: at most max bytes, no control characters.
func plainText(s string, max int) bool {
	return len(s) <= max && !strings.ContainsFunc(s, unicode.IsControl)
}

// auditTable is a page (or, for the CSV, all) of audit entries.
func (s *Site) auditTable(q Query, entries []store.AuditEntry, offset, total int) *Table {
	t := &Table{Columns: []Column{{Key: "at", Label: "When (UTC)"}, {Key: "actor", Label: "Actor"}, {Key: "action", Label: "Action"},
		{Key: "subject", Label: "Subject"}, {Key: "reason", Label: "Reason"}, {Key: "url", Label: "Source"},
		{Key: "policy_version", Label: "Policy version"}}, Sort: "at", Desc: true}
	t.Pages = pagesOf(q, offset, total)
	for _, e := range entries {
		subject := Cell{Text: e.Subject}
		if repo, n, ok := strings.Cut(e.Subject, "#"); ok && strings.Count(repo, "/") == 1 {
			if num, err := strconv.Atoi(n); err == nil {
				subject.Link = s.githubIssue(repo, num)
			}
		} else if strings.Count(e.Subject, "/") == 1 {
			subject.Link = repositoryPage(q.Org, e.Subject)
		}
		t.Rows = append(t.Rows, []Cell{{Text: timeText(e.At), Value: e.At}, {Text: e.Actor}, {Text: e.Action}, subject,
			{Text: e.Reason}, commentCell(e.URL), {Text: e.PolicyVersion}})
	}
	return t
}
