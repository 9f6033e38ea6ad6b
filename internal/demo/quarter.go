package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/go-github/v66/github"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/ospo-bot/ospo-bot/internal/dashboard"
	"github.com/ospo-bot/ospo-bot/internal/githubfake"
	"github.com/ospo-bot/ospo-bot/internal/jobs"
	"github.com/ospo-bot/ospo-bot/internal/rules"
	"github.com/ospo-bot/ospo-bot/internal/store"
)

// The simulated quarter: a few dozen repositories and pull requests over
// the last 90 days, so that the report, the plan and the dashboard issue
// show real numbers.
const (
	quarterRepos = 24
	quarterPRs   = 20
	quarterDays  = 90
)

// quarterAuthors open the quarter's pull requests in turn: two members of
// the org and three outside contributors (alice signed the CLA earlier in
// the demo; bob signs on his first pull request; carol never does).
var quarterAuthors = []string{"dev1", "bob", "dev2", "carol", "alice"}

// quarterRepo is the i-th repository (from 1) and its files: every fourth
// has no licence, the others MIT or Apache-2.0.
func quarterRepo(i int) (string, map[string]string) {
	name := fmt.Sprintf("service-%02d", i)
	files := map[string]string{"README.md": "# " + name + "\n"}
	switch i % 4 {
	case 0:
	case 1:
		files["LICENSE"], _ = rules.StandardText("MIT")
	default:
		files["LICENSE"], _ = rules.StandardText("Apache-2.0")
	}
	return name, files
}

// quarter plays the simulated quarter: the repositories are created
// (their webhooks through the real pipeline: checks, review issues), each
// one's daily compliance over the quarter is recorded with the store's
// writer (a check runs now, not in the past), and the pull requests are
// opened, answered and closed by backdated webhooks, from which the
// history takes its times. A sweep then brings the dashboard issue up to
// date.
func (d *demo) quarter(ctx context.Context) ([]string, error) {
	now := time.Now().UTC()
	start := now.AddDate(0, 0, -quarterDays)
	// The installation's own event, which the sweep needs to know it by
	// (until now the demo's events named it only).
	if err := d.deliver(ctx, "installation", json.RawMessage(fmt.Sprintf(`{"action":"created","installation":{"id":%d,"account":{"login":"acme","type":"Organization"},"repository_selection":"all"},"sender":{"login":"admin"}}`, d.inst))); err != nil {
		return nil, err
	}
	for _, m := range []string{"dev1", "dev2"} {
		if err := d.gh.SetOrgMembership("acme", githubfake.Membership{Login: m}); err != nil {
			return nil, err
		}
	}
	for _, u := range []string{"bob", "carol"} {
		if _, err := d.gh.AddUser(githubfake.User{Login: u, Emails: []string{u + "@example.org"}}); err != nil {
			return nil, err
		}
	}
	for i := 1; i <= quarterRepos; i++ {
		name, files := quarterRepo(i)
		// Half are private: a public one waits for an OSPO review, and
		// each review issue spends the installation's content budget.
		if _, err := d.gh.AddRepo(githubfake.Repo{Owner: "acme", Name: name, Files: files, Private: i%2 == 0}); err != nil {
			return nil, err
		}
		if err := d.deliver(ctx, "repository", d.repoEventOf(ctx, name, "created")); err != nil {
			return nil, err
		}
		if err := d.recordDays(ctx, i, name, start); err != nil {
			return nil, err
		}
	}
	for k := range quarterPRs {
		if err := d.quarterPR(ctx, k, start); err != nil {
			return nil, fmt.Errorf("pull request %d of the quarter: %w", k+1, err)
		}
	}
	if _, err := d.app.Queue.Client().Insert(ctx, jobs.SweepArgs{}, nil); err != nil {
		return nil, err
	}
	is, err := d.waitDashboard(ctx)
	if err != nil {
		return nil, err
	}
	d.dashboard = is
	shows := []string{fmt.Sprintf("%d repositories and %d pull requests from %s to today; the sweep ran", quarterRepos, quarterPRs, start.Format(time.DateOnly)),
		fmt.Sprintf("dashboard issue %s/repos/acme/ospo/issues/%d %q (label %s):", d.gh.URL(), is.Number, is.Title, strings.Join(is.Labels, ", "))}
	for _, prefix := range []string{"| Compliance", "| Open reviews", "| Pull requests: time to first response", "| Change request", "| Contributions"} {
		shows = append(shows, "  "+lineWith(is.Body, prefix))
	}
	return shows, nil
}

// recordDays records the repository's compliance on each week of the
// quarter: the repositories with a licence today got it at some point in
// it, so compliance rises.
func (d *demo) recordDays(ctx context.Context, i int, name string, start time.Time) error {
	r, _ := d.gh.Repo("acme", name)
	_, files := quarterRepo(i)
	fixed := start.AddDate(0, 0, 3*i) // when its licence was added
	for day := start; day.Before(start.AddDate(0, 0, quarterDays)); day = day.AddDate(0, 0, 7) {
		pass := files["LICENSE"] != "" && !day.Before(fixed)
		rd := store.RepositoryDay{RepositoryID: r.ID, InstallationID: d.inst, Org: "acme", Repository: "acme/" + name, InScope: true, Private: r.Private,
			Results: map[string]string{"license": "enforce/pass", "files": "warn/pass"}, PolicyVersion: "acme/.github:ospo.yml", At: day}
		if !pass {
			rd.Flagged, rd.Failing, rd.Results["license"] = true, []string{"license"}, "enforce/fail"
		} else if i%4 == 1 {
			rd.License = "MIT"
		} else {
			rd.License = "Apache-2.0"
		}
		if err := d.app.Store.RecordRepositoryDay(ctx, rd); err != nil {
			return err
		}
	}
	return nil
}

// quarterPR opens the k-th pull request of the quarter on the fake and
// delivers, backdated, its opening, a first response by the OSPO lead
// some hours later, and (for most) its close a few days after.
func (d *demo) quarterPR(ctx context.Context, k int, start time.Time) error {
	repo, _ := quarterRepo(k%quarterRepos + 1)
	author := quarterAuthors[k%len(quarterAuthors)]
	opened := start.Add(time.Duration(k) * (quarterDays * 24 * time.Hour / quarterPRs)).Add(time.Duration(k%5) * time.Hour)
	branch := fmt.Sprintf("change-%d", k+1)
	if _, err := d.gh.CreateBranch("acme", repo, branch, "main"); err != nil {
		return err
	}
	if _, err := d.gh.Push("acme", repo, branch, githubfake.NewCommit{Message: "Change " + branch,
		Author: githubfake.Signature{Name: author, Email: author + "@example.org", Login: author}, Files: map[string]string{branch + ".go": "package change\n"}}); err != nil {
		return err
	}
	p, err := d.gh.AddPullRequest("acme", repo, githubfake.PullRequest{Title: "Change " + branch, User: author, Head: branch, CreatedAt: opened})
	if err != nil {
		return err
	}
	if err := d.prEventIn(ctx, repo, p.Number, "opened", nil); err != nil {
		return err
	}
	if author == "bob" && k < len(quarterAuthors) { // bob signs on his first
		if err := d.commentAt(ctx, repo, p.Number, "bob", phrase, opened.Add(30*time.Minute)); err != nil {
			return err
		}
	}
	responded := opened.Add(time.Duration(2+k%7*5) * time.Hour)
	if err := d.commentAt(ctx, repo, p.Number, "lead", "Thanks! Looking at it.", responded); err != nil {
		return err
	}
	if k%6 == 5 || k >= quarterPRs-2 {
		return nil // still open
	}
	closed := responded.Add(time.Duration(1+k%4) * 24 * time.Hour)
	merged := k%6 != 4
	return d.prEventIn(ctx, repo, p.Number, "closed", func(pr *github.PullRequest) {
		at := github.Timestamp{Time: closed}
		pr.State, pr.ClosedAt, pr.UpdatedAt, pr.Merged = github.String("closed"), &at, &at, github.Bool(merged)
		if merged {
			pr.MergedAt = &at
		}
	})
}

// prEventIn delivers a pull_request event of acme/repo#number as GitHub
// sends it, changed by edit: the fake cannot merge, and the close is the
// payload's alone, which spares the installation's content budget (the
// bot's check runs and comments need it).
func (d *demo) prEventIn(ctx context.Context, repo string, number int, action string, edit func(*github.PullRequest)) error {
	p, _, err := d.admin.PullRequests.Get(ctx, "acme", repo, number)
	if err != nil {
		return err
	}
	if edit != nil {
		edit(p)
	}
	return d.deliver(ctx, "pull_request", &github.PullRequestEvent{Action: github.String(action), Number: github.Int(number),
		PullRequest: p, Repo: p.GetBase().GetRepo(), Installation: &github.Installation{ID: github.Int64(d.inst)},
		Sender: p.GetUser()})
}

// commentAt writes a comment dated at and delivers its webhook.
func (d *demo) commentAt(ctx context.Context, repo string, number int, user, body string, at time.Time) error {
	c, err := d.gh.AddComment("acme", repo, number, githubfake.Comment{User: user, Body: body, CreatedAt: at})
	if err != nil {
		return err
	}
	ev, err := d.gh.IssueCommentEvent(d.inst, "acme", repo, c, "created", user, nil)
	if err != nil {
		return err
	}
	return d.deliver(ctx, "issue_comment", json.RawMessage(ev))
}

func (d *demo) repoEventOf(ctx context.Context, name, action string) *github.RepositoryEvent {
	r, _, _ := d.admin.Repositories.Get(ctx, "acme", name)
	return &github.RepositoryEvent{Action: github.String(action), Repo: r,
		Installation: &github.Installation{ID: github.Int64(d.inst)}, Sender: &github.User{Login: github.String("admin")}}
}

// waitDashboard waits until every job but a dashboard update waiting out
// its debounce has run, and returns the dashboard issue.
func (d *demo) waitDashboard(ctx context.Context) (githubfake.Issue, error) {
	var found githubfake.Issue
	err := d.until(ctx, func() bool {
		res, err := d.app.Queue.Client().JobList(ctx, river.NewJobListParams().States(rivertype.JobStateAvailable, rivertype.JobStatePending,
			rivertype.JobStateRetryable, rivertype.JobStateRunning, rivertype.JobStateScheduled).First(1000))
		if err != nil {
			return false
		}
		for _, j := range res.Jobs {
			if j.Kind != (jobs.DashboardArgs{}).Kind() || j.State != rivertype.JobStateScheduled || time.Until(j.ScheduledAt) < time.Minute {
				return false
			}
		}
		for _, is := range d.gh.Issues("acme", "ospo") {
			if is.Title == dashboard.Title && strings.HasSuffix(is.User, "[bot]") {
				found = is
				return true
			}
		}
		return false
	})
	if err != nil {
		res, _ := d.app.Queue.Client().JobList(ctx, river.NewJobListParams().States(rivertype.JobStateAvailable, rivertype.JobStatePending,
			rivertype.JobStateRetryable, rivertype.JobStateRunning, rivertype.JobStateScheduled).First(1000))
		var left []string
		for _, j := range res.Jobs {
			left = append(left, fmt.Sprintf("%s %s at %s (%d errors)", j.Kind, j.State, j.ScheduledAt.Format(time.TimeOnly), len(j.Errors)))
			for _, e := range j.Errors {
				left = append(left, e.Error)
			}
		}
		return found, fmt.Errorf("no dashboard issue after the sweep: %w; jobs left: %s", err, strings.Join(left, "; "))
	}
	return found, nil
}

// nextPolicy is a stricter policy than the demo's, for `ospo-bot policy
// plan` to show what it would break: MIT no longer allowed (the plan
// knows which repositories then fail: their LICENSE was read), the README
// enforced (it was a warning, so the files were listed) and CODEOWNERS
// enforced (never read while the rule was off: the plan says it cannot
// tell, rather than guess).
const nextPolicy = `# acme's open-source policy, next quarter
review:
  repository: acme/ospo
  approvers: ["@acme/ospo-leads"]
repository:
  license: {mode: enforce, allowed: [Apache-2.0]}
  codeowners: {mode: enforce}
  files: {mode: enforce, required: [README]}
pull_request:
  cla: {mode: enforce, document: "https://acme.example/cla", version: "1"}
  protected_paths: {mode: enforce}
`

// writeNextPolicy writes nextPolicy beside the database and returns its path.
func (d *demo) writeNextPolicy() (string, error) {
	path := filepath.Join(filepath.Dir(d.db), "ospo-next.yml")
	return path, os.WriteFile(path, []byte(nextPolicy), 0o644)
}
