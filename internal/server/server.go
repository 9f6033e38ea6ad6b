// Package server wires the process together: store, job queue, GitHub clients and the HTTP routes, with a graceful shutdown.
package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/palantir/go-githubapp/githubapp"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/riverqueue/river"
	"github.com/rs/zerolog"

	"github.com/ospo-bot/ospo-bot/internal/config"
	"github.com/ospo-bot/ospo-bot/internal/depsdev"
	"github.com/ospo-bot/ospo-bot/internal/ghclient"
	"github.com/ospo-bot/ospo-bot/internal/jobs"
	"github.com/ospo-bot/ospo-bot/internal/metrics"
	"github.com/ospo-bot/ospo-bot/internal/signin"
	"github.com/ospo-bot/ospo-bot/internal/store"
	"github.com/ospo-bot/ospo-bot/internal/web"
	"github.com/ospo-bot/ospo-bot/internal/webhook"
)

// Version is the build's version, set by the linker (-X).
var Version = "dev"

// Options adjust a server beyond its config, for tests and the demo.
type Options struct {
	// RetryPolicy overrides River's retry backoff (tests make it fast).
	RetryPolicy river.ClientRetryPolicy
	// GitHubRetryWait overrides the client's wait between retries of 5xx answers.
	GitHubRetryWait time.Duration
	// Now is the repository checks' clock for exemptions' expiries and
	// the dashboard's (its default period, its sessions' lifetimes and
	// re-checks); tests move it forward; nil: time.Now.
	Now func() time.Time
}

// App is a configured, migrated server that has not started serving.
type App struct {
	cfg     config.Config
	logger  zerolog.Logger
	Store   *store.Store
	Queue   *jobs.Queue
	Metrics *metrics.Metrics
	Handler http.Handler

	draining atomic.Bool
	unlock   func()
}

// Open checks the config, connects to and migrates the database and builds
// the queue and routes. Nothing runs until Serve.
func Open(ctx context.Context, cfg config.Config, logger zerolog.Logger, opts Options) (*App, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	key, err := cfg.PrivateKeyPEM()
	if err != nil {
		return nil, err
	}
	m := metrics.New()
	st, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	unlock, err := st.LockSQLite()
	if err != nil {
		st.Close()
		return nil, err
	}
	fail := func(err error) (*App, error) {
		unlock()
		st.Close()
		return nil, err
	}
	applied, err := st.Migrate(ctx)
	if err != nil {
		return fail(err)
	}
	for _, a := range applied {
		logger.Info().Str("migration", a).Msg("migration applied")
	}
	// Every replica's content-generating requests share the database's
	// budget, under GitHub's secondary limit.
	gh, err := ghclient.NewClientCreator(ghclient.Config{
		APIURL:     cfg.GitHubAPIURL,
		AppID:      cfg.GitHubAppID,
		PrivateKey: key,
		UserAgent:  "ospo-bot/" + Version,
		RetryWait:  opts.GitHubRetryWait,
		Budget:     st,
	}, m)
	if err != nil {
		return fail(err)
	}
	if n, err := st.ReleaseOrphanedJobs(ctx, cfg.ReplicaID); err != nil {
		return fail(fmt.Errorf("release jobs of a previous process: %w", err))
	} else if n > 0 {
		logger.Warn().Int64("jobs", n).Msg("jobs left running by a process that stopped abruptly will run again")
	}
	retry := opts.RetryPolicy
	if retry == nil {
		retry = jobs.Backoff{Base: cfg.JobRetryBase}
	}
	licenses := depsdev.New(cfg.DepsDevURL, st)
	licenses.UserAgent = "ospo-bot/" + Version
	q, err := jobs.New(jobs.Deps{Store: st, GitHub: gh, Metrics: m, Logger: logger, Licenses: licenses}, jobs.Options{
		Workers:       cfg.Workers,
		RetryPolicy:   retry,
		ReplicaID:     cfg.ReplicaID,
		SweepInterval: cfg.SweepInterval,
		JobTimeout:    cfg.JobTimeout,
		Retention:     store.Retention{Payloads: cfg.DeliveryPayloadRetention, Deliveries: cfg.DeliveryRetention},
		Now:           opts.Now,
	})
	if err != nil {
		return fail(err)
	}
	a := &App{cfg: cfg, logger: logger, Store: st, Queue: q, Metrics: m, unlock: unlock}
	dash, err := dashboard(ctx, cfg, st, gh, opts)
	if err != nil {
		return fail(err)
	}
	a.Handler = a.routes(webhook.NewHandler(cfg.GitHubWebhookSecret, cfg.GitHubWebhookSecretPrevious, q, m,
		webhook.WithMaxInFlight(cfg.WebhookMaxInFlight)), dash)
	return a, nil
}

// dashboard serves /dashboard/: the pages (internal/web) behind sign-in
// with GitHub (internal/signin), or, without a client ID, the page that
// says how to turn it on; every answer with the security headers.
func dashboard(ctx context.Context, cfg config.Config, st *store.Store, gh githubapp.ClientCreator, opts Options) (http.Handler, error) {
	site := &web.Site{Store: st, GitHubURL: strings.TrimSuffix(cfg.GitHubWebURL, "/"), Now: opts.Now}
	pages := site.Handler()
	if !cfg.DashboardEnabled() {
		return web.SecurityHeaders(signin.Off(pages)), nil
	}
	svc, err := signin.New(ctx, signin.Options{
		ClientID: cfg.GitHubClientID, ClientSecret: cfg.GitHubClientSecret, CallbackURL: cfg.CallbackURL(),
		WebURL: cfg.GitHubWebURL, APIURL: cfg.GitHubAPIURL, Store: st,
		Access: &signin.Access{Store: st, GitHub: gh}, Now: opts.Now,
	})
	if err != nil {
		return nil, fmt.Errorf("dashboard sign-in: %w", err)
	}
	return web.SecurityHeaders(svc.Handler(pages)), nil
}

func (a *App) routes(hook, dash http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/dashboard/", dash)
	mux.Handle("/dashboard", web.SecurityHeaders(http.RedirectHandler("/dashboard/", http.StatusMovedPermanently)))
	mux.Handle("/api/github/hook", hook)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		if a.draining.Load() {
			http.Error(w, "shutting down", http.StatusServiceUnavailable)
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
		defer cancel()
		if err := a.Store.Ready(ctx); err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ready")
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(a.Metrics.Registry, promhttp.HandlerOpts{}))
	// Every request gets the logger in its context; internal/webhook adds
	// the delivery ID and event.
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mux.ServeHTTP(w, r.WithContext(a.logger.WithContext(r.Context())))
	})
}

// Close releases an App that will not Serve.
func (a *App) Close() error {
	a.unlock()
	return a.Store.Close()
}

// Serve starts the queue and answers HTTP on ln until ctx ends, then shuts
// down in order: stop accepting, finish in-flight deliveries, commit them,
// let running jobs finish up to the shutdown timeout, close the database.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	defer a.unlock()
	if err := a.Queue.Start(context.WithoutCancel(ctx)); err != nil {
		a.Store.Close()
		return err
	}
	// Against slow senders: headers must arrive within 10s and hold at
	// most 64 KiB (GitHub's are a few hundred bytes; Go's default is
	// 1 MiB a connection); the webhook gives a body 10s once it has a
	// slot, and any request has 60s in all.
	srv := &http.Server{
		Handler:           a.Handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	a.logger.Info().Str("listen", ln.Addr().String()).Str("version", Version).
		Str("database", store.Redact(a.cfg.DatabaseURL)).Str("github_api_url", a.cfg.GitHubAPIURL).
		Int64("github_app_id", a.cfg.GitHubAppID).Int("workers", a.cfg.Workers).Msg("ospo-bot serving")

	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-served:
	}
	a.draining.Store(true)
	a.logger.Info().Dur("timeout", a.cfg.ShutdownTimeout).Msg("shutting down: no new deliveries, finishing running jobs")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), a.cfg.ShutdownTimeout)
	defer cancel()
	errs := []error{}
	if err := srv.Shutdown(shutdownCtx); err != nil {
		errs = append(errs, fmt.Errorf("http shutdown: %w", err))
	}
	if err := a.Queue.Stop(shutdownCtx); err != nil {
		errs = append(errs, fmt.Errorf("queue shutdown: %w", err))
	}
	if err := a.Store.Close(); err != nil {
		errs = append(errs, err)
	}
	if serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) {
		errs = append(errs, serveErr)
	}
	a.logger.Info().Msg("stopped")
	return errors.Join(errs...)
}
