package plan_test

import (
	"testing"
	"time"

	"github.com/ospo-bot/ospo-bot/internal/plan"
	"github.com/ospo-bot/ospo-bot/internal/policy"
	"github.com/ospo-bot/ospo-bot/internal/review"
	"github.com/ospo-bot/ospo-bot/internal/rules"
	"github.com/ospo-bot/ospo-bot/internal/snapshot"
)

// TestEvaluateExpiredExemption: the plan reads the review's exemptions at
// its time: those expired by then no longer hold the failing rules back.
func TestEvaluateExpiredExemption(t *testing.T) {
	pol := policy.Policy{}.WithDefaults()
	s := &rules.Snapshot{ID: 1, Owner: "acme", Name: "widget", Private: true}
	r := &plan.Repository{ID: 1, Name: "acme/widget", Snapshot: s, Gathered: snapshot.Gathered(pol.Repository, s)}
	expires := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	st := review.State{Status: review.Pending, Exemptions: map[string]review.Decision{}}
	for _, f := range rules.Evaluate(s, pol.Repository) {
		if f.Failing() {
			st.Exemptions[f.Rule] = review.Decision{Actor: "lead", Verb: review.Exempt, Rule: f.Rule, Reason: "r", Expires: expires}
		}
	}
	if len(st.Exemptions) == 0 {
		t.Fatal("nothing fails: no rule to exempt")
	}
	if out := plan.Evaluate(r, pol, st, expires.Add(-time.Second)); out.Flagged || out.MaybeFlagged {
		t.Fatalf("before the expiry: %+v", out)
	}
	if out := plan.Evaluate(r, pol, st, expires); !out.Flagged {
		t.Fatalf("after the expiry: %+v", out)
	}
}
