package server_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ospo-bot/ospo-bot/internal/githubfake"
	"github.com/ospo-bot/ospo-bot/internal/inert/inerttest"
)

// hostileText is what anyone can put in a commit's author name, a
// trailer or a file name: a team mention, issue references, a link, an
// image, HTML, a fake checklist item, a heading and backticks.
const hostileText = "@acme/everyone #1 acme/widget#2 GH-3 [x](https://evil.example) ![i](https://evil.example/i.png) <img src=x> <!-- hidden --> ``` ` www.evil.example"

// TestUntrustedTextIsInert: a pull request whose commits carry hostile
// author names, emails and trailers, a hostile file name under a protected
// path, and 15 co-authors GitHub did not verify. The sticky comment and
// the check run show all of it as text: no link, image, HTML, checklist,
// heading or reference of theirs, and no mention but of the accounts
// GitHub verified (and the approvers' team the policy names), at most 10.
func TestUntrustedTextIsInert(t *testing.T) {
	s := newScenario(t, prPolicy+"  dco: {mode: enforce}\n")
	if _, err := s.GitHub.AddUser(githubfake.User{Login: "alice", Emails: []string{"alice@example.org"}}); err != nil {
		t.Fatal(err)
	}
	var msg strings.Builder
	msg.WriteString("Change\n\n- [x] approved\n\nSigned-off-by: " + hostileText + " <x@evil.example>\n")
	msg.WriteString("Co-authored-by: - [x] approved ` # Heading <coauthor@evil.example>\n")
	for i := range 15 {
		// GitHub links no account to these: only the text names them.
		fmt.Fprintf(&msg, "Co-authored-by: Someone %d <%d+user%d@users.noreply.github.com>\n", i, 90000+i, i)
	}
	// 12 verified contributors who must sign: alice and these 11.
	verified := []string{"alice", "acme/ospo-leads"}
	var theirs []githubfake.NewCommit
	for i := range 11 {
		login := fmt.Sprintf("dev%d", i)
		if _, err := s.GitHub.AddUser(githubfake.User{Login: login, Emails: []string{login + "@example.org"}}); err != nil {
			t.Fatal(err)
		}
		verified = append(verified, login)
		theirs = append(theirs, githubfake.NewCommit{Message: "Part " + login, Author: githubfake.Signature{Name: login, Email: login + "@example.org", Login: login},
			Files: map[string]string{login + ".go": "package a"}})
	}
	license := "LICENSE-@mallory-#4-[x](javascript:alert(1))-<img src=x>-`x`-- [x] ok"
	n := s.openPR("widget", "hostile", "alice", []string{"kind/feature"},
		githubfake.NewCommit{Message: msg.String(), Author: alice, Files: map[string]string{"a.go": "package a"}},
		githubfake.NewCommit{Message: "More\n\nSigned-off-by: " + hostileText + " <x@evil.example>",
			Author: githubfake.Signature{Name: hostileText, Email: "`@acme/everyone`#5@evil.example"},
			Files:  map[string]string{license: "MIT"}})
	s.GitHub.Advance(time.Second)
	if _, err := s.GitHub.Push("acme", "widget", "hostile", theirs...); err != nil {
		t.Fatal(err)
	}
	s.prEvent("widget", n, "synchronize")

	cr := s.check("widget", n)
	if cr.Conclusion != "failure" {
		t.Fatalf("check run %+v", cr)
	}
	comments := s.botComments("widget", n)
	if len(comments) != 1 {
		t.Fatalf("bot comments %+v", comments)
	}
	commits, _, err := s.admin.PullRequests.ListCommits(context.Background(), "acme", "widget", n, nil)
	if err != nil {
		t.Fatal(err)
	}
	var shas []string // the bot may name the pull request's commits
	for _, c := range commits {
		shas = append(shas, c.GetSHA()[:7])
	}
	links := []string{"https://acme.example/cla", "https://github.com/acme/"}
	if got := inerttest.Check(t, "sticky comment", comments[0].Body, inerttest.Options{Mentions: verified, Commits: shas, Headings: 1, Links: links}); len(got) != 10 {
		t.Errorf("the sticky comment mentions %d (%v), want 10 of the 12 verified who must sign:\n%s", len(got), got, comments[0].Body)
	}
	inerttest.Check(t, "check run summary", cr.Output.Summary, inerttest.Options{Mentions: verified, Commits: shas, Links: links})
	// Still shown, as text: the file, the author, the co-authors.
	for _, want := range []string{"`` LICENSE-@mallory-#4-[x](javascript:alert(1))-<img src=x>-`x`-- [x] ok ``", "user14"} {
		if !strings.Contains(cr.Output.Summary, want) {
			t.Errorf("the summary does not show %q:\n%s", want, cr.Output.Summary)
		}
	}
	if !strings.Contains(comments[0].Body, "@alice,") || !strings.Contains(comments[0].Body, "dev10") {
		t.Errorf("the sticky comment does not name alice and dev10, who must sign:\n%s", comments[0].Body)
	}

}

// TestRepliesAreInert: the bot's replies on a pull request echo a line it
// could not read, a login and a reason from the comment: as text.
func TestRepliesAreInert(t *testing.T) {
	s := newPRScenario(t)
	s.signed("alice")
	n := s.openPR("widget", "replies", "alice", []string{"kind/feature"},
		githubfake.NewCommit{Message: "x", Author: alice, Files: map[string]string{"x.go": "package x"}})
	s.prComment("widget", n, "alice", "/ospo frobnicate ``"+hostileText)
	s.prComment("widget", n, "lead", "/ospo cla revoke @alice "+hostileText)
	s.prComment("widget", n, "lead", "/ospo cla revoke @ghost-of-nobody because")
	s.until("three replies", func() bool { return len(s.botComments("widget", n)) >= 3 })
	for _, c := range s.botComments("widget", n) {
		inerttest.Check(t, "reply", c.Body, inerttest.Options{Mentions: []string{"alice", "lead", "acme/ospo-leads"}, Headings: 1,
			Links: []string{"https://acme.example/cla", "https://github.com/acme/"}})
	}
}

// TestEditRepliesAreInert: the lines an edit adds are echoed as inertly as
// a new comment's, on a pull request and on a review issue.
func TestEditRepliesAreInert(t *testing.T) {
	opts := inerttest.Options{Mentions: []string{"alice", "lead", "acme/ospo-leads"}, Headings: 1,
		Links: []string{"https://acme.example/cla", "https://github.com/acme/"}}
	t.Run("pull request", func(t *testing.T) {
		s := newPRScenario(t)
		s.signed("alice")
		n := s.openPR("widget", "edit-replies", "alice", []string{"kind/feature"},
			githubfake.NewCommit{Message: "x", Author: alice, Files: map[string]string{"x.go": "package x"}})
		c := s.prComment("widget", n, "alice", "Looks fine.")
		s.editComment("widget", n, c, "Looks fine.\n/ospo @acme/everyone\n/ospo frobnicate ``"+hostileText, "alice")
		s.until("a reply", func() bool { return len(s.botComments("widget", n)) >= 1 })
		for _, c := range s.botComments("widget", n) {
			inerttest.Check(t, "reply", c.Body, opts)
		}
	})
	t.Run("review issue", func(t *testing.T) {
		s := newScenario(t, orgPolicy)
		s.push("widget", map[string]string{"LICENSE": licenseText(t, "MIT.txt")})
		s.deliver("repository", s.repoPayload("created"))
		s.until("a review issue is opened", func() bool { return len(s.reviewIssues()) > 0 })
		issue := s.theReviewIssue()
		c := s.comment("lead", "ospo", issue.Number, "Hello.")
		s.editComment("ospo", issue.Number, c, "Hello.\n/ospo @acme/everyone\n/ospo frobnicate ``"+hostileText, "lead")
		s.until("a reply", func() bool { return len(s.botComments("ospo", issue.Number)) >= 1 })
		for _, c := range s.botComments("ospo", issue.Number) {
			inerttest.Check(t, "reply", c.Body, opts)
		}
	})
}
