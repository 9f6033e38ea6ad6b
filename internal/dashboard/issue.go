// Package dashboard keeps an org's "OSPO dashboard" issue: one issue in the review repository that shows the org's KPIs, failing repositories, waiting reviews and exemptions, edited only when what it shows changed.
package dashboard

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/google/go-github/v66/github"
	"github.com/rs/zerolog"

	"github.com/ospo-bot/ospo-bot/internal/appbot"
	"github.com/ospo-bot/ospo-bot/internal/fit"
	"github.com/ospo-bot/ospo-bot/internal/ghclient"
	"github.com/ospo-bot/ospo-bot/internal/inert"
	"github.com/ospo-bot/ospo-bot/internal/store"
)

const (
	// Title is the dashboard issue's title.
	Title = "OSPO dashboard"
	// Label marks the dashboard issue.
	Label = "ospo-dashboard"
)

// Marker names, hidden at the end of the dashboard issue's body, the org
// it shows. It counts only in an issue the app's bot user wrote.
func Marker(org string) string {
	return "<!-- ospo-bot:dashboard org=" + strings.ToLower(org) + " -->"
}

// Publisher opens and edits dashboard issues.
type Publisher struct {
	Store *store.Store
	// Bot knows the app's bot user: only its issues are dashboards.
	Bot *appbot.Resolver
}

// Result says what Publish did.
type Result struct {
	Number  int
	URL     string
	Created bool
	Edited  bool
}

// recordKey names the record of an org's dashboard issue in repo (its
// number is the record's GitHub ID).
func recordKey(org, repo string) string {
	return "dashboard issue " + strings.ToLower(org) + " in " + strings.ToLower(repo)
}

// Publish makes the org's dashboard issue in repo ("owner/name") show
// body: it opens the issue once, edits it only when its body or title
// differs, and otherwise sends no write. The intent to open it is
// recorded before it is opened and its number after; a run that finds no
// number on record (a response lost, a job that died, a record pruned)
// looks for the app's own issue by label and marker before opening one.
// The caller serialises the runs for one org.
func (p *Publisher) Publish(ctx context.Context, client *github.Client, org, repo, body string) (Result, error) {
	owner, name, _ := strings.Cut(repo, "/")
	marker := Marker(org)
	body = fit.Body.Cut(inert.Cap(body), fit.Body.Max-fit.Body.Len(marker)-2) + "\n\n" + marker
	key := recordKey(org, repo)
	prior, _, err := p.Store.IntendSideEffect(ctx, key)
	if err != nil {
		return Result{}, err
	}
	number := int(prior.GitHubID)
	if prior.Done && number != 0 {
		issue, _, err := client.Issues.Get(ctx, owner, name, number)
		switch st := ghclient.Status(err); {
		case st == http.StatusNotFound || st == http.StatusGone:
			zerolog.Ctx(ctx).Warn().Str("dashboard_issue", fmt.Sprintf("%s#%d", repo, number)).Msg("the dashboard issue is gone; opening a new one")
			if err := p.Store.ForgetSideEffect(ctx, key); err != nil {
				return Result{}, err
			}
			if _, _, err := p.Store.IntendSideEffect(ctx, key); err != nil {
				return Result{}, err
			}
		case err != nil:
			return Result{}, fmt.Errorf("read the dashboard issue %s#%d: %w", repo, number, err)
		default:
			return p.edit(ctx, client, owner, name, issue, body)
		}
	}
	bot, err := p.Bot.Resolve(ctx, client)
	if err != nil {
		return Result{}, err
	}
	issue, err := find(ctx, client, owner, name, org, bot)
	if err != nil {
		return Result{}, err
	}
	if issue != nil {
		if err := p.Store.CompleteSideEffect(ctx, key, int64(issue.GetNumber())); err != nil {
			return Result{}, err
		}
		return p.edit(ctx, client, owner, name, issue, body)
	}
	if err := ensureLabel(ctx, client, owner, name); err != nil {
		return Result{}, err
	}
	issue, _, err = client.Issues.Create(ctx, owner, name, &github.IssueRequest{
		Title: github.String(Title), Body: &body, Labels: &[]string{Label},
	})
	if err != nil {
		return Result{}, fmt.Errorf("open the dashboard issue in %s: %w", repo, err)
	}
	if err := p.Store.CompleteSideEffect(ctx, key, int64(issue.GetNumber())); err != nil {
		return Result{}, err
	}
	zerolog.Ctx(ctx).Info().Str("dashboard_issue", issue.GetHTMLURL()).Msg("dashboard issue opened")
	return Result{Number: issue.GetNumber(), URL: issue.GetHTMLURL(), Created: true}, nil
}

// edit sets the issue's body and title when they differ.
func (p *Publisher) edit(ctx context.Context, client *github.Client, owner, name string, issue *github.Issue, body string) (Result, error) {
	res := Result{Number: issue.GetNumber(), URL: issue.GetHTMLURL()}
	req := &github.IssueRequest{}
	if issue.GetBody() != body {
		req.Body, res.Edited = &body, true
	}
	if issue.GetTitle() != Title {
		req.Title, res.Edited = github.String(Title), true
	}
	if !res.Edited {
		return res, nil
	}
	if _, _, err := client.Issues.Edit(ctx, owner, name, issue.GetNumber(), req); err != nil {
		return Result{}, fmt.Errorf("update the dashboard issue %s/%s#%d: %w", owner, name, issue.GetNumber(), err)
	}
	zerolog.Ctx(ctx).Info().Str("dashboard_issue", issue.GetHTMLURL()).Msg("dashboard issue updated")
	return res, nil
}

// find returns the app's own dashboard issue of org in owner/name, open
// or closed (the oldest, should there be several), or nil. An issue with
// the label or the marker that the app's bot user did not write is
// someone else's, and passed over.
func find(ctx context.Context, client *github.Client, owner, name, org string, bot appbot.Identity) (*github.Issue, error) {
	opts := &github.IssueListByRepoOptions{State: "all", Labels: []string{Label}, Sort: "created", Direction: "asc",
		ListOptions: github.ListOptions{PerPage: 100}}
	issues, err := ghclient.All(&opts.ListOptions, func(*github.ListOptions) ([]*github.Issue, *github.Response, error) {
		return client.Issues.ListByRepo(ctx, owner, name, opts)
	})
	if err != nil {
		return nil, fmt.Errorf("list the dashboard issues of %s/%s: %w", owner, name, err)
	}
	marker := Marker(org)
	for _, is := range issues {
		if is.IsPullRequest() || !strings.Contains(is.GetBody(), marker) || !labelled(is) {
			continue
		}
		if !bot.Wrote(is.GetUser()) {
			zerolog.Ctx(ctx).Warn().Int("issue", is.GetNumber()).Str("issue_author", is.GetUser().GetLogin()).
				Msg("not adopting an issue that carries the dashboard marker: the app did not write it")
			continue
		}
		return is, nil
	}
	return nil, nil
}

func labelled(is *github.Issue) bool {
	return slices.ContainsFunc(is.Labels, func(l *github.Label) bool { return strings.EqualFold(l.GetName(), Label) })
}

// ensureLabel creates the dashboard label when the repository lacks it.
func ensureLabel(ctx context.Context, client *github.Client, owner, name string) error {
	_, _, err := client.Issues.GetLabel(ctx, owner, name, url.PathEscape(Label))
	if err == nil {
		return nil
	}
	if ghclient.Status(err) != http.StatusNotFound {
		return fmt.Errorf("read label %q of %s/%s: %w", Label, owner, name, err)
	}
	_, _, err = client.Issues.CreateLabel(ctx, owner, name, &github.Label{
		Name: github.String(Label), Color: github.String("0e8a16"), Description: github.String("The org's OSPO dashboard (ospo-bot)"),
	})
	if err != nil && !ghclient.AlreadyExists(err) {
		return fmt.Errorf("create label %q in %s/%s: %w", Label, owner, name, err)
	}
	return nil
}
