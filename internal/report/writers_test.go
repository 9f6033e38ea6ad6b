package report_test

import (
	"context"
	"testing"
	"time"

	"github.com/ospo-bot/ospo-bot/internal/kpi"
	"github.com/ospo-bot/ospo-bot/internal/report"
	"github.com/ospo-bot/ospo-bot/internal/store"
	"github.com/ospo-bot/ospo-bot/internal/store/storetest"
)

// TestBuildReadsTheWriters writes history through the store's writers (as
// the bot records it) and checks the report reads it as the KPIs define:
// the row formats of both sides agree.
func TestBuildReadsTheWriters(t *testing.T) {
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			s := storetest.Open(t, d)
			h := func(hours float64) time.Time { return since.Add(time.Duration(hours * float64(time.Hour))) }
			must := func(err error) {
				t.Helper()
				if err != nil {
					t.Fatal(err)
				}
			}
			must(s.RecordRepositoryDay(ctx, store.RepositoryDay{RepositoryID: 1, InstallationID: 1, Org: "acme", Repository: "acme/api",
				InScope: true, Flagged: true, Failing: []string{"repository.license"}, License: "GPL-3.0-only",
				Results: map[string]string{"repository.license": "enforce/fail", "repository.codeowners": "enforce/pass"}, At: h(1)}))
			must(s.RecordRepositoryDay(ctx, store.RepositoryDay{RepositoryID: 2, InstallationID: 1, Org: "acme", Repository: "acme/web",
				InScope: true, Results: map[string]string{"repository.license": "enforce/pass"}, License: "MIT", At: h(1)}))
			pr := store.PullRequestFact{Repository: "acme/api", Number: 1, InstallationID: 1, Org: "acme", Author: "eve",
				AuthorAssociation: "FIRST_TIME_CONTRIBUTOR", OpenedAt: h(10), Opening: true}
			must(s.RecordPullRequestOpened(ctx, pr))
			must(s.RecordPullRequestResponse(ctx, "acme/api", 1, "eve", h(11))) // the author: no response
			must(s.RecordPullRequestResponse(ctx, "acme/api", 1, "ann", h(13)))
			must(s.RecordPullRequestClosed(ctx, "acme/api", 1, false, h(14)))
			must(s.RecordPullRequestReopened(ctx, "acme/api", 1, h(15)))
			must(s.RecordPullRequestClosed(ctx, "acme/api", 1, true, h(20)))
			must(s.SaveSignature(ctx, store.Signature{Org: "acme", UserID: 9, Login: "eve", Version: "1", SignedAt: h(12), Key: "sig 1"}))

			r, err := report.Build(ctx, s, report.Options{Org: "acme", Since: since, Until: until, Now: now})
			if err != nil {
				t.Fatal(err)
			}
			k := r.KPIs
			if k.Compliance != (kpi.Ratio{Num: 1, Den: 2}) || k.ComplianceByRule["repository.codeowners"] != (kpi.Ratio{Num: 1, Den: 1}) {
				t.Errorf("compliance %+v by rule %+v", k.Compliance, k.ComplianceByRule)
			}
			if k.OSIApproved != (kpi.Ratio{Num: 2, Den: 2}) {
				t.Errorf("OSI approved %+v", k.OSIApproved)
			}
			if k.TimeToFirstResponse != (kpi.Durations{N: 1, P50: 3 * time.Hour, P90: 3 * time.Hour}) {
				t.Errorf("time to first response %+v", k.TimeToFirstResponse)
			}
			// Closed, reopened, merged: one close, 10h after opening.
			if k.TimeToClose != (kpi.Durations{N: 1, P50: 10 * time.Hour, P90: 10 * time.Hour}) || k.ChangeRequestClosure != (kpi.Ratio{Num: 1, Den: 1}) {
				t.Errorf("time to close %+v, closure %+v", k.TimeToClose, k.ChangeRequestClosure)
			}
			if k.ExternalContributions != 1 || k.FirstTimeContributors != 1 || k.CLASigners != 1 || len(k.AbsenceFactor) != 1 {
				t.Errorf("external %d, first-time %d, signers %d, factors %+v", k.ExternalContributions, k.FirstTimeContributors, k.CLASigners, k.AbsenceFactor)
			}
		})
	}
}
