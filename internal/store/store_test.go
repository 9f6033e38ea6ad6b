package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ospo-bot/ospo-bot/internal/store"
	"github.com/ospo-bot/ospo-bot/internal/store/storetest"
)

func TestOpenRejectsBadURLs(t *testing.T) {
	for _, raw := range []string{"data/bot.db", "mysql://x/y", "sqlite://"} {
		_, err := store.Open(context.Background(), raw)
		if err == nil {
			t.Errorf("Open(%q) succeeded", raw)
		}
	}
}

func TestRedact(t *testing.T) {
	got := store.Redact("postgres://bot:s3cret@db:5432/ospo")
	if strings.Contains(got, "s3cret") || !strings.Contains(got, "bot") {
		t.Errorf("Redact = %q", got)
	}
}

func TestStore(t *testing.T) {
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			t.Run("migrate", func(t *testing.T) { testMigrate(t, d) })
			s := storetest.Open(t, d)
			t.Run("deliveries", func(t *testing.T) { testDeliveries(t, s) })
			t.Run("audit", func(t *testing.T) { testAudit(t, s) })
			t.Run("repositories", func(t *testing.T) { testRepositories(t, s) })
			t.Run("reviews", func(t *testing.T) { testReviews(t, s) })
			t.Run("pull requests", func(t *testing.T) { testPullRequests(t, s) })
		})
	}
}

func testMigrate(t *testing.T, d store.Dialect) {
	ctx := context.Background()
	s, err := store.Open(ctx, storetest.URL(t, d))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Ready(ctx); !errors.Is(err, store.ErrNotMigrated) {
		t.Fatalf("Ready before migrating = %v, want ErrNotMigrated", err)
	}
	applied, err := s.Migrate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(applied) < 2 {
		t.Fatalf("first Migrate applied %v", applied)
	}
	if err := s.Ready(ctx); err != nil {
		t.Fatalf("Ready after migrating: %v", err)
	}
	// Concurrent migrators (replicas starting together) both succeed and
	// the second run applies nothing.
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var again []string
			again, errs[i] = s.Migrate(ctx)
			if len(again) != 0 {
				errs[i] = errors.New("re-running migrations applied " + strings.Join(again, ", "))
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
}

func testDeliveries(t *testing.T, s *store.Store) {
	ctx := context.Background()
	d := store.Delivery{ID: "d-1", Event: "pull_request", Action: "opened", InstallationID: 7, Repository: "acme/widget", ReceivedAt: time.Now(), Payload: store.Pack([]byte(`{"action":"opened"}`))}
	insert := func(ds ...store.Delivery) map[string]bool {
		var fresh map[string]bool
		err := s.InTx(ctx, func(tx *sql.Tx) (err error) {
			fresh, err = s.InsertDeliveries(ctx, tx, ds)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return fresh
	}
	if got := insert(d); !got["d-1"] {
		t.Fatal("first insert reported a duplicate")
	}
	d2 := d
	d2.ID = "d-2"
	// A redelivery beside a new one in the same statement.
	if got := insert(d, d2); got["d-1"] || !got["d-2"] || len(got) != 1 {
		t.Fatalf("insert of d-1 again and d-2 = %v, want only d-2 new", got)
	}
	// More rows than one statement takes.
	many := make([]store.Delivery, 2500)
	for i := range many {
		many[i] = d
		many[i].ID = fmt.Sprintf("bulk-%d", i)
	}
	if got := insert(many...); len(got) != len(many) {
		t.Fatalf("bulk insert recorded %d of %d", len(got), len(many))
	}
	// Two replicas recording the same deliveries at once, in opposite
	// orders (a proxy retrying to both), must both commit: neither may be
	// chosen as a deadlock victim and answer GitHub 503.
	const rounds, perRound = 10, 40
	for round := range rounds {
		ids := make([]store.Delivery, perRound)
		for i := range ids {
			ids[i] = d
			ids[i].ID = fmt.Sprintf("both-%d-%02d", round, i)
		}
		reversed := slices.Clone(ids)
		slices.Reverse(reversed)
		var wg sync.WaitGroup
		errs := make([]error, 2)
		fresh := make([]map[string]bool, 2)
		for i, batch := range [][]store.Delivery{ids, reversed} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = s.InTx(ctx, func(tx *sql.Tx) (err error) {
					fresh[i], err = s.InsertDeliveries(ctx, tx, batch)
					return err
				})
			}()
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		if n := len(fresh[0]) + len(fresh[1]); n != len(ids) {
			t.Fatalf("round %d: %d deliveries reported new, want %d", round, n, len(ids))
		}
	}
	got, err := s.Delivery(ctx, "d-1")
	if err != nil {
		t.Fatal(err)
	}
	if got.Outcome != store.OutcomeQueued || got.InstallationID != 7 || got.Repository != "acme/widget" || got.FinishedAt != nil {
		t.Fatalf("delivery = %+v", got)
	}
	payload := func() string {
		t.Helper()
		d, err := s.Delivery(ctx, "d-1")
		if err != nil {
			t.Fatal(err)
		}
		p, err := d.Payload.Unpack()
		if err != nil {
			t.Fatal(err)
		}
		return string(p)
	}
	if p := payload(); p != `{"action":"opened"}` {
		t.Fatalf("payload = %q", p)
	}
	if err := s.FinishDelivery(ctx, "d-1", store.OutcomeFailed, "boom"); err != nil {
		t.Fatal(err)
	}
	if p := payload(); p != `{"action":"opened"}` {
		t.Fatalf("a failed delivery keeps its payload for replay, got %q", p)
	}
	if err := s.FinishDelivery(ctx, "d-1", store.OutcomeProcessed, ""); err != nil {
		t.Fatal(err)
	}
	got, _ = s.Delivery(ctx, "d-1")
	if got.Outcome != store.OutcomeProcessed || got.FinishedAt == nil {
		t.Fatalf("finished delivery = %+v", got)
	}
	if p := payload(); p != `{"action":"opened"}` {
		t.Fatalf("a processed delivery keeps its payload for the payload retention, got %q", p)
	}
	counts, err := s.DeliveryOutcomes(ctx)
	if err != nil || counts[store.OutcomeProcessed] != 1 || counts[store.OutcomeQueued] != 1+len(many)+rounds*perRound { // d-2, bulk, concurrent
		t.Fatalf("outcomes = %v, %v", counts, err)
	}
}

func testAudit(t *testing.T, s *store.Store) {
	ctx := context.Background()
	for _, e := range []store.AuditEntry{
		{Actor: "lead", Action: "approve", Subject: "acme/widget", URL: "https://github.com/acme/ospo/issues/1#c1"},
		{Actor: "intruder", Action: "refuse", Subject: "acme/widget", Reason: "not an approver"},
		{Actor: "lead", Action: "approve", Subject: "acme/other"},
	} {
		if err := s.AppendAudit(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	log, err := s.AuditLog(ctx, "acme/widget")
	if err != nil {
		t.Fatal(err)
	}
	if len(log) != 2 || log[0].Action != "approve" || log[1].Reason != "not an approver" || log[0].At.IsZero() {
		t.Fatalf("audit log = %+v", log)
	}
	all, _ := s.AuditLog(ctx, "")
	if len(all) != 3 {
		t.Fatalf("whole audit log has %d entries", len(all))
	}
}

func testRepositories(t *testing.T, s *store.Store) {
	ctx := context.Background()
	if err := s.UpsertInstallation(ctx, store.Installation{ID: 9, Account: "acme", AccountType: "Organization", RepositorySelection: "all", State: store.InstallationActive}); err != nil {
		t.Fatal(err)
	}
	in, err := s.Installation(ctx, 9)
	if err != nil || in.Account != "acme" || in.State != store.InstallationActive {
		t.Fatalf("installation = %+v, %v", in, err)
	}
	if err := s.ReplaceRepositories(ctx, 9, []store.Repository{
		{ID: 1, FullName: "acme/a", DefaultBranch: "main"},
		{ID: 2, FullName: "acme/b", Private: true},
	}); err != nil {
		t.Fatal(err)
	}
	// A rename keeps the row (same ID) and the known default branch.
	if err := s.UpsertRepositories(ctx, 9, []store.Repository{{ID: 1, FullName: "acme/a2", Archived: true}}); err != nil {
		t.Fatal(err)
	}
	repos, err := s.Repositories(ctx, 9)
	if err != nil {
		t.Fatal(err)
	}
	if len(repos) != 2 || repos[0].FullName != "acme/a2" || !repos[0].Archived || repos[0].DefaultBranch != "main" || !repos[1].Private {
		t.Fatalf("repositories = %+v", repos)
	}
	if err := s.ReplaceRepositories(ctx, 9, []store.Repository{{ID: 3, FullName: "acme/c"}}); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteRepositories(ctx, 3); err != nil {
		t.Fatal(err)
	}
	if repos, _ := s.Repositories(ctx, 9); len(repos) != 0 {
		t.Fatalf("after replace and delete: %+v", repos)
	}
}

func testReviews(t *testing.T, s *store.Store) {
	ctx := context.Background()
	claim := store.ReviewIssue{RepositoryID: 42, InstallationID: 9, Repository: "acme/widget", ReviewRepo: "acme/ospo"}
	row, claimed, err := s.ClaimReviewIssue(ctx, claim)
	if err != nil || !claimed || row.IssueNumber != 0 {
		t.Fatalf("first claim = %+v, %v, %v", row, claimed, err)
	}
	if _, claimed, _ := s.ClaimReviewIssue(ctx, claim); claimed {
		t.Fatal("second claim of the same repository succeeded")
	}
	row.IssueNumber, row.Repository, row.Notified = 7, "acme/gadget", "license"
	if err := s.UpdateReviewIssue(ctx, row); err != nil {
		t.Fatal(err)
	}
	if got, err := s.ReviewIssueByNumber(ctx, "ACME/ospo", 7); err != nil || got.Repository != "acme/gadget" || got.Notified != "license" {
		t.Fatalf("by number = %+v, %v", got, err)
	}
	if err := s.ReleaseReviewIssue(ctx, 42); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ReviewIssue(ctx, 42); err != nil {
		t.Fatalf("releasing a created issue's row must keep it: %v", err)
	}

	at := time.Now().Truncate(time.Second)
	if err := s.ReplaceCommentDecisions(ctx, 100, []store.ReviewDecision{
		{Seq: 0, RepositoryID: 42, Actor: "lead", Verb: "exempt", Rule: "files", Reason: "wiki", At: at},
		{Seq: 1, RepositoryID: 42, Actor: "lead", Verb: "approve", Failing: []string{"license", "files"}, At: at},
	}); err != nil {
		t.Fatal(err)
	}
	// An edit replaces what the comment said.
	if err := s.ReplaceCommentDecisions(ctx, 100, []store.ReviewDecision{
		{Seq: 0, RepositoryID: 42, Actor: "lead", Verb: "approve", Failing: []string{"license", "files"}, At: at},
	}); err != nil {
		t.Fatal(err)
	}
	ds, err := s.ReviewDecisions(ctx, 42)
	if err != nil || len(ds) != 1 || ds[0].Verb != "approve" || len(ds[0].Failing) != 2 || !ds[0].At.Equal(at) {
		t.Fatalf("decisions = %+v, %v", ds, err)
	}

	if err := s.SaveRepositoryCheck(ctx, store.RepositoryCheck{RepositoryID: 42, Repository: "acme/gadget", PolicyVersion: "defaults", Findings: "[]", Flagged: true}); err != nil {
		t.Fatal(err)
	}
	if c, err := s.RepositoryCheckOf(ctx, 42); err != nil || !c.Flagged || c.PolicyVersion != "defaults" || c.CheckedAt.IsZero() {
		t.Fatalf("check = %+v, %v", c, err)
	}
	if _, err := s.RepositoryCheckOf(ctx, 43); !store.IsNotFound(err) {
		t.Fatalf("missing check: %v", err)
	}
}

func testPullRequests(t *testing.T, s *store.Store) {
	ctx := context.Background()
	at := time.Now().Truncate(time.Second)
	if err := s.SaveSignature(ctx, store.Signature{Org: "acme", UserID: 5, Login: "ann", Version: "1", SignedAt: at, URL: "u1"}); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveSignature(ctx, store.Signature{Org: "acme", UserID: 5, Login: "ann2", Version: "2", SignedAt: at, URL: "u2"}); err != nil {
		t.Fatal(err)
	}
	sigs, err := s.Signatures(ctx, "acme", []int64{5, 6})
	if err != nil || len(sigs) != 1 || sigs[5].Version != "2" || sigs[5].Login != "ann2" {
		t.Fatalf("signatures = %+v, %v", sigs, err)
	}
	if other, _ := s.Signatures(ctx, "other-org", []int64{5}); len(other) != 0 {
		t.Fatal("a signature of one org's CLA counted for another's")
	}
	if ok, err := s.RevokeSignature(ctx, "acme", 5); !ok || err != nil {
		t.Fatalf("revoke = %v, %v", ok, err)
	}
	if ok, _ := s.RevokeSignature(ctx, "acme", 5); ok {
		t.Fatal("revoked twice")
	}

	a := store.PullRequestRef{InstallationID: 1, Repository: "acme/a", Number: 1}
	b := store.PullRequestRef{InstallationID: 1, Repository: "acme/b", Number: 2}
	if err := errors.Join(s.SetBlockers(ctx, a, []int64{5, 6}), s.SetBlockers(ctx, b, []int64{5})); err != nil {
		t.Fatal(err)
	}
	if err := s.SetBlockers(ctx, a, []int64{6}); err != nil { // 5 signed meanwhile
		t.Fatal(err)
	}
	if got, err := s.BlockedBy(ctx, 5); err != nil || len(got) != 1 || got[0] != b {
		t.Fatalf("blocked by 5 = %+v, %v", got, err)
	}

	st, err := s.PullRequestStateOf(ctx, "acme/a", 1)
	if err != nil || st.CheckRunID != 0 {
		t.Fatalf("new state = %+v, %v", st, err)
	}
	st.HeadSHA, st.CheckRunID, st.CommentID, st.CommentDigest = "abc", 9, 10, "d"
	if err := s.SavePullRequestState(ctx, st); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.PullRequestStateOf(ctx, "acme/a", 1); got != st {
		t.Fatalf("state = %+v, want %+v", got, st)
	}
	if err := s.SavePathApproval(ctx, a, store.PathApproval{CommentID: 3, Login: "lead", HeadSHA: "abc", At: at}); err != nil {
		t.Fatal(err)
	}
	if got, err := s.PathApprovals(ctx, "acme/a", 1); err != nil || len(got) != 1 || got[0].HeadSHA != "abc" {
		t.Fatalf("approvals = %+v, %v", got, err)
	}
}
