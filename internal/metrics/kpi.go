package metrics

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/ospo-bot/ospo-bot/internal/kpi"
)

// KPIs are the OSPO's key performance indicators of each org as gauges,
// set from the computation that renders its dashboard issue. Labels are
// the org and, for per-rule compliance, a rule (the caller passes the
// registry's only, see jobs): never a repository or a person, so the
// series stay few. A KPI without data (a
// ratio of nothing, percentiles of no durations) has no series.
type KPIs struct {
	ratios    map[string]*prometheus.GaugeVec // by name, labelled org
	counts    map[string]*prometheus.GaugeVec
	durations map[string]*prometheus.GaugeVec
	byRule    *prometheus.GaugeVec // org, rule
}

func newKPIs() *KPIs {
	k := &KPIs{ratios: map[string]*prometheus.GaugeVec{}, counts: map[string]*prometheus.GaugeVec{}, durations: map[string]*prometheus.GaugeVec{}}
	gauge := func(into map[string]*prometheus.GaugeVec, name, help string) {
		into[name] = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: name, Help: help}, []string{"org"})
	}
	gauge(k.ratios, "ospo_kpi_compliance_ratio", "Share of in-scope repositories passing every enforce rule.")
	gauge(k.ratios, "ospo_kpi_license_coverage_ratio", "Share of in-scope repositories with a detected license.")
	gauge(k.ratios, "ospo_kpi_osi_approved_ratio", "Share of licensed repositories whose license is OSI-approved.")
	gauge(k.ratios, "ospo_kpi_change_request_closure_ratio", "Pull requests closed in the period over those opened (CHAOSS Change Request Closure Ratio).")
	gauge(k.counts, "ospo_kpi_open_reviews", "OSPO review issues waiting for a decision.")
	gauge(k.counts, "ospo_kpi_exemptions_in_force", "Rule exemptions in force.")
	gauge(k.counts, "ospo_kpi_cla_signers", "People who signed the org's CLA.")
	gauge(k.counts, "ospo_kpi_cla_blocked_pull_requests", "Pull requests blocked by the CLA.")
	gauge(k.counts, "ospo_kpi_external_contributions", "Pull requests by people outside the org in the period.")
	gauge(k.counts, "ospo_kpi_member_contributions", "Pull requests by members of the org in the period.")
	gauge(k.counts, "ospo_kpi_first_time_contributors", "People whose first pull request to the org was in the period.")
	for _, d := range []struct{ name, help string }{
		{"ospo_kpi_review_time_to_decision", "Time from a review issue's opening to its decision"},
		{"ospo_kpi_time_to_first_response", "Time from a pull request's opening to its first response by someone else (CHAOSS Time to First Response)"},
		{"ospo_kpi_time_to_close", "Time from a pull request's opening to its close (CHAOSS Time to Close)"},
	} {
		gauge(k.durations, d.name+"_p50_seconds", d.help+", median, in seconds.")
		gauge(k.durations, d.name+"_p90_seconds", d.help+", 90th percentile, in seconds.")
	}
	k.byRule = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "ospo_kpi_rule_compliance_ratio",
		Help: "Per rule: share of the in-scope repositories where it is enforced that pass it."}, []string{"org", "rule"})
	return k
}

func (k *KPIs) collectors() []prometheus.Collector {
	out := []prometheus.Collector{k.byRule}
	for _, m := range []map[string]*prometheus.GaugeVec{k.ratios, k.counts, k.durations} {
		for _, g := range m {
			out = append(out, g)
		}
	}
	return out
}

// Set replaces the org's gauges with s.
func (k *KPIs) Set(org string, s kpi.Summary) {
	ratio := func(name string, r kpi.Ratio) {
		if r.Den == 0 {
			k.ratios[name].DeleteLabelValues(org)
			return
		}
		k.ratios[name].WithLabelValues(org).Set(float64(r.Num) / float64(r.Den))
	}
	ratio("ospo_kpi_compliance_ratio", s.Compliance)
	ratio("ospo_kpi_license_coverage_ratio", s.LicenseCoverage)
	ratio("ospo_kpi_osi_approved_ratio", s.OSIApproved)
	ratio("ospo_kpi_change_request_closure_ratio", s.ChangeRequestClosure)
	for name, v := range map[string]int{
		"ospo_kpi_open_reviews": s.OpenReviews, "ospo_kpi_exemptions_in_force": s.ExemptionsInForce,
		"ospo_kpi_cla_signers": s.CLASigners, "ospo_kpi_cla_blocked_pull_requests": s.CLABlockedPRs,
		"ospo_kpi_external_contributions": s.ExternalContributions, "ospo_kpi_member_contributions": s.MemberContributions,
		"ospo_kpi_first_time_contributors": s.FirstTimeContributors,
	} {
		k.counts[name].WithLabelValues(org).Set(float64(v))
	}
	for name, d := range map[string]kpi.Durations{
		"ospo_kpi_review_time_to_decision": s.ReviewTimeToDecision,
		"ospo_kpi_time_to_first_response":  s.TimeToFirstResponse,
		"ospo_kpi_time_to_close":           s.TimeToClose,
	} {
		p50, p90 := k.durations[name+"_p50_seconds"], k.durations[name+"_p90_seconds"]
		if d.N == 0 {
			p50.DeleteLabelValues(org)
			p90.DeleteLabelValues(org)
			continue
		}
		p50.WithLabelValues(org).Set(d.P50.Seconds())
		p90.WithLabelValues(org).Set(d.P90.Seconds())
	}
	k.byRule.DeletePartialMatch(prometheus.Labels{"org": org}) // a rule no longer reported
	for rule, ratio := range s.ComplianceByRule {
		if ratio.Den > 0 {
			k.byRule.WithLabelValues(org, rule).Set(float64(ratio.Num) / float64(ratio.Den))
		}
	}
}
