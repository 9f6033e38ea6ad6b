// Package backfill fills the pull request history of an org the app is installed on from GitHub's API, paced within its rate limit, idempotent and resumable.
package backfill

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/google/go-github/v66/github"
	"github.com/palantir/go-githubapp/githubapp"
	"github.com/rs/zerolog"

	"github.com/ospo-bot/ospo-bot/internal/ghclient"
	"github.com/ospo-bot/ospo-bot/internal/store"
)

// DefaultReserve is the share of an installation's hourly rate limit the
// backfill leaves to the bot serving the org: half, so that a backfill
// running beside it never holds up a check (the bot's own fan-outs keep
// 15% for pull requests and commands on top of what they spend).
const DefaultReserve = 0.5

// Options says what to backfill and how.
type Options struct {
	Days int    // how far back, by creation; 0: 90
	Org  string // the org (or user) whose installation to fill; "": every installation
	// Reserve is the share of the hourly limit left unspent; 0:
	// DefaultReserve.
	Reserve float64
	// Now and Sleep are the clock; nil: time.Now and a timer. Sleep
	// returns early with ctx's error.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
}

// Result counts what a backfill did.
type Result struct {
	Installations, Repositories int
	PullRequests                int // recorded
	Skipped                     int // recorded by an earlier run, unchanged since
	Requests                    int // charged to the rate limit
	Waits                       int // waits for a rate limit window to end
}

// Run fills pull_request_facts for the pull requests created in the last
// o.Days days in every repository of the installations o names: for each,
// its author, author_association (as GitHub gives it now), creation, close
// and merge, and its first response (the earliest review or comment by
// someone other than its author and not a bot). Pull requests are listed
// newest first, until one is older than the window. Each one filled is
// marked (a side_effects row keyed by its updated_at), so a run that is
// interrupted resumes where it stopped and a second run only lists; what
// it writes are the store's upserts, which keep what webhooks recorded.
// Before every request it leaves o.Reserve of the limit to the bot, and
// waits for the window's reset when it would dip into it.
func Run(ctx context.Context, gh githubapp.ClientCreator, st *store.Store, o Options) (Result, error) {
	b := &backfill{gh: gh, st: st, o: o, rates: ghclient.RateLimitsOf(gh)}
	if b.o.Days <= 0 {
		b.o.Days = 90
	}
	if b.o.Reserve <= 0 || b.o.Reserve >= 1 {
		b.o.Reserve = DefaultReserve
	}
	if b.o.Now == nil {
		b.o.Now = time.Now
	}
	if b.o.Sleep == nil {
		b.o.Sleep = sleep
	}
	if b.rates == nil { // another creator: ask GitHub before each request
		b.rates, b.alwaysRefresh = ghclient.NewRateLimits(), true
	}
	ctx, counted := ghclient.CountRequests(ghclient.WithBackground(ctx))
	err := b.run(ctx)
	b.res.Requests = counted.Counted()
	return b.res, err
}

type backfill struct {
	gh            githubapp.ClientCreator
	st            *store.Store
	o             Options
	rates         *ghclient.RateLimits
	alwaysRefresh bool
	res           Result
}

func (b *backfill) run(ctx context.Context) error {
	app, err := b.gh.NewAppClient()
	if err != nil {
		return err
	}
	opts := &github.ListOptions{PerPage: 100}
	installs, err := ghclient.All(opts, func(opts *github.ListOptions) ([]*github.Installation, *github.Response, error) {
		return app.Apps.ListInstallations(ctx, opts)
	})
	if err != nil {
		return fmt.Errorf("list the app's installations: %w", err)
	}
	cutoff := b.o.Now().Add(-time.Duration(b.o.Days) * 24 * time.Hour)
	for _, in := range installs {
		account := in.GetAccount().GetLogin()
		if b.o.Org != "" && !strings.EqualFold(account, b.o.Org) {
			continue
		}
		if in.SuspendedAt != nil {
			zerolog.Ctx(ctx).Warn().Str("org", account).Msg("the installation is suspended: GitHub gives it no token; skipped")
			continue
		}
		b.res.Installations++
		if err := b.installation(ctx, in.GetID(), account, cutoff); err != nil {
			return fmt.Errorf("%s: %w", account, err)
		}
	}
	if b.o.Org != "" && b.res.Installations == 0 {
		return fmt.Errorf("ospo-bot is not installed on %s (or the installation is suspended)", b.o.Org)
	}
	return nil
}

func (b *backfill) installation(ctx context.Context, id int64, account string, cutoff time.Time) error {
	client, err := b.gh.NewInstallationClient(id)
	if err != nil {
		return err
	}
	logger := zerolog.Ctx(ctx).With().Int64("installation_id", id).Str("org", account).Logger()
	ctx = logger.WithContext(ctx)
	opts := &github.ListOptions{PerPage: 100}
	repos, err := ghclient.All(opts, func(opts *github.ListOptions) ([]*github.Repository, *github.Response, error) {
		if err := b.pace(ctx, client, id, 1); err != nil {
			return nil, nil, err
		}
		list, resp, err := client.Apps.ListRepos(ctx, opts)
		if err != nil {
			return nil, resp, err
		}
		return list.Repositories, resp, nil
	})
	if err != nil {
		return fmt.Errorf("list the installation's repositories: %w", err)
	}
	for _, r := range repos {
		b.res.Repositories++
		if err := b.repository(ctx, client, id, r, cutoff); err != nil {
			return fmt.Errorf("%s: %w", r.GetFullName(), err)
		}
	}
	logger.Info().Int("repositories", len(repos)).Int("pull_requests", b.res.PullRequests).Int("skipped", b.res.Skipped).Msg("installation backfilled")
	return nil
}

// repository fills the pull requests of a repository created since cutoff,
// newest first.
func (b *backfill) repository(ctx context.Context, client *github.Client, installationID int64, r *github.Repository, cutoff time.Time) error {
	owner, name := r.GetOwner().GetLogin(), r.GetName()
	opts := &github.PullRequestListOptions{State: "all", Sort: "created", Direction: "desc", ListOptions: github.ListOptions{PerPage: 100}}
	var failed error
	err := ghclient.Each(&opts.ListOptions, func(*github.ListOptions) ([]*github.PullRequest, *github.Response, error) {
		if err := b.pace(ctx, client, installationID, 1); err != nil {
			return nil, nil, err
		}
		return client.PullRequests.List(ctx, owner, name, opts)
	}, func(pr *github.PullRequest) bool {
		if pr.GetCreatedAt().Before(cutoff) {
			return true
		}
		failed = b.pullRequest(ctx, client, installationID, r, pr)
		return failed != nil
	})
	return errors.Join(err, failed)
}

// pullRequest records one pull request, unless an earlier run recorded it
// as it is now.
func (b *backfill) pullRequest(ctx context.Context, client *github.Client, installationID int64, r *github.Repository, pr *github.PullRequest) error {
	repo, n := r.GetFullName(), pr.GetNumber()
	marker := fmt.Sprintf("backfill pull request %s#%d updated %d", repo, n, pr.GetUpdatedAt().Unix())
	if e, found, err := b.st.SideEffectOf(ctx, marker); err != nil || (found && e.Done) {
		if err == nil {
			b.res.Skipped++
		}
		return err
	}
	author := pr.GetUser()
	err := b.st.RecordPullRequestOpened(ctx, store.PullRequestFact{Repository: repo, Number: n, InstallationID: installationID,
		RepositoryID: r.GetID(), Org: r.GetOwner().GetLogin(), Author: author.GetLogin(), AuthorID: author.GetID(),
		AuthorAssociation: pr.GetAuthorAssociation(), AuthorBot: isBot(author), OpenedAt: pr.GetCreatedAt().Time})
	if err != nil {
		return err
	}
	if pr.ClosedAt != nil {
		if err := b.st.RecordPullRequestClosed(ctx, repo, n, pr.MergedAt != nil, pr.GetClosedAt().Time); err != nil {
			return err
		}
	}
	who, at, err := b.firstResponse(ctx, client, installationID, r, pr)
	if err != nil {
		return err
	}
	if who != "" {
		if err := b.st.RecordPullRequestResponse(ctx, repo, n, who, at); err != nil {
			return err
		}
	}
	b.res.PullRequests++
	return b.st.CompleteSideEffect(ctx, marker, 0)
}

// firstResponse is the earliest review or comment on the pull request by
// someone other than its author and not a bot. GitHub lists reviews "in
// chronological order" and an issue's comments "ordered by ascending ID"
// (its REST API description), so each list is read only up to its first
// response.
func (b *backfill) firstResponse(ctx context.Context, client *github.Client, installationID int64, r *github.Repository, pr *github.PullRequest) (string, time.Time, error) {
	owner, name, n := r.GetOwner().GetLogin(), r.GetName(), pr.GetNumber()
	responds := func(u *github.User) bool {
		return u.GetLogin() != "" && !isBot(u) && !strings.EqualFold(u.GetLogin(), pr.GetUser().GetLogin())
	}
	var who string
	var at time.Time
	earliest := func(login string, t time.Time) {
		if !t.IsZero() && (who == "" || t.Before(at)) {
			who, at = login, t
		}
	}
	opts := &github.ListOptions{PerPage: 100}
	err := ghclient.Each(opts, func(opts *github.ListOptions) ([]*github.PullRequestReview, *github.Response, error) {
		if err := b.pace(ctx, client, installationID, 1); err != nil {
			return nil, nil, err
		}
		return client.PullRequests.ListReviews(ctx, owner, name, n, opts)
	}, func(rv *github.PullRequestReview) bool {
		if !responds(rv.GetUser()) || rv.SubmittedAt == nil || strings.EqualFold(rv.GetState(), "PENDING") {
			return false
		}
		earliest(rv.GetUser().GetLogin(), rv.GetSubmittedAt().Time)
		return true
	})
	if err != nil {
		return "", time.Time{}, fmt.Errorf("list the reviews of #%d: %w", n, err)
	}
	copts := &github.IssueListCommentsOptions{ListOptions: github.ListOptions{PerPage: 100}}
	err = ghclient.Each(&copts.ListOptions, func(*github.ListOptions) ([]*github.IssueComment, *github.Response, error) {
		if err := b.pace(ctx, client, installationID, 1); err != nil {
			return nil, nil, err
		}
		return client.Issues.ListComments(ctx, owner, name, n, copts)
	}, func(c *github.IssueComment) bool {
		if !responds(c.GetUser()) {
			return false
		}
		earliest(c.GetUser().GetLogin(), c.GetCreatedAt().Time)
		return true
	})
	if err != nil {
		return "", time.Time{}, fmt.Errorf("list the comments of #%d: %w", n, err)
	}
	return who, at, nil
}

// pace returns once the installation's rate limit can pay for cost
// requests and keep the reserve, waiting for the window's reset if it
// cannot. It knows the limit from the responses (ghclient.RateLimits) and
// asks GET /rate_limit, which is free, when it knows none or the window
// ended.
func (b *backfill) pace(ctx context.Context, client *github.Client, installationID int64, cost int) error {
	for {
		now := b.o.Now()
		l, known := b.rates.Latest(installationID)
		if b.alwaysRefresh || !known || !now.Before(l.Reset) {
			limits, _, err := client.RateLimit.Get(ctx)
			if err != nil {
				return fmt.Errorf("read the rate limit: %w", err)
			}
			if core := limits.GetCore(); core != nil {
				b.rates.Record(installationID, ghclient.RateLimit{Limit: core.Limit, Remaining: core.Remaining, Reset: core.Reset.Time})
			}
			if l, known = b.rates.Latest(installationID); !known || !now.Before(l.Reset) {
				return nil // no window to keep to
			}
		}
		reserve := int(math.Ceil(b.o.Reserve * float64(l.Limit)))
		if l.Remaining-reserve >= cost {
			return nil
		}
		wait := l.Reset.Sub(now) + time.Second
		zerolog.Ctx(ctx).Info().Int("remaining", l.Remaining).Int("reserve", reserve).Dur("wait", wait).
			Msg("backfill waits for the rate limit's reset, leaving the rest to the bot")
		b.res.Waits++
		if err := b.o.Sleep(ctx, wait); err != nil {
			return err
		}
	}
}

// isBot: a GitHub App's or other bot account.
func isBot(u *github.User) bool {
	return u.GetType() == "Bot" || strings.HasSuffix(u.GetLogin(), "[bot]")
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
