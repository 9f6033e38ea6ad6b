package server_test

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/ospo-bot/ospo-bot/internal/githubfake"
)

// TestManyUnsignedCoAuthorsFit: a pull request with 400 co-authors who
// must act (200 accounts that did not sign, 200 long-named people whose
// emails GitHub links to no account) gets a sticky comment and a check run
// within GitHub's limits, cut with "… and N more" and a link to the full
// list.
func TestManyUnsignedCoAuthorsFit(t *testing.T) {
	s := newPRScenario(t)
	var msg strings.Builder
	msg.WriteString("Pair work with everyone\n\n")
	for i := range 200 {
		login := fmt.Sprintf("co-author-%03d-%s", i, strings.Repeat("x", 25)) // 39 characters, GitHub's longest login
		fmt.Fprintf(&msg, "Co-authored-by: %s <%d+%s@users.noreply.github.com>\n", login, 50000+i, login)
		fmt.Fprintf(&msg, "Co-authored-by: Contributor %03d %s <c%03d@laptop.local>\n", i, strings.Repeat("y", 300), i)
	}
	n := s.openPR("widget", "crowd", "alice", []string{"kind/bug"}, githubfake.NewCommit{Message: msg.String(), Author: alice, Files: map[string]string{"c.go": "package c"}})

	comments := s.botComments("widget", n)
	if len(comments) != 1 {
		t.Fatalf("%d comments", len(comments))
	}
	body := comments[0].Body
	if c := utf8.RuneCountInString(body); c > 65536 {
		t.Fatalf("comment of %d characters", c)
	}
	if !strings.Contains(body, "@co-author-000-") || !strings.Contains(body, "… and ") ||
		!strings.Contains(body, fmt.Sprintf("/acme/widget/pull/%d/commits)", n)) {
		t.Errorf("the comment is not cut with a link to the commits:\n%s", body[len(body)-min(len(body), 600):])
	}
	cr := s.check("widget", n)
	if len(cr.Output.Summary) > 65535 || cr.Conclusion != "failure" {
		t.Fatalf("check run of %d bytes: %+v", len(cr.Output.Summary), cr.Conclusion)
	}
}

// TestManyMissingFilesFit: a policy requiring 300 files a repository lacks
// gives a review issue within GitHub's limit, naming some and counting the
// rest.
func TestManyMissingFilesFit(t *testing.T) {
	var names []string
	for i := range 300 {
		names = append(names, fmt.Sprintf("REQUIRED-%03d-%s.md", i, strings.Repeat("z", 200)))
	}
	s := newScenario(t, "review:\n  repository: acme/ospo\nrepository:\n  license: {mode: off}\n  codeowners: {mode: off}\n  files: {mode: enforce, required: ["+strings.Join(names, ", ")+"]}\n")
	s.deliver("repository", s.repoPayload("created"))
	s.until("a review issue is opened", func() bool { return len(s.reviewIssues()) > 0 })
	body := s.theReviewIssue().Body
	if c := utf8.RuneCountInString(body); c > 65536 {
		t.Fatalf("review issue of %d characters", c)
	}
	if !strings.Contains(body, "REQUIRED-000-") || !strings.Contains(body, "and 280 more") {
		t.Errorf("the review issue does not name some and count the rest:\n%.3000s", body)
	}
}

// TestLongReasonFits: an approver's reason as long as a comment may be is
// echoed in a reply and in the review issue, both within GitHub's limit.
func TestLongReasonFits(t *testing.T) {
	s := newScenario(t, orgPolicy)
	s.deliver("repository", s.repoPayload("created"))
	s.until("a review issue is opened", func() bool { return len(s.reviewIssues()) > 0 })
	issue := s.theReviewIssue()
	s.comment("lead", "ospo", issue.Number, "/ospo reject "+strings.Repeat("word ", 13000))
	s.until("the issue shows the rejection", func() bool { return strings.Contains(s.theReviewIssue().Body, "rejected by @lead") })
	if c := utf8.RuneCountInString(s.theReviewIssue().Body); c > 65536 {
		t.Fatalf("review issue of %d characters", c)
	}
	for _, c := range s.GitHub.Comments("acme", "ospo", issue.Number) {
		if n := utf8.RuneCountInString(c.Body); n > 65536 {
			t.Fatalf("comment by %s of %d characters", c.User, n)
		}
	}
}

// TestReplyToALongUnreadableLineFits: a comment of nearly GitHub's limit
// whose one line cannot be read gets a reply that echoes it cut, within
// the limit, rather than a reply GitHub refuses.
func TestReplyToALongUnreadableLineFits(t *testing.T) {
	s := newScenario(t, orgPolicy)
	s.push("widget", map[string]string{"LICENSE": licenseText(t, "MIT.txt")})
	s.deliver("repository", s.repoPayload("created"))
	s.until("a review issue is opened", func() bool { return len(s.reviewIssues()) > 0 })
	issue := s.theReviewIssue()
	s.comment("lead", "ospo", issue.Number, "/ospo frobnicate "+strings.Repeat("a", 65000))
	s.until("a reply", func() bool { return len(s.botComments("ospo", issue.Number)) >= 1 })
	reply := s.botComments("ospo", issue.Number)[0].Body
	if !strings.Contains(reply, "more characters") || !strings.Contains(reply, "unknown command") {
		t.Fatalf("the reply does not say it cut the line:\n%.300s…", reply)
	}
}
