package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/google/go-github/v66/github"

	"github.com/ospo-bot/ospo-bot/internal/githubfake"
	"github.com/ospo-bot/ospo-bot/internal/rules"
)

// step is one act of the scenario: it does something on GitHub, delivers
// the webhook, and says what GitHub shows then, or why that is wrong.
type step struct {
	title string
	run   func(ctx context.Context) (shows []string, err error)
}

// scenario plays the steps in order and reports each; it returns whether
// every step gave the expected result.
func (d *demo) scenario(ctx context.Context) bool {
	var review int
	var pr int
	steps := []step{
		{"acme/widget is made public without a LICENSE", func(ctx context.Context) ([]string, error) {
			if _, _, err := d.admin.Repositories.Edit(ctx, "acme", "widget", &github.Repository{Private: github.Bool(false)}); err != nil {
				return nil, err
			}
			if err := d.deliver(ctx, "repository", d.repoEvent(ctx, "publicized")); err != nil {
				return nil, err
			}
			is, err := d.waitIssue(ctx, func(is githubfake.Issue) bool { return strings.Contains(is.Body, "❌ **license**") })
			if err != nil {
				return nil, fmt.Errorf("no review issue with a failing license: %w", err)
			}
			review = is.Number
			return append([]string{fmt.Sprintf("review issue %s/repos/acme/ospo/issues/%d %q (label %s)", d.gh.URL(), is.Number, is.Title, strings.Join(is.Labels, ", "))},
				lines(is.Body, "- [")...), nil
		}},
		{"a push adds an Apache-2.0 LICENSE", func(ctx context.Context) ([]string, error) {
			text, _ := rules.StandardText("Apache-2.0")
			if err := d.push(ctx, "widget", "main", map[string]string{"LICENSE": text}); err != nil {
				return nil, err
			}
			is, err := d.waitIssue(ctx, func(is githubfake.Issue) bool { return strings.Contains(is.Body, "✅ **license**") })
			if err != nil {
				return nil, fmt.Errorf("the checklist did not update: %w", err)
			}
			return append([]string{fmt.Sprintf("the same issue #%d, checklist updated:", is.Number)}, lines(is.Body, "- [")...), nil
		}},
		{"mallory, not an OSPO lead, comments /ospo approve", func(ctx context.Context) ([]string, error) {
			if err := d.comment(ctx, "ospo", review, "mallory", "/ospo approve"); err != nil {
				return nil, err
			}
			cs := d.gh.Comments("acme", "ospo", review)
			last := cs[len(cs)-1]
			if !strings.Contains(last.Body, "only members of @acme/ospo-leads") {
				return nil, fmt.Errorf("no refusal; last comment: %q", last.Body)
			}
			if is, _ := d.gh.Issue("acme", "ospo", review); is.State != "open" {
				return nil, fmt.Errorf("the review is %s", is.State)
			}
			return []string{"refused: " + last.Body, "the review issue stays open"}, nil
		}},
		{"lead, an OSPO lead, comments /ospo approve", func(ctx context.Context) ([]string, error) {
			if err := d.comment(ctx, "ospo", review, "lead", "/ospo approve license checked"); err != nil {
				return nil, err
			}
			is, err := d.waitIssue(ctx, func(is githubfake.Issue) bool { return is.State == "closed" })
			if err != nil {
				return nil, fmt.Errorf("the review did not close: %w", err)
			}
			cs := d.gh.Comments("acme", "ospo", review)
			log, _ := d.app.Store.AuditLog(ctx, "acme/widget")
			return []string{fmt.Sprintf("issue #%d closed: %s", is.Number, cs[len(cs)-1].Body),
				fmt.Sprintf("audit log: %d entries, the last: %s %s by @%s", len(log), log[len(log)-1].Action, log[len(log)-1].Subject, log[len(log)-1].Actor)}, nil
		}},
		{"alice, who has not signed the CLA, opens a pull request", func(ctx context.Context) ([]string, error) {
			if _, err := d.gh.CreateBranch("acme", "widget", "alice-feature", "main"); err != nil {
				return nil, err
			}
			if _, err := d.gh.Push("acme", "widget", "alice-feature", githubfake.NewCommit{Message: "Add a feature",
				Author: githubfake.Signature{Name: "Alice", Email: "alice@example.org", Login: "alice"}, Files: map[string]string{"feature.go": "package feature\n"}}); err != nil {
				return nil, err
			}
			p, err := d.gh.AddPullRequest("acme", "widget", githubfake.PullRequest{Title: "Add a feature", User: "alice", Head: "alice-feature"})
			if err != nil {
				return nil, err
			}
			pr = p.Number
			if err := d.prEvent(ctx, pr, "opened"); err != nil {
				return nil, err
			}
			cr, ok := d.checkRun(pr)
			bot := d.botComments(pr)
			if !ok || cr.Conclusion != "failure" || len(bot) != 1 || !strings.Contains(bot[0].Body, phrase) {
				return nil, fmt.Errorf("check run %+v, %d comments", cr, len(bot))
			}
			return []string{fmt.Sprintf("check run %s: %s — %s", cr.Name, cr.Conclusion, cr.Output.Title),
				fmt.Sprintf("one comment: %s %q", lineWith(bot[0].Body, "must sign"), phrase)}, nil
		}},
		{"alice signs with a comment", func(ctx context.Context) ([]string, error) {
			if err := d.comment(ctx, "widget", pr, "alice", phrase); err != nil {
				return nil, err
			}
			cr, ok := d.checkRun(pr)
			bot := d.botComments(pr)
			if !ok || cr.Conclusion != "success" || len(bot) != 1 || !strings.Contains(bot[0].Body, "✅") {
				return nil, fmt.Errorf("check run %+v, comments %d", cr, len(bot))
			}
			return []string{fmt.Sprintf("check run %s: %s — %s", cr.Name, cr.Conclusion, cr.Output.Title),
				"the comment now reads: " + firstLine(strings.SplitN(bot[0].Body, "\n", 2)[1])}, nil
		}},
		{fmt.Sprintf("a simulated quarter: %d repositories and %d pull requests over %d days, then the nightly sweep", quarterRepos, quarterPRs, quarterDays), d.quarter},
	}
	ok := true
	for i, s := range steps {
		d.printf("%d. %s\n", i+1, s.title)
		shows, err := s.run(ctx)
		if err != nil {
			d.printf("   ✘ %v\n\n", err)
			ok = false
			break
		}
		for _, line := range shows {
			d.printf("   → %s\n", line)
		}
		d.printf("   ✔\n\n")
	}
	if ok {
		d.printf("Every step gave the expected result.\n")
		d.printf("\nThe org report of the quarter, from the database alone (keep it with --database FILE):\n")
		d.printf("  OSPO_DATABASE_URL=sqlite://%s ospo-bot report --org acme --since %s --format markdown\n",
			d.db, time.Now().UTC().AddDate(0, 0, -quarterDays).Format(time.DateOnly))
		if next, err := d.writeNextPolicy(); err == nil {
			d.printf("What allowing only Apache-2.0 and enforcing CODEOWNERS and a README would break, before it merges:\n")
			d.printf("  OSPO_DATABASE_URL=sqlite://%s ospo-bot policy plan --org acme %s\n", d.db, next)
		}
	}
	return ok
}

func (d *demo) repoEvent(ctx context.Context, action string) *github.RepositoryEvent {
	r, _, _ := d.admin.Repositories.Get(ctx, "acme", "widget")
	return &github.RepositoryEvent{Action: github.String(action), Repo: r,
		Installation: &github.Installation{ID: github.Int64(d.inst)}, Sender: &github.User{Login: github.String("admin")}}
}

func (d *demo) push(ctx context.Context, repo, branch string, files map[string]string) error {
	commits, err := d.gh.Push("acme", repo, branch, githubfake.NewCommit{Message: "Add a LICENSE",
		Author: githubfake.Signature{Name: "Admin", Email: "admin@acme.example"}, Files: files})
	if err != nil {
		return err
	}
	r, _ := d.gh.Repo("acme", repo)
	var added []string
	for p := range files {
		added = append(added, p)
	}
	return d.deliver(ctx, "push", &github.PushEvent{
		Ref: github.String("refs/heads/" + branch), After: github.String(commits[0].SHA),
		Commits:      []*github.HeadCommit{{ID: github.String(commits[0].SHA), Added: added}},
		Repo:         &github.PushEventRepository{ID: github.Int64(r.ID), Name: github.String(r.Name), FullName: github.String(r.FullName()), DefaultBranch: github.String("main"), Owner: &github.User{Login: github.String("acme")}},
		Installation: &github.Installation{ID: github.Int64(d.inst)},
	})
}

func (d *demo) comment(ctx context.Context, repo string, number int, user, body string) error {
	c, err := d.gh.AddComment("acme", repo, number, githubfake.Comment{User: user, Body: body})
	if err != nil {
		return err
	}
	// The event as GitHub sends it: the issue with its author and labels,
	// the comment's author and the sender as accounts.
	ev, err := d.gh.IssueCommentEvent(d.inst, "acme", repo, c, "created", user, nil)
	if err != nil {
		return err
	}
	return d.deliver(ctx, "issue_comment", json.RawMessage(ev))
}

func (d *demo) prEvent(ctx context.Context, number int, action string) error {
	p, _, err := d.admin.PullRequests.Get(ctx, "acme", "widget", number)
	if err != nil {
		return err
	}
	return d.deliver(ctx, "pull_request", &github.PullRequestEvent{Action: github.String(action), Number: github.Int(number),
		PullRequest: p, Repo: p.GetBase().GetRepo(), Installation: &github.Installation{ID: github.Int64(d.inst)}})
}

func (d *demo) waitIssue(ctx context.Context, cond func(githubfake.Issue) bool) (githubfake.Issue, error) {
	var found githubfake.Issue
	err := d.until(ctx, func() bool {
		for _, is := range d.gh.Issues("acme", "ospo") {
			if strings.HasPrefix(is.Title, "OSPO review: ") && cond(is) {
				found = is
				return true
			}
		}
		return false
	})
	return found, err
}

// checkRun is the newest ospo/policy run on the pull request's head: every
// evaluation creates its own.
func (d *demo) checkRun(number int) (githubfake.CheckRun, bool) {
	p, _ := d.gh.PullRequest("acme", "widget", number)
	runs := d.gh.CheckRuns("acme", "widget")
	for i := len(runs) - 1; i >= 0; i-- {
		if cr := runs[i]; cr.HeadSHA == p.HeadSHA && cr.Name == "ospo/policy" {
			return cr, true
		}
	}
	return githubfake.CheckRun{}, false
}

func (d *demo) botComments(number int) []githubfake.Comment {
	var out []githubfake.Comment
	for _, c := range d.gh.Comments("acme", "widget", number) {
		if strings.HasSuffix(c.User, "[bot]") {
			out = append(out, c)
		}
	}
	return out
}

// lineWith is the first line of s that contains sub.
func lineWith(s, sub string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			return strings.TrimSpace(l)
		}
	}
	return ""
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return l
}
