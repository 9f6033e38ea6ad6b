package server_test

import (
	"strings"
	"testing"

	"github.com/ospo-bot/ospo-bot/internal/githubfake"
)

// TestMergeGroupPassOnAnotherBaseCountsNot: a pull request that passed at
// a head was checked against its own base branch: its commits are the
// head's commits not on that branch. Another pull request with the same
// head into the queue's branch brings more commits (those of the first
// one's base). Its group must not pass on the first one's result: the
// group's commits are read, and bob, who never signed, is found.
func TestMergeGroupPassOnAnotherBaseCountsNot(t *testing.T) {
	s := newPRScenario(t)
	s.signed("alice")
	// bob, with write access, pushes his work to a branch of his own.
	if _, err := s.GitHub.CreateBranch("acme", "widget", "staging", "main"); err != nil {
		t.Fatal(err)
	}
	bob := githubfake.Signature{Name: "Bob", Email: "bob@example.org", Login: "bob"}
	if _, err := s.GitHub.Push("acme", "widget", "staging", githubfake.NewCommit{Message: "Bob's", Author: bob, Files: map[string]string{"bob.go": "package bob"}}); err != nil {
		t.Fatal(err)
	}
	// alice's change on top of it, into staging: alice's commit alone; it passes.
	if _, err := s.GitHub.CreateBranch("acme", "widget", "on-staging", "staging"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GitHub.Push("acme", "widget", "on-staging", githubfake.NewCommit{Message: "Alice's", Author: alice, Files: map[string]string{"alice.go": "package alice"}}); err != nil {
		t.Fatal(err)
	}
	a, err := s.GitHub.AddPullRequest("acme", "widget", githubfake.PullRequest{Title: "into staging", User: "alice", Head: "on-staging", Base: "staging", Labels: []string{"kind/feature"}})
	if err != nil {
		t.Fatal(err)
	}
	s.prEvent("widget", a.Number, "opened")
	s.untilConclusion("widget", a.HeadSHA, "success")

	// The same head into main (its check not yet run: ospo/policy on the
	// head already shows the success above), queued at once.
	c, err := s.GitHub.AddPullRequest("acme", "widget", githubfake.PullRequest{Title: "into main", User: "alice", Head: "on-staging", Labels: []string{"kind/feature"}})
	if err != nil {
		t.Fatal(err)
	}
	g := s.mergeGroup("merge", c.Number)
	cr := s.groupRun(g)
	if cr.Conclusion != "failure" || !strings.Contains(cr.Output.Title, "@bob") {
		t.Fatalf("group: %+v", cr)
	}
}

// TestMergeGroupFakeWebFlowMerge: the merge commits a group may hold
// without a pull request's result are GitHub's own, the group's chain of
// first parents from its head. A merge commit anyone pushed, naming
// GitHub as its committer (GitHub links noreply@github.com to web-flow),
// inside a pull request the bot never passed, is no such commit: the
// group's commits are read, and mallory, who never signed, is found.
func TestMergeGroupFakeWebFlowMerge(t *testing.T) {
	s := newPRScenario(t)
	s.signed("alice")
	one := s.openPR("widget", "one", "alice", []string{"kind/feature"}, githubfake.NewCommit{Message: "One", Author: alice, Files: map[string]string{"one.go": "package one"}})
	pr, _ := s.GitHub.PullRequest("acme", "widget", one)
	s.untilConclusion("widget", pr.HeadSHA, "success")

	if _, err := s.GitHub.AddUser(githubfake.User{Login: "mallory", Emails: []string{"mallory@example.org"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GitHub.CreateBranch("acme", "widget", "evil", "one"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GitHub.PushMerge("acme", "widget", "evil", "main", githubfake.NewCommit{Message: "Merge branch 'main' into evil",
		Author:    githubfake.Signature{Name: "Mallory", Email: "mallory@example.org", Login: "mallory"},
		Committer: githubfake.Signature{Name: "GitHub", Email: "noreply@github.com", Login: "web-flow"},
		Files:     map[string]string{"evil.go": "package evil"}}); err != nil {
		t.Fatal(err)
	}
	evil, err := s.GitHub.AddPullRequest("acme", "widget", githubfake.PullRequest{Title: "evil", User: "mallory", Head: "evil", Labels: []string{"kind/bug"}})
	if err != nil {
		t.Fatal(err)
	}
	g := s.mergeGroup("merge", evil.Number)
	cr := s.groupRun(g)
	if cr.Conclusion != "failure" || !strings.Contains(cr.Output.Title, "@mallory") {
		t.Fatalf("group: %+v", cr)
	}
}
