package jobs

import (
	"testing"

	"github.com/ospo-bot/ospo-bot/internal/kpi"
)

// TestKPIGaugeRulesAreTheRegistrys: the rule label of the KPI gauges takes
// the registry's rule IDs only, whatever rule names the store holds.
func TestKPIGaugeRulesAreTheRegistrys(t *testing.T) {
	s := registryRulesOnly(kpi.Summary{OpenReviews: 3, ComplianceByRule: map[string]kpi.Ratio{
		"license": {Num: 1, Den: 2}, "acme/widget": {Num: 1, Den: 1}, "<script>": {Num: 0, Den: 1}}})
	if len(s.ComplianceByRule) != 1 || s.ComplianceByRule["license"] != (kpi.Ratio{Num: 1, Den: 2}) || s.OpenReviews != 3 {
		t.Fatalf("%+v", s)
	}
}
