package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/ospo-bot/ospo-bot/internal/store"
	"github.com/ospo-bot/ospo-bot/internal/store/storetest"
)

func TestPullRequestResultsAndWithdrawals(t *testing.T) {
	ctx := context.Background()
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			s := storetest.Open(t, d)
			ref := store.PullRequestRef{InstallationID: 7, Repository: "acme/widget", Number: 3}
			for _, r := range []store.PullRequestResult{
				{PullRequestRef: ref, HeadSHA: "aaa", Conclusion: "failure"},
				{PullRequestRef: ref, HeadSHA: "bbb", BaseRef: "main", Conclusion: "success"}, // a new head replaces the old
				{PullRequestRef: store.PullRequestRef{InstallationID: 7, Repository: "acme/widget", Number: 4}, HeadSHA: "bbb", Conclusion: "neutral"},
			} {
				if err := s.SavePullRequestResult(ctx, r); err != nil {
					t.Fatal(err)
				}
			}
			if old, err := s.PullRequestsAt(ctx, "acme/widget", "aaa"); err != nil || len(old) != 0 {
				t.Fatalf("at the old head: %v, %v", old, err)
			}
			at, err := s.PullRequestsAt(ctx, "acme/widget", "bbb")
			if err != nil || len(at) != 2 || at[0].Number != 3 || !at[0].Passed() || !at[1].Passed() || at[0].InstallationID != 7 || at[0].BaseRef != "main" {
				t.Fatalf("at bbb: %+v, %v", at, err)
			}

			if err := s.SavePathApproval(ctx, ref, store.PathApproval{CommentID: 11, Login: "lead", HeadSHA: "bbb", At: time.Now()}); err != nil {
				t.Fatal(err)
			}
			audit := func(a store.PathApproval) store.AuditEntry {
				return store.AuditEntry{Actor: "lead", Action: "withdraw approve protected paths", Subject: "acme/widget#3", Reason: a.HeadSHA}
			}
			for i, want := range []bool{true, false} {
				if had, err := s.WithdrawPathApproval(ctx, ref, 11, audit); err != nil || had != want {
					t.Fatalf("withdraw %d: %v, %v", i, had, err)
				}
			}
			if log, _ := s.AuditLog(ctx, "acme/widget#3"); len(log) != 1 || log[0].Reason != "bbb" {
				t.Fatalf("audit %+v", log)
			}
			if err := s.ReplaceCommentDecisions(ctx, 21, []store.ReviewDecision{{RepositoryID: 5, Actor: "lead", Verb: "approve", Failing: []string{"license"}, At: time.Now()}}); err != nil {
				t.Fatal(err)
			}
			gone, err := s.WithdrawCommentDecisions(ctx, 21, func(store.ReviewDecision) bool { return false }, func(d store.ReviewDecision) store.AuditEntry {
				return store.AuditEntry{Actor: "lead", Action: "withdraw " + d.Verb, Subject: "acme/gadget"}
			})
			if err != nil || len(gone) != 1 || gone[0].Verb != "approve" || gone[0].RepositoryID != 5 || gone[0].Failing[0] != "license" {
				t.Fatalf("withdrawn %+v, %v", gone, err)
			}
			if left, _ := s.ReviewDecisions(ctx, 5); len(left) != 0 {
				t.Fatalf("left %+v", left)
			}
			if log, _ := s.AuditLog(ctx, "acme/gadget"); len(log) != 1 || log[0].Action != "withdraw approve" {
				t.Fatalf("audit %+v", log)
			}
		})
	}
}
