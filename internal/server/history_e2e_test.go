package server_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-github/v66/github"

	"github.com/ospo-bot/ospo-bot/internal/githubfake"
	"github.com/ospo-bot/ospo-bot/internal/store"
)

const historyPolicy = `review:
  repository: acme/ospo
  approvers: ["@acme/ospo-leads"]
repository:
  license: {mode: enforce, allowed: [Apache-2.0, MIT]}
  codeowners: {mode: off}
  files: {mode: warn, required: [README]}
pull_request:
  cla: {mode: enforce, document: "https://acme.example/cla", version: "1"}
`

// history is what the history tables hold, as text to compare; the
// repository days without checked_at, which a re-check of the same day
// moves on.
func (s *scenario) history() string {
	s.t.Helper()
	var b strings.Builder
	for _, q := range []string{
		`SELECT repository_id, day, org, repository, private, in_scope, flagged, failing, results, license FROM repository_days ORDER BY repository_id, day`,
		`SELECT event_key, repository_id, org, repository, kind, actor, verb, rule, at FROM review_events ORDER BY event_key`,
		`SELECT event_key, org, user_id, login, kind, version, at FROM cla_events ORDER BY event_key`,
		`SELECT repository, number, org, repository_id, author, author_id, author_association, author_bot, opened_at,
			first_response_at, first_responder, closed_at, merged, reopened, cla_blocked_at, cla_unblocked_at, updated_at
			FROM pull_request_facts ORDER BY repository, number`,
	} {
		rows, err := s.App.Store.DB.Query(q)
		if err != nil {
			s.t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				s.t.Fatal(err)
			}
			for i, v := range vals {
				if bs, ok := v.([]byte); ok {
					v = string(bs)
				}
				fmt.Fprintf(&b, "%s=%v ", cols[i], v)
			}
			b.WriteString("\n")
		}
		rows.Close()
		b.WriteString("--\n")
	}
	return b.String()
}

func TestHistoryIsRecordedAsEventsArrive(t *testing.T) {
	s := newScenario(t, historyPolicy)
	db := s.App.Store.DB
	for _, u := range []string{"alice", "bob"} {
		if _, err := s.GitHub.AddUser(githubfake.User{Login: u, Emails: []string{u + "@example.org"}}); err != nil {
			t.Fatal(err)
		}
	}

	// A repository without a license: its day is recorded, flagged, and
	// its review issue opened.
	s.deliver("repository", s.repoPayload("created"))
	s.until("a review issue is opened", func() bool { return len(s.reviewIssues()) > 0 })
	issue := s.theReviewIssue()
	s.settled()
	var flagged, inScope bool
	var failing, results, license string
	if err := db.QueryRow(`SELECT flagged, in_scope, failing, results, license FROM repository_days WHERE repository = 'acme/widget'`).
		Scan(&flagged, &inScope, &failing, &results, &license); err != nil {
		t.Fatal(err)
	}
	if !flagged || !inScope || failing != "license" || license != "" ||
		!strings.Contains(results, `"license":"enforce/fail"`) || !strings.Contains(results, `"files":"warn/pass"`) {
		t.Fatalf("repository day: flagged %v in scope %v failing %q results %s license %q", flagged, inScope, failing, results, license)
	}

	// bob answers first. Someone closes the issue by hand; the next check
	// reopens it. The lead exempts a rule by editing a comment, then
	// approves: the review's first response, its reopening, its two
	// decisions and its close.
	response := s.comment("bob", "ospo", issue.Number, "Looking into the license.")
	if _, _, err := s.admin.Issues.Edit(context.Background(), "acme", "ospo", issue.Number, &github.IssueRequest{State: github.String("closed")}); err != nil {
		t.Fatal(err)
	}
	s.push("widget", map[string]string{"docs/notes.md": "notes"})
	s.until("the review is reopened", func() bool { return s.theReviewIssue().State == "open" })
	s.GitHub.Advance(time.Minute)
	note := s.comment("lead", "ospo", issue.Number, "Let me look.")
	s.editComment("ospo", issue.Number, note, "Let me look.\n/ospo exempt files the README is in the wiki", "lead")
	s.comment("lead", "ospo", issue.Number, "/ospo approve ship it")
	s.until("the review is closed", func() bool { return s.theReviewIssue().State == "closed" })
	s.settled()
	var events []string
	rows, err := db.Query(`SELECT kind, actor, verb, rule, at FROM review_events WHERE repository = 'acme/widget' ORDER BY kind, verb`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var kind, actor, verb, rule string
		var at int64
		if err := rows.Scan(&kind, &actor, &verb, &rule, &at); err != nil {
			t.Fatal(err)
		}
		if kind == store.ReviewResponded && at != response.CreatedAt.Unix() {
			t.Errorf("first response at %d, want bob's comment's time %d", at, response.CreatedAt.Unix())
		}
		if kind != store.ReviewDecided && kind != store.ReviewResponded {
			actor = "" // the bot
		}
		events = append(events, strings.Join(strings.Fields(kind+" "+actor+" "+verb+" "+rule), " "))
	}
	rows.Close()
	want := "closed | decided lead approve | decided lead exempt files | opened | reopened | responded bob"
	if got := strings.Join(events, " | "); got != want {
		t.Fatalf("review events:\n%s\nwant\n%s", got, want)
	}
	if n := rowCount(t, db, `SELECT COUNT(*) FROM repository_days WHERE repository = 'acme/widget' AND flagged = FALSE`); n != 1 {
		t.Errorf("the day's last check (approved) did not win")
	}

	// A pull request by alice, who has not signed the CLA: blocked until
	// she signs. bob's comment is its first response; alice's own and the
	// lead's later review are not.
	change := githubfake.NewCommit{Message: "Add feature", Author: alice, Files: map[string]string{"feature.go": "package feature"}}
	n := s.openPR("widget", "alice-1", "alice", nil, change)
	s.settled()
	var blocked int64
	if err := db.QueryRow(`SELECT cla_blocked_at FROM pull_request_facts WHERE repository = 'acme/widget' AND number = $1`, n).Scan(&blocked); err != nil || blocked == 0 {
		t.Fatalf("cla_blocked_at = %d, %v", blocked, err)
	}
	first := s.prComment("widget", n, "bob", "Thanks! Please sign the CLA.")
	s.prComment("widget", n, "alice", phrase)
	s.until("the signed pull request passes", func() bool { return s.check("widget", n).Conclusion == "success" })
	rv, err := s.GitHub.AddReview("acme", "widget", n, githubfake.Review{User: "lead", State: "APPROVED"})
	if err != nil {
		t.Fatal(err)
	}
	s.reviewEvent("widget", n, "submitted", rv, "lead")
	closed := s.prPayload("widget", n, "closed")
	at := github.Timestamp{Time: rv.SubmittedAt.Add(time.Hour)}
	closed.PullRequest.State, closed.PullRequest.ClosedAt, closed.PullRequest.MergedAt, closed.PullRequest.Merged = github.String("closed"), &at, &at, github.Bool(true)
	s.deliver("pull_request", closed)
	s.settled()

	var author, association, responder string
	var opened, responded, closedAt, unblocked int64
	var merged bool
	if err := db.QueryRow(`SELECT author, author_association, first_responder, opened_at, first_response_at, closed_at, merged, cla_unblocked_at
		FROM pull_request_facts WHERE repository = 'acme/widget' AND number = $1`, n).
		Scan(&author, &association, &responder, &opened, &responded, &closedAt, &merged, &unblocked); err != nil {
		t.Fatal(err)
	}
	if author != "alice" || association == "" || responder != "bob" || responded != first.CreatedAt.Unix() ||
		closedAt != at.Unix() || !merged || unblocked < blocked || opened == 0 {
		t.Fatalf("facts: author %s (%s) opened %d, first response %s at %d (want bob at %d), closed %d merged %v, CLA blocked %d unblocked %d",
			author, association, opened, responder, responded, first.CreatedAt.Unix(), closedAt, merged, blocked, unblocked)
	}
	if n := rowCount(t, db, `SELECT COUNT(*) FROM cla_events WHERE login = 'alice' AND kind = 'signed' AND version = '1'`); n != 1 {
		t.Fatalf("%d signature events, want 1", n)
	}

	// Every webhook again: as a redelivery (the same delivery ID) it is a
	// duplicate; sent anew (a new ID, the same payload) it is processed
	// and writes no history twice.
	before := s.history()
	t.Logf("history:\n%s", before)
	for i, d := range s.sent {
		if code, msg := deliver(t, s.URL, d.event, d.id, d.body, nil); code != http.StatusOK || !strings.HasPrefix(msg, "duplicate") {
			t.Fatalf("redelivery of %s %s: %d %s", d.event, d.id, code, msg)
		}
		id := fmt.Sprintf("%s-anew-%d", d.id, i)
		if code, msg := deliver(t, s.URL, d.event, id, d.body, nil); code != http.StatusOK {
			t.Fatalf("%s sent anew: %d %s", d.event, code, msg)
		}
		s.wait(id)
	}
	s.settled()
	if after := s.history(); after != before {
		t.Fatalf("the same webhooks again changed the history:\nbefore:\n%s\nafter:\n%s", before, after)
	}

	// Deleted, the repository is out of scope from today.
	s.deliver("repository", s.repoPayload("deleted"))
	if n := rowCount(t, db, `SELECT COUNT(*) FROM repository_days WHERE repository = 'acme/widget' AND in_scope = FALSE AND results = '' AND failing = ''`); n != 1 {
		t.Fatalf("the deleted repository's day: %d rows out of scope\n%s", n, s.history())
	}
}

func rowCount(t *testing.T, db *sql.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := db.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
