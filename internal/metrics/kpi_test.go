package metrics

import (
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/ospo-bot/ospo-bot/internal/kpi"
)

func TestKPIGauges(t *testing.T) {
	m := New()
	m.KPI.Set("acme", kpi.Summary{
		Compliance:           kpi.Ratio{Num: 3, Den: 4},
		ComplianceByRule:     map[string]kpi.Ratio{"license": {Num: 1, Den: 2}, "files": {Num: 0, Den: 0}},
		OpenReviews:          2,
		ReviewTimeToDecision: kpi.Durations{N: 2, P50: time.Hour, P90: 2 * time.Hour},
	})
	want := `
# HELP ospo_kpi_compliance_ratio Share of in-scope repositories passing every enforce rule.
# TYPE ospo_kpi_compliance_ratio gauge
ospo_kpi_compliance_ratio{org="acme"} 0.75
# HELP ospo_kpi_open_reviews OSPO review issues waiting for a decision.
# TYPE ospo_kpi_open_reviews gauge
ospo_kpi_open_reviews{org="acme"} 2
# HELP ospo_kpi_review_time_to_decision_p90_seconds Time from a review issue's opening to its decision, 90th percentile, in seconds.
# TYPE ospo_kpi_review_time_to_decision_p90_seconds gauge
ospo_kpi_review_time_to_decision_p90_seconds{org="acme"} 7200
# HELP ospo_kpi_rule_compliance_ratio Per rule: share of the in-scope repositories where it is enforced that pass it.
# TYPE ospo_kpi_rule_compliance_ratio gauge
ospo_kpi_rule_compliance_ratio{org="acme",rule="license"} 0.5
# HELP ospo_kpi_time_to_close_p50_seconds Time from a pull request's opening to its close (CHAOSS Time to Close), median, in seconds.
# TYPE ospo_kpi_time_to_close_p50_seconds gauge
`
	if err := testutil.GatherAndCompare(m.Registry, strings.NewReader(want), "ospo_kpi_compliance_ratio", "ospo_kpi_open_reviews",
		"ospo_kpi_review_time_to_decision_p90_seconds", "ospo_kpi_rule_compliance_ratio", "ospo_kpi_time_to_close_p50_seconds"); err != nil {
		t.Fatal(err)
	}
	// A KPI that has no data any more loses its series; a rule no longer
	// reported too.
	m.KPI.Set("acme", kpi.Summary{})
	for _, name := range []string{"ospo_kpi_compliance_ratio", "ospo_kpi_rule_compliance_ratio", "ospo_kpi_review_time_to_decision_p90_seconds"} {
		if n := testutil.CollectAndCount(m.Registry, name); n != 0 {
			t.Errorf("%s: %d series without data, want 0", name, n)
		}
	}
	if got := testutil.ToFloat64(m.KPI.counts["ospo_kpi_open_reviews"].WithLabelValues("acme")); got != 0 {
		t.Errorf("open reviews %v, want 0", got)
	}
}

// TestKPILabelsBounded: whatever the orgs' data, the KPI series carry
// only the org and a rule of the registry.
func TestKPILabelsBounded(t *testing.T) {
	m := New()
	m.KPI.Set("acme", kpi.Summary{Compliance: kpi.Ratio{Num: 1, Den: 1}, ComplianceByRule: map[string]kpi.Ratio{"license": {Num: 1, Den: 1}},
		AbsenceFactor: []kpi.RepositoryFactor{{Repository: "acme/x", Factor: 1}}})
	families, err := m.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if !strings.HasPrefix(f.GetName(), "ospo_kpi_") {
			continue
		}
		for _, s := range f.GetMetric() {
			for _, l := range s.GetLabel() {
				if l.GetName() != "org" && l.GetName() != "rule" {
					t.Errorf("%s has label %s", f.GetName(), l.GetName())
				}
			}
		}
	}
}
