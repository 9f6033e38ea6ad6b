package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/ospo-bot/ospo-bot/internal/store"
	"github.com/ospo-bot/ospo-bot/internal/store/storetest"
)

func TestHistory(t *testing.T) {
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			s := storetest.Open(t, d)
			t.Run("repository days", func(t *testing.T) { testRepositoryDays(t, s) })
			t.Run("review events", func(t *testing.T) { testReviewEvents(t, s) })
			t.Run("cla events", func(t *testing.T) { testCLAEvents(t, s) })
			t.Run("pull request facts", func(t *testing.T) { testPullRequestFacts(t, s) })
			t.Run("cla blocking", func(t *testing.T) { testCLABlocking(t, s) })
		})
	}
}

var t0 = time.Date(2026, 9, 1, 10, 0, 0, 0, time.UTC)

func count(t *testing.T, s *store.Store, query string, args ...any) int {
	t.Helper()
	var n int
	if err := s.DB.QueryRowContext(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func testRepositoryDays(t *testing.T, s *store.Store) {
	ctx := context.Background()
	day := store.RepositoryDay{RepositoryID: 1, InstallationID: 7, Org: "acme", Repository: "acme/widget", InScope: true,
		Flagged: true, Failing: []string{"repository.license", "repository.codeowners"},
		Results: map[string]string{"repository.license": "enforce/fail", "repository.codeowners": "enforce/fail", "repository.files": "warn/pass"},
		License: "NOASSERTION", PolicyVersion: "v1", At: t0}
	must(t, s.RecordRepositoryDay(ctx, day))
	must(t, s.RecordRepositoryDay(ctx, day)) // again: the same row
	later := day
	later.At, later.Flagged, later.Failing, later.License = t0.Add(2*time.Hour), false, nil, "MIT"
	later.Results = map[string]string{"repository.license": "enforce/pass"}
	must(t, s.RecordRepositoryDay(ctx, later))
	must(t, s.RecordRepositoryDay(ctx, day)) // the morning's check, delivered late, loses
	next := later
	next.At = t0.Add(20 * time.Hour) // the next UTC day
	must(t, s.RecordRepositoryDay(ctx, next))

	if n := count(t, s, `SELECT COUNT(*) FROM repository_days WHERE repository_id = 1`); n != 2 {
		t.Fatalf("%d rows, want one a day (2)", n)
	}
	var flagged bool
	var failing, results, license string
	var dayStart, checked int64
	must(t, s.DB.QueryRowContext(ctx, `SELECT flagged, failing, results, license, day, checked_at FROM repository_days
		WHERE repository_id = 1 ORDER BY day LIMIT 1`).Scan(&flagged, &failing, &results, &license, &dayStart, &checked))
	if flagged || failing != "" || results != `{"repository.license":"enforce/pass"}` || license != "MIT" || checked != later.At.Unix() {
		t.Errorf("day row = %v %q %q %q %d, want the later check's", flagged, failing, results, license, checked)
	}
	if dayStart != time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC).Unix() {
		t.Errorf("day = %d, want the UTC midnight", dayStart)
	}
	// The failing list is sorted whatever the caller's order.
	must(t, s.RecordRepositoryDay(ctx, store.RepositoryDay{RepositoryID: 2, Org: "acme", Repository: "acme/b",
		Failing: []string{"z", "a"}, At: t0}))
	if n := count(t, s, `SELECT COUNT(*) FROM repository_days WHERE repository_id = 2 AND failing = 'a,z' AND in_scope = FALSE`); n != 1 {
		t.Errorf("failing not sorted or in_scope not kept false")
	}
}

func testReviewEvents(t *testing.T, s *store.Store) {
	ctx := context.Background()
	ev := func(key, kind, actor string, at time.Time) store.ReviewEvent {
		return store.ReviewEvent{Key: key, RepositoryID: 1, InstallationID: 7, Org: "acme", Repository: "acme/widget", Kind: kind, Actor: actor, At: at}
	}
	must(t, s.RecordReviewEvent(ctx, ev("review 1 issue 3 opened", store.ReviewOpened, "ospo-bot", t0)))
	must(t, s.RecordReviewEvent(ctx, ev("review 1 issue 3 opened", store.ReviewOpened, "ospo-bot", t0)))
	must(t, s.RecordReviewEvent(ctx, ev("review 1 issue 3 responded", store.ReviewResponded, "lead", t0.Add(time.Hour))))
	// An earlier response delivered late is the first response.
	must(t, s.RecordReviewEvent(ctx, ev("review 1 issue 3 responded", store.ReviewResponded, "other", t0.Add(time.Minute))))
	// A later one changes nothing.
	must(t, s.RecordReviewEvent(ctx, ev("review 1 issue 3 responded", store.ReviewResponded, "third", t0.Add(2*time.Hour))))
	d := ev("comment 9 command 0 approve", store.ReviewDecided, "lead", t0.Add(3*time.Hour))
	d.Verb = "approve"
	must(t, s.RecordReviewEvent(ctx, d))
	must(t, s.RecordReviewEvent(ctx, d))
	if n := count(t, s, `SELECT COUNT(*) FROM review_events`); n != 3 {
		t.Fatalf("%d events, want 3", n)
	}
	var actor string
	var at int64
	must(t, s.DB.QueryRowContext(ctx, `SELECT actor, at FROM review_events WHERE event_key = 'review 1 issue 3 responded'`).Scan(&actor, &at))
	if actor != "other" || at != t0.Add(time.Minute).Unix() {
		t.Errorf("first response = %s at %d, want other at the earliest", actor, at)
	}
	if n := count(t, s, `SELECT COUNT(*) FROM review_events WHERE kind = 'decided' AND verb = 'approve' AND actor = 'lead'`); n != 1 {
		t.Errorf("decision not recorded once")
	}
}

func testCLAEvents(t *testing.T, s *store.Store) {
	ctx := context.Background()
	sig := store.Signature{Org: "acme", UserID: 5, Login: "ada", Version: "2", SignedAt: t0, URL: "u", Key: "comment 1 cla sign"}
	must(t, s.SaveSignature(ctx, sig))
	must(t, s.SaveSignature(ctx, sig)) // redelivered
	had, err := s.RevokeSignatureEvent(ctx, store.CLAEvent{Key: "comment 2 cla revoke 5", Org: "acme", UserID: 5, Login: "ada", At: t0.Add(time.Hour)})
	must(t, err)
	if !had {
		t.Fatal("revoke found no signature")
	}
	// Revoked again (a redelivery): nothing to revoke, nothing recorded.
	had, err = s.RevokeSignatureEvent(ctx, store.CLAEvent{Key: "comment 3 cla revoke 5", Org: "acme", UserID: 5, Login: "ada", At: t0.Add(2 * time.Hour)})
	must(t, err)
	if had {
		t.Fatal("a second revoke found a signature")
	}
	// Without a key, the old calls record no event.
	must(t, s.SaveSignature(ctx, store.Signature{Org: "acme", UserID: 6, Login: "bob", SignedAt: t0}))
	must(t, s.RecordCLAEvent(ctx, store.CLAEvent{Key: "import 6", Org: "acme", UserID: 6, Login: "bob", Kind: store.CLASigned, At: t0}))
	must(t, s.RecordCLAEvent(ctx, store.CLAEvent{Key: "import 6", Org: "acme", UserID: 6, Login: "bob", Kind: store.CLASigned, At: t0}))
	if n := count(t, s, `SELECT COUNT(*) FROM cla_events`); n != 3 {
		t.Fatalf("%d CLA events, want 3 (signed, revoked, import)", n)
	}
	if n := count(t, s, `SELECT COUNT(*) FROM cla_events WHERE kind = 'revoked' AND user_id = 5 AND at = $1`, t0.Add(time.Hour).Unix()); n != 1 {
		t.Errorf("revocation not recorded")
	}
	if n := count(t, s, `SELECT COUNT(*) FROM cla_events WHERE kind = 'signed' AND version = '2' AND at = $1`, t0.Unix()); n != 1 {
		t.Errorf("signature event not recorded with its version and time")
	}
}

type facts struct {
	author, association, responder string
	opened, responded, closed      int64
	merged, bot                    bool
	reopened                       int
	blocked, unblocked             int64
}

func readFacts(t *testing.T, s *store.Store, repo string, number int) facts {
	t.Helper()
	var f facts
	must(t, s.DB.QueryRowContext(context.Background(), `SELECT author, author_association, first_responder, opened_at,
		first_response_at, closed_at, merged, author_bot, reopened, cla_blocked_at, cla_unblocked_at
		FROM pull_request_facts WHERE repository = $1 AND number = $2`, repo, number).
		Scan(&f.author, &f.association, &f.responder, &f.opened, &f.responded, &f.closed, &f.merged, &f.bot, &f.reopened, &f.blocked, &f.unblocked))
	return f
}

func testPullRequestFacts(t *testing.T, s *store.Store) {
	ctx := context.Background()
	const repo = "acme/widget"
	// Events before the row exists record nothing (and do not fail).
	must(t, s.RecordPullRequestResponse(ctx, repo, 1, "lead", t0))
	must(t, s.RecordPullRequestClosed(ctx, repo, 1, true, t0))
	if n := count(t, s, `SELECT COUNT(*) FROM pull_request_facts`); n != 0 {
		t.Fatalf("%d rows without an open", n)
	}
	pr := store.PullRequestFact{Repository: repo, Number: 1, InstallationID: 7, RepositoryID: 1, Org: "acme", Author: "Ada",
		AuthorID: 5, AuthorAssociation: "FIRST_TIME_CONTRIBUTOR", OpenedAt: t0}
	must(t, s.RecordPullRequestOpened(ctx, pr))
	must(t, s.RecordPullRequestOpened(ctx, pr))
	must(t, s.RecordPullRequestResponse(ctx, repo, 1, "ada", t0.Add(time.Minute))) // the author, in another case
	must(t, s.RecordPullRequestResponse(ctx, repo, 1, "lead", t0.Add(2*time.Hour)))
	must(t, s.RecordPullRequestResponse(ctx, repo, 1, "early", t0.Add(time.Hour))) // earlier, delivered late
	must(t, s.RecordPullRequestResponse(ctx, repo, 1, "late", t0.Add(3*time.Hour)))
	// A later event says what GitHub says of the author then: the
	// association at the opening stays; the opened event's wins.
	later := pr
	later.AuthorAssociation = "CONTRIBUTOR"
	must(t, s.RecordPullRequestOpened(ctx, later))
	if f := readFacts(t, s, repo, 1); f.association != "FIRST_TIME_CONTRIBUTOR" {
		t.Fatalf("association = %s, want the first recorded", f.association)
	}
	opening := pr
	opening.AuthorAssociation, opening.Opening = "NONE", true
	must(t, s.RecordPullRequestOpened(ctx, opening))
	must(t, s.RecordPullRequestOpened(ctx, later))
	if f := readFacts(t, s, repo, 1); f.association != "NONE" {
		t.Fatalf("association = %s, want the opened event's", f.association)
	}
	f := readFacts(t, s, repo, 1)
	if f.responder != "early" || f.responded != t0.Add(time.Hour).Unix() || f.author != "Ada" || f.opened != t0.Unix() {
		t.Fatalf("facts = %+v, want the earliest response by someone else", f)
	}

	// closed t1, reopened t2, closed t3 (merged); each delivered twice.
	t1, t2, t3 := t0.Add(4*time.Hour), t0.Add(5*time.Hour), t0.Add(6*time.Hour)
	for range 2 {
		must(t, s.RecordPullRequestClosed(ctx, repo, 1, false, t1))
	}
	for range 2 {
		must(t, s.RecordPullRequestReopened(ctx, repo, 1, t2))
	}
	if f := readFacts(t, s, repo, 1); f.closed != 0 || f.reopened != 1 {
		t.Fatalf("after reopen: %+v", f)
	}
	for range 2 {
		must(t, s.RecordPullRequestClosed(ctx, repo, 1, true, t3))
	}
	// The first close and the reopen, delivered late again, change nothing.
	must(t, s.RecordPullRequestClosed(ctx, repo, 1, false, t1))
	must(t, s.RecordPullRequestReopened(ctx, repo, 1, t2))
	// Nor does an open (every webhook upserts the row).
	must(t, s.RecordPullRequestOpened(ctx, opening))
	if f := readFacts(t, s, repo, 1); f.closed != t3.Unix() || !f.merged || f.reopened != 1 || f.responder != "early" {
		t.Fatalf("after merge: %+v", f)
	}

	// Out of order: the close arrives before the open.
	pr2 := pr
	pr2.Number = 2
	must(t, s.RecordPullRequestOpened(ctx, pr2))
	must(t, s.RecordPullRequestReopened(ctx, repo, 2, t2)) // reopen before its close arrives
	must(t, s.RecordPullRequestClosed(ctx, repo, 2, false, t1))
	if f := readFacts(t, s, repo, 2); f.closed != 0 || f.reopened != 1 {
		t.Fatalf("a close older than the reopen won: %+v", f)
	}
	// A close and a reopen in the same second.
	must(t, s.RecordPullRequestClosed(ctx, repo, 2, false, t3))
	must(t, s.RecordPullRequestReopened(ctx, repo, 2, t3))
	must(t, s.RecordPullRequestReopened(ctx, repo, 2, t3))
	if f := readFacts(t, s, repo, 2); f.closed != 0 || f.reopened != 2 {
		t.Fatalf("same-second close and reopen: %+v", f)
	}
}

func testCLABlocking(t *testing.T, s *store.Store) {
	ctx := context.Background()
	ref := store.PullRequestRef{InstallationID: 7, Repository: "acme/cla", Number: 4}
	must(t, s.RecordPullRequestOpened(ctx, store.PullRequestFact{Repository: ref.Repository, Number: 4, Org: "acme", Author: "ada", OpenedAt: t0}))
	t1, t2, t3, t4 := t0.Add(time.Hour), t0.Add(2*time.Hour), t0.Add(3*time.Hour), t0.Add(4*time.Hour)
	must(t, s.SetBlockersAt(ctx, ref, nil, t0))
	if f := readFacts(t, s, ref.Repository, 4); f.blocked != 0 || f.unblocked != 0 {
		t.Fatalf("never blocked: %+v", f)
	}
	must(t, s.SetBlockersAt(ctx, ref, []int64{5, 6}, t1))
	must(t, s.SetBlockersAt(ctx, ref, []int64{5}, t2)) // still blocked
	if f := readFacts(t, s, ref.Repository, 4); f.blocked != t1.Unix() || f.unblocked != 0 {
		t.Fatalf("blocked: %+v", f)
	}
	must(t, s.SetBlockersAt(ctx, ref, nil, t3))
	must(t, s.SetBlockersAt(ctx, ref, nil, t4)) // a re-check: no second unblock
	if f := readFacts(t, s, ref.Repository, 4); f.blocked != t1.Unix() || f.unblocked != t3.Unix() {
		t.Fatalf("unblocked: %+v", f)
	}
	// Blocked again: the first block stays, the unblock clears; closing
	// while blocked is no unblock.
	must(t, s.SetBlockersAt(ctx, ref, []int64{7}, t4))
	must(t, s.ClearBlockers(ctx, ref))
	if f := readFacts(t, s, ref.Repository, 4); f.blocked != t1.Unix() || f.unblocked != 0 {
		t.Fatalf("closed while blocked: %+v", f)
	}
	if n := count(t, s, `SELECT COUNT(*) FROM cla_blockers WHERE repository = $1`, ref.Repository); n != 0 {
		t.Fatalf("%d blockers left after ClearBlockers", n)
	}

	// Blocked before its facts row existed (its opening never arrived):
	// the next check that finds it blocked records the block.
	late := store.PullRequestRef{InstallationID: 7, Repository: "acme/cla", Number: 5}
	must(t, s.SetBlockersAt(ctx, late, []int64{5}, t1))
	must(t, s.RecordPullRequestOpened(ctx, store.PullRequestFact{Repository: late.Repository, Number: 5, Org: "acme", Author: "ada", OpenedAt: t0}))
	must(t, s.SetBlockersAt(ctx, late, []int64{5}, t2))
	must(t, s.SetBlockersAt(ctx, late, []int64{5}, t3))
	must(t, s.SetBlockersAt(ctx, late, nil, t4))
	if f := readFacts(t, s, late.Repository, 5); f.blocked != t2.Unix() || f.unblocked != t4.Unix() {
		t.Fatalf("blocked before its row: %+v", f)
	}
}
