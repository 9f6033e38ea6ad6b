package storetest_test

import (
	"context"
	"testing"

	"github.com/ospo-bot/ospo-bot/internal/store/storetest"
)

// TestGenerateOrg generates the tiny org on each dialect and finds its
// rows: the shape the benchmarks' big org has, at a size a test affords.
func TestGenerateOrg(t *testing.T) {
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			s := storetest.Open(t, d)
			sc := storetest.TinyScale
			if err := storetest.GenerateOrg(ctx, s, sc); err != nil {
				t.Fatal(err)
			}
			for table, want := range map[string]int{
				"repositories":       sc.Repos,
				"pull_request_facts": sc.Pulls,
				"review_issues":      sc.Repos / 10,
			} {
				var n int
				if err := s.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+table).Scan(&n); err != nil {
					t.Fatal(err)
				}
				if n != want {
					t.Errorf("%s: %d rows, want %d", table, n, want)
				}
			}
			org, err := s.OrgName(ctx, "BENCH")
			if err != nil || org != storetest.BigOrg {
				t.Errorf("OrgName = %q, %v", org, err)
			}
		})
	}
}
