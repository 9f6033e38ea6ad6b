package report

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/ospo-bot/ospo-bot/internal/inert"
	"github.com/ospo-bot/ospo-bot/internal/kpi"
	"github.com/ospo-bot/ospo-bot/internal/review"
)

// writeMarkdown writes the report as GitHub Markdown. Every string that
// comes from the database (names, rules, reasons, logins, licences) is
// written with inert.Text, so the report mentions, links and formats
// nothing of anyone's making.
func writeMarkdown(w io.Writer, r *Report) error {
	b := bufio.NewWriter(w)
	p := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	k := r.KPIs
	p("# OSPO report: %s\n\n", inert.Text(r.Org))
	p("Period %s to %s (the end excluded). Percentiles by nearest rank. OSI flags from the SPDX licence list %s.\n\n",
		day(r.Since), day(r.Until), kpi.SPDXListVersion)

	p("## KPIs\n\n| KPI | Value |\n| --- | --- |\n")
	p("| Compliance (in-scope repositories passing every enforce rule) | %s |\n", ratioText(k.Compliance))
	p("| Review time to decision | %s |\n", durationsText(k.ReviewTimeToDecision))
	p("| Open reviews awaiting a decision | %d |\n", k.OpenReviews)
	p("| Exemptions in force | %d |\n", k.ExemptionsInForce)
	p("| CLA signers | %d |\n", k.CLASigners)
	p("| Pull requests blocked by the CLA | %d |\n", k.CLABlockedPRs)
	p("| CLA time to unblock | %s |\n", durationsText(k.CLATimeToUnblock))
	p("| Licence coverage | %s |\n", ratioText(k.LicenseCoverage))
	p("| OSI-approved licences | %s |\n", ratioText(k.OSIApproved))
	p("| Time to first response (pull requests) | %s |\n", durationsText(k.TimeToFirstResponse))
	p("| Time to close (pull requests) | %s |\n", durationsText(k.TimeToClose))
	p("| Change request closure ratio | %s |\n", ratioText(k.ChangeRequestClosure))
	p("| Contributions by members / external | %d / %d |\n", k.MemberContributions, k.ExternalContributions)
	p("| First-time contributors | %d |\n", k.FirstTimeContributors)

	if len(k.ComplianceByRule) > 0 {
		p("\n## Compliance by rule\n\n| Rule | Passing where enforced |\n| --- | --- |\n")
		for _, rule := range sortedKeys(k.ComplianceByRule) {
			p("| %s | %s |\n", inert.Text(rule), ratioText(k.ComplianceByRule[rule]))
		}
	}
	p("\n## Open reviews by age\n\n| Age | Reviews |\n| --- | --- |\n")
	for _, bk := range k.OpenReviewsByAge {
		p("| %s | %d |\n", bk.Label, bk.Count)
	}
	p("\n## New CLA signers\n\n| Month | Signers |\n| --- | --- |\n")
	for _, m := range k.CLANewSigners {
		p("| %s | %d |\n", m.Month, m.Count)
	}
	p("\n## Contributor absence factor (merged pull requests, last 90 days)\n\n")
	if len(k.AbsenceFactor) == 0 {
		p("No merged pull requests.\n")
	} else {
		p("| Repository | Factor | Contributors | Merged |\n| --- | --- | --- | --- |\n")
		for _, f := range k.AbsenceFactor {
			p("| %s | %d | %d | %d |\n", inert.Text(f.Repository), f.Factor, f.Contributors, f.Merged)
		}
	}

	p("\n## Repositories\n\n")
	if len(r.Repositories) == 0 {
		p("No repository recorded.\n")
	} else {
		p("| Repository | In scope | Failing (enforce) | Other findings | Licence | Review | Exemptions | Checked |\n")
		p("| --- | --- | --- | --- | --- | --- | --- | --- |\n")
		for _, repo := range r.Repositories {
			var other, ex []string
			for _, rule := range sortedKeys(repo.Results) {
				if v := repo.Results[rule]; !strings.HasSuffix(v, "/pass") && !strings.HasSuffix(v, "/skip") && !strings.HasPrefix(v, "enforce/fail") {
					other = append(other, inert.Text(rule+" "+v))
				}
			}
			for _, e := range repo.Exemptions {
				through := ""
				if !e.Expires.IsZero() {
					through = " through " + review.Through(e.Expires)
				}
				ex = append(ex, inert.Text(e.Rule)+" by "+inert.Text(e.Actor)+through+": "+inert.Text(e.Reason))
			}
			failing := make([]string, len(repo.Failing))
			for i, f := range repo.Failing {
				failing[i] = inert.Text(f)
			}
			rev := inert.Text(repo.Review)
			if repo.ReviewIssueURL != "" {
				rev = link(orDash(repo.Review), repo.ReviewIssueURL)
			}
			p("| %s | %s | %s | %s | %s | %s | %s | %s |\n", link(repo.Name, repo.URL), yesNo(repo.InScope),
				orDash(strings.Join(failing, ", ")), orDash(strings.Join(other, ", ")), orDash(inert.Text(repo.License)),
				orDash(rev), orDash(strings.Join(ex, "; ")), orDash(stampText(repo.CheckedAt)))
		}
	}

	p("\n## Reviews\n\n")
	if len(r.Reviews) == 0 {
		p("No review issue.\n")
	} else {
		p("| Repository | Issue | Status | Opened | First response | Decided |\n| --- | --- | --- | --- | --- | --- |\n")
		for _, v := range r.Reviews {
			issue := "—"
			if v.IssueURL != "" {
				issue = link("issue", v.IssueURL)
			}
			p("| %s | %s | %s | %s | %s | %s |\n", inert.Text(v.Repository), issue, inert.Text(v.Status),
				orDash(stampText(v.Opened)), orDash(stampText(v.FirstResponse)), orDash(stampText(v.Decided)))
		}
	}

	p("\n## Audit log\n\n")
	if len(r.Audit) == 0 {
		p("No entry in the period.\n")
	} else {
		p("| At | Actor | Action | Subject | Reason |\n| --- | --- | --- | --- | --- |\n")
		for _, a := range r.Audit {
			at := stampText(a.At)
			if a.URL != "" {
				at = link(at, a.URL)
			}
			p("| %s | %s | %s | %s | %s |\n", at, inert.Text(a.Actor), inert.Text(a.Action), inert.Text(a.Subject), orDash(inert.Text(a.Reason)))
		}
	}
	return b.Flush()
}

// safeURL is a URL the report links to: http(s), with no character that
// could end the link's destination or start markup.
var safeURL = regexp.MustCompile(`^https?://[A-Za-z0-9._~/#:%?=&+-]+$`)

func link(text, url string) string {
	if !safeURL.MatchString(url) {
		return inert.Text(text)
	}
	return "[" + inert.Text(text) + "](" + url + ")"
}

func ratioText(r kpi.Ratio) string {
	s, ok := r.Share()
	if !ok {
		return "no data"
	}
	return fmt.Sprintf("%.1f %% (%d of %d)", 100*s, r.Num, r.Den)
}

func durationsText(d kpi.Durations) string {
	if d.N == 0 {
		return "no data"
	}
	return fmt.Sprintf("p50 %s, p90 %s (n = %d)", human(d.P50), human(d.P90), d.N)
}

// human writes a duration in its two largest units: 3d 4h, 2h 5m, 45s.
func human(d time.Duration) string {
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

func stampText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04Z")
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}
