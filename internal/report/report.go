// Package report builds the OSPO's org report from the database alone and writes it as Markdown, CSV or JSON.
package report

import (
	"context"
	"io"
	"time"

	"github.com/ospo-bot/ospo-bot/internal/kpi"
	"github.com/ospo-bot/ospo-bot/internal/store"
)

// Options chooses the org and the period [Since, Until) of a report. Now is
// the moment open items are aged against (time.Now() when zero).
type Options struct {
	Org          string
	Since, Until time.Time
	Now          time.Time
	// WebURL is GitHub's web address for links (https://github.com when "").
	WebURL string
}

// Report is an org's report over a period.
type Report struct {
	Org          string
	Since, Until time.Time
	KPIs         kpi.Summary
	Repositories []Repository
	Reviews      []Review
	Audit        []store.AuditEntry
}

// Repository is a repository's state at the end of the period: its last
// recorded check, its review and the exemptions in force.
type Repository struct {
	ID             int64
	Name, URL      string
	Private        bool
	InScope        bool
	Flagged        bool
	Failing        []string
	Results        map[string]string // rule → "mode/result"
	License        string
	Review         string // pending, approved, rejected; "" without a review issue
	ReviewIssueURL string
	Exemptions     []Exemption
	CheckedAt      time.Time
}

// Exemption is an `/ospo exempt` in force.
type Exemption struct {
	Repository, Rule, Actor, Reason, URL string
	At                                   time.Time
	// Expires is when it stops applying (review.Command.Expires); zero:
	// it holds until withdrawn.
	Expires time.Time
}

// Review is a repository's OSPO review issue.
type Review struct {
	Repository, IssueURL, Status   string
	Opened, FirstResponse, Decided time.Time
}

// Formats lists the formats Write accepts.
var Formats = []string{"markdown", "csv", "json"}

// Build reads the report from the database: no GitHub call.
func Build(ctx context.Context, st *store.Store, o Options) (*Report, error) {
	return build(ctx, st, o)
}

// Write writes r in format: "markdown", "csv" or "json".
func Write(w io.Writer, r *Report, format string) error {
	return write(w, r, format)
}
