package jobs

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/google/go-github/v66/github"
	"github.com/riverqueue/river"
	"github.com/rs/zerolog"

	"github.com/ospo-bot/ospo-bot/internal/rules"
	"github.com/ospo-bot/ospo-bot/internal/snapshot"
)

// CheckRepositoryArgs asks for one repository's check.
type CheckRepositoryArgs struct {
	InstallationID int64  `json:"installation_id"`
	RepositoryID   int64  `json:"repository_id" river:"unique"`
	Repository     string `json:"repository"` // owner/name when enqueued; the ID decides
	Reason         string `json:"reason"`     // what asked for it, for the logs
	// Publicized: the check runs for the event that made the repository
	// public, the only time review.private_until_approved may act.
	Publicized bool `json:"publicized,omitempty" river:"unique"`
	// Round tells apart a follow-up waiting behind a running check of the
	// same subject (see enqueueFollowUp).
	Round int `json:"round,omitempty" river:"unique"`
}

// Kind names the job kind in River's tables.
func (CheckRepositoryArgs) Kind() string { return "check_repository" }

// InsertOpts runs repository checks after deliveries (see priorityCheck).
func (CheckRepositoryArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Priority: priorityCheck}
}

// callsPerCheck is what one repository check costs GitHub at most when
// nothing is cached: the policy (3), the snapshot with every repository
// rule on (derived from the rules' declared needs), the review issue (up
// to 4 when it opens one: list, label, create).
var callsPerCheck = 3 + snapshot.MaxCalls(rules.NeedsOf(rules.OfScope(rules.RepositoryScope))) + 4

// pacing spreads checks so a large installation's first pass stays within
// its rate limit: a burst of up to a third of the remaining requests, then
// half the hourly limit, leaving the rest for pull requests and commands.
type pacing struct {
	burst   int
	spacing time.Duration
}

func pace(limit, remaining int) pacing {
	if limit <= 0 {
		limit = 5000
	}
	return pacing{
		burst:   max(remaining/3/callsPerCheck, 1),
		spacing: time.Duration(float64(time.Hour) * float64(callsPerCheck) / (float64(limit) / 2)),
	}
}

// schedule returns when the i-th check of a fan-out runs.
func (p pacing) schedule(now time.Time, i int) time.Time {
	if i < p.burst {
		return now
	}
	return now.Add(time.Duration(i-p.burst+1) * p.spacing)
}

// enqueueChecks inserts one check per repository, paced by the
// installation's rate limit (GET /rate_limit costs nothing).
func enqueueChecks(ctx context.Context, client *github.Client, installationID int64, repos []*github.Repository, reason string) error {
	if len(repos) == 0 {
		return nil
	}
	p := pace(5000, 5000)
	if limits, _, err := client.RateLimit.Get(ctx); err == nil && limits.GetCore() != nil {
		p = pace(limits.GetCore().Limit, limits.GetCore().Remaining)
	} else if err != nil {
		zerolog.Ctx(ctx).Warn().Err(err).Msg("rate limit unknown; pacing checks for 5,000 requests an hour")
	}
	now := time.Now()
	params := make([]river.InsertManyParams, len(repos))
	for i, r := range repos {
		params[i] = river.InsertManyParams{
			Args:       CheckRepositoryArgs{InstallationID: installationID, RepositoryID: r.GetID(), Repository: r.GetFullName(), Reason: reason},
			InsertOpts: &river.InsertOpts{ScheduledAt: p.schedule(now, i)},
		}
	}
	client2 := river.ClientFromContext[*sql.Tx](ctx)
	if _, err := client2.InsertMany(ctx, params); err != nil {
		return fmt.Errorf("enqueue %d repository checks: %w", len(params), err)
	}
	last := p.schedule(now, len(repos)-1)
	zerolog.Ctx(ctx).Info().Int("repositories", len(repos)).Str("reason", reason).
		Dur("spread_over", last.Sub(now)).Msg("repository checks enqueued")
	return nil
}
