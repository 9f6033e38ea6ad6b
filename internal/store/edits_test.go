package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/ospo-bot/ospo-bot/internal/store"
	"github.com/ospo-bot/ospo-bot/internal/store/storetest"
)

// An edit applies once: applied again (a redelivery, a retried job), it
// changes nothing and audits nothing.
func TestApplyEditOnce(t *testing.T) {
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			s := storetest.Open(t, d)
			ctx := context.Background()
			at := time.Now().UTC().Truncate(time.Second)
			if err := s.ReplaceCommentDecisions(ctx, 7, []store.ReviewDecision{
				{Seq: 0, RepositoryID: 1, Actor: "lead", Verb: "exempt", Rule: "files", Reason: "wiki", At: at},
				{Seq: 1, RepositoryID: 1, Actor: "lead", Verb: "approve", At: at},
			}); err != nil {
				t.Fatal(err)
			}
			key := store.EditKey(7, at.Add(time.Minute), true, "before", "after")
			edit := store.ReviewEdit{CommentID: 7, Key: key,
				Withdraw: []store.ReviewDecision{{Seq: 1}},
				Add:      []store.ReviewDecision{{RepositoryID: 1, Actor: "lead2", Verb: "reject", Reason: "no", At: at.Add(time.Minute)}},
				Audit:    []store.AuditEntry{{Actor: "lead2", Action: "withdraw approve", Subject: "acme/widget"}, {Actor: "lead2", Action: "reject", Subject: "acme/widget"}}}
			for i, want := range []bool{true, false} {
				applied, err := s.ApplyReviewEdit(ctx, edit)
				if err != nil || applied != want {
					t.Fatalf("application %d: applied %v, %v", i+1, applied, err)
				}
			}
			ds, err := s.ReviewDecisions(ctx, 1)
			if err != nil || len(ds) != 2 || ds[0].Actor != "lead" || ds[0].Verb != "exempt" || ds[1].Actor != "lead2" || ds[1].Seq != 2 {
				t.Fatalf("decisions %+v, %v", ds, err)
			}
			if log, _ := s.AuditLog(ctx, "acme/widget"); len(log) != 2 {
				t.Fatalf("audit %+v", log)
			}
			if other := store.EditKey(7, at.Add(time.Minute), false, "before", "after"); other == key {
				t.Fatal("an edit whose text before is unknown has the key of one whose text is known")
			}
		})
	}
}

// One comment may hold several approvals of protected paths, each its
// writer's; deleting the comment withdraws them all.
func TestSeveralApprovalsInOneComment(t *testing.T) {
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			s := storetest.Open(t, d)
			ctx := context.Background()
			pr := store.PullRequestRef{InstallationID: 1, Repository: "acme/widget", Number: 3}
			at := time.Now().UTC().Truncate(time.Second)
			if err := s.SavePathApproval(ctx, pr, store.PathApproval{CommentID: 9, Login: "lead", HeadSHA: "a", At: at}); err != nil {
				t.Fatal(err)
			}
			applied, err := s.ApplyPathApprovalEdit(ctx, store.PathApprovalEdit{PullRequest: pr, CommentID: 9, Key: "k",
				Add: []store.PathApproval{{Login: "lead2", HeadSHA: "b", At: at.Add(time.Second)}}})
			if err != nil || !applied {
				t.Fatalf("applied %v, %v", applied, err)
			}
			as, err := s.PathApprovals(ctx, pr.Repository, pr.Number)
			if err != nil || len(as) != 2 || as[0].Login != "lead" || as[1].Login != "lead2" || as[1].Seq != 1 {
				t.Fatalf("approvals %+v, %v", as, err)
			}
			var audited []string
			had, err := s.WithdrawPathApproval(ctx, pr, 9, func(a store.PathApproval) store.AuditEntry {
				audited = append(audited, a.Login)
				return store.AuditEntry{Actor: "x", Action: "withdraw", Subject: "s"}
			})
			if err != nil || !had || len(audited) != 2 {
				t.Fatalf("withdrawn %v (%v), audited %v", had, err, audited)
			}
			if as, _ := s.PathApprovals(ctx, pr.Repository, pr.Number); len(as) != 0 {
				t.Fatalf("left %+v", as)
			}
		})
	}
}
