package store_test

import (
	"context"
	"testing"

	"github.com/ospo-bot/ospo-bot/internal/store"
	"github.com/ospo-bot/ospo-bot/internal/store/storetest"
)

func TestDeletePullRequestResult(t *testing.T) {
	ctx := context.Background()
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			s := storetest.Open(t, d)
			for _, n := range []int{3, 4} {
				if err := s.SavePullRequestResult(ctx, store.PullRequestResult{PullRequestRef: store.PullRequestRef{InstallationID: 7, Repository: "acme/widget", Number: n}, HeadSHA: "bbb", Conclusion: "failure"}); err != nil {
					t.Fatal(err)
				}
			}
			for range 2 { // forgetting twice is no error
				if err := s.DeletePullRequestResult(ctx, "acme/widget", 3); err != nil {
					t.Fatal(err)
				}
			}
			if at, err := s.PullRequestsAt(ctx, "acme/widget", "bbb"); err != nil || len(at) != 1 || at[0].Number != 4 {
				t.Fatalf("after #3 is forgotten: %+v, %v", at, err)
			}
		})
	}
}
