package server_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/ospo-bot/ospo-bot/internal/config"
	"github.com/ospo-bot/ospo-bot/internal/jobs"
	"github.com/ospo-bot/ospo-bot/internal/server"
	"github.com/ospo-bot/ospo-bot/internal/store"
)

// TestExemptionExpires: an exemption "until" a day holds: the rule shows
// exempt with its last day, and an approval closes the review. A date
// already past is refused with a reply and records nothing. The accepted
// exemption schedules one check at its expiry (a second delivery of the
// comment adds none); run early with the checks' clock past the expiry,
// it finds the licence failing anew and reopens the review.
func TestExemptionExpires(t *testing.T) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) { testExemptionExpires(t, d) })
	}
}

func testExemptionExpires(t *testing.T, d store.Dialect) {
	var ahead atomic.Int64 // how far the checks' clock is ahead of the real one
	s := newScenarioOn(t, d, orgPolicy, func(_ *config.Config, o *server.Options) {
		o.Now = func() time.Time { return time.Now().Add(time.Duration(ahead.Load())) }
	})
	ctx := context.Background()
	s.deliver("repository", s.repoPayload("created"))
	s.until("a review issue is opened", func() bool { return len(s.reviewIssues()) > 0 })
	issue := s.theReviewIssue()

	last := time.Now().UTC().AddDate(0, 0, 7).Format(time.DateOnly)
	expires, _ := time.Parse(time.DateOnly, last)
	expires = expires.AddDate(0, 0, 1)
	exempt := s.comment("lead", "ospo", issue.Number, "/ospo exempt license until "+last+" vendored code, relicensed next week")
	s.until("license shows exempt through its last day", func() bool {
		return strings.Contains(s.theReviewIssue().Body, "➖ **license** (enforce): exempt by @lead on ") &&
			strings.Contains(s.theReviewIssue().Body, " through "+last+": vendored code")
	})
	s.comment("lead", "ospo", issue.Number, "/ospo approve")
	s.until("the review is closed", func() bool { return s.theReviewIssue().State == "closed" })

	// A date already gone: refused, nothing recorded.
	before, err := s.App.Store.ReviewDecisions(ctx, s.widget.ID)
	if err != nil {
		t.Fatal(err)
	}
	s.comment("lead", "ospo", issue.Number, "/ospo exempt files until 2020-01-31 long ago")
	comments := s.GitHub.Comments("acme", "ospo", issue.Number)
	if reply := comments[len(comments)-1].Body; !strings.Contains(reply, "`2020-01-31` has passed: an exemption holds through a day from today") ||
		!strings.Contains(reply, "nothing in them was done") {
		t.Fatalf("reply to a past date: %q", reply)
	}
	if after, _ := s.App.Store.ReviewDecisions(ctx, s.widget.ID); len(after) != len(before) {
		t.Fatalf("a past date recorded decisions: %+v", after)
	}

	log, err := s.App.Store.AuditLog(ctx, "acme/widget")
	if err != nil || len(log) == 0 || log[0].Action != "exempt license until "+last {
		t.Fatalf("audit %+v, %v", log, err)
	}

	// One check scheduled at the expiry, even when the comment comes again.
	body, err := s.GitHub.IssueCommentEvent(s.inst.ID, "acme", "ospo", exempt, "created", "lead", nil)
	if err != nil {
		t.Fatal(err)
	}
	s.deliverJSON("issue_comment", body) // a new delivery of the same comment
	s.settled()
	scheduled := s.expiryChecks()
	if len(scheduled) != 1 || !scheduled[0].ScheduledAt.Equal(expires) || scheduled[0].State != rivertype.JobStateScheduled {
		t.Fatalf("expiry checks %+v, want one scheduled at %s", scheduled, expires)
	}
	if s.theReviewIssue().State != "closed" {
		t.Fatal("the review reopened before the expiry")
	}

	// The expiry passes: the check runs now, with its clock a minute past.
	ahead.Store(int64(time.Until(expires) + time.Minute))
	if _, err := s.App.Queue.Client().JobRetry(ctx, scheduled[0].ID); err != nil {
		t.Fatal(err)
	}
	s.settled()
	if j, err := s.App.Queue.Client().JobGet(ctx, scheduled[0].ID); err != nil || j.State != rivertype.JobStateCompleted {
		t.Fatalf("the expiry check: %+v, %v", j, err)
	}
	s.until("the review reopens with the licence failing", func() bool {
		is := s.theReviewIssue()
		return is.State == "open" && strings.Contains(is.Body, "❌ **license** (enforce)") && strings.Contains(is.Body, "license failed after @lead approved it")
	})
}

// expiryChecks are the checks scheduled at exemptions' expiries.
func (s *scenario) expiryChecks() []*rivertype.JobRow {
	s.t.Helper()
	res, err := s.App.Queue.Client().JobList(context.Background(), river.NewJobListParams().Kinds(jobs.CheckRepositoryArgs{}.Kind()).First(100))
	if err != nil {
		s.t.Fatal(err)
	}
	var out []*rivertype.JobRow
	for _, j := range res.Jobs {
		if strings.Contains(string(j.EncodedArgs), `"expiry"`) {
			out = append(out, j)
		}
	}
	return out
}
