package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/ospo-bot/ospo-bot/internal/store"
	"github.com/ospo-bot/ospo-bot/internal/store/storetest"
)

// An allowance is recorded once per comment and package, whatever
// redelivers it; deleting the comment withdraws every allowance it gave,
// each audited, once; an edit adds and withdraws them with the edit's
// other changes, once.
func TestPackageAllowances(t *testing.T) {
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			s := storetest.Open(t, d)
			ctx := context.Background()
			pr := store.PullRequestRef{InstallationID: 1, Repository: "acme/widget", Number: 3}
			other := store.PullRequestRef{InstallationID: 1, Repository: "acme/widget", Number: 4}
			at := time.Now().UTC().Truncate(time.Second)
			a := store.PackageAllowance{CommentID: 9, Package: "pkg:npm/left-pad@1.3.0", Login: "lead", Reason: "vetted", URL: "https://github.com/acme/widget/pull/3#issuecomment-9", At: at}
			for range 2 { // a redelivery
				if err := s.SavePackageAllowance(ctx, pr, a); err != nil {
					t.Fatal(err)
				}
			}
			b := a
			b.Package, b.Reason = "pkg:npm/@acme/*", "ours"
			if err := s.SavePackageAllowance(ctx, pr, b); err != nil {
				t.Fatal(err)
			}
			if err := s.SavePackageAllowance(ctx, other, a); err != nil {
				t.Fatal(err)
			}
			got, err := s.PackageAllowances(ctx, pr.Repository, pr.Number)
			if err != nil || len(got) != 2 || got[0].Package != "pkg:npm/@acme/*" || got[1].Reason != "vetted" || !got[1].At.Equal(at) || got[1].URL != a.URL {
				t.Fatalf("allowances %+v, %v", got, err)
			}

			// An edit: withdraw one, add another; applied once.
			edit := store.PathApprovalEdit{PullRequest: pr, CommentID: 9, Key: store.EditKey(9, at, true, "x", "y"),
				Disallow: []store.PackageAllowance{{Package: "pkg:npm/@acme/*"}},
				Allow:    []store.PackageAllowance{{Package: "pkg:cargo/ring", Login: "lead2", Reason: "ISC-ish", At: at}},
				Audit:    []store.AuditEntry{{Actor: "lead2", Action: "allow package", Subject: "acme/widget#3", Reason: "pkg:cargo/ring: ISC-ish"}}}
			for i, want := range []bool{true, false} {
				if applied, err := s.ApplyPathApprovalEdit(ctx, edit); err != nil || applied != want {
					t.Fatalf("application %d: %v %v", i+1, applied, err)
				}
			}
			got, _ = s.PackageAllowances(ctx, pr.Repository, pr.Number)
			if len(got) != 2 || got[0].Package != "pkg:cargo/ring" || got[0].Login != "lead2" || got[1].Package != a.Package {
				t.Fatalf("after the edit: %+v", got)
			}

			// Deleted: withdrawn and audited, once.
			audit := func(a store.PackageAllowance) store.AuditEntry {
				return store.AuditEntry{InstallationID: 1, Actor: "mallory", Action: "withdraw allow package", Subject: "acme/widget#3", Reason: a.Package}
			}
			for i, want := range []bool{true, false} {
				if had, err := s.WithdrawPackageAllowances(ctx, pr, 9, audit); err != nil || had != want {
					t.Fatalf("withdrawal %d: %v %v", i+1, had, err)
				}
			}
			if got, _ := s.PackageAllowances(ctx, pr.Repository, pr.Number); len(got) != 0 {
				t.Fatalf("left after the withdrawal: %+v", got)
			}
			if got, _ := s.PackageAllowances(ctx, other.Repository, other.Number); len(got) != 1 {
				t.Fatalf("the other pull request's: %+v", got)
			}
			log, err := s.AuditLog(ctx, "acme/widget#3")
			if err != nil || len(log) != 3 {
				t.Fatalf("audit %+v %v", log, err)
			}
		})
	}
}
