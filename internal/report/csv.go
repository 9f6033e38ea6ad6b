package report

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/ospo-bot/ospo-bot/internal/kpi"
)

// CSVHeader is the CSV's header. The CSV is long ("tidy"): one row per
// field of a record. section is kpi, repository, review or audit; record
// names the record in its section (a KPI's name, with its rule, month,
// age or repository after a colon; a repository's or review's full name;
// an audit entry's position, oldest first, from 1); field and value are
// the names and values of the JSON document (times RFC 3339, durations in
// seconds, "" for none).
var CSVHeader = []string{"section", "record", "field", "value"}

func writeCSV(w io.Writer, r *Report) error {
	cw := csv.NewWriter(w)
	row := func(section, record, field, value string) {
		cw.Write([]string{section, cell(record), field, cell(value)})
	}
	cw.Write(CSVHeader)
	j := toJSON(r)
	row("report", "", "org", j.Org)
	row("report", "", "since", j.Since)
	row("report", "", "until", j.Until)
	row("report", "", "spdx_license_list_version", j.SPDXListVersion)

	k := r.KPIs
	ratioRows := func(name string, v kpi.Ratio) {
		row("kpi", name, "num", strconv.Itoa(v.Num))
		row("kpi", name, "den", strconv.Itoa(v.Den))
		share := ""
		if s, ok := v.Share(); ok {
			share = strconv.FormatFloat(s, 'f', 4, 64)
		}
		row("kpi", name, "share", share)
	}
	durationRows := func(name string, d kpi.Durations) {
		row("kpi", name, "n", strconv.Itoa(d.N))
		p50, p90 := "", ""
		if d.N > 0 {
			p50, p90 = seconds(d.P50), seconds(d.P90)
		}
		row("kpi", name, "p50_seconds", p50)
		row("kpi", name, "p90_seconds", p90)
	}
	count := func(name string, n int) { row("kpi", name, "value", strconv.Itoa(n)) }
	ratioRows("compliance", k.Compliance)
	for _, rule := range sortedKeys(k.ComplianceByRule) {
		ratioRows("compliance_by_rule:"+rule, k.ComplianceByRule[rule])
	}
	durationRows("review_time_to_decision", k.ReviewTimeToDecision)
	count("open_reviews", k.OpenReviews)
	for _, b := range k.OpenReviewsByAge {
		row("kpi", "open_reviews_by_age:"+b.Label, "count", strconv.Itoa(b.Count))
	}
	count("exemptions_in_force", k.ExemptionsInForce)
	count("cla_signers", k.CLASigners)
	for _, m := range k.CLANewSigners {
		row("kpi", "cla_new_signers:"+m.Month, "count", strconv.Itoa(m.Count))
	}
	count("cla_blocked_pull_requests", k.CLABlockedPRs)
	durationRows("cla_time_to_unblock", k.CLATimeToUnblock)
	ratioRows("license_coverage", k.LicenseCoverage)
	ratioRows("osi_approved", k.OSIApproved)
	durationRows("time_to_first_response", k.TimeToFirstResponse)
	durationRows("time_to_close", k.TimeToClose)
	ratioRows("change_request_closure_ratio", k.ChangeRequestClosure)
	count("external_contributions", k.ExternalContributions)
	count("member_contributions", k.MemberContributions)
	count("first_time_contributors", k.FirstTimeContributors)
	for _, f := range k.AbsenceFactor {
		name := "contributor_absence_factor:" + f.Repository
		row("kpi", name, "factor", strconv.Itoa(f.Factor))
		row("kpi", name, "contributors", strconv.Itoa(f.Contributors))
		row("kpi", name, "merged", strconv.Itoa(f.Merged))
	}

	for _, p := range j.Repositories {
		rec := func(field, value string) { row("repository", p.Name, field, value) }
		rec("id", strconv.FormatInt(p.ID, 10))
		rec("url", p.URL)
		rec("private", strconv.FormatBool(p.Private))
		rec("in_scope", strconv.FormatBool(p.InScope))
		rec("flagged", strconv.FormatBool(p.Flagged))
		rec("failing", strings.Join(p.Failing, " "))
		rec("license", p.License)
		rec("review", p.Review)
		rec("review_issue_url", p.ReviewIssueURL)
		rec("checked_at", deref(p.CheckedAt))
		for _, rule := range sortedKeys(p.Results) {
			rec("results:"+rule, p.Results[rule])
		}
		for _, e := range p.Exemptions {
			rec("exemptions:"+e.Rule+":actor", e.Actor)
			rec("exemptions:"+e.Rule+":reason", e.Reason)
			rec("exemptions:"+e.Rule+":url", e.URL)
			rec("exemptions:"+e.Rule+":at", deref(e.At))
			rec("exemptions:"+e.Rule+":expires", deref(e.Expires))
		}
	}
	for _, v := range j.Reviews {
		rec := func(field, value string) { row("review", v.Repository, field, value) }
		rec("issue_url", v.IssueURL)
		rec("status", v.Status)
		rec("opened", deref(v.Opened))
		rec("first_response", deref(v.FirstResponse))
		rec("decided", deref(v.Decided))
	}
	for i, a := range j.Audit {
		rec := func(field, value string) { row("audit", strconv.Itoa(i+1), field, value) }
		rec("at", deref(a.At))
		rec("actor", a.Actor)
		rec("action", a.Action)
		rec("subject", a.Subject)
		rec("reason", a.Reason)
		rec("url", a.URL)
		rec("policy_version", a.PolicyVersion)
	}
	cw.Flush()
	return cw.Error()
}

// cell keeps a spreadsheet from reading a value as a formula (OWASP's CSV
// injection advice): one starting with = + - @ or a tab or carriage return
// gets a leading apostrophe. Numbers are written by us and never negative.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func seconds(d time.Duration) string { return strconv.FormatInt(int64(d/time.Second), 10) }

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
