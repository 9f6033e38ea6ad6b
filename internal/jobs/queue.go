// Package jobs runs ospo-bot's durable work on River: every webhook delivery becomes a job, routed to the check (internal/check) or the command it asks for.
package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/palantir/go-githubapp/githubapp"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/rs/zerolog"

	"github.com/ospo-bot/ospo-bot/internal/appbot"
	"github.com/ospo-bot/ospo-bot/internal/check"
	"github.com/ospo-bot/ospo-bot/internal/dashboard"
	"github.com/ospo-bot/ospo-bot/internal/logging"
	"github.com/ospo-bot/ospo-bot/internal/metrics"
	"github.com/ospo-bot/ospo-bot/internal/prcheck"
	"github.com/ospo-bot/ospo-bot/internal/review"
	"github.com/ospo-bot/ospo-bot/internal/snapshot"
	"github.com/ospo-bot/ospo-bot/internal/store"
)

// Deps are what job handlers work with.
type Deps struct {
	Store   *store.Store
	GitHub  githubapp.ClientCreator
	Metrics *metrics.Metrics
	Logger  zerolog.Logger
	// Licenses looks up the licences of dependencies GitHub gives none
	// for (depsdev.Client); nil: they stay unknown.
	Licenses snapshot.LicenseLookup
}

// Options tune the queue; the zero value of each field picks the default.
type Options struct {
	// Workers is how many jobs run at once in this process.
	Workers int
	// InsertOnly makes a queue that commits jobs but never works them (the
	// intake benchmark, and tools that only enqueue).
	InsertOnly bool
	// RetryPolicy decides when a failed job runs again; River's default
	// (attempt⁴ seconds, with jitter) when nil. Tests shorten it.
	RetryPolicy river.ClientRetryPolicy
	// MaxBatch bounds how many deliveries one intake transaction commits.
	MaxBatch int
	// JobTimeout bounds a job's run; on Postgres a job left running by a
	// replica that died runs again a little after it. Default 5 minutes.
	JobTimeout time.Duration
	// ReplicaID is River's client ID (config's replica_id); River picks
	// one per process when empty.
	ReplicaID string
	// SweepInterval is how often every known repository is checked again;
	// 0 turns the sweep off.
	SweepInterval time.Duration
	// Retention is how long deliveries and their payloads are kept
	// (store.DefaultRetention when zero); pruned every MaintenanceInterval.
	Retention store.Retention
	// Now is the clock repository checks read exemptions' expiries at
	// (check.Checker.Now); nil: time.Now. Tests move it forward.
	Now func() time.Time
}

// ErrStopped is returned by Enqueue once the queue is shutting down.
var ErrStopped = errors.New("the job queue is shutting down")

// Queue commits deliveries as jobs and works them.
type Queue struct {
	store  *store.Store
	client *river.Client[*sql.Tx]
	waker  *wakingDriver // SQLite: wakes River's listener after a commit
	deps   Deps
	opts   Options

	mu      sync.RWMutex
	stopped bool
	intake  chan *pending
	done    chan struct{}
}

type pending struct {
	delivery store.Delivery
	fresh    bool
	err      chan error
}

// New builds the queue on the store's database. Start it before use.
func New(deps Deps, opts Options) (*Queue, error) {
	if opts.Workers <= 0 {
		opts.Workers = 10
	}
	if opts.JobTimeout <= 0 {
		opts.JobTimeout = 5 * time.Minute
	}
	if opts.MaxBatch <= 0 {
		opts.MaxBatch = 512
	}
	q := &Queue{
		store:  deps.Store,
		deps:   deps,
		opts:   opts,
		intake: make(chan *pending, 4*opts.MaxBatch),
		done:   make(chan struct{}),
	}
	rescueAfter := opts.JobTimeout + max(opts.JobTimeout/5, time.Second)
	cfg := &river.Config{
		// A committed job wakes the fetcher (LISTEN/NOTIFY on Postgres,
		// wakingDriver on SQLite); the poll is the fallback for a lost
		// notification. The cooldown bounds how often one queue fetches.
		FetchCooldown:     5 * time.Millisecond,
		FetchPollInterval: 50 * time.Millisecond,
		// A job is a handful of GitHub calls of at most 30 s each. On
		// Postgres, a job whose process died is run again by River's
		// rescuer once it has been "running" longer than this margin; on
		// SQLite the next process releases it at start.
		ID:                   opts.ReplicaID,
		JobTimeout:           opts.JobTimeout,
		RescueStuckJobsAfter: rescueAfter,
		Logger:               logging.Slog(deps.Logger.With().Str("component", "river").Logger()),
		RetryPolicy:          opts.RetryPolicy,
		Middleware:           []rivertype.Middleware{&runner{deps: deps}},
		ErrorHandler:         &panics{deps: deps},
	}
	if !opts.InsertOnly {
		workers := river.NewWorkers()
		bot := appbot.New(deps.GitHub) // asked of GitHub once per process
		chk := &checker{deps: deps, review: &review.Manager{Store: deps.Store, Bot: bot}, leaseTTL: rescueAfter, pacer: newPacer(deps)}
		chk.check = &check.Checker{Store: deps.Store, Review: chk.review, Reporter: &prcheck.Reporter{Store: deps.Store, Bot: bot},
			Lease: chk.leaseInJob, Signatures: deps.Store, Approvals: deps.Store, Results: deps.Store, Allowances: deps.Store, Licenses: deps.Licenses,
			Lookups: snapshot.NewLookupCache(snapshot.DefaultLookupCacheSize, snapshot.DefaultLookupCacheTTL), Now: opts.Now}
		river.AddWorker(workers, &intakeWorker{store: deps.Store})
		river.AddWorker(workers, &deliveryWorker{deps: deps, handlers: eventHandlers(deps, chk)})
		river.AddWorker(workers, &checkWorker{checker: chk})
		river.AddWorker(workers, &checkPRWorker{checker: chk})
		river.AddWorker(workers, &policyPlanWorker{checker: chk})
		river.AddWorker(workers, &sweepWorker{deps: deps})
		river.AddWorker(workers, &maintenanceWorker{deps: deps, retention: opts.Retention})
		river.AddWorker(workers, &dashboardWorker{deps: deps, publisher: &dashboard.Publisher{Store: deps.Store, Bot: bot}, checker: chk})
		cfg.Workers = workers
		cfg.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: opts.Workers}}
	}
	driver := deps.Store.RiverDriver()
	if deps.Store.Dialect == store.SQLite && !opts.InsertOnly {
		q.waker = newWakingDriver(driver)
		driver = q.waker
	}
	if !opts.InsertOnly {
		cfg.PeriodicJobs = []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(MaintenanceInterval),
			func() (river.JobArgs, *river.InsertOpts) { return MaintenanceArgs{}, nil }, nil)}
	}
	if opts.SweepInterval > 0 && !opts.InsertOnly {
		cfg.PeriodicJobs = append(cfg.PeriodicJobs, river.NewPeriodicJob(river.PeriodicInterval(opts.SweepInterval),
			func() (river.JobArgs, *river.InsertOpts) { return SweepArgs{}, nil }, nil))
	}
	client, err := river.NewClient(driver, cfg)
	if err != nil {
		return nil, fmt.Errorf("create job queue: %w", err)
	}
	q.client = client
	return q, nil
}

// Start begins committing deliveries and, unless insert-only, working jobs.
func (q *Queue) Start(ctx context.Context) error {
	go q.commitLoop()
	if q.opts.InsertOnly {
		return nil
	}
	if err := q.client.Start(ctx); err != nil {
		return fmt.Errorf("start job queue: %w", err)
	}
	return nil
}

// Stop refuses new deliveries, commits those already accepted, then lets
// running jobs finish until ctx ends; jobs still running then are cancelled
// and run again at the next start.
func (q *Queue) Stop(ctx context.Context) error {
	q.mu.Lock()
	if !q.stopped {
		q.stopped = true
		close(q.intake)
	}
	q.mu.Unlock()
	<-q.done
	if q.opts.InsertOnly {
		return nil
	}
	if err := q.client.Stop(ctx); err != nil {
		q.deps.Logger.Warn().Err(err).Msg("jobs still running at the shutdown deadline are cancelled and will run again")
		cancelCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		return q.client.StopAndCancel(cancelCtx)
	}
	return nil
}

// Client is the River client, for inserting follow-up jobs and for tests.
func (q *Queue) Client() *river.Client[*sql.Tx] { return q.client }

// Enqueue durably records a delivery and its job. It returns only after the
// transaction holding both has committed (or failed), so a true result may
// be acknowledged to GitHub. It reports false, without error, for a delivery
// ID that was already recorded: a redelivery is never run twice.
func (q *Queue) Enqueue(ctx context.Context, d store.Delivery) (bool, error) {
	p := &pending{delivery: d, err: make(chan error, 1)}
	q.mu.RLock()
	if q.stopped {
		q.mu.RUnlock()
		return false, ErrStopped
	}
	select {
	case q.intake <- p:
	case <-ctx.Done():
		q.mu.RUnlock()
		return false, ctx.Err()
	}
	q.mu.RUnlock()
	// Once handed over, wait for the verdict even if the caller gives up:
	// answering before the commit would break the promise of a 2xx.
	err := <-p.err
	return p.fresh, err
}

// commitLoop is a group commit: whatever deliveries arrived while the last
// transaction was committing go into the next one, so one fsync serves many
// webhooks and nobody waits on a timer.
func (q *Queue) commitLoop() {
	defer close(q.done)
	batch := make([]*pending, 0, q.opts.MaxBatch)
	for first := range q.intake {
		batch = append(batch[:0], first)
	fill:
		for len(batch) < q.opts.MaxBatch {
			select {
			case p, ok := <-q.intake:
				if !ok {
					break fill
				}
				batch = append(batch, p)
			default:
				break fill
			}
		}
		err := q.commit(batch)
		if err == nil && q.waker != nil {
			q.waker.wake()
		}
		for _, p := range batch {
			p.err <- err
		}
	}
}

// directJobs is the largest group whose deliveries are committed as their
// own jobs. A larger group (a burst) is committed with one intake job that
// fans it out off the webhook's path: one row instead of hundreds keeps
// intake fast (BenchmarkIntake), at the cost of a second queue hop for
// those deliveries only.
const directJobs = 16

// commit records a group of deliveries and their job(s) in one
// transaction: a job per delivery for a small group, so a lone pull
// request waits for one queue hop, or one intake job for a burst (see
// intakeWorker). The group is durable either way once this commits.
func (q *Queue) commit(batch []*pending) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	deliveries := make([]store.Delivery, 0, len(batch))
	first := make(map[string]*pending, len(batch))
	for _, p := range batch {
		if _, seen := first[p.delivery.ID]; !seen {
			first[p.delivery.ID] = p
			deliveries = append(deliveries, p.delivery)
		}
	}
	return q.store.InTx(ctx, func(tx *sql.Tx) error {
		inserted, err := q.store.InsertDeliveries(ctx, tx, deliveries)
		if err != nil {
			return err
		}
		var args IntakeArgs
		for _, d := range deliveries {
			if inserted[d.ID] {
				first[d.ID].fresh = true
				args.Deliveries = append(args.Deliveries, DeliveryArgs{
					DeliveryID: d.ID, Event: d.Event, Action: d.Action,
					InstallationID: d.InstallationID, Repository: d.Repository,
				})
			}
		}
		// River's fast insert: the same rows without RETURNING them, which
		// on SQLite costs a temporary table and reading every job back.
		switch n := len(args.Deliveries); {
		case n == 0:
			return nil
		case n > directJobs:
			if _, err := q.client.InsertManyFastTx(ctx, tx, []river.InsertManyParams{{Args: args}}); err != nil {
				return fmt.Errorf("insert intake job for %d deliveries: %w", n, err)
			}
			return nil
		}
		params := make([]river.InsertManyParams, len(args.Deliveries))
		for i, d := range args.Deliveries {
			params[i] = river.InsertManyParams{Args: d}
		}
		if _, err := q.client.InsertManyFastTx(ctx, tx, params); err != nil {
			return fmt.Errorf("insert %d delivery jobs: %w", len(params), err)
		}
		return nil
	})
}

// River runs the lowest priority number first. What GitHub is waiting on
// comes first: intake groups committed by earlier versions (they hold
// deliveries back), then deliveries, then the checks that follow them or a
// fan-out (an installation's or the sweep's), which would otherwise hold a
// pull request's check behind hundreds of repositories. Housekeeping (the
// sweep's start, storage maintenance) and a fan-out's paced checks (an
// installation's, the sweep's) come last.
const (
	priorityIntake   = 1
	priorityDelivery = 2
	priorityCheck    = 3
	priorityChores   = 4
	priorityFanOut   = 4 // River's lowest
)
