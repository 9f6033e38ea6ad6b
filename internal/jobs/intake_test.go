package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/ospo-bot/ospo-bot/internal/store"
	"github.com/ospo-bot/ospo-bot/internal/store/storetest"
)

// TestGroupCommitIsAllOrNothing: deliveries that queue up while a commit
// waits on the database go into the next commit together. When that commit
// fails (here a trigger refuses one payload), every delivery in it gets the
// error, so that GitHub is answered 5xx for each and redelivers it, and
// none of them is recorded; redelivered, each is then recorded once with
// one job, a duplicate in the group included.
func TestGroupCommitIsAllOrNothing(t *testing.T) {
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			st := storetest.Open(t, d)
			poison(t, st)
			q := newQueue(t, st, Options{InsertOnly: true})
			if _, err := q.Enqueue(ctx, ping("before")); err != nil {
				t.Fatal(err)
			}

			// More than directJobs, so the group is one intake job once
			// it commits, and redeliveries come in smaller groups.
			var group []store.Delivery
			for i := range 40 {
				group = append(group, ping(fmt.Sprintf("g-%02d", i)))
			}
			group = append(group, ping("g-07"), ping("before"), ping("poison"))
			errs := make([]error, len(group))
			fresh := make([]bool, len(group))
			release := holdCommits(t, st)
			var wg sync.WaitGroup
			wg.Add(1)
			go func() { // the commit that waits on the database
				defer wg.Done()
				if _, err := q.Enqueue(ctx, ping("waiting")); err != nil {
					t.Error(err)
				}
			}()
			waitBlocked(t, st) // the commit loop took it and waits
			for i, del := range group {
				wg.Add(1)
				go func() {
					defer wg.Done()
					fresh[i], errs[i] = q.Enqueue(ctx, del)
				}()
			}
			waitQueued(t, q, len(group))
			release()
			wg.Wait()
			for i, err := range errs {
				if err == nil {
					t.Errorf("%s committed with the poisoned group (fresh %v)", group[i].ID, fresh[i])
				}
			}
			if got := jobDeliveries(t, st); !slices.Equal(got, []string{"before", "waiting"}) {
				t.Fatalf("deliveries with jobs after the failed commit: %v, want [before waiting]", got)
			}
			counts, err := st.DeliveryOutcomes(ctx)
			if err != nil || counts[store.OutcomeQueued] != 2 {
				t.Fatalf("recorded deliveries %v (%v), want the 2 committed before", counts, err)
			}

			// GitHub redelivers what was answered 5xx, concurrently.
			var want []string
			for i, del := range group[:len(group)-1] {
				wg.Add(1)
				go func() {
					defer wg.Done()
					fresh[i], errs[i] = q.Enqueue(ctx, del)
				}()
				if !slices.Contains(want, del.ID) {
					want = append(want, del.ID)
				}
			}
			wg.Wait()
			accepted := map[string]int{}
			for i, err := range errs[:len(group)-1] {
				if err != nil {
					t.Fatalf("redelivery of %s: %v", group[i].ID, err)
				}
				if fresh[i] {
					accepted[group[i].ID]++
				}
			}
			want = append(want, "waiting")
			slices.Sort(want)
			if got := jobDeliveries(t, st); !slices.Equal(got, want) {
				t.Fatalf("deliveries with jobs after redelivery:\n%v\nwant each once:\n%v", got, want)
			}
			for _, id := range want {
				if n := accepted[id]; id != "before" && id != "waiting" && n != 1 {
					t.Errorf("%s answered as new %d times, want once", id, n)
				}
			}
			if accepted["before"] != 0 {
				t.Error("a redelivery of a committed delivery was answered as new")
			}
		})
	}
}

// poison makes any commit that records a delivery called "poison" fail.
func poison(t *testing.T, st *store.Store) {
	t.Helper()
	stmts := []string{`CREATE TRIGGER poison BEFORE INSERT ON delivery_payloads
		WHEN NEW.delivery_id = 'poison' BEGIN SELECT RAISE(ABORT, 'poisoned delivery'); END`}
	if st.Dialect == store.Postgres {
		stmts = []string{`CREATE FUNCTION poison() RETURNS trigger LANGUAGE plpgsql AS $$
			BEGIN IF NEW.delivery_id = 'poison' THEN RAISE EXCEPTION 'poisoned delivery'; END IF; RETURN NEW; END $$`,
			`CREATE TRIGGER poison BEFORE INSERT ON delivery_payloads FOR EACH ROW EXECUTE FUNCTION poison()`}
	}
	for _, s := range stmts {
		if _, err := st.DB.Exec(s); err != nil {
			t.Fatal(err)
		}
	}
}

// holdCommits makes the next commit wait on the database until release:
// on SQLite by holding its one connection, on Postgres by locking the
// deliveries table.
func holdCommits(t *testing.T, st *store.Store) (release func()) {
	t.Helper()
	ctx := context.Background()
	conn, err := st.DB.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Dialect == store.SQLite {
		return func() { conn.Close() }
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(`LOCK TABLE deliveries IN EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}
	return func() { tx.Rollback(); conn.Close() }
}

// waitBlocked waits until a commit waits on holdCommits.
func waitBlocked(t *testing.T, st *store.Store) {
	t.Helper()
	eventually(t, func() error {
		var waiting int64
		if st.Dialect == store.SQLite {
			waiting = st.DB.Stats().WaitCount
		} else if err := st.DB.QueryRow(`SELECT COUNT(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database
			WHERE NOT l.granted AND d.datname = current_database()`).Scan(&waiting); err != nil {
			return err
		}
		if waiting == 0 {
			return fmt.Errorf("no commit waits on the database yet")
		}
		return nil
	})
}

// waitQueued waits until n deliveries wait for the commit loop.
func waitQueued(t *testing.T, q *Queue, n int) {
	t.Helper()
	eventually(t, func() error {
		if got := len(q.intake); got != n {
			return fmt.Errorf("%d deliveries queued for the next commit, want %d", got, n)
		}
		return nil
	})
}

// jobDeliveries lists, sorted, the delivery of every delivery job and of
// every delivery held in an intake job: a delivery twice is a duplicate.
func jobDeliveries(t *testing.T, st *store.Store) []string {
	t.Helper()
	q := `SELECT kind, json(args) FROM river_job WHERE kind IN ('webhook_delivery', 'webhook_intake')`
	if st.Dialect == store.Postgres {
		q = `SELECT kind, args::text FROM river_job WHERE kind IN ('webhook_delivery', 'webhook_intake')`
	}
	rows, err := st.DB.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var kind, args string
		if err := rows.Scan(&kind, &args); err != nil {
			t.Fatal(err)
		}
		var group IntakeArgs
		var one DeliveryArgs
		switch kind {
		case "webhook_intake":
			err = json.Unmarshal([]byte(args), &group)
		default:
			err = json.Unmarshal([]byte(args), &one)
			group.Deliveries = []DeliveryArgs{one}
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range group.Deliveries {
			ids = append(ids, d.DeliveryID)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	slices.Sort(ids)
	return ids
}
