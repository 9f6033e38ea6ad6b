package jobs

import (
	"context"
	"testing"
	"time"

	"github.com/riverqueue/river/rivertype"

	"github.com/ospo-bot/ospo-bot/internal/store"
	"github.com/ospo-bot/ospo-bot/internal/store/storetest"
)

// TestLeaseOutlivesNoDeadAttempt: a job's attempt that died holding its
// subject's lease (a SIGKILLed process: SQLite releases its job at the
// next start, River's rescuer on Postgres once the job timeout has passed)
// does not make the job's next attempt wait for the lease to expire; a
// different job still waits.
func TestLeaseOutlivesNoDeadAttempt(t *testing.T) {
	ctx := context.Background()
	c := &checker{deps: Deps{Store: storetest.Open(t, store.SQLite)}, leaseTTL: time.Hour}
	died := &rivertype.JobRow{ID: 7, Attempt: 1}
	if _, held, err := c.lease(ctx, died, "repository 1"); err != nil || !held {
		t.Fatalf("first attempt: held %v, %v", held, err)
	}
	// The attempt dies here: it never releases.
	other := &rivertype.JobRow{ID: 8, Attempt: 1}
	if _, held, err := c.lease(ctx, other, "repository 1"); err != nil || held {
		t.Fatalf("another job: held %v, %v; want the lease refused", held, err)
	}
	again := &rivertype.JobRow{ID: 7, Attempt: 2}
	release, held, err := c.lease(ctx, again, "repository 1")
	if err != nil || !held {
		t.Fatalf("the job's next attempt: held %v, %v; want it to take its own lease back", held, err)
	}
	release()
	if _, held, err := c.lease(ctx, other, "repository 1"); err != nil || !held {
		t.Fatalf("another job after the release: held %v, %v", held, err)
	}
}

// TestLeaseOfACheckerWithoutTTL: a checker built without a lease TTL
// (tests build them by hand) holds its leases as long as under the default
// job timeout, not for no time at all.
func TestLeaseOfACheckerWithoutTTL(t *testing.T) {
	ctx := context.Background()
	c := &checker{deps: Deps{Store: storetest.Open(t, store.SQLite)}}
	if _, held, err := c.lease(ctx, &rivertype.JobRow{ID: 1}, "repository 1"); err != nil || !held {
		t.Fatalf("first job: held %v, %v", held, err)
	}
	if _, held, err := c.lease(ctx, &rivertype.JobRow{ID: 2}, "repository 1"); err != nil || held {
		t.Fatalf("second job: held %v, %v; want the lease refused", held, err)
	}
}
