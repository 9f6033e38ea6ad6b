package storetest_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/ospo-bot/ospo-bot/internal/store/storetest"
)

// TestGenerateOrg generates the tiny org on each dialect and reads it
// back through the store's own readers: the shape the benchmarks' big
// org has (every table a dashboard page reads has rows, times read as
// the store writes them), at a size a test affords.
func TestGenerateOrg(t *testing.T) {
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			s := storetest.Open(t, d)
			sc := storetest.TinyScale
			if err := storetest.GenerateOrg(ctx, s, sc); err != nil {
				t.Fatal(err)
			}
			count := func(q string) int {
				t.Helper()
				var n int
				if err := s.DB.QueryRowContext(ctx, q).Scan(&n); err != nil {
					t.Fatal(err)
				}
				return n
			}
			slots := storetest.BigOrgDays / storetest.BigOrgCheckEvery
			for q, want := range map[string]int{
				`SELECT COUNT(*) FROM repositories`:                                    sc.Repos,
				`SELECT COUNT(*) FROM pull_request_facts`:                              sc.Pulls,
				`SELECT COUNT(*) FROM review_issues`:                                   sc.Repos / 10,
				`SELECT COUNT(*) FROM audit_log`:                                       sc.Audit,
				`SELECT COUNT(*) FROM repository_days`:                                 sc.Repos * slots,
				`SELECT COUNT(DISTINCT repository_id) FROM repository_days`:            sc.Repos,
				`SELECT COUNT(DISTINCT user_id) FROM cla_events WHERE kind = 'signed'`: sc.Authors / 2,
			} {
				if n := count(q); n != want {
					t.Errorf("%s = %d, want %d", q, n, want)
				}
			}
			org, err := s.OrgName(ctx, "BENCH")
			if err != nil || org != storetest.BigOrg {
				t.Errorf("OrgName = %q, %v", org, err)
			}
			end := storetest.BigOrgEndTime()
			// Days: every repository checked within BigOrgCheckEvery days
			// of the end, the first rows BigOrgDays before it.
			latest, err := s.LatestRepositoryDays(ctx, storetest.BigOrg, end)
			if err != nil || len(latest) != sc.Repos {
				t.Fatalf("LatestRepositoryDays: %d rows, %v", len(latest), err)
			}
			if n := count(`SELECT COUNT(*) FROM repository_days WHERE day < ` + strconv.Itoa(storetest.BigOrgEnd-(storetest.BigOrgDays-storetest.BigOrgCheckEvery)*86400)); n == 0 {
				t.Errorf("no repository day in the first %d days of the period", storetest.BigOrgCheckEvery)
			}
			if n := count(`SELECT COUNT(*) FROM repository_days WHERE flagged AND failing = ''`); n != 0 {
				t.Errorf("%d flagged days without a failing rule", n)
			}
			// Audit: in the year, about the org's repositories.
			audit, err := s.OrgAuditLog(ctx, storetest.BigOrg, end.Add(-storetest.BigOrgYear*time.Second), end)
			if err != nil || len(audit) != sc.Audit {
				t.Fatalf("OrgAuditLog: %d entries, %v", len(audit), err)
			}
			// Reviews: some await a decision, some were decided; by
			// several approvers.
			if n := count(`SELECT COUNT(*) FROM review_issues i WHERE NOT EXISTS (
				SELECT 1 FROM review_decisions d WHERE d.repository_id = i.repository_id)`); n == 0 || n == sc.Repos/10 {
				t.Errorf("%d of %d reviews await a decision", n, sc.Repos/10)
			}
			decisions, err := s.OrgReviewDecisions(ctx, storetest.BigOrg, end)
			if err != nil || len(decisions) == 0 {
				t.Fatalf("OrgReviewDecisions: %d, %v", len(decisions), err)
			}
			if n := count(`SELECT COUNT(DISTINCT actor) FROM review_decisions`); n < 2 {
				t.Errorf("decisions by %d approvers", n)
			}
			// CLA: revocations, and signatures in force for the others.
			if n := count(`SELECT COUNT(*) FROM cla_events WHERE kind = 'revoked'`); n == 0 {
				t.Error("no CLA revocation")
			}
			if n := count(`SELECT COUNT(*) FROM cla_signatures s WHERE EXISTS (SELECT 1 FROM cla_events e
				WHERE e.user_id = s.user_id AND e.kind = 'revoked' AND e.at > (SELECT MAX(a.at) FROM cla_events a
					WHERE a.user_id = s.user_id AND a.kind = 'signed'))`); n != 0 {
				t.Errorf("%d revoked signatures in force", n)
			}
		})
	}
}
