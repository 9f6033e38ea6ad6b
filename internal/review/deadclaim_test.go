package review

import (
	"context"
	"testing"

	"github.com/ospo-bot/ospo-bot/internal/appbot"
	"github.com/ospo-bot/ospo-bot/internal/policy"
	"github.com/ospo-bot/ospo-bot/internal/rules"
	"github.com/ospo-bot/ospo-bot/internal/store"
	"github.com/ospo-bot/ospo-bot/internal/store/storetest"
)

// A replica killed after it claimed a repository's review issue and
// before it opened it leaves a claim without an issue. The job's next
// attempt, which holds the repository's lease as every check does, opens
// the issue at once: it does not wait for the dead claim to go stale (the
// chaos test found a 2-minute stall).
func TestDeadClaimDoesNotStallTheRetry(t *testing.T) {
	ctx := context.Background()
	rf := newReviewFake(t)
	app, f, widget, inst := rf.app, rf.f, rf.widget, rf.inst
	st := storetest.Open(t, store.SQLite)
	// The dead attempt's claim.
	if _, claimed, err := st.ClaimReviewIssue(ctx, store.ReviewIssue{RepositoryID: widget.ID, InstallationID: inst.ID, Repository: "acme/widget", ReviewRepo: "acme/ospo"}); err != nil || !claimed {
		t.Fatalf("claim: %v %v", claimed, err)
	}
	m := &Manager{Store: st, Bot: appbot.New(app.Clients)}
	rep := Report{Snapshot: &rules.Snapshot{ID: widget.ID, Owner: "acme", Name: "widget", HTMLURL: "https://github.com/acme/widget"},
		Flagged: true, Reasons: []string{"it is public and not approved"},
		Findings: []rules.Finding{{Rule: "license", Mode: policy.Enforce, Result: rules.Fail, Message: "no LICENSE file"}}}
	target := Target{InstallationID: inst.ID, Repo: "acme/ospo", Label: "ospo-review"}
	if err := m.Sync(ctx, app.Installation(t, inst.ID), target, rep); err != nil {
		t.Fatalf("the retry: %v", err)
	}
	if is := f.Issues("acme", "ospo"); len(is) != 1 {
		t.Fatalf("issues after the retry: %+v", is)
	}
}
