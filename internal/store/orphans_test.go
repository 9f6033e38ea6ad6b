package store_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/ospo-bot/ospo-bot/internal/store"
	"github.com/ospo-bot/ospo-bot/internal/store/storetest"
)

// TestReleaseOrphanedJobs: at start, a process makes available again the
// jobs its previous process left running when it died. On SQLite that is
// every running job (one process per file). On Postgres, where other
// replicas run jobs too, it is the jobs whose running attempt was taken
// by this replica's ID (replica_id), and none without one: River's
// rescuer runs those once their timeout has passed.
func TestReleaseOrphanedJobs(t *testing.T) {
	ctx := context.Background()
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			st := storetest.Open(t, d)
			insert := func(attemptedBy ...string) int64 {
				list := fmt.Sprintf("ARRAY[%s]::text[]", quoteAll(attemptedBy, "'"))
				if d == store.SQLite {
					list = fmt.Sprintf("json('[%s]')", quoteAll(attemptedBy, `"`))
				}
				var id int64
				err := st.DB.QueryRowContext(ctx, `INSERT INTO river_job (args, kind, max_attempts, queue, state, attempt, attempted_at, attempted_by)
					VALUES ('{}', 'check', 25, 'default', 'running', 1, CURRENT_TIMESTAMP, `+list+`) RETURNING id`).Scan(&id)
				if err != nil {
					t.Fatal(err)
				}
				return id
			}
			killed := insert("b")                // b's process died running it
			earlier := insert("b", "a")          // b ran it before; a runs it now
			other := insert("a")                 // a runs it
			retried := insert("a", "other", "b") // b runs its third attempt
			available := func() []int64 {
				rows, err := st.DB.QueryContext(ctx, `SELECT id FROM river_job WHERE state = 'available' ORDER BY id`)
				if err != nil {
					t.Fatal(err)
				}
				defer rows.Close()
				var ids []int64
				for rows.Next() {
					var id int64
					if err := rows.Scan(&id); err != nil {
						t.Fatal(err)
					}
					ids = append(ids, id)
				}
				return ids
			}
			if d == store.Postgres {
				if n, err := st.ReleaseOrphanedJobs(ctx, ""); err != nil || n != 0 {
					t.Fatalf("without a replica ID: released %d, %v; want none", n, err)
				}
			}
			want := []int64{killed, retried}
			if d == store.SQLite {
				want = []int64{killed, earlier, other, retried}
			}
			n, err := st.ReleaseOrphanedJobs(ctx, "b")
			if err != nil || n != int64(len(want)) {
				t.Fatalf("replica b: released %d, %v; want %d", n, err, len(want))
			}
			if got := available(); !slices.Equal(got, want) {
				t.Errorf("available jobs %v, want %v", got, want)
			}
		})
	}
}

func quoteAll(ss []string, q string) string {
	out := ""
	for i, s := range ss {
		if i > 0 {
			out += ","
		}
		out += q + s + q
	}
	return out
}
