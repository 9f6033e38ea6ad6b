package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/rs/zerolog"

	"github.com/ospo-bot/ospo-bot/internal/check"
	"github.com/ospo-bot/ospo-bot/internal/dashboard"
	"github.com/ospo-bot/ospo-bot/internal/ghclient"
	"github.com/ospo-bot/ospo-bot/internal/kpi"
	"github.com/ospo-bot/ospo-bot/internal/policy"
	"github.com/ospo-bot/ospo-bot/internal/report"
	"github.com/ospo-bot/ospo-bot/internal/rules"
	"github.com/ospo-bot/ospo-bot/internal/web"
)

// DashboardDebounce is how long a change (a repository's result, a review
// decision) waits before the org's dashboard issue shows it: every change
// in that time makes one edit, and the issue changes at most this often.
const DashboardDebounce = 10 * time.Minute

// DashboardPeriod is the period the dashboard's KPIs cover, up to now.
const DashboardPeriod = 90 * 24 * time.Hour

// DashboardArgs asks for an org's dashboard issue (and KPI gauges) to be
// brought up to date.
type DashboardArgs struct {
	InstallationID int64  `json:"installation_id"`
	Org            string `json:"org" river:"unique"` // the account's login, as GitHub spells it
	Reason         string `json:"reason"`
	// Sweep: the update after a sweep, which runs at once, apart from a
	// change's debounced one.
	Sweep bool `json:"sweep,omitempty" river:"unique"`
	// Round: see enqueueFollowUp.
	Round int `json:"round,omitempty" river:"unique"`
}

// Kind names the job kind in River's tables.
func (DashboardArgs) Kind() string { return "dashboard" }

func (a DashboardArgs) withRound(r int) river.JobArgs { a.Round = r; return a }
func (DashboardArgs) roundOf(j *rivertype.JobRow) int { return argsRound(j) }

// dashboardOpts: the dashboard waits behind everything else (River's
// lowest priority, beside a fan-out's checks), one job per org and kind
// of update waiting.
func dashboardOpts(at time.Time) *river.InsertOpts {
	return &river.InsertOpts{Priority: priorityFanOut, ScheduledAt: at, UniqueOpts: uniqueFollowUp.UniqueOpts}
}

// enqueueDashboard schedules the org's dashboard update DashboardDebounce
// from now, from inside a running job, unless one is waiting already: it
// shows this change too.
func enqueueDashboard(ctx context.Context, installationID int64, org, reason string) error {
	a := DashboardArgs{InstallationID: installationID, Org: org, Reason: reason}
	if _, err := enqueueUnique(ctx, river.ClientFromContext[*sql.Tx](ctx), a, dashboardOpts(time.Now().Add(DashboardDebounce)), 0); err != nil {
		return fmt.Errorf("enqueue the dashboard of %s: %w", org, err)
	}
	return nil
}

// enqueueSweepDashboard queues the org's dashboard update that follows a
// sweep: at once, behind the sweep's checks (same priority, queued after
// them); a check whose result changes schedules its own.
func enqueueSweepDashboard(ctx context.Context, client *river.Client[*sql.Tx], installationID int64, org string) error {
	a := DashboardArgs{InstallationID: installationID, Org: org, Reason: "periodic sweep", Sweep: true}
	if _, err := enqueueUnique(ctx, client, a, dashboardOpts(time.Time{}), 0); err != nil {
		return fmt.Errorf("enqueue the dashboard of %s: %w", org, err)
	}
	return nil
}

type dashboardWorker struct {
	river.WorkerDefaults[DashboardArgs]
	deps      Deps
	publisher *dashboard.Publisher
	checker   *checker // for its lease
}

// Work builds the org's report from the database, sets the KPI gauges
// and makes the dashboard issue show it. Its GitHub writes are background
// content: they never take a pull request's place in the content budget.
func (w *dashboardWorker) Work(ctx context.Context, job *river.Job[DashboardArgs]) error {
	a := job.Args
	logger := zerolog.Ctx(ctx).With().Str("org", a.Org).Int64("installation_id", a.InstallationID).Str("reason", a.Reason).Logger()
	ctx = ghclient.WithBackground(logger.WithContext(ctx))
	release, held, err := w.checker.lease(ctx, job.JobRow, "dashboard "+strings.ToLower(a.Org))
	if err != nil {
		return err
	}
	if !held {
		return river.JobSnooze(leaseSnooze)
	}
	defer release()
	err = w.update(ctx, a)
	v := settle(err, job.JobRow, time.Now())
	if err != nil {
		logger.Warn().Err(err).Msg(v.note)
	}
	return v.err
}

func (w *dashboardWorker) update(ctx context.Context, a DashboardArgs) error {
	logger := zerolog.Ctx(ctx)
	now := time.Now().UTC()
	// History is kept in whole seconds: the period ends after this one,
	// so that what happened in it counts.
	until := now.Truncate(time.Second).Add(time.Second)
	rep, err := report.Build(ctx, w.deps.Store, report.Options{Org: a.Org, Since: until.Add(-DashboardPeriod), Until: until, Now: now})
	if err != nil {
		return fmt.Errorf("build the report of %s: %w", a.Org, err)
	}
	w.deps.Metrics.KPI.Set(a.Org, registryRulesOnly(rep.KPIs))
	if err := web.Refresh(ctx, w.deps.Store, a.Org, now); err != nil {
		return err
	}
	client, err := w.deps.GitHub.NewInstallationClient(a.InstallationID)
	if err != nil {
		return err
	}
	eff, err := policy.Load(ctx, client, a.Org, policy.OrgRepo)
	var invalid *policy.InvalidError
	if errors.As(err, &invalid) {
		logger.Warn().Err(err).Msg("the org policy is invalid: the dashboard issue waits for a valid one")
		return nil
	}
	if err != nil {
		return err
	}
	repo := eff.Policy.Review.Repository
	if repo == "" {
		repo = a.Org + "/" + policy.OrgRepo
	}
	owner, name, _ := strings.Cut(repo, "/")
	r, _, err := client.Repositories.Get(ctx, owner, name)
	if s := ghclient.Status(err); s == http.StatusNotFound || s == http.StatusGone {
		logger.Warn().Str("review_repository", repo).Msg("the review repository does not exist or the app cannot see it: no dashboard issue")
		return nil
	}
	if err != nil {
		return fmt.Errorf("read the review repository %s: %w", repo, err)
	}
	body := dashboard.Render(rep, dashboard.View{Now: now, ReviewRepository: repo, ReviewLabel: eff.Policy.Review.Label, ReviewURL: r.GetHTMLURL()})
	res, err := w.publisher.Publish(ctx, client, a.Org, repo, body)
	if err != nil {
		return err
	}
	logger.Info().Str("dashboard_issue", res.URL).Bool("created", res.Created).Bool("edited", res.Edited).Msg("dashboard up to date")
	return nil
}

// resultBefore reads a repository's recorded result before its check, to
// tell after it whether it changed (see dashboardAfterCheck).
func (c *checker) resultBefore(ctx context.Context, repositoryID int64) string {
	rc, err := c.deps.Store.RepositoryCheckOf(ctx, repositoryID)
	if err != nil {
		return "" // none yet (or unreadable): any result is a change
	}
	return fmt.Sprintf("%t %s", rc.Flagged, rc.Findings)
}

// dashboardAfterCheck schedules the org's dashboard update when the check
// changed the repository's recorded result.
func (c *checker) dashboardAfterCheck(ctx context.Context, r check.Repository, before string) error {
	if _, err := river.ClientFromContextSafely[*sql.Tx](ctx); err != nil {
		return nil // not in a job (a test calling a handler): nothing to schedule with
	}
	if after := c.resultBefore(ctx, r.ID); after == before || after == "" {
		return nil
	}
	return enqueueDashboard(ctx, r.InstallationID, r.Owner, "a repository's result changed")
}

// registryRulesOnly keeps the per-rule compliance of the registry's rules:
// the gauges' rule label takes no other value, whatever the store holds.
func registryRulesOnly(s kpi.Summary) kpi.Summary {
	byRule := make(map[string]kpi.Ratio, len(s.ComplianceByRule))
	for _, r := range rules.Registry {
		if v, ok := s.ComplianceByRule[r.ID]; ok {
			byRule[r.ID] = v
		}
	}
	s.ComplianceByRule = byRule
	return s
}
