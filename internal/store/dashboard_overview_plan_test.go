package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ospo-bot/ospo-bot/internal/store"
	"github.com/ospo-bot/ospo-bot/internal/store/storetest"
)

// The overview's queries each read a range of an index: none scans a
// history or rollup table whole, on either dialect. (Postgres is asked
// with sequential scans disabled, so that a plan with one means there is
// no index to use; its tables here are empty.)
func TestDashboardQueryPlans(t *testing.T) {
	queries := store.DashboardQueries()
	// The page's readers of reviews and the CLA, from historyread.go.
	queries["review events"] = `SELECT repository_id, repository, kind, actor, verb, rule, at FROM review_events WHERE org = $1 AND at < $2 ORDER BY at, event_key`
	queries["cla events"] = `SELECT user_id, kind, at FROM cla_events WHERE org = $1 AND at < $2`
	big := `(pull_request_facts|repository_days|review_events|cla_events|dashboard_days|dashboard_weeks|dashboard_rollups)`
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			s := storetest.Open(t, d)
			ctx := context.Background()
			conn, err := s.DB.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			explain, bad := "EXPLAIN QUERY PLAN ", regexp.MustCompile(`^SCAN `+big+`\b`)
			if d == store.Postgres {
				if _, err := conn.ExecContext(ctx, `SET enable_seqscan = off`); err != nil {
					t.Fatal(err)
				}
				explain, bad = "EXPLAIN ", regexp.MustCompile(`Seq Scan on `+big+`\b`)
			}
			// The check itself: a query no index serves is caught.
			if plan, err := planOf(ctx, conn, d, explain+`SELECT COUNT(*) FROM pull_request_facts WHERE first_responder = $1`, []any{"x"}); err != nil ||
				!bad.MatchString(strings.TrimSpace(strings.TrimLeft(strings.Join(plan, "\n"), " ->"))) && !strings.Contains(strings.Join(plan, "\n"), "Seq Scan on pull_request_facts") {
				t.Fatalf("a scan goes unnoticed: %v %v", plan, err)
			}
			for name, q := range queries {
				args := []any{"acme", int64(1), int64(2)}[:strings.Count(q, "$3")+2]
				if !strings.Contains(q, "$2") {
					args = args[:1]
				}
				if strings.Contains(q, "signed_at") {
					args[1] = time.Unix(1, 0).UTC()
				}
				plan, err := planOf(ctx, conn, d, explain+q, args)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				t.Logf("%s:\n%s", name, strings.Join(plan, "\n"))
				for _, line := range plan {
					if bad.MatchString(strings.TrimSpace(strings.TrimLeft(line, " ->"))) {
						t.Errorf("%s scans a table whole:\n%s", name, strings.Join(plan, "\n"))
						break
					}
				}
			}
		})
	}
}

func planOf(ctx context.Context, conn *sql.Conn, d store.Dialect, q string, args []any) ([]string, error) {
	rows, err := conn.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		out = append(out, fmt.Sprint(vals[len(vals)-1]))
	}
	return out, rows.Err()
}
