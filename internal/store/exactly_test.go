package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/ospo-bot/ospo-bot/internal/store"
	"github.com/ospo-bot/ospo-bot/internal/store/storetest"
)

func TestLeaseIsHeldByOneUntilReleasedOrExpired(t *testing.T) {
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			st, ctx := storetest.Open(t, d), context.Background()
			take := func(holder string, ttl time.Duration) bool {
				t.Helper()
				ok, err := st.TakeLease(ctx, "repo 1", holder, ttl)
				if err != nil {
					t.Fatal(err)
				}
				return ok
			}
			if !take("a", time.Hour) {
				t.Fatal("a free lease was not taken")
			}
			if take("b", time.Hour) {
				t.Fatal("b took the lease a holds")
			}
			if !take("a", time.Hour) {
				t.Fatal("a could not renew its own lease")
			}
			if err := st.ReleaseLease(ctx, "repo 1", "b"); err != nil {
				t.Fatal(err)
			}
			if take("b", time.Hour) {
				t.Fatal("b released a's lease")
			}
			if err := st.ReleaseLease(ctx, "repo 1", "a"); err != nil {
				t.Fatal(err)
			}
			if !take("b", -time.Second) { // taken already expired: as if b died
				t.Fatal("b could not take a released lease")
			}
			if !take("c", time.Hour) {
				t.Fatal("c could not take an expired lease")
			}
			if ok, _ := st.TakeLease(ctx, "repo 2", "b", time.Hour); !ok {
				t.Fatal("leases of other subjects are apart")
			}
		})
	}
}

func TestAuditWithKeyIsWrittenOnce(t *testing.T) {
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			st, ctx := storetest.Open(t, d), context.Background()
			e := store.AuditEntry{Actor: "lead", Action: "approve", Subject: "acme/widget", Key: "comment 7 command 0 approve"}
			for range 2 {
				if err := st.AppendAudit(ctx, e); err != nil {
					t.Fatal(err)
				}
			}
			e.Key = ""
			for range 2 {
				if err := st.AppendAudit(ctx, e); err != nil {
					t.Fatal(err)
				}
			}
			if log, _ := st.AuditLog(ctx, "acme/widget"); len(log) != 3 {
				t.Fatalf("%d rows, want 3 (one keyed, two without a key)", len(log))
			}
		})
	}
}

func TestSideEffectIntentIsFoundByTheRetry(t *testing.T) {
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			st, ctx := storetest.Open(t, d), context.Background()
			if _, found, err := st.IntendSideEffect(ctx, "reply comment 7"); err != nil || found {
				t.Fatalf("first intent: found %v, %v", found, err)
			}
			prior, found, err := st.IntendSideEffect(ctx, "reply comment 7")
			if err != nil || !found || prior.Done {
				t.Fatalf("the retry's intent: %+v found %v, %v", prior, found, err)
			}
			if err := st.CompleteSideEffect(ctx, "reply comment 7", 42); err != nil {
				t.Fatal(err)
			}
			if prior, _, _ := st.IntendSideEffect(ctx, "reply comment 7"); !prior.Done || prior.GitHubID != 42 {
				t.Fatalf("completed: %+v", prior)
			}
		})
	}
}

// Side effects recorded, and leases expired, before the cutoff are
// forgotten; newer ones are kept, done or not.
func TestPruneForgetsOldSideEffectsAndExpiredLeases(t *testing.T) {
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			st, ctx := storetest.Open(t, d), context.Background()
			for _, k := range []string{"old done", "old pending", "new done", "new pending"} {
				if _, _, err := st.IntendSideEffect(ctx, k); err != nil {
					t.Fatal(err)
				}
			}
			for _, k := range []string{"old done", "new done"} {
				if err := st.CompleteSideEffect(ctx, k, 7); err != nil {
					t.Fatal(err)
				}
			}
			long := time.Now().UTC().Add(-40 * 24 * time.Hour)
			for _, k := range []string{"old done", "old pending"} {
				if _, err := st.DB.ExecContext(ctx, `UPDATE side_effects SET at = $1 WHERE effect_key = $2`, long, k); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := st.TakeLease(ctx, "expired", "a", -40*24*time.Hour); err != nil {
				t.Fatal(err)
			}
			if _, err := st.TakeLease(ctx, "held", "b", time.Hour); err != nil {
				t.Fatal(err)
			}
			n, err := st.PruneExactlyOnce(ctx, time.Now().Add(-30*24*time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			if n != 3 {
				t.Errorf("pruned %d rows, want 3", n)
			}
			for k, want := range map[string]bool{"old done": false, "old pending": false, "new done": true, "new pending": true} {
				if _, found, err := st.SideEffectOf(ctx, k); err != nil || found != want {
					t.Errorf("%s: found %v (%v), want %v", k, found, err, want)
				}
			}
			if ok, _ := st.TakeLease(ctx, "held", "c", time.Hour); ok {
				t.Error("the held lease was pruned")
			}
			var leases int
			if err := st.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM subject_leases`).Scan(&leases); err != nil || leases != 1 {
				t.Errorf("%d leases left (%v), want 1", leases, err)
			}
		})
	}
}
