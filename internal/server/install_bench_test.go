package server_test

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/ospo-bot/ospo-bot/internal/config"
	"github.com/ospo-bot/ospo-bot/internal/githubfake"
	"github.com/ospo-bot/ospo-bot/internal/server"
	"github.com/ospo-bot/ospo-bot/internal/store"
)

// Installing on a large org in compressed time: the fake's primary rate
// limit window is simWindow instead of an hour, so one simulated hour
// passes in simWindow of wall time (a factor simFactor); GitHub's own
// latency is not simulated (the fake answers at once). The window is long
// enough that this machine spends a window's requests well inside it
// (about 40 s for 4,250): with 36 s (a factor 100) the limit would hardly
// bind, and the figure would be the machine's pace.
const (
	simWindow = 180 * time.Second
	simFactor = float64(time.Hour / simWindow) // 20
	simRepos  = 1000                           // every tenth without a license: flagged, a review issue
)

// baselines are the times the unlimited installs of this run took; their
// median is what the machine allows when the rate limit does not (see
// allowedTime). With -count n, go test runs the n unlimited installs
// before the limited ones.
var baselines []time.Duration

func baseline() time.Duration {
	s := slices.Clone(baselines)
	slices.Sort(s)
	return s[len(s)/2]
}

// BenchmarkInstallLargeOrg installs the app on a 1,000-repository org (10%
// flagged) through the real server against the fake, and waits until
// every repository is checked. Variants: no rate limit (the machine's own
// pace, the baseline), then 2,000, 5,000 and 12,500 requests an hour (at
// 2,000 the rate limit binds; at 5,000 and 12,500 the content budget does).
// It reports
// the time to the last check in real hours (wall time × simFactor), what
// the limits allow (allowedTime, with the median unlimited install of the
// run), their ratio, the charged requests, the
// primary-limit refusals (403s, must be 0) and the most content-creating
// requests (POST, PATCH, PUT) in one window and in one minute, both
// simulated.
//
//	go test ./internal/server/ -run '^$' -bench InstallLargeOrg -benchtime 1x -count 3 -timeout 30m
func BenchmarkInstallLargeOrg(b *testing.B) {
	for _, limit := range []int{1 << 30, 2000, 5000, 12500} {
		name := fmt.Sprintf("limit=%d", limit)
		if limit == 1<<30 {
			name = "unlimited"
		}
		b.Run(name, func(b *testing.B) {
			for range b.N {
				benchInstall(b, limit)
			}
		})
	}
}

func benchInstall(b *testing.B, limit int) {
	b.StopTimer()
	// GitHub's content limits (80 a minute, 500 an hour) in the same
	// compressed time, on the fake and in the bot's budget; the product's
	// default workers.
	s := newScenarioWith(b, store.SQLite, orgPolicy,
		githubfake.Options{RateLimit: limit, RateWindow: simWindow, ContentMinute: simWindow / 60, ContentHour: simWindow},
		func(cfg *config.Config, _ *server.Options) { cfg.Workers = config.Default().Workers })
	l := store.DefaultContentLimits
	l.Minute, l.Hour = simWindow/60, simWindow
	s.App.Store.SetContentLimits(l)
	addOrgRepos(b, s.GitHub, simRepos)
	all := len(s.GitHub.Repos("acme"))
	b.StartTimer()
	installed := time.Now()
	s.deliverJSON("installation", installationPayload(s.inst.ID, "created"))
	var last time.Time
	for {
		if checkedRepositories(b, s.App.Store) == all {
			last = time.Now()
			break
		}
		if time.Since(installed) > 20*time.Minute {
			b.Fatalf("%d of %d repositories checked after 20 minutes", checkedRepositories(b, s.App.Store), all)
		}
		time.Sleep(20 * time.Millisecond) // a poll of the store, not a wait for an effect
	}
	b.StopTimer()
	took := last.Sub(installed)
	s.until("review issues opened", func() bool {
		var flagged int
		_ = s.App.Store.DB.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM repository_checks WHERE flagged`).Scan(&flagged)
		return len(s.reviewIssuesOf("acme")) == flagged
	})

	var charged, refused, before, created int
	content := map[int64]int{} // by window
	minute := map[int64]int{}  // by simulated minute
	for _, r := range s.GitHub.Requests() {
		if r.Status == http.StatusForbidden {
			refused++
		}
		if r.InstallationID != s.inst.ID || r.NotModified || r.Route == "/rate_limit" {
			continue
		}
		if r.Time.Before(installed) {
			before++
			continue
		}
		charged++
		if r.Method == http.MethodPost || r.Method == http.MethodPatch || r.Method == http.MethodPut {
			created++
			at := r.Time.Sub(installed)
			content[int64(at/simWindow)]++
			minute[int64(at/(simWindow/60))]++
		}
	}
	most := func(m map[int64]int) (n int) {
		for _, v := range m {
			n = max(n, v)
		}
		return n
	}
	if limit == 1<<30 {
		baselines = append(baselines, took)
	}
	allowed := max(allowedTime(charged, limit, limit-before, baseline()), contentTime(created))
	hours := func(d time.Duration) float64 { return d.Hours() * simFactor }
	b.ReportMetric(hours(took), "last-check-h")
	b.ReportMetric(hours(allowed), "allowed-h")
	b.ReportMetric(float64(took)/float64(allowed), "ratio")
	b.ReportMetric(float64(charged), "requests")
	b.ReportMetric(float64(charged)/float64(all), "requests/repo")
	b.ReportMetric(float64(refused), "403s")
	b.ReportMetric(float64(s.GitHub.ContentRefusals()), "content-403s")
	b.ReportMetric(float64(most(content)), "content/window")
	b.ReportMetric(float64(most(minute)), "content/min")
	b.ReportMetric(took.Seconds(), "wall-s")
	if refused > 0 {
		b.Errorf("%d requests refused: a rate limit was overdrawn (%d of them the content limit)", refused, s.GitHub.ContentRefusals())
	}
}

// allowedTime is the soonest an install that needs `need` charged requests
// can end under a primary limit of `limit` a window with `remaining` left
// at the start, keeping the reserve for pull requests and commands
// (15%, jobs.interactiveReserve): the requests above the reserve at the
// start go at once, then each whole window pays limit−reserve more. So
// k = ⌈(need − (remaining − reserve)) / (limit − reserve)⌉ resets must
// pass (0 when it all fits at once), and after the last one, what is
// left runs at the machine's unlimited pace (baseline, in proportion):
//
//	allowed = k·window + baseline·(need in the last window / need)
func allowedTime(need, limit, remaining int, baseline time.Duration) time.Duration {
	if limit >= 1<<30 {
		return baseline
	}
	reserve := int(math.Ceil(0.15 * float64(limit)))
	first, per := remaining-reserve, limit-reserve
	k, tail := 0, need
	if need > first {
		k = int(math.Ceil(float64(need-first) / float64(per)))
		tail = need - first - (k-1)*per
	}
	return time.Duration(k)*simWindow + time.Duration(float64(baseline)*float64(tail)/float64(need))
}

// contentTime is the soonest `created` content-generating requests of a
// fan-out can go out under the budget's background ceilings (60 a minute,
// 400 an hour of GitHub's 80 and 500): every full minute and hour of them
// must pass before the last one.
func contentTime(created int) time.Duration {
	minutes := max(0, (created-1)/store.BackgroundPerMinute)
	hours := max(0, (created-1)/store.BackgroundPerHour)
	return max(time.Duration(minutes)*simWindow/60, time.Duration(hours)*simWindow)
}
