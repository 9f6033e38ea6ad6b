package server_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-github/v66/github"

	"github.com/ospo-bot/ospo-bot/internal/githubfake"
	"github.com/ospo-bot/ospo-bot/internal/prcheck"
	"github.com/ospo-bot/ospo-bot/internal/store"
)

const prPolicy = `review:
  approvers: ["@acme/ospo-leads"]
repository:
  license: {mode: off}
  codeowners: {mode: off}
  files: {mode: off}
pull_request:
  cla: {mode: enforce, document: "https://acme.example/cla", version: "1"}
  labels: {mode: enforce, one_of: [[kind/bug, kind/feature]]}
  protected_paths: {mode: enforce}
`

const phrase = "I have read the CLA Document and I hereby sign the CLA"

var alice = githubfake.Signature{Name: "Alice", Email: "alice@example.org", Login: "alice"}

// openPR pushes commits to a new branch and opens a pull request by user,
// delivering its webhook; it returns the pull request's number.
func (s *scenario) openPR(repo, branch, user string, labels []string, commits ...githubfake.NewCommit) int {
	s.t.Helper()
	if _, err := s.GitHub.CreateBranch("acme", repo, branch, "main"); err != nil {
		s.t.Fatal(err)
	}
	if _, err := s.GitHub.Push("acme", repo, branch, commits...); err != nil {
		s.t.Fatal(err)
	}
	pr, err := s.GitHub.AddPullRequest("acme", repo, githubfake.PullRequest{Title: "change", User: user, Head: branch, Labels: labels})
	if err != nil {
		s.t.Fatal(err)
	}
	s.prEvent(repo, pr.Number, "opened")
	return pr.Number
}

// prEvent delivers a pull_request event with the pull request as GitHub
// has it now.
func (s *scenario) prEvent(repo string, number int, action string) string {
	s.t.Helper()
	return s.deliver("pull_request", s.prPayload(repo, number, action))
}

func (s *scenario) prPayload(repo string, number int, action string) *github.PullRequestEvent {
	s.t.Helper()
	pr, _, err := s.admin.PullRequests.Get(context.Background(), "acme", repo, number)
	if err != nil {
		s.t.Fatal(err)
	}
	return &github.PullRequestEvent{
		Action: github.String(action), Number: github.Int(number), PullRequest: pr,
		Repo:         pr.GetBase().GetRepo(),
		Installation: &github.Installation{ID: github.Int64(s.inst.ID)},
		Sender:       pr.GetUser(),
	}
}

// signed records that user signed the CLA long ago.
func (s *scenario) signed(user string) {
	s.t.Helper()
	u, _, err := s.admin.Users.Get(context.Background(), user)
	if err != nil {
		s.t.Fatal(err)
	}
	if err := s.App.Store.SaveSignature(context.Background(), store.Signature{Org: "acme", UserID: u.GetID(), Login: user, Version: "1", SignedAt: time.Now().Add(-time.Hour)}); err != nil {
		s.t.Fatal(err)
	}
}

// prComment writes a comment on a pull request and delivers its webhook.
// The comment comes a second after what happened before, as a person's
// does: an approval binds to the head at the comment's time, to the second.
func (s *scenario) prComment(repo string, number int, user, body string) githubfake.Comment {
	s.t.Helper()
	s.GitHub.Advance(time.Second)
	c, err := s.GitHub.AddComment("acme", repo, number, githubfake.Comment{User: user, Body: body})
	if err != nil {
		s.t.Fatal(err)
	}
	s.commentEvent(repo, "created", c, user, nil)
	return c
}

// check returns the newest ospo/policy check run on a pull request's head:
// every evaluation creates its own.
func (s *scenario) check(repo string, number int) githubfake.CheckRun {
	s.t.Helper()
	runs := s.checks(repo, number)
	if len(runs) == 0 {
		s.t.Fatalf("no ospo/policy check run on %s#%d", repo, number)
	}
	return runs[len(runs)-1]
}

// checks lists the ospo/policy check runs on a pull request's head, oldest
// first.
func (s *scenario) checks(repo string, number int) []githubfake.CheckRun {
	s.t.Helper()
	pr, _ := s.GitHub.PullRequest("acme", repo, number)
	var found []githubfake.CheckRun
	for _, cr := range s.GitHub.CheckRuns("acme", repo) {
		if cr.Name == prcheck.CheckName && cr.HeadSHA == pr.HeadSHA {
			found = append(found, cr)
		}
	}
	return found
}

func (s *scenario) botComments(repo string, number int) []githubfake.Comment {
	var out []githubfake.Comment
	for _, c := range s.GitHub.Comments("acme", repo, number) {
		if strings.HasSuffix(c.User, "[bot]") {
			out = append(out, c)
		}
	}
	return out
}

func newPRScenario(t *testing.T) *scenario {
	s := newScenario(t, prPolicy)
	for _, u := range []string{"alice", "bob"} {
		if _, err := s.GitHub.AddUser(githubfake.User{Login: u, Emails: []string{u + "@example.org"}}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.GitHub.AddRepo(githubfake.Repo{Owner: "acme", Name: "gadget", Files: map[string]string{"README.md": "gadget"}}); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestCLASigningUnblocksEveryPullRequest(t *testing.T) {
	s := newPRScenario(t)
	change := githubfake.NewCommit{Message: "Add feature", Author: alice, Files: map[string]string{"feature.go": "package feature"}}
	n := s.openPR("widget", "alice-1", "alice", []string{"kind/feature"}, change)
	other := s.openPR("gadget", "alice-2", "alice", []string{"kind/bug"}, change)

	cr := s.check("widget", n)
	if cr.Status != "completed" || cr.Conclusion != "failure" || !strings.Contains(cr.Output.Title, "@alice") {
		t.Fatalf("unsigned: check run %+v", cr)
	}
	comments := s.botComments("widget", n)
	if len(comments) != 1 || !strings.Contains(comments[0].Body, "@alice must sign the [CLA](https://acme.example/cla)") || !strings.Contains(comments[0].Body, phrase) {
		t.Fatalf("unsigned: comments %+v", comments)
	}
	if s.check("gadget", other).Conclusion != "failure" {
		t.Fatal("the other pull request passes unsigned")
	}

	// A re-run of the same commit changes nothing: one check run, one comment.
	s.prEvent("widget", n, "edited")
	if got := s.botComments("widget", n); len(got) != 1 || got[0].Body != comments[0].Body {
		t.Fatalf("re-run: comments %+v", got)
	}

	s.prComment("widget", n, "alice", "Sure!\n"+phrase)
	s.until("the signed pull request passes", func() bool { return s.check("widget", n).Conclusion == "success" })
	if got := s.botComments("widget", n); len(got) != 1 || !strings.Contains(got[0].Body, "✅") {
		t.Fatalf("signed: comments %+v", got)
	}
	// The other pull request is checked by its own job, which completes the
	// check run before it edits the comment: wait for both.
	s.until("the other pull request passes, its comment turned ✅", func() bool {
		got := s.botComments("gadget", other)
		return s.check("gadget", other).Conclusion == "success" && len(got) == 1 && strings.Contains(got[0].Body, "✅")
	})
}

func TestLabelsAndProtectedPaths(t *testing.T) {
	s := newPRScenario(t)
	s.signed("alice")
	n := s.openPR("widget", "license-change", "alice", nil,
		githubfake.NewCommit{Message: "Relicense", Author: alice, Files: map[string]string{"LICENSE": licenseText(t, "MIT.txt")}})
	cr := s.check("widget", n)
	if cr.Conclusion != "failure" || !strings.Contains(cr.Output.Summary, "pr-labels") || !strings.Contains(cr.Output.Summary, "LICENSE") {
		t.Fatalf("check run %+v", cr)
	}
	// No comment: nothing here is the contributor's to do.
	if got := s.botComments("widget", n); len(got) != 0 {
		t.Fatalf("comments %+v", got)
	}

	if _, _, err := s.admin.Issues.AddLabelsToIssue(context.Background(), "acme", "widget", n, []string{"kind/feature"}); err != nil {
		t.Fatal(err)
	}
	s.prEvent("widget", n, "labeled")
	if cr := s.check("widget", n); strings.Contains(cr.Output.Title, "label") || cr.Conclusion != "failure" {
		t.Fatalf("labeled: check run %+v", cr)
	}

	// Someone who is not an approver approving changes nothing.
	s.prComment("widget", n, "alice", "/ospo approve")
	if cr := s.check("widget", n); cr.Conclusion != "failure" {
		t.Fatalf("approved by the author: %+v", cr)
	}
	s.prComment("widget", n, "lead", "/ospo approve")
	s.until("the approved change passes", func() bool { return s.check("widget", n).Conclusion == "success" })

	// A later push touching LICENSE again voids the approval.
	if _, err := s.GitHub.Push("acme", "widget", "license-change", githubfake.NewCommit{Message: "tweak", Author: alice,
		Files: map[string]string{"LICENSE": licenseText(t, "Apache-2.0.txt")}}); err != nil {
		t.Fatal(err)
	}
	s.prEvent("widget", n, "synchronize")
	if cr := s.check("widget", n); cr.Conclusion != "failure" || !strings.Contains(cr.Output.Summary, "protected-paths") {
		t.Fatalf("after a new LICENSE push: %+v", cr)
	}
}

func TestLargePullRequestIsCheckedFully(t *testing.T) {
	s := newPRScenario(t)
	s.signed("alice")
	commits := make([]githubfake.NewCommit, 300)
	for i := range commits {
		commits[i] = githubfake.NewCommit{Message: fmt.Sprintf("step %d", i), Author: alice, Files: map[string]string{"steps.txt": fmt.Sprint(i)}}
	}
	// One commit past the 250 that GET /pulls/{n}/commits lists, by someone
	// who never signed.
	commits[280].Author = githubfake.Signature{Name: "Bob", Email: "bob@example.org", Login: "bob"}
	n := s.openPR("widget", "big", "alice", []string{"kind/feature"}, commits...)
	cr := s.check("widget", n)
	if cr.Conclusion != "failure" || !strings.Contains(cr.Output.Title, "@bob") {
		t.Fatalf("300 commits, the 281st by bob: %+v", cr)
	}
}

// countedRequests lists the requests GitHub counts against the rate
// limit: not the conditional ones answered 304, nor the installation
// token.
func countedRequests(t *testing.T, s *scenario) int {
	t.Helper()
	counted := 0
	for _, r := range s.GitHub.Requests() {
		if r.NotModified || strings.HasSuffix(r.Route, "/access_tokens") {
			continue
		}
		counted++
		t.Logf("counted: %s %s → %d", r.Method, r.Path, r.Status)
	}
	return counted
}

// TestSynchronizeCostsFewRequests: a push to a 5-commit pull request, with
// the policy and memberships cached, costs at most 3 requests that count
// against the rate limit (conditional 304s do not). Issue 12: 5 before
// (the override's 404, the run created then completed, commits, files).
func TestSynchronizeCostsFewRequests(t *testing.T) {
	s := newPRScenario(t)
	s.signed("alice")
	commits := make([]githubfake.NewCommit, 4)
	for i := range commits {
		commits[i] = githubfake.NewCommit{Message: fmt.Sprint(i), Author: alice, Files: map[string]string{"a.txt": fmt.Sprint(i)}}
	}
	n := s.openPR("widget", "five", "alice", []string{"kind/bug"}, commits...)
	if _, err := s.GitHub.Push("acme", "widget", "five", githubfake.NewCommit{Message: "5", Author: alice, Files: map[string]string{"a.txt": "5"}}); err != nil {
		t.Fatal(err)
	}
	ev := s.prPayload("widget", n, "synchronize")
	s.GitHub.Reset()
	s.deliver("pull_request", ev)
	counted := countedRequests(t, s)
	t.Logf("synchronize on a 5-commit pull request: %d requests counted against the rate limit", counted)
	if counted > 3 {
		t.Fatalf("%d requests counted, want at most 3", counted)
	}
	if cr := s.check("widget", n); cr.Conclusion != "success" || cr.Status != "completed" {
		t.Fatalf("the pull request does not pass: %s %s", cr.Status, cr.Conclusion)
	}
}

// TestSameHeadRerunCostsFewRequests: an event that leaves the head as it
// was (labeled, edited) re-checks the pull request for at most 2
// counted requests: its commits and files are answered 304, and the new
// check run is created completed in one request.
func TestSameHeadRerunCostsFewRequests(t *testing.T) {
	s := newPRScenario(t)
	s.signed("alice")
	n := s.openPR("widget", "rerun", "alice", []string{"kind/bug"},
		githubfake.NewCommit{Message: "one", Author: alice, Files: map[string]string{"a.txt": "1"}},
		githubfake.NewCommit{Message: "two", Author: alice, Files: map[string]string{"b.txt": "2"}})
	for i, action := range []string{"labeled", "edited"} {
		ev := s.prPayload("widget", n, action)
		s.GitHub.Reset()
		s.deliver("pull_request", ev)
		counted := countedRequests(t, s)
		t.Logf("%s, same head: %d requests counted against the rate limit", action, counted)
		if counted > 2 {
			t.Errorf("%s: %d requests counted, want at most 2", action, counted)
		}
		if runs := s.checks("widget", n); len(runs) != i+2 {
			t.Fatalf("%s: %d check runs, want %d (a re-check creates a new run)", action, len(runs), i+2)
		}
		if cr := s.check("widget", n); cr.Conclusion != "success" || cr.Status != "completed" {
			t.Fatalf("%s: the pull request does not pass: %s %s", action, cr.Status, cr.Conclusion)
		}
	}
}

func TestCLAWhoMustSign(t *testing.T) {
	s := newPRScenario(t)
	s.signed("alice")
	if _, err := s.GitHub.AddUser(githubfake.User{Login: "dependabot[bot]", Type: "Bot", Emails: []string{"49699333+dependabot[bot]@users.noreply.github.com"}}); err != nil {
		t.Fatal(err)
	}
	bobID := func() int64 { u, _, _ := s.admin.Users.Get(context.Background(), "bob"); return u.GetID() }()

	t.Run("bot commits pass", func(t *testing.T) {
		n := s.openPR("widget", "deps", "alice", []string{"kind/bug"}, githubfake.NewCommit{Message: "Bump x",
			Author: githubfake.Signature{Name: "dependabot[bot]", Email: "49699333+dependabot[bot]@users.noreply.github.com", Login: "dependabot[bot]"},
			Files:  map[string]string{"go.sum": "x"}})
		if cr := s.check("widget", n); cr.Conclusion != "success" {
			t.Fatalf("check run %+v", cr)
		}
		if got := s.botComments("widget", n); len(got) != 0 {
			t.Fatalf("a passing first run commented: %+v", got)
		}
	})
	t.Run("an unsigned co-author is named", func(t *testing.T) {
		msg := fmt.Sprintf("Pair work\n\nCo-authored-by: Bob <%d+bob@users.noreply.github.com>", bobID)
		n := s.openPR("widget", "pair", "alice", []string{"kind/bug"}, githubfake.NewCommit{Message: msg, Author: alice, Files: map[string]string{"p.go": "package p"}})
		if cr := s.check("widget", n); cr.Conclusion != "failure" || !strings.Contains(cr.Output.Title, "@bob") {
			t.Fatalf("check run %+v", cr)
		}
		if got := s.botComments("widget", n); len(got) != 1 || !strings.Contains(got[0].Body, "`@bob` must sign") { // named only by a trailer: not mentioned
			t.Fatalf("comments %+v", got)
		}
	})
	t.Run("an unlinked email fails with the fix", func(t *testing.T) {
		n := s.openPR("widget", "laptop", "alice", []string{"kind/bug"}, githubfake.NewCommit{Message: "From my laptop",
			Author: githubfake.Signature{Name: "Alice", Email: "alice@laptop.local"}, Committer: alice, Files: map[string]string{"l.go": "package l"}})
		cr := s.check("widget", n)
		if cr.Conclusion != "failure" || !strings.Contains(cr.Output.Title, "alice@laptop.local") {
			t.Fatalf("check run %+v", cr)
		}
		if got := s.botComments("widget", n); len(got) != 1 || !strings.Contains(got[0].Body, "`Alice <alice@laptop.local>`") || !strings.Contains(got[0].Body, "git commit --amend") {
			t.Fatalf("comments %+v", got)
		}
	})
	t.Run("a revoked signature fails again", func(t *testing.T) {
		n := s.openPR("widget", "after-revoke", "alice", []string{"kind/bug"}, githubfake.NewCommit{Message: "x", Author: alice, Files: map[string]string{"r.go": "package r"}})
		if s.check("widget", n).Conclusion != "success" {
			t.Fatal("signed alice fails")
		}
		s.prComment("widget", n, "lead", "/ospo cla revoke @alice signed on behalf of her employer without authority")
		if cr := s.check("widget", n); cr.Conclusion != "failure" {
			t.Fatalf("after revoking: %+v", cr)
		}
		log, _ := s.App.Store.AuditLog(context.Background(), "@alice")
		if len(log) != 1 || log[0].Actor != "lead" || log[0].Action != "cla revoke" {
			t.Fatalf("audit %+v", log)
		}
	})
}

func TestDCO(t *testing.T) {
	s := newScenario(t, "pull_request:\n  dco: {mode: enforce}\n  protected_paths: {mode: off}\nrepository:\n  license: {mode: off}\n")
	if _, err := s.GitHub.AddUser(githubfake.User{Login: "alice", Emails: []string{"alice@example.org"}}); err != nil {
		t.Fatal(err)
	}
	good := githubfake.NewCommit{Message: "One\n\nSigned-off-by: Alice <alice@example.org>", Author: alice, Files: map[string]string{"a": "1"}}
	missing := githubfake.NewCommit{Message: "Two", Author: alice, Files: map[string]string{"a": "2"}}
	wrong := githubfake.NewCommit{Message: "Three\n\nSigned-off-by: Alice <alice@elsewhere.org>", Author: alice, Files: map[string]string{"a": "3"}}
	n := s.openPR("widget", "dco", "alice", nil, good, missing, wrong)
	cr := s.check("widget", n)
	if cr.Conclusion != "failure" {
		t.Fatalf("check run %+v", cr)
	}
	comments := s.botComments("widget", n)
	if len(comments) != 1 {
		t.Fatalf("comments %+v", comments)
	}
	for _, want := range []string{"no Signed-off-by", "alice@elsewhere.org", "git rebase HEAD~3 --signoff", "git push --force-with-lease"} {
		if !strings.Contains(comments[0].Body+cr.Output.Summary, want) {
			t.Errorf("neither the comment nor the summary says %q:\n%s\n%s", want, comments[0].Body, cr.Output.Summary)
		}
	}
}

func TestPullRequestRedeliveryChangesNothing(t *testing.T) {
	s := newPRScenario(t)
	n := s.openPR("widget", "r", "alice", []string{"kind/bug"}, githubfake.NewCommit{Message: "x", Author: alice, Files: map[string]string{"x": "1"}})
	s.prComment("widget", n, "alice", phrase)
	writes := s.writes()
	for _, d := range s.sent {
		if code, msg := deliver(t, s.URL, d.event, d.id, d.body, nil); code != 200 || !strings.HasPrefix(msg, "duplicate") {
			t.Fatalf("redelivery of %s: %d %s", d.event, code, msg)
		}
	}
	s.settled()
	if got := s.writes(); got != writes {
		t.Fatalf("redelivery made %d writes", got-writes)
	}
}
