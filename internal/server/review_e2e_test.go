package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-github/v66/github"

	"github.com/ospo-bot/ospo-bot/internal/config"
	"github.com/ospo-bot/ospo-bot/internal/githubfake"
	"github.com/ospo-bot/ospo-bot/internal/server"
	"github.com/ospo-bot/ospo-bot/internal/store"
)

const orgPolicy = `# acme's open-source policy
review:
  repository: acme/ospo
  approvers: ["@acme/ospo-leads"]
repository:
  license: {mode: enforce, allowed: [Apache-2.0, MIT]}
  codeowners: {mode: off}
  files: {mode: warn, required: [README]}
`

// scenario is an org with a policy, an OSPO repository, a team of leads
// and the app installed, served by a real ospo-bot.
type scenario struct {
	*harness
	inst   githubfake.Installation
	widget githubfake.Repo
	sent   []sentDelivery
	admin  *github.Client // acts on the fake as a person would
}

type sentDelivery struct {
	event, id string
	body      []byte
}

func newScenario(t *testing.T, policyText string) *scenario {
	return newScenarioOn(t, store.SQLite, policyText)
}

// newScenarioOn is newScenario on a database of dialect d.
func newScenarioOn(t testing.TB, d store.Dialect, policyText string, tweak ...func(*config.Config, *server.Options)) *scenario {
	t.Helper()
	return newScenarioWith(t, d, policyText, githubfake.Options{}, tweak...)
}

// newScenarioWith is newScenarioOn with the fake GitHub's options.
func newScenarioWith(t testing.TB, d store.Dialect, policyText string, opts githubfake.Options, tweak ...func(*config.Config, *server.Options)) *scenario {
	t.Helper()
	h := startWith(t, d, newFakeWith(t, opts), tweak...)
	gh := h.GitHub
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(gh.AddOrg(githubfake.Org{Login: "acme"}))
	must(gh.AddRepo(githubfake.Repo{Owner: "acme", Name: ".github", Files: map[string]string{"ospo.yml": policyText}}))
	must(gh.AddRepo(githubfake.Repo{Owner: "acme", Name: "ospo", Private: true, Files: map[string]string{"README.md": "OSPO"}}))
	widget, err := gh.AddRepo(githubfake.Repo{Owner: "acme", Name: "widget", Files: map[string]string{"README.md": "# widget"}})
	if err != nil {
		t.Fatal(err)
	}
	must(gh.AddTeam(githubfake.Team{Org: "acme", Slug: "ospo-leads"}))
	if err := gh.SetTeamMembership("acme", "ospo-leads", githubfake.Membership{Login: "lead"}); err != nil {
		t.Fatal(err)
	}
	must(gh.AddUser(githubfake.User{Login: "intruder"}))
	inst, err := gh.AddInstallation(githubfake.Installation{Account: "acme"})
	if err != nil {
		t.Fatal(err)
	}
	token, err := gh.OwnerToken(inst.ID) // the org's owner, not the App
	if err != nil {
		t.Fatal(err)
	}
	admin := github.NewClient(nil).WithAuthToken(token)
	admin.BaseURL, _ = url.Parse(gh.URL() + "/")
	return &scenario{harness: h, inst: inst, widget: widget, admin: admin}
}

// deliver sends a webhook built from a go-github event and remembers it
// for the redelivery at the end.
func (s *scenario) deliver(event string, payload any) string {
	s.t.Helper()
	body, err := json.Marshal(payload)
	if err != nil {
		s.t.Fatal(err)
	}
	return s.deliverJSON(event, body)
}

// deliverJSON delivers a webhook body and waits until it is processed.
func (s *scenario) deliverJSON(event string, body []byte) string {
	s.t.Helper()
	id := s.send(event, body)
	s.sent = append(s.sent, sentDelivery{event, id, body})
	if d := s.wait(id); d.Outcome != store.OutcomeProcessed {
		s.t.Fatalf("%s delivery: %s: %s", event, d.Outcome, d.Detail)
	}
	return id
}

func (s *scenario) repoPayload(action string) *github.RepositoryEvent {
	r, _ := s.GitHub.Repo("acme", s.widget.Name)
	return &github.RepositoryEvent{
		Action: github.String(action),
		Repo: &github.Repository{ID: github.Int64(r.ID), Name: github.String(r.Name), FullName: github.String(r.FullName()),
			Owner: &github.User{Login: github.String("acme")}, Private: github.Bool(r.Private), DefaultBranch: github.String("main")},
		Installation: &github.Installation{ID: github.Int64(s.inst.ID)},
		Sender:       &github.User{Login: github.String("admin")},
	}
}

// comment writes a comment on the fake as user and delivers its webhook.
func (s *scenario) comment(user, repo string, number int, body string) githubfake.Comment {
	s.t.Helper()
	c, err := s.GitHub.AddComment("acme", repo, number, githubfake.Comment{User: user, Body: body})
	if err != nil {
		s.t.Fatal(err)
	}
	s.commentEvent(repo, "created", c, user, nil)
	return c
}

// commentEvent delivers the issue_comment event GitHub sends when sender
// creates, edits (from: the body before; nil leaves changes.body out) or
// deletes comment c, rendered by the fake as GitHub renders it.
func (s *scenario) commentEvent(repo, action string, c githubfake.Comment, sender string, from *string) {
	s.t.Helper()
	body, err := s.GitHub.IssueCommentEvent(s.inst.ID, "acme", repo, c, action, sender, from)
	if err != nil {
		s.t.Fatal(err)
	}
	s.deliverJSON("issue_comment", body)
}

// push commits files to a repository's main branch and delivers the push.
func (s *scenario) push(repo string, files map[string]string) {
	s.t.Helper()
	commits, err := s.GitHub.Push("acme", repo, "main", githubfake.NewCommit{Message: "update", Author: githubfake.Signature{Name: "Dev", Email: "dev@acme.example"}, Files: files})
	if err != nil {
		s.t.Fatal(err)
	}
	r, _ := s.GitHub.Repo("acme", repo)
	var added []string
	for p := range files {
		added = append(added, p)
	}
	s.deliver("push", &github.PushEvent{
		Ref: github.String("refs/heads/main"), After: github.String(commits[0].SHA),
		Commits:      []*github.HeadCommit{{ID: github.String(commits[0].SHA), Added: added}},
		Repo:         &github.PushEventRepository{ID: github.Int64(r.ID), Name: github.String(r.Name), FullName: github.String(r.FullName()), DefaultBranch: github.String("main"), Owner: &github.User{Login: github.String("acme")}},
		Installation: &github.Installation{ID: github.Int64(s.inst.ID)},
	})
}

// until waits for cond, checked against the fake GitHub.
func (s *scenario) until(what string, cond func() bool) {
	s.t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			s.t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

func (s *scenario) reviewIssues() []githubfake.Issue {
	var out []githubfake.Issue
	for _, is := range s.GitHub.Issues("acme", "ospo") {
		if strings.HasPrefix(is.Title, "OSPO review: ") {
			out = append(out, is)
		}
	}
	return out
}

// reviewIssuesOf lists review issues opened anywhere in an org's repositories.
func (h *harness) reviewIssuesOf(org string) []githubfake.Issue {
	var out []githubfake.Issue
	for _, r := range h.GitHub.Repos(org) {
		for _, is := range h.GitHub.Issues(org, r.Name) {
			if strings.HasPrefix(is.Title, "OSPO review: ") {
				out = append(out, is)
			}
		}
	}
	return out
}

func (s *scenario) theReviewIssue() githubfake.Issue {
	s.t.Helper()
	issues := s.reviewIssues()
	if len(issues) != 1 {
		s.t.Fatalf("%d review issues, want exactly one: %+v", len(issues), issues)
	}
	return issues[0]
}

// licenseText reads a real license text from testdata/licenses.
func licenseText(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "licenses", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func (s *scenario) writes() int {
	return s.GitHub.CountRequests(func(r githubfake.Request) bool {
		return r.Method != http.MethodGet && !strings.HasSuffix(r.Route, "/access_tokens")
	})
}

func TestReviewLifecycle(t *testing.T) {
	s := newScenario(t, orgPolicy)
	ctx := context.Background()

	// A new public repository without a LICENSE: one review issue with a
	// failing checklist.
	s.deliver("repository", s.repoPayload("created"))
	s.until("a review issue is opened", func() bool { return len(s.reviewIssues()) > 0 })
	issue := s.theReviewIssue()
	for _, want := range []string{"<!-- ospo-bot:review repository_id=", "❌ **license** (enforce)", "✅ **files** (warn)", "it is public and not approved"} {
		if !strings.Contains(issue.Body, want) {
			t.Errorf("review issue body lacks %q:\n%s", want, issue.Body)
		}
	}
	if issue.Title != "OSPO review: acme/widget" || len(issue.Labels) != 1 || issue.Labels[0] != "ospo-review" || issue.State != "open" {
		t.Fatalf("review issue %+v", issue)
	}

	// A push adding an Apache-2.0 LICENSE updates the same issue.
	s.push("widget", map[string]string{"LICENSE": licenseText(t, "Apache-2.0.txt")})
	s.until("the checklist shows the license passing", func() bool { return strings.Contains(s.theReviewIssue().Body, "✅ **license**") })
	if got := s.theReviewIssue().Number; got != issue.Number {
		t.Fatalf("a second issue #%d", got)
	}

	// Exempt and unexempt.
	s.comment("lead", "ospo", issue.Number, "/ospo exempt files the README lives in the wiki")
	s.until("files shows exempt", func() bool { return strings.Contains(s.theReviewIssue().Body, "➖ **files**") })
	s.comment("lead", "ospo", issue.Number, "/ospo unexempt files")
	s.until("files is checked again", func() bool { return strings.Contains(s.theReviewIssue().Body, "✅ **files**") })

	// A non-member cannot approve: one reply, nothing changes.
	before := len(s.GitHub.Comments("acme", "ospo", issue.Number))
	s.comment("intruder", "ospo", issue.Number, "/ospo approve")
	comments := s.GitHub.Comments("acme", "ospo", issue.Number)
	if len(comments) != before+2 || !strings.Contains(comments[len(comments)-1].Body, "only members of @acme/ospo-leads may approve") {
		t.Fatalf("refusal: %+v", comments[before:])
	}
	if s.theReviewIssue().State != "open" {
		t.Fatal("a non-member's approval closed the review")
	}

	// A lead approves: closed with a comment, acknowledged, audited.
	approval := s.comment("lead", "ospo", issue.Number, "Checked with legal.\n/ospo approve ship it")
	s.until("the review is closed", func() bool { return s.theReviewIssue().State == "closed" })
	comments = s.GitHub.Comments("acme", "ospo", issue.Number)
	if last := comments[len(comments)-1]; !strings.Contains(last.Body, "Approved by @lead: ship it") {
		t.Fatalf("closing comment: %q", last.Body)
	}
	acked := false
	for _, c := range comments {
		if c.ID == approval.ID {
			for _, r := range c.Reactions {
				acked = acked || (r.Content == "+1" && strings.HasSuffix(r.User, "[bot]"))
			}
		}
	}
	if !acked {
		t.Error("the approving comment got no +1 reaction")
	}
	if !strings.Contains(s.theReviewIssue().Body, "approved by @lead on") {
		t.Errorf("body does not show the decision:\n%s", s.theReviewIssue().Body)
	}
	log, err := s.App.Store.AuditLog(ctx, "acme/widget")
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range log {
		actions = append(actions, e.Actor+":"+e.Action)
		if e.Action == "approve" && (e.URL != approval.HTMLURL || e.Reason != "ship it" || !strings.HasPrefix(e.PolicyVersion, "acme/.github:ospo.yml@")) {
			t.Errorf("approval audit entry %+v", e)
		}
	}
	if got := strings.Join(actions, " "); got != "lead:exempt files lead:unexempt files intruder:refuse approve lead:approve" {
		t.Errorf("audit log: %s", got)
	}

	// A rename keeps the one issue, retitled.
	if _, _, err := s.admin.Repositories.Edit(ctx, "acme", "widget", &github.Repository{Name: github.String("gizmo")}); err != nil {
		t.Fatal(err)
	}
	s.widget.Name = "gizmo"
	s.deliver("repository", s.repoPayload("renamed"))
	s.until("the issue is retitled", func() bool { return s.theReviewIssue().Title == "OSPO review: acme/gizmo" })

	t.Logf("review issue #%d:\n%s", issue.Number, s.theReviewIssue().Body)
	for _, c := range s.GitHub.Comments("acme", "ospo", issue.Number) {
		t.Logf("comment by %s: %s", c.User, c.Body)
	}

	// Redelivering every webhook of the scenario changes nothing.
	writes := s.writes()
	for _, d := range s.sent {
		code, msg := deliver(t, s.URL, d.event, d.id, d.body, nil)
		if code != http.StatusOK || !strings.HasPrefix(msg, "duplicate") {
			t.Fatalf("redelivery of %s %s: %d %s", d.event, d.id, code, msg)
		}
	}
	s.settled()
	if got := s.writes(); got != writes {
		t.Fatalf("redelivery made %d more writes to GitHub", got-writes)
	}
	if n := len(s.reviewIssues()); n != 1 {
		t.Fatalf("%d review issues at the end", n)
	}
}

func TestMalformedOrgPolicyIsReported(t *testing.T) {
	s := newScenario(t, orgPolicy)
	s.push(".github", map[string]string{"ospo.yml": "review:\n  approvers: [\"@acme/ospo-leads\"]\nrepository:\n  licence: {mode: enforce}\n"})
	s.until("the .github repository has an issue about the policy", func() bool {
		for _, is := range s.GitHub.Issues("acme", ".github") {
			if is.Title == "ospo.yml is invalid" {
				return true
			}
		}
		return false
	})
	var body string
	for _, is := range s.GitHub.Issues("acme", ".github") {
		body = is.Body
	}
	if !strings.Contains(body, "line 4, column 3") || !strings.Contains(body, "licence") {
		t.Fatalf("policy report does not name the line and column:\n%s", body)
	}
	// A repository event while the policy is broken opens no review.
	s.deliver("repository", s.repoPayload("created"))
	s.settled()
	if n := len(s.reviewIssues()); n != 0 {
		t.Fatalf("%d review issues opened under a broken policy", n)
	}
	// Fixing the file closes the report.
	s.push(".github", map[string]string{"ospo.yml": orgPolicy})
	s.until("the policy issue is closed", func() bool {
		for _, is := range s.GitHub.Issues("acme", ".github") {
			if is.Title == "ospo.yml is invalid" && is.State == "closed" {
				return true
			}
		}
		return false
	})
}

func TestEditedCommandIsReread(t *testing.T) {
	s := newScenario(t, orgPolicy)
	s.push("widget", map[string]string{"LICENSE": licenseText(t, "MIT.txt")})
	s.deliver("repository", s.repoPayload("created"))
	s.until("a review issue is opened", func() bool { return len(s.reviewIssues()) > 0 })
	issue := s.theReviewIssue()
	c := s.comment("lead", "ospo", issue.Number, "/ospo reject not before the security review")
	s.until("the body shows the rejection", func() bool { return strings.Contains(s.theReviewIssue().Body, "rejected by @lead") })

	// The lead edits the comment into an approval.
	s.editComment("ospo", issue.Number, c, "/ospo approve security review done", "lead")
	s.until("the review is closed", func() bool { return s.theReviewIssue().State == "closed" })
	log, _ := s.App.Store.AuditLog(context.Background(), "acme/widget")
	var actions []string
	for _, e := range log {
		actions = append(actions, e.Action)
	}
	// The edit removed the rejection and added the approval: each is
	// audited (before issue 10, one "edit" row replaced the comment's
	// decisions wholesale).
	if got := strings.Join(actions, ", "); got != "reject, withdraw reject, approve" {
		t.Fatalf("audit: %s", got)
	}
}

// TestCheckCost measures the GitHub requests of one repository check with
// a review issue: cold, then warm (answered 304 from the ETag cache, which
// GitHub does not count against the rate limit).
func TestCheckCost(t *testing.T) {
	s := newScenario(t, orgPolicy)
	ctx := context.Background()
	checkedAt := func() time.Time {
		c, _ := s.App.Store.RepositoryCheckOf(ctx, s.widget.ID)
		return c.CheckedAt
	}
	cost := func(action string) (full, conditional int) {
		s.GitHub.Reset()
		before := checkedAt()
		s.deliver("repository", s.repoPayload(action))
		s.until("the check ran", func() bool { return checkedAt().After(before) })
		for _, r := range s.GitHub.Requests() {
			switch {
			case strings.HasSuffix(r.Route, "/access_tokens"):
			case r.NotModified:
				conditional++
			default:
				full++
				t.Logf("counted: %s %s → %d", r.Method, r.Path, r.Status)
			}
		}
		return full, conditional
	}
	// Cold: nothing cached; the check opens the review issue (and its label).
	full, conditional := cost("created")
	t.Logf("one repository check, cold, opening its review issue: %d requests counted by GitHub, %d conditional (304)", full, conditional)
	// The next check reads the issue for the first time; from then on the
	// cache is warm.
	full, conditional = cost("edited")
	t.Logf("one repository check after opening its issue: %d requests counted by GitHub, %d conditional (304)", full, conditional)
	full, conditional = cost("edited")
	t.Logf("one repository check, warm cache: %d requests counted by GitHub, %d conditional (304)", full, conditional)
	// Nothing is counted. The repository has no override: its root tree
	// (304) says so, where asking for the file would be a 404, which
	// carries no ETag and is counted on every check (issue 12: 1 before).
	if full != 0 {
		t.Errorf("warm check: %d full requests, %d conditional; want 0 full", full, conditional)
	}
}
