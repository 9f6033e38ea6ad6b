package report

import (
	"encoding/json"
	"io"
	"sort"
	"time"

	"github.com/ospo-bot/ospo-bot/internal/kpi"
)

// SchemaVersion is the version of the JSON document (testdata/report.schema.json);
// it changes only when a field is removed or changes meaning.
const SchemaVersion = 1

// The JSON document: snake_case names, times in RFC 3339 UTC (null when
// not yet), durations in seconds, ratios with their share (null without
// data).
type jsonReport struct {
	SchemaVersion   int              `json:"schema_version"`
	Org             string           `json:"org"`
	Since           string           `json:"since"`
	Until           string           `json:"until"`
	SPDXListVersion string           `json:"spdx_license_list_version"`
	KPIs            jsonKPIs         `json:"kpis"`
	Repositories    []jsonRepository `json:"repositories"`
	Reviews         []jsonReview     `json:"reviews"`
	Audit           []jsonAudit      `json:"audit"`
}

type jsonRatio struct {
	Num   int      `json:"num"`
	Den   int      `json:"den"`
	Share *float64 `json:"share"`
}

type jsonDurations struct {
	N          int    `json:"n"`
	P50Seconds *int64 `json:"p50_seconds"`
	P90Seconds *int64 `json:"p90_seconds"`
}

type jsonKPIs struct {
	Compliance               jsonRatio            `json:"compliance"`
	ComplianceByRule         map[string]jsonRatio `json:"compliance_by_rule"`
	ReviewTimeToDecision     jsonDurations        `json:"review_time_to_decision"`
	OpenReviews              int                  `json:"open_reviews"`
	OpenReviewsByAge         []jsonBucket         `json:"open_reviews_by_age"`
	ExemptionsInForce        int                  `json:"exemptions_in_force"`
	CLASigners               int                  `json:"cla_signers"`
	CLANewSigners            []jsonMonth          `json:"cla_new_signers"`
	CLABlockedPullRequests   int                  `json:"cla_blocked_pull_requests"`
	CLATimeToUnblock         jsonDurations        `json:"cla_time_to_unblock"`
	LicenseCoverage          jsonRatio            `json:"license_coverage"`
	OSIApproved              jsonRatio            `json:"osi_approved"`
	TimeToFirstResponse      jsonDurations        `json:"time_to_first_response"`
	TimeToClose              jsonDurations        `json:"time_to_close"`
	ChangeRequestClosure     jsonRatio            `json:"change_request_closure_ratio"`
	ExternalContributions    int                  `json:"external_contributions"`
	MemberContributions      int                  `json:"member_contributions"`
	FirstTimeContributors    int                  `json:"first_time_contributors"`
	ContributorAbsenceFactor []jsonFactor         `json:"contributor_absence_factor"`
}

type jsonBucket struct {
	Label      string `json:"label"`
	MinSeconds int64  `json:"min_seconds"`
	MaxSeconds *int64 `json:"max_seconds"`
	Count      int    `json:"count"`
}

type jsonMonth struct {
	Month string `json:"month"`
	Count int    `json:"count"`
}

type jsonFactor struct {
	Repository   string `json:"repository"`
	Factor       int    `json:"factor"`
	Contributors int    `json:"contributors"`
	Merged       int    `json:"merged"`
}

type jsonRepository struct {
	ID             int64             `json:"id"`
	Name           string            `json:"name"`
	URL            string            `json:"url"`
	Private        bool              `json:"private"`
	InScope        bool              `json:"in_scope"`
	Flagged        bool              `json:"flagged"`
	Failing        []string          `json:"failing"`
	Results        map[string]string `json:"results"`
	License        string            `json:"license"`
	Review         string            `json:"review"`
	ReviewIssueURL string            `json:"review_issue_url"`
	Exemptions     []jsonExemption   `json:"exemptions"`
	CheckedAt      *string           `json:"checked_at"`
}

type jsonExemption struct {
	Rule   string  `json:"rule"`
	Actor  string  `json:"actor"`
	Reason string  `json:"reason"`
	URL    string  `json:"url"`
	At     *string `json:"at"`
	// Expires is when it stops applying (the start of the day after the
	// one its command named); null: never.
	Expires *string `json:"expires"`
}

type jsonReview struct {
	Repository    string  `json:"repository"`
	IssueURL      string  `json:"issue_url"`
	Status        string  `json:"status"`
	Opened        *string `json:"opened"`
	FirstResponse *string `json:"first_response"`
	Decided       *string `json:"decided"`
}

type jsonAudit struct {
	At            *string `json:"at"`
	Actor         string  `json:"actor"`
	Action        string  `json:"action"`
	Subject       string  `json:"subject"`
	Reason        string  `json:"reason"`
	URL           string  `json:"url"`
	PolicyVersion string  `json:"policy_version"`
}

func writeJSON(w io.Writer, r *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false) // a file, not a page: "<1d" stays readable
	return enc.Encode(toJSON(r))
}

func toJSON(r *Report) jsonReport {
	k := r.KPIs
	j := jsonReport{
		SchemaVersion: SchemaVersion, Org: r.Org, Since: day(r.Since), Until: day(r.Until), SPDXListVersion: kpi.SPDXListVersion,
		KPIs: jsonKPIs{
			Compliance: ratio(k.Compliance), ComplianceByRule: map[string]jsonRatio{},
			ReviewTimeToDecision: durations(k.ReviewTimeToDecision), OpenReviews: k.OpenReviews,
			OpenReviewsByAge: []jsonBucket{}, ExemptionsInForce: k.ExemptionsInForce,
			CLASigners: k.CLASigners, CLANewSigners: []jsonMonth{}, CLABlockedPullRequests: k.CLABlockedPRs,
			CLATimeToUnblock: durations(k.CLATimeToUnblock), LicenseCoverage: ratio(k.LicenseCoverage), OSIApproved: ratio(k.OSIApproved),
			TimeToFirstResponse: durations(k.TimeToFirstResponse), TimeToClose: durations(k.TimeToClose),
			ChangeRequestClosure: ratio(k.ChangeRequestClosure), ExternalContributions: k.ExternalContributions,
			MemberContributions: k.MemberContributions, FirstTimeContributors: k.FirstTimeContributors,
			ContributorAbsenceFactor: []jsonFactor{},
		},
		Repositories: []jsonRepository{}, Reviews: []jsonReview{}, Audit: []jsonAudit{},
	}
	for rule, v := range k.ComplianceByRule {
		j.KPIs.ComplianceByRule[rule] = ratio(v)
	}
	for _, b := range k.OpenReviewsByAge {
		jb := jsonBucket{Label: b.Label, MinSeconds: int64(b.Min / time.Second), Count: b.Count}
		if b.Max > 0 {
			m := int64(b.Max / time.Second)
			jb.MaxSeconds = &m
		}
		j.KPIs.OpenReviewsByAge = append(j.KPIs.OpenReviewsByAge, jb)
	}
	for _, m := range k.CLANewSigners {
		j.KPIs.CLANewSigners = append(j.KPIs.CLANewSigners, jsonMonth(m))
	}
	for _, f := range k.AbsenceFactor {
		j.KPIs.ContributorAbsenceFactor = append(j.KPIs.ContributorAbsenceFactor, jsonFactor(f))
	}
	for _, p := range r.Repositories {
		jr := jsonRepository{ID: p.ID, Name: p.Name, URL: p.URL, Private: p.Private, InScope: p.InScope, Flagged: p.Flagged,
			Failing: p.Failing, Results: p.Results, License: p.License, Review: p.Review, ReviewIssueURL: p.ReviewIssueURL,
			Exemptions: []jsonExemption{}, CheckedAt: stamp(p.CheckedAt)}
		if jr.Failing == nil {
			jr.Failing = []string{}
		}
		if jr.Results == nil {
			jr.Results = map[string]string{}
		}
		for _, e := range p.Exemptions {
			jr.Exemptions = append(jr.Exemptions, jsonExemption{Rule: e.Rule, Actor: e.Actor, Reason: e.Reason, URL: e.URL, At: stamp(e.At),
				Expires: stamp(e.Expires)})
		}
		j.Repositories = append(j.Repositories, jr)
	}
	for _, v := range r.Reviews {
		j.Reviews = append(j.Reviews, jsonReview{Repository: v.Repository, IssueURL: v.IssueURL, Status: v.Status,
			Opened: stamp(v.Opened), FirstResponse: stamp(v.FirstResponse), Decided: stamp(v.Decided)})
	}
	for _, a := range r.Audit {
		j.Audit = append(j.Audit, jsonAudit{At: stamp(a.At), Actor: a.Actor, Action: a.Action, Subject: a.Subject,
			Reason: a.Reason, URL: a.URL, PolicyVersion: a.PolicyVersion})
	}
	return j
}

func ratio(r kpi.Ratio) jsonRatio {
	j := jsonRatio{Num: r.Num, Den: r.Den}
	if s, ok := r.Share(); ok {
		j.Share = &s
	}
	return j
}

func durations(d kpi.Durations) jsonDurations {
	j := jsonDurations{N: d.N}
	if d.N > 0 {
		p50, p90 := int64(d.P50/time.Second), int64(d.P90/time.Second)
		j.P50Seconds, j.P90Seconds = &p50, &p90
	}
	return j
}

func stamp(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.UTC().Format(time.RFC3339)
	return &s
}

func day(t time.Time) string { return t.UTC().Format(time.DateOnly) }

// sortedKeys returns m's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
