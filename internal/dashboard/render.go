package dashboard

import (
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/ospo-bot/ospo-bot/internal/fit"
	"github.com/ospo-bot/ospo-bot/internal/inert"
	"github.com/ospo-bot/ospo-bot/internal/kpi"
	"github.com/ospo-bot/ospo-bot/internal/report"
	"github.com/ospo-bot/ospo-bot/internal/review"
)

// View is what the dashboard shows besides the report.
type View struct {
	Now time.Time
	// ReviewRepository ("owner/name") and ReviewLabel find the review
	// issues; ReviewURL is the review repository's page on GitHub.
	ReviewRepository, ReviewLabel, ReviewURL string
}

// Render writes the dashboard's body for r: the headline KPIs, the
// failing repositories grouped by rule, the reviews waiting longest, the
// exemptions in force and links. Every name and reason from the store is
// written inert. Lists are cut, each saying how many it left out, until
// the body fits GitHub's limit with room for the marker.
func Render(r *report.Report, v View) string {
	limit := fit.Body.Max - 200
	for n := 100; ; n /= 2 {
		s := render(r, v, n)
		if fit.Body.Len(s) <= limit || n == 0 {
			return s
		}
	}
}

// render writes the body with at most n items in each list.
func render(r *report.Report, v View, n int) string {
	var b strings.Builder
	k := r.KPIs
	fmt.Fprintf(&b, "# OSPO dashboard: %s\n\n", inert.Text(r.Org))
	b.WriteString("The org at a glance, kept up to date by ospo-bot after each sweep and within 10 minutes of a change. ")
	fmt.Fprintf(&b, "Period: %s to %s (UTC).\n\n", r.Since.UTC().Format(time.DateOnly), r.Until.UTC().Format(time.DateOnly))

	b.WriteString("## Headline\n\n| KPI | Value |\n| --- | --- |\n")
	row := func(name, value string) { fmt.Fprintf(&b, "| %s | %s |\n", name, value) }
	row("Compliance: repositories passing every enforce rule", ratio(k.Compliance))
	row("Open reviews", fmt.Sprint(k.OpenReviews))
	row("Review time to decision (p50 / p90)", durations(k.ReviewTimeToDecision))
	expiring := expiringExemptions(r.Repositories, v.Now)
	inForce := fmt.Sprint(k.ExemptionsInForce)
	if len(expiring) > 0 {
		inForce += fmt.Sprintf(" (%d expiring within %d days)", len(expiring), ExpiringWithin)
	}
	row("Exemptions in force", inForce)
	row("License coverage / OSI-approved", ratio(k.LicenseCoverage)+" / "+ratio(k.OSIApproved))
	row("CLA signers / pull requests blocked by the CLA", fmt.Sprintf("%d / %d", k.CLASigners, k.CLABlockedPRs))
	row("Pull requests: time to first response (p50 / p90)", durations(k.TimeToFirstResponse))
	row("Pull requests: time to close (p50 / p90)", durations(k.TimeToClose))
	row("Change request closure ratio", ratio(k.ChangeRequestClosure))
	row("Contributions: external / member / first-time contributors",
		fmt.Sprintf("%d / %d / %d", k.ExternalContributions, k.MemberContributions, k.FirstTimeContributors))
	if len(k.ComplianceByRule) > 0 {
		b.WriteString("\nPer rule (repositories passing, of those where the rule is enforced): ")
		var parts []string
		for _, rule := range sortedKeys(k.ComplianceByRule) {
			parts = append(parts, inert.Code(rule)+" "+ratio(k.ComplianceByRule[rule]))
		}
		b.WriteString(strings.Join(parts, ", ") + ".\n")
	}

	byRule := failingByRule(r.Repositories)
	fmt.Fprintf(&b, "\n## Failing repositories, by rule\n\n")
	if len(byRule) == 0 {
		b.WriteString("None: every in-scope repository passes every enforce rule.\n")
	}
	for _, rule := range sortedKeys(byRule) {
		repos := byRule[rule]
		fmt.Fprintf(&b, "### %s (%d)\n\n", inert.Code(rule), len(repos))
		list(&b, repos, n, func(rp report.Repository) string {
			s := "- " + link(rp.Name, rp.URL)
			if rp.ReviewIssueURL != "" {
				s += " · " + link("review", rp.ReviewIssueURL)
				if rp.Review != "" {
					s += " (" + inert.Text(rp.Review) + ")"
				}
			}
			return s
		})
		b.WriteString("\n")
	}

	waiting := waitingReviews(r.Reviews)
	b.WriteString("\n## Reviews waiting longest\n\n")
	if len(waiting) == 0 {
		b.WriteString("No review is waiting for a decision.\n")
	}
	list(&b, waiting, n, func(rv report.Review) string {
		s := "- " + link(rv.Repository, rv.IssueURL) + ": waiting "
		if rv.Opened.IsZero() {
			s += "since before the history began" // opened before the bot recorded history
		} else {
			s += age(v.Now.Sub(rv.Opened))
		}
		if rv.FirstResponse.IsZero() {
			s += ", no response yet"
		}
		return s
	})

	b.WriteString("\n## Exemptions expiring\n\n")
	if len(expiring) == 0 {
		fmt.Fprintf(&b, "None within %d days.\n", ExpiringWithin)
	} else {
		fmt.Fprintf(&b, "Within %d days, the soonest first; the rule fails again the day after.\n\n", ExpiringWithin)
	}
	list(&b, expiring, n, func(e report.Exemption) string {
		when := "its last day today"
		if days := int(e.Expires.Sub(v.Now).Hours() / 24); days > 0 {
			when = "in " + plural(days, "day")
		}
		s := fmt.Sprintf("- %s on %s through %s (%s), by %s", inert.Code(e.Rule), inert.Text(e.Repository),
			review.Through(e.Expires), when, inert.Text(e.Actor))
		if e.Reason != "" {
			s += ": " + inert.Text(e.Reason)
		}
		if e.URL != "" {
			s += " (" + link("decision", e.URL) + ")"
		}
		return s
	})

	exemptions := exemptionsInForce(r.Repositories)
	b.WriteString("\n## Exemptions in force\n\n")
	if len(exemptions) == 0 {
		b.WriteString("None.\n")
	}
	list(&b, exemptions, n, func(e report.Exemption) string {
		s := "- " + inert.Code(e.Rule) + " on " + inert.Text(e.Repository) + " by " + inert.Text(e.Actor)
		if !e.At.IsZero() {
			s += " on " + e.At.UTC().Format(time.DateOnly)
		}
		if !e.Expires.IsZero() {
			s += " through " + review.Through(e.Expires)
		}
		if e.Reason != "" {
			s += ": " + inert.Text(e.Reason)
		}
		if e.URL != "" {
			s += " (" + link("decision", e.URL) + ")"
		}
		return s
	})

	b.WriteString("\n## Links\n\n")
	if v.ReviewURL != "" && v.ReviewLabel != "" {
		q := url.Values{"q": {"is:issue is:open label:\"" + v.ReviewLabel + "\""}}
		fmt.Fprintf(&b, "- %s\n", link("Open review issues", v.ReviewURL+"/issues?"+q.Encode()))
	}
	fmt.Fprintf(&b, "- The full report: `ospo-bot report --org %s --format markdown` (also `csv`, `json`)\n", shellWord(r.Org))
	b.WriteString("- A policy change's effect before it merges: `ospo-bot policy plan NEW.yml`, or the `ospo/policy-plan` check on a pull request changing `ospo.yml`\n")
	return b.String()
}

// list writes at most n of items, then how many it left out.
func list[T any](b *strings.Builder, items []T, n int, line func(T) string) {
	for i, it := range items {
		if i == n {
			fmt.Fprintf(b, "- … and %d more\n", len(items)-n)
			return
		}
		b.WriteString(line(it) + "\n")
	}
}

// failingByRule groups the in-scope repositories failing an enforce rule
// by that rule, each group sorted by name.
func failingByRule(repos []report.Repository) map[string][]report.Repository {
	out := map[string][]report.Repository{}
	for _, rp := range repos {
		if !rp.InScope {
			continue
		}
		for _, rule := range rp.Failing {
			out[rule] = append(out[rule], rp)
		}
	}
	for _, rs := range out {
		sort.SliceStable(rs, func(i, j int) bool { return rs[i].Name < rs[j].Name })
	}
	return out
}

// waitingReviews are the undecided reviews, the longest waiting first.
func waitingReviews(rs []report.Review) []report.Review {
	var out []report.Review
	for _, rv := range rs {
		if rv.Decided.IsZero() && rv.Status != "approved" && rv.Status != "rejected" && rv.Status != "closed" {
			out = append(out, rv)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].Opened.Equal(out[j].Opened) {
			return out[i].Opened.Before(out[j].Opened)
		}
		return out[i].Repository < out[j].Repository
	})
	return out
}

// ExpiringWithin is how many days ahead the dashboard lists exemptions
// expiring.
const ExpiringWithin = 30

// expiringExemptions are the exemptions in force that expire within
// ExpiringWithin days of now, the soonest first.
func expiringExemptions(repos []report.Repository, now time.Time) []report.Exemption {
	var out []report.Exemption
	for _, rp := range repos {
		for _, e := range rp.Exemptions {
			if !e.Expires.IsZero() && e.Expires.After(now) && !e.Expires.After(now.AddDate(0, 0, ExpiringWithin)) {
				out = append(out, e)
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].Expires.Equal(out[j].Expires) {
			return out[i].Expires.Before(out[j].Expires)
		}
		return out[i].Repository+out[i].Rule < out[j].Repository+out[j].Rule
	})
	return out
}

// plural is n and the noun, with an s unless n is 1.
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// exemptionsInForce lists every repository's exemptions, the oldest first.
func exemptionsInForce(repos []report.Repository) []report.Exemption {
	var out []report.Exemption
	for _, rp := range repos {
		out = append(out, rp.Exemptions...)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].At.Equal(out[j].At) {
			return out[i].At.Before(out[j].At)
		}
		return out[i].Repository+out[i].Rule < out[j].Repository+out[j].Rule
	})
	return out
}

func ratio(r kpi.Ratio) string {
	if r.Den == 0 {
		return "no data"
	}
	return fmt.Sprintf("%.0f %% (%d of %d)", 100*float64(r.Num)/float64(r.Den), r.Num, r.Den)
}

func durations(d kpi.Durations) string {
	if d.N == 0 {
		return "no data"
	}
	return fmt.Sprintf("%s / %s (%d)", age(d.P50), age(d.P90), d.N)
}

// age writes d coarsely: days and hours, hours and minutes, or minutes.
func age(d time.Duration) string {
	switch {
	case d < 0:
		return "0m"
	case d >= 24*time.Hour:
		return fmt.Sprintf("%dd %dh", int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour))
	case d >= time.Hour:
		return fmt.Sprintf("%dh %dm", int(d/time.Hour), int(d%time.Hour/time.Minute))
	}
	return fmt.Sprintf("%dm", int(d/time.Minute))
}

// link writes a Markdown link to u showing text inert; an address that
// is not plain http(s) is left out and the text shown alone.
func link(text, u string) string {
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" {
		return inert.Text(text)
	}
	dest := p.String()
	if strings.ContainsAny(dest, "()<> \n") {
		return inert.Text(text)
	}
	return "[" + inert.Text(text) + "](" + dest + ")"
}

// shellWord is the org's login as a shell word: a login is letters,
// digits and hyphens; anything else is quoted.
func shellWord(s string) string {
	if s != "" && !strings.ContainsFunc(s, func(r rune) bool {
		return !(r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
	}) {
		return s
	}
	return "ORG"
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
