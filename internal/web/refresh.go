package web

import (
	"context"
	"fmt"
	"time"

	"github.com/ospo-bot/ospo-bot/internal/store"
)

// refresher brings one rollup of an org (aggregates a page reads instead
// of scanning the history) up to date as of now. It must be idempotent
// and safe on any replica at once: the same inputs write the same rows.
type refresher struct {
	name string
	fn   func(ctx context.Context, st *store.Store, org string, now time.Time) error
}

// refreshers: one line a rollup.
var refreshers = []refresher{
	{"overview", refreshOverview},
	{"contributors", refreshContributors},
	{"repositories", refreshRepositories},
}

// Refresh brings every rollup of org up to date as of now. The org's
// dashboard job calls it (after a sweep, and DashboardDebounce after a
// change), so a page is at most that old; the benchmark calls it once
// after generating its org.
func Refresh(ctx context.Context, st *store.Store, org string, now time.Time) error {
	for _, r := range refreshers {
		if err := r.fn(ctx, st, org, now); err != nil {
			return fmt.Errorf("refresh the dashboard's %s of %s: %w", r.name, org, err)
		}
	}
	return nil
}
