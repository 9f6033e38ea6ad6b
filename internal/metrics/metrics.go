// Package metrics defines ospo-bot's Prometheus metrics in one registry.
package metrics

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Metrics holds every collector ospo-bot exports. Each server owns one, so
// tests and several servers in one process never share counters.
type Metrics struct {
	Registry *prometheus.Registry

	// Deliveries counts webhook deliveries by event and outcome
	// (queued, duplicate, rejected, ignored, processed, failed).
	Deliveries *prometheus.CounterVec
	// IntakeSeconds observes the time from a verified delivery to its
	// committed job, the durable part of the webhook's latency.
	IntakeSeconds prometheus.Histogram
	// JobSeconds observes job run times by kind and result.
	JobSeconds *prometheus.HistogramVec
	// JobFailures counts failed job attempts by kind and how the failure
	// was handled (retry, snooze, cancel).
	JobFailures *prometheus.CounterVec
	// GitHubRequests counts GitHub API requests by route template, status
	// and cache (hit when answered from the ETag cache, miss otherwise).
	GitHubRequests *prometheus.CounterVec
	// GitHubRateRemaining is the last X-RateLimit-Remaining seen per installation.
	GitHubRateRemaining *prometheus.GaugeVec
	// KPI holds each org's KPIs (kpi.go).
	KPI *KPIs
}

// New creates the collectors and registers them, with the Go and process
// collectors, on a fresh registry.
func New() *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		Deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ospo_webhook_deliveries_total",
			Help: "Webhook deliveries by event and outcome.",
		}, []string{"event", "outcome"}),
		IntakeSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "ospo_webhook_intake_seconds",
			Help:    "Time from a verified delivery to its job being committed.",
			Buckets: []float64{.0005, .001, .002, .005, .01, .025, .05, .1, .25, 1},
		}),
		JobSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "ospo_job_duration_seconds",
			Help:    "Job run time by kind and result.",
			Buckets: prometheus.DefBuckets,
		}, []string{"kind", "result"}),
		JobFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ospo_job_failures_total",
			Help: "Failed job attempts by kind and handling (retry, snooze, cancel).",
		}, []string{"kind", "handling"}),
		GitHubRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ospo_github_requests_total",
			Help: "GitHub API requests by method, route template, status and cache result.",
		}, []string{"method", "route", "status", "cache"}),
		GitHubRateRemaining: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "ospo_github_rate_limit_remaining",
			Help: "Last X-RateLimit-Remaining seen, by installation (0 for the app itself).",
		}, []string{"installation"}),
	}
	m.Registry.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.Deliveries, m.IntakeSeconds, m.JobSeconds, m.JobFailures,
		m.GitHubRequests, m.GitHubRateRemaining,
	)
	m.KPI = newKPIs()
	m.Registry.MustRegister(m.KPI.collectors()...)
	return m
}
