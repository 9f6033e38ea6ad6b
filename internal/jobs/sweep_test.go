package jobs

import (
	"context"
	"testing"
	"time"

	"github.com/ospo-bot/ospo-bot/internal/store"
	"github.com/ospo-bot/ospo-bot/internal/store/storetest"
)

// The periodic sweep prunes side effects older than their retention.
func TestSweepPrunesOldSideEffects(t *testing.T) {
	ctx := context.Background()
	st := storetest.Open(t, store.SQLite)
	for _, k := range []string{"old", "new"} {
		if err := st.CompleteSideEffect(ctx, k, 1); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.DB.ExecContext(ctx, `UPDATE side_effects SET at = $1 WHERE effect_key = 'old'`, time.Now().UTC().Add(-exactlyOnceRetention-time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := (&sweepWorker{deps: Deps{Store: st}}).Work(ctx, nil); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]bool{"old": false, "new": true} {
		if _, found, err := st.SideEffectOf(ctx, k); err != nil || found != want {
			t.Errorf("%s: found %v (%v), want %v", k, found, err, want)
		}
	}
}
