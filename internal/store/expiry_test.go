package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/ospo-bot/ospo-bot/internal/store"
	"github.com/ospo-bot/ospo-bot/internal/store/storetest"
)

// TestDecisionExpiryRoundTrip: an exemption's expiry is kept by a new
// comment's decisions and an edit's, and read back by every reader of
// review decisions; a decision without one reads back zero.
func TestDecisionExpiryRoundTrip(t *testing.T) {
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			s := storetest.Open(t, d)
			ctx := context.Background()
			at := time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)
			expires := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
			if _, _, err := s.ClaimReviewIssue(ctx, store.ReviewIssue{RepositoryID: 1, InstallationID: 9, Repository: "acme/widget", ReviewRepo: "acme/ospo"}); err != nil {
				t.Fatal(err)
			}
			if err := s.ReplaceCommentDecisions(ctx, 7, []store.ReviewDecision{
				{Seq: 0, RepositoryID: 1, Actor: "lead", Verb: "exempt", Rule: "files", Reason: "wiki", At: at, Expires: expires},
				{Seq: 1, RepositoryID: 1, Actor: "lead", Verb: "exempt", Rule: "topics", Reason: "later", At: at},
			}); err != nil {
				t.Fatal(err)
			}
			if _, err := s.ApplyReviewEdit(ctx, store.ReviewEdit{CommentID: 7, Key: "k",
				Add: []store.ReviewDecision{{RepositoryID: 1, Actor: "lead", Verb: "exempt", Rule: "license", Reason: "x", At: at, Expires: expires.AddDate(0, 1, 0)}}}); err != nil {
				t.Fatal(err)
			}
			want := map[string]time.Time{"files": expires, "topics": {}, "license": expires.AddDate(0, 1, 0)}
			check := func(reader string, ds []store.ReviewDecision) {
				t.Helper()
				if len(ds) != 3 {
					t.Fatalf("%s: %d decisions, want 3", reader, len(ds))
				}
				for _, dd := range ds {
					if !dd.Expires.Equal(want[dd.Rule]) {
						t.Errorf("%s: %s expires %v, want %v", reader, dd.Rule, dd.Expires, want[dd.Rule])
					}
				}
			}
			ds, err := s.ReviewDecisions(ctx, 1)
			if err != nil {
				t.Fatal(err)
			}
			check("ReviewDecisions", ds)
			org, err := s.OrgReviewDecisions(ctx, "acme", at.Add(time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			check("OrgReviewDecisions", org[1])
			gone, err := s.WithdrawCommentDecisions(ctx, 7, func(store.ReviewDecision) bool { return false },
				func(store.ReviewDecision) store.AuditEntry {
					return store.AuditEntry{Actor: "lead", Action: "withdraw", Subject: "acme/widget"}
				})
			if err != nil {
				t.Fatal(err)
			}
			check("WithdrawCommentDecisions", gone)
		})
	}
}
