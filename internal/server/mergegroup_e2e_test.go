package server_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/ospo-bot/ospo-bot/internal/githubfake"
	"github.com/ospo-bot/ospo-bot/internal/prcheck"
)

// mergeGroup queues pull requests of acme/widget and delivers the
// merge_group checks_requested GitHub sends for their group.
func (s *scenario) mergeGroup(method string, numbers ...int) githubfake.MergeGroup {
	s.t.Helper()
	g, err := s.GitHub.AddMergeGroup("acme", "widget", numbers, method)
	if err != nil {
		s.t.Fatal(err)
	}
	s.deliver("merge_group", s.raw(s.GitHub.MergeGroupEvent(s.inst.ID, "acme", "widget", g, "checks_requested", "")))
	return g
}

// groupRun waits for ospo/policy on the group's head to complete.
func (s *scenario) groupRun(g githubfake.MergeGroup) githubfake.CheckRun {
	s.t.Helper()
	var cr githubfake.CheckRun
	s.until("ospo/policy on the group completes", func() bool {
		var ok bool
		cr, ok = s.latestCheck("widget", g.HeadSHA)
		return ok && cr.Status == "completed"
	})
	return cr
}

func (s *scenario) runsOn(sha string) int {
	n := 0
	for _, cr := range s.GitHub.CheckRuns("acme", "widget") {
		if cr.Name == prcheck.CheckName && cr.HeadSHA == sha {
			n++
		}
	}
	return n
}

// TestMergeGroupPassesWhenItsPullRequestsPassed: a merge queue waits for
// ospo/policy on its group's head commit; a group of pull requests that
// each passed at the head they were queued with passes.
func TestMergeGroupPassesWhenItsPullRequestsPassed(t *testing.T) {
	s := newPRScenario(t)
	s.signed("alice")
	one := s.openPR("widget", "one", "alice", []string{"kind/feature"}, githubfake.NewCommit{Message: "One", Author: alice, Files: map[string]string{"one.go": "package one"}})
	two := s.openPR("widget", "two", "alice", []string{"kind/bug"}, githubfake.NewCommit{Message: "Two", Author: alice, Files: map[string]string{"two.go": "package two"}})
	for _, n := range []int{one, two} {
		pr, _ := s.GitHub.PullRequest("acme", "widget", n)
		s.untilConclusion("widget", pr.HeadSHA, "success")
	}

	g := s.mergeGroup("merge", one, two)
	cr := s.untilConclusion("widget", g.HeadSHA, "success")
	for _, n := range []int{one, two} {
		if !strings.Contains(cr.Output.Summary, "#"+itoa(n)+" passed") {
			t.Errorf("the summary does not name #%d:\n%s", n, cr.Output.Summary)
		}
	}

	// GitHub sending it again, and destroying the group, write nothing more.
	writes := s.writes()
	s.deliver("merge_group", s.raw(s.GitHub.MergeGroupEvent(s.inst.ID, "acme", "widget", g, "checks_requested", "")))
	s.deliver("merge_group", s.raw(s.GitHub.MergeGroupEvent(s.inst.ID, "acme", "widget", g, "destroyed", "merged")))
	if got := s.writes(); got != writes || s.runsOn(g.HeadSHA) != 1 {
		t.Fatalf("%d more writes, %d runs on the group", got-writes, s.runsOn(g.HeadSHA))
	}
}

// TestMergeGroupChecksItsCommits: when not every commit of the group comes
// from a pull request that passed (one the bot never passed; a squashed
// group), the CLA reads the group's own commits.
func TestMergeGroupChecksItsCommits(t *testing.T) {
	s := newPRScenario(t)
	s.signed("alice")
	one := s.openPR("widget", "one", "alice", []string{"kind/feature"}, githubfake.NewCommit{Message: "One", Author: alice, Files: map[string]string{"one.go": "package one"}})
	pr, _ := s.GitHub.PullRequest("acme", "widget", one)
	s.untilConclusion("widget", pr.HeadSHA, "success")

	// bob never signed, and the bot never saw his pull request.
	if _, err := s.GitHub.CreateBranch("acme", "widget", "bobs", "main"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GitHub.Push("acme", "widget", "bobs", githubfake.NewCommit{Message: "Bob's", Author: githubfake.Signature{Name: "Bob", Email: "bob@example.org", Login: "bob"},
		Files: map[string]string{"bob.go": "package bob"}}); err != nil {
		t.Fatal(err)
	}
	bobs, err := s.GitHub.AddPullRequest("acme", "widget", githubfake.PullRequest{Title: "bob's", User: "bob", Head: "bobs", Labels: []string{"kind/bug"}})
	if err != nil {
		t.Fatal(err)
	}
	g := s.mergeGroup("merge", one, bobs.Number)
	if cr := s.untilConclusion("widget", g.HeadSHA, "failure"); !strings.Contains(cr.Output.Title, "@bob") {
		t.Fatalf("group with bob's commit: %+v", cr)
	}

	// Squashed, alice's pull request alone is new commits: read, and signed.
	g = s.mergeGroup("squash", one)
	if cr := s.untilConclusion("widget", g.HeadSHA, "success"); !strings.Contains(cr.Output.Summary, "`cla`") {
		t.Fatalf("squashed group: %+v", cr)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
