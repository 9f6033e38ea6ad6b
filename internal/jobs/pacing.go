package jobs

import (
	"context"
	"math"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/ospo-bot/ospo-bot/internal/ghclient"
	"github.com/ospo-bot/ospo-bot/internal/rules"
	"github.com/ospo-bot/ospo-bot/internal/snapshot"
)

// Pacing a fan-out (an installation's first pass, the sweep, a changed org
// policy): its checks are all queued at once, and each one, when it
// starts, is admitted only if the installation's rate limit can pay for it
// and still keep a reserve for what people are waiting on (pull requests,
// commands, pushes, which are never held); otherwise it waits for the
// window's reset. What a check costs is measured, not declared.

// interactiveReserve is the share of an installation's hourly limit that
// fan-out checks leave unspent: 15% is 750 requests an hour at 5,000/h
// and 1,875 at 12,500/h, some 250 to 600 pull request checks (about 3
// counted requests each) during an install, more than most orgs open in
// an hour; it also covers what other replicas have in flight, which this
// one cannot see, and an estimate that runs low. A larger share slows a
// large install for little gain (20% would add a quarter of a window to
// a 5,000/h install of 1,000 repositories).
const interactiveReserve = 0.15

// priorCost is what a repository check is estimated to cost before one
// was measured: the most it can cost with nothing cached (the policy, the
// snapshot with every repository rule on, derived from the rules' declared
// needs, and opening a review issue), so that the first checks never
// overdraw; measurements bring it down within a few checks.
var priorCost = float64(3 + snapshot.MaxCalls(rules.NeedsOf(rules.OfScope(rules.RepositoryScope))) + 4)

// costWeight is the weight of the latest measurement in the moving
// estimate: about the last ten checks count.
const costWeight = 0.2

// maxJitter bounds the spread of the wake-ups of checks that wait for the
// same reset, so that they do not all start at once.
const maxJitter = time.Minute

// pacer admits fan-out checks against an installation's rate limit. It
// lives in memory, one per process: the estimate is a few numbers per
// installation, as good after ten checks on a fresh replica as it was on
// the old one, and the rate limit itself is GitHub's (ghclient.RateLimits),
// so nothing here needs to survive a restart or be shared; another
// replica's checks in flight are covered by the reserve.
type pacer struct {
	rates *ghclient.RateLimits
	now   func() time.Time

	// refresh asks GitHub for the installation's rate limit (GET
	// /rate_limit, which is free) when none is known or its window ended;
	// nil: never.
	refresh func(context.Context, int64) error

	mu       sync.Mutex
	cost     map[int64]float64                 // moving estimate per installation
	inFlight map[int64]map[*admission]struct{} // admitted checks still running
}

// admission is one admitted check: its estimate and what it spent so far.
type admission struct {
	estimate float64
	spent    *ghclient.RequestCount
}

// newPacer paces with what deps.GitHub's responses report (a creator
// from ghclient.NewClientCreator), or else with what GET /rate_limit does.
func newPacer(deps Deps) *pacer {
	rates := ghclient.RateLimitsOf(deps.GitHub)
	if rates == nil {
		rates = ghclient.NewRateLimits()
	}
	p := &pacer{rates: rates, now: time.Now, cost: map[int64]float64{}, inFlight: map[int64]map[*admission]struct{}{}}
	if deps.GitHub != nil {
		p.refresh = func(ctx context.Context, installationID int64) error {
			client, err := deps.GitHub.NewInstallationClient(installationID)
			if err != nil {
				return err
			}
			limits, _, err := client.RateLimit.Get(ctx)
			if err != nil {
				return err
			}
			if core := limits.GetCore(); core != nil {
				rates.Record(installationID, ghclient.RateLimit{Limit: core.Limit, Remaining: core.Remaining, Reset: core.Reset.Time})
			}
			return nil
		}
	}
	return p
}

// estimate is the installation's estimated cost of a repository check.
func (p *pacer) estimate(installationID int64) float64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.estimateLocked(installationID)
}

func (p *pacer) estimateLocked(installationID int64) float64 {
	if c, ok := p.cost[installationID]; ok {
		return c
	}
	return priorCost
}

// measured adds a check's counted requests to the installation's estimate.
func (p *pacer) measured(installationID int64, counted int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	c, ok := p.cost[installationID]
	if !ok {
		c = priorCost
	}
	p.cost[installationID] = c + costWeight*(float64(counted)-c)
}

// decision is what admission decides for a fan-out check.
type decision struct {
	run  bool
	wait time.Duration // until the reset, when not run
}

// decide admits a check whose estimated cost fits in what is left of the
// window once the checks in flight and the reserve are set aside; else it
// waits for the reset. An unknown or ended window admits: the check's own
// responses report the new one.
func decide(l ghclient.RateLimit, known bool, inFlight, estimate float64, now time.Time) decision {
	if !known || !now.Before(l.Reset) {
		return decision{run: true}
	}
	reserve := math.Ceil(interactiveReserve * float64(l.Limit))
	if float64(l.Remaining)-inFlight-reserve >= estimate {
		return decision{run: true}
	}
	return decision{wait: l.Reset.Sub(now)}
}

// jitter spreads a wait for a reset by up to a twentieth of it (at most
// maxJitter): an hour's wait ends within three minutes of the reset.
func jitter(wait time.Duration) time.Duration {
	spread := min(wait/20, maxJitter)
	if spread <= 0 {
		return wait
	}
	return wait + rand.N(spread)
}

// admit decides whether a fan-out check of the installation runs now. When
// it does, the returned context counts the check's requests and done must
// be called when the check ends (with whether it completed, for the
// estimate). When it does not, wait is how long the check should wait
// (until the reset, jittered). River keeps to it: its scheduler makes a
// scheduled job available a little ahead, and it is fetched when due.
func (p *pacer) admit(ctx context.Context, installationID int64) (_ context.Context, done func(completed bool), wait time.Duration) {
	now := p.now()
	if l, ok := p.rates.Latest(installationID); (!ok || !now.Before(l.Reset)) && p.refresh != nil {
		// GET /rate_limit is free; a failure leaves the window unknown.
		if err := p.refresh(ctx, installationID); err != nil {
			zerolog.Ctx(ctx).Debug().Err(err).Msg("rate limit not refreshed")
		}
	}
	l, known := p.rates.Latest(installationID)
	p.mu.Lock()
	est := p.estimateLocked(installationID)
	var inFlight float64
	for a := range p.inFlight[installationID] {
		inFlight += max(a.estimate-float64(a.spent.Counted()), 0)
	}
	d := decide(l, known, inFlight, est, now)
	if !d.run {
		p.mu.Unlock()
		wait := jitter(d.wait)
		zerolog.Ctx(ctx).Debug().Int("remaining", l.Remaining).Float64("in_flight", inFlight).Float64("estimate", est).
			Dur("wait", wait).Msg("rate limit kept for pull requests and commands: check waits for the reset")
		return ctx, nil, wait
	}
	ctx, spent := ghclient.CountRequests(ctx)
	a := &admission{estimate: est, spent: spent}
	if p.inFlight[installationID] == nil {
		p.inFlight[installationID] = map[*admission]struct{}{}
	}
	p.inFlight[installationID][a] = struct{}{}
	p.mu.Unlock()
	return ctx, func(completed bool) {
		p.mu.Lock()
		delete(p.inFlight[installationID], a)
		if len(p.inFlight[installationID]) == 0 {
			delete(p.inFlight, installationID)
		}
		p.mu.Unlock()
		if completed {
			p.measured(installationID, spent.Counted())
		}
	}, 0
}
