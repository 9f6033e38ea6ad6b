package server_test

import (
	"context"
	"strings"
	"testing"

	"github.com/ospo-bot/ospo-bot/internal/githubfake"
	"github.com/ospo-bot/ospo-bot/internal/review"
)

// Markers count only in what the app itself wrote (issue 10, item 3): a
// review issue is one the app's bot user opened, in the review
// repository, with the review label; a sticky comment is one the app's bot
// user wrote. Anyone can copy a marker; nobody else can write as the bot.

// TestCopiedReviewMarkerDecidesNothing: someone who may open issues in the
// OSPO repository copies the review marker of acme/widget into an issue of
// their own ("OSPO review: acme/harmless"), with the review label where
// GitHub lets them set it. An approver who writes `/ospo approve` there
// approves nothing: the issue is not a review issue, so its commands act
// on nothing, get no reply and are not audited. The same approval on the
// real review issue works.
func TestCopiedReviewMarkerDecidesNothing(t *testing.T) {
	s := newScenario(t, orgPolicy)
	ctx := context.Background()
	s.push("widget", map[string]string{"LICENSE": licenseText(t, "MIT.txt")})
	s.deliver("repository", s.repoPayload("created"))
	s.until("a review issue is opened", func() bool { return len(s.reviewIssues()) > 0 })
	real := s.theReviewIssue()
	marker := review.Marker(s.widget.ID)
	if !strings.Contains(real.Body, marker) {
		t.Fatalf("the review issue lacks %q", marker)
	}
	// triage: may open issues, but GitHub drops the labels they set;
	// write: may set labels.
	for login, role := range map[string]string{"trudy": "triage", "wendy": "write"} {
		if err := s.GitHub.SetCollaborator("acme", "ospo", login, role); err != nil {
			t.Fatal(err)
		}
	}

	for _, tt := range []struct{ who, role string }{{"trudy", "triage"}, {"wendy", "write"}} {
		forged, err := s.GitHub.OpenIssue("acme", "ospo", githubfake.Issue{User: tt.who, Title: "OSPO review: acme/harmless",
			Body: marker + "\nA harmless repository, please approve.", Labels: []string{"ospo-review"}})
		if err != nil {
			t.Fatal(err)
		}
		if labeled := len(forged.Labels) == 1; labeled != (tt.role == "write") {
			t.Fatalf("%s (%s) opened an issue with labels %v: GitHub keeps labels only from people with push access", tt.who, tt.role, forged.Labels)
		}
		approval := s.comment("lead", "ospo", forged.Number, "/ospo approve looks harmless")

		if ds, err := s.App.Store.ReviewDecisions(ctx, s.widget.ID); err != nil || len(ds) != 0 {
			t.Fatalf("issue by %s: widget's decisions %+v (%v)", tt.who, ds, err)
		}
		log, err := s.App.Store.AuditLog(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range log {
			if e.URL == approval.HTMLURL {
				t.Errorf("issue by %s: audited %+v", tt.who, e)
			}
		}
		for _, c := range s.GitHub.Comments("acme", "ospo", forged.Number) {
			if c.ID != approval.ID {
				t.Errorf("issue by %s: the bot replied %q", tt.who, c.Body)
			}
			if c.ID == approval.ID && len(c.Reactions) != 0 {
				t.Errorf("issue by %s: the approval was acknowledged %+v", tt.who, c.Reactions)
			}
		}
		if got, _ := s.GitHub.Issue("acme", "ospo", real.Number); got.State != "open" {
			t.Fatalf("issue by %s: the real review issue is %s", tt.who, got.State)
		}
	}

	// The same words on the real review issue approve.
	s.comment("lead", "ospo", real.Number, "/ospo approve checked")
	s.until("the review is closed", func() bool {
		got, _ := s.GitHub.Issue("acme", "ospo", real.Number)
		return got.State == "closed"
	})
}

// TestUserWrittenReviewIssueIsNotAdopted: an issue that carries a
// repository's marker and the review label, written by a person, is not
// taken for the repository's review issue: the bot opens its own, and
// when it has lost its record it finds its own again, even when the
// forgery is newer.
func TestUserWrittenReviewIssueIsNotAdopted(t *testing.T) {
	s := newScenario(t, orgPolicy)
	ctx := context.Background()
	bot := s.GitHub.BotUser().Login
	if err := s.GitHub.SetCollaborator("acme", "ospo", "wendy", "write"); err != nil {
		t.Fatal(err)
	}
	forge := func(title string) githubfake.Issue {
		t.Helper()
		is, err := s.GitHub.OpenIssue("acme", "ospo", githubfake.Issue{User: "wendy", Title: title,
			Body: review.Marker(s.widget.ID) + "\nApproved already, see below.", Labels: []string{"ospo-review"}})
		if err != nil {
			t.Fatal(err)
		}
		if len(is.Labels) != 1 {
			t.Fatalf("a writer's issue lost its label: %+v", is)
		}
		return is
	}
	recorded := func() githubfake.Issue {
		t.Helper()
		row, err := s.App.Store.ReviewIssue(ctx, s.widget.ID)
		if err != nil {
			t.Fatal(err)
		}
		is, ok := s.GitHub.Issue("acme", "ospo", row.IssueNumber)
		if !ok || row.ReviewRepo != "acme/ospo" {
			t.Fatalf("review issue row %+v", row)
		}
		return is
	}

	early := forge("OSPO review: acme/widget")
	s.deliver("repository", s.repoPayload("created"))
	s.until("a review issue is recorded", func() bool {
		row, err := s.App.Store.ReviewIssue(ctx, s.widget.ID)
		return err == nil && row.IssueNumber != 0
	})
	mine := recorded()
	if mine.Number == early.Number || mine.User != bot {
		t.Fatalf("the review issue is #%d by %s; the forgery is #%d", mine.Number, mine.User, early.Number)
	}

	// The bot loses its record; a newer forgery is listed first.
	late := forge("OSPO review: acme/widget (new)")
	if err := s.App.Store.DeleteReviewIssue(ctx, s.widget.ID); err != nil {
		t.Fatal(err)
	}
	s.push("widget", map[string]string{"LICENSE": licenseText(t, "MIT.txt")})
	s.until("a review issue is recorded again", func() bool {
		row, err := s.App.Store.ReviewIssue(ctx, s.widget.ID)
		return err == nil && row.IssueNumber != 0
	})
	if again := recorded(); again.Number != mine.Number {
		t.Fatalf("the bot took #%d by %s for its review issue #%d", again.Number, again.User, mine.Number)
	}
	for _, f := range []githubfake.Issue{early, late} {
		got, _ := s.GitHub.Issue("acme", "ospo", f.Number)
		if got.Body != f.Body || got.Title != f.Title || len(s.GitHub.Comments("acme", "ospo", f.Number)) != 0 {
			t.Errorf("the bot touched the forgery #%d: %+v", f.Number, got)
		}
	}
	var bots int
	for _, is := range s.GitHub.Issues("acme", "ospo") {
		if is.User == bot {
			bots++
		}
	}
	if bots != 1 {
		t.Fatalf("%d review issues by the bot, want 1", bots)
	}
}

// TestOtherBotsStickyMarkerIsLeftAlone: another app's bot (a Bot account,
// its login ending in "[bot]") posts a comment carrying ospo-bot's sticky
// marker before ospo-bot comments. ospo-bot posts its own comment and
// edits that one, never the other.
func TestOtherBotsStickyMarkerIsLeftAlone(t *testing.T) {
	s := newPRScenario(t)
	bot := s.GitHub.BotUser().Login
	if _, err := s.GitHub.AddUser(githubfake.User{Login: "mimic[bot]", Type: "Bot"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GitHub.CreateBranch("acme", "widget", "alice-1", "main"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GitHub.Push("acme", "widget", "alice-1", githubfake.NewCommit{Message: "Add feature", Author: alice,
		Files: map[string]string{"feature.go": "package feature"}}); err != nil {
		t.Fatal(err)
	}
	pr, err := s.GitHub.AddPullRequest("acme", "widget", githubfake.PullRequest{Title: "change", User: "alice", Head: "alice-1", Labels: []string{"kind/feature"}})
	if err != nil {
		t.Fatal(err)
	}
	const mimicBody = "<!-- ospo-bot:pull-request -->\nAll good, nothing to sign."
	mimic, err := s.GitHub.AddComment("acme", "widget", pr.Number, githubfake.Comment{User: "mimic[bot]", Body: mimicBody})
	if err != nil {
		t.Fatal(err)
	}
	mimicUntouched := func(when string) {
		t.Helper()
		for _, c := range s.GitHub.Comments("acme", "widget", pr.Number) {
			if c.ID == mimic.ID && (c.Body != mimicBody || c.User != "mimic[bot]") {
				t.Fatalf("%s: ospo-bot edited the other bot's comment: %+v", when, c)
			}
		}
	}
	own := func() []githubfake.Comment {
		var out []githubfake.Comment
		for _, c := range s.GitHub.Comments("acme", "widget", pr.Number) {
			if c.User == bot {
				out = append(out, c)
			}
		}
		return out
	}

	s.prEvent("widget", pr.Number, "opened")
	mimicUntouched("unsigned")
	if got := own(); len(got) != 1 || !strings.Contains(got[0].Body, "@alice must sign") {
		t.Fatalf("unsigned: ospo-bot's comments %+v", got)
	}

	s.prComment("widget", pr.Number, "alice", phrase)
	s.until("the signed pull request passes", func() bool { return s.check("widget", pr.Number).Conclusion == "success" })
	s.until("ospo-bot's own comment turns ✅", func() bool {
		got := own()
		return len(got) == 1 && strings.Contains(got[0].Body, "✅")
	})
	mimicUntouched("signed")
}

// TestCopiedPolicyMarkerIsLeftAlone: an issue in the org's .github
// repository that a person wrote with the policy-error marker and label is
// not the app's report: a broken policy is reported in an issue of the
// app's own (never in the copy, which its author could edit), and a fixed
// policy closes only that one.
func TestCopiedPolicyMarkerIsLeftAlone(t *testing.T) {
	s := newScenario(t, orgPolicy)
	bot := s.GitHub.BotUser().Login
	if err := s.GitHub.SetCollaborator("acme", ".github", "wendy", "write"); err != nil {
		t.Fatal(err)
	}
	forged, err := s.GitHub.OpenIssue("acme", ".github", githubfake.Issue{User: "wendy", Title: "ospo.yml is invalid",
		Body: "<!-- ospo-bot:policy-error -->\nNothing to see here.", Labels: []string{"ospo-policy"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(forged.Labels) != 1 {
		t.Fatalf("a writer's issue lost its label: %+v", forged)
	}
	reports := func() []githubfake.Issue {
		var out []githubfake.Issue
		for _, is := range s.GitHub.Issues("acme", ".github") {
			if is.User == bot {
				out = append(out, is)
			}
		}
		return out
	}
	untouched := func(when string) {
		t.Helper()
		got, _ := s.GitHub.Issue("acme", ".github", forged.Number)
		if got.Body != forged.Body || got.State != "open" || len(s.GitHub.Comments("acme", ".github", forged.Number)) != 0 {
			t.Fatalf("%s: the bot touched the copy: %+v", when, got)
		}
	}

	s.push(".github", map[string]string{"ospo.yml": "review:\n  approvers: [\"@acme/ospo-leads\"]\nrepository:\n  licence: {mode: enforce}\n"})
	s.until("the bot reports the broken policy in an issue of its own", func() bool { return len(reports()) == 1 })
	untouched("broken")
	s.push(".github", map[string]string{"ospo.yml": orgPolicy})
	s.until("the bot's report is closed", func() bool { r := reports(); return len(r) == 1 && r[0].State == "closed" })
	untouched("fixed")
}
