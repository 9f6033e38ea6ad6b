package server_test

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/ospo-bot/ospo-bot/internal/githubfake"
)

// TestRecheckCreatesNewCheckRun: every re-check of the same head (a label,
// a signature, `/ospo recheck`) creates a new ospo/policy run; the
// completed runs before it are never modified again.
func TestRecheckCreatesNewCheckRun(t *testing.T) {
	s := newPRScenario(t)
	n := s.openPR("widget", "feature", "alice", nil, githubfake.NewCommit{Message: "Add", Author: alice, Files: map[string]string{"f.go": "package f"}})
	first := s.check("widget", n)
	if first.Status != "completed" || first.Conclusion != "failure" {
		t.Fatalf("first run %+v", first)
	}
	untouched := func(want []githubfake.CheckRun) {
		t.Helper()
		runs := s.checks("widget", n)
		if len(runs) != len(want)+1 {
			t.Fatalf("%d runs on the head, want %d", len(runs), len(want)+1)
		}
		for i := range want {
			if !reflect.DeepEqual(runs[i], want[i]) {
				t.Errorf("run %d was modified:\n was %+v\n now %+v", i, want[i], runs[i])
			}
		}
		if last := runs[len(runs)-1]; last.Status != "completed" || last.ExternalID == "" || last.ExternalID == runs[0].ExternalID {
			t.Errorf("newest run %+v", last)
		}
	}

	if _, _, err := s.admin.Issues.AddLabelsToIssue(context.Background(), "acme", "widget", n, []string{"kind/feature"}); err != nil {
		t.Fatal(err)
	}
	s.prEvent("widget", n, "labeled")
	untouched([]githubfake.CheckRun{first})
	if s.check("widget", n).Conclusion != "failure" || strings.Contains(s.check("widget", n).Output.Title, "label") {
		t.Fatalf("labeled: %+v", s.check("widget", n))
	}

	before := s.checks("widget", n)
	s.prComment("widget", n, "alice", phrase)
	s.until("the signed pull request passes", func() bool { return s.check("widget", n).Conclusion == "success" })
	untouched(before)

	before = s.checks("widget", n)
	s.prComment("widget", n, "alice", "/ospo recheck")
	untouched(before)
}

// TestRetryKeepsOneCheckRun: a job that fails after creating its check run
// finds that run when it is retried, whether it failed before completing
// it or after.
func TestRetryKeepsOneCheckRun(t *testing.T) {
	for _, tc := range []struct{ name, method, route string }{
		{"completing the run fails", "PATCH", "/repos/{owner}/{repo}/check-runs/{check_run_id}"},
		{"the comment fails", "POST", "/repos/{owner}/{repo}/issues/{issue_number}/comments"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newPRScenario(t)
			s.GitHub.InjectFault(githubfake.Fault{Method: tc.method, Route: tc.route, Kind: githubfake.Status(502)})
			n := s.openPR("widget", "feature", "alice", []string{"kind/bug"}, githubfake.NewCommit{Message: "Add", Author: alice, Files: map[string]string{"f.go": "package f"}})
			runs := s.checks("widget", n)
			if len(runs) != 1 || runs[0].Status != "completed" || runs[0].Conclusion != "failure" || len(runs[0].Output.Annotations) != len(s.check("widget", n).Output.Annotations) {
				t.Fatalf("runs after a retry: %+v", runs)
			}
			if got := s.botComments("widget", n); len(got) != 1 {
				t.Fatalf("comments %+v", got)
			}
		})
	}
}

// TestDeletedStickyCommentIsPostedAgain: when someone deletes the bot's
// comment, the next change posts it again, once, instead of failing.
func TestDeletedStickyCommentIsPostedAgain(t *testing.T) {
	s := newPRScenario(t)
	n := s.openPR("widget", "pair", "alice", []string{"kind/bug"}, githubfake.NewCommit{Message: "Add", Author: alice, Files: map[string]string{"f.go": "package f"}})
	comments := s.botComments("widget", n)
	if len(comments) != 1 {
		t.Fatalf("comments %+v", comments)
	}
	if err := s.GitHub.DeleteComment("acme", "widget", comments[0].ID); err != nil {
		t.Fatal(err)
	}
	// bob co-authors: the note changes, so the bot must write it again.
	if _, err := s.GitHub.Push("acme", "widget", "pair", githubfake.NewCommit{Message: "More\n\nCo-authored-by: Bob <bob@example.org>", Author: alice, Files: map[string]string{"g.go": "package g"}}); err != nil {
		t.Fatal(err)
	}
	s.prEvent("widget", n, "synchronize")
	got := s.botComments("widget", n)
	if len(got) != 1 || got[0].ID == comments[0].ID || !strings.Contains(got[0].Body, "Bob <bob@example.org>") {
		t.Fatalf("after deleting the comment: %+v", got)
	}
	s.prEvent("widget", n, "edited")
	if again := s.botComments("widget", n); len(again) != 1 || again[0].ID != got[0].ID {
		t.Fatalf("re-run: %+v", again)
	}
}
