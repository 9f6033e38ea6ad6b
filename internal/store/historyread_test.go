package store_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/ospo-bot/ospo-bot/internal/store"
	"github.com/ospo-bot/ospo-bot/internal/store/storetest"
)

func TestHistoryReaders(t *testing.T) {
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) { testHistoryReaders(t, storetest.Open(t, d)) })
	}
}

func testHistoryReaders(t *testing.T, s *store.Store) {
	ctx := context.Background()
	day := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	since, until := day, day.AddDate(0, 1, 0)
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := s.DB.ExecContext(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	u := func(t time.Time) int64 { return t.Unix() }
	exec(`INSERT INTO installations (id, account, account_type, state, updated_at) VALUES (1, 'Acme', 'Organization', 'active', $1)`, day)
	// Repository 10: two days in the period and one after it: the last
	// before until is read. Repository 11 is another org's.
	for _, r := range []struct {
		id        int64
		org, repo string
		day       time.Time
		failing   string
	}{
		{10, "Acme", "Acme/a", day, "repository.license"},
		{10, "Acme", "Acme/a", day.AddDate(0, 0, 5), ""},
		{10, "Acme", "Acme/a", until, "repository.files"},
		{11, "other", "other/b", day, ""},
	} {
		exec(`INSERT INTO repository_days (repository_id, day, installation_id, org, repository, failing, results, license, checked_at)
			VALUES ($1, $2, 1, $3, $4, $5, '{"repository.license":"enforce/pass"}', 'MIT', $6)`, r.id, u(r.day), r.org, r.repo, r.failing, u(r.day)+60)
	}
	org, err := s.OrgName(ctx, "acme")
	if err != nil || org != "Acme" {
		t.Fatalf("OrgName = %q, %v", org, err)
	}
	days, err := s.LatestRepositoryDays(ctx, org, until)
	if err != nil {
		t.Fatal(err)
	}
	if len(days) != 1 || days[0].RepositoryID != 10 || len(days[0].Failing) != 0 ||
		days[0].Results["repository.license"] != "enforce/pass" || !days[0].CheckedAt.Equal(day.AddDate(0, 0, 5).Add(time.Minute)) {
		t.Errorf("latest days = %+v", days)
	}

	// Pull requests: in the period by opening, by closing, by CLA block;
	// one entirely before; one of another org.
	pr := func(repo string, n int, org, author string, bot bool, opened, closed time.Time, merged bool, blocked time.Time) {
		var c, b int64
		if !closed.IsZero() {
			c = u(closed)
		}
		if !blocked.IsZero() {
			b = u(blocked)
		}
		exec(`INSERT INTO pull_request_facts (repository, number, installation_id, org, author, author_bot, opened_at, closed_at, merged,
			cla_blocked_at, updated_at) VALUES ($1, $2, 1, $3, $4, $5, $6, $7, $8, $9, $6)`, repo, n, org, author, bot, u(opened), c, merged, b)
	}
	before := since.AddDate(0, -2, 0)
	pr("Acme/a", 1, "Acme", "ann", false, since.Add(time.Hour), time.Time{}, false, time.Time{})
	pr("Acme/a", 2, "Acme", "ann", false, before, since.Add(2*time.Hour), true, time.Time{})
	pr("Acme/a", 3, "Acme", "bob", false, before, time.Time{}, false, since.Add(3*time.Hour))
	pr("Acme/a", 4, "Acme", "old", false, before, before.Add(time.Hour), true, time.Time{})
	pr("Acme/a", 5, "Acme", "dependabot[bot]", true, since.Add(5*time.Hour), since.Add(6*time.Hour), true, time.Time{})
	pr("Acme/b", 6, "Acme", "ann", false, since.Add(7*time.Hour), since.Add(8*time.Hour), true, time.Time{})
	pr("other/b", 1, "other", "eve", false, since.Add(time.Hour), time.Time{}, false, time.Time{})
	var numbers []string
	if err := s.EachPullRequest(ctx, org, since, until, func(r store.PullRequestRow) {
		numbers = append(numbers, r.Author)
	}); err != nil {
		t.Fatal(err)
	}
	if len(numbers) != 5 { // 1, 2, 3, 5, 6
		t.Errorf("pull requests in the period: %v", numbers)
	}
	firsts, err := s.OrgFirstPullRequests(ctx, org, since, until)
	if err != nil {
		t.Fatal(err)
	}
	// ann and bob opened earlier; only the bot is new.
	if len(firsts) != 1 || firsts[0].Author != "dependabot[bot]" || !firsts[0].Bot {
		t.Errorf("first pull requests: %+v", firsts)
	}
	counts, err := s.OrgMergedCounts(ctx, org, since, until)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"Acme/a ann": 1, "Acme/a dependabot[bot]": 1, "Acme/b ann": 1}
	got := map[string]int{}
	for _, c := range counts {
		got[c.Repository+" "+c.Author] = c.Merged
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("merged counts = %v, want %v", got, want)
	}

	// Review decisions and audit entries are matched to the org by name.
	for _, ri := range []store.ReviewIssue{{RepositoryID: 10, Repository: "Acme/a", ReviewRepo: "Acme/ospo"}, {RepositoryID: 11, Repository: "other/b", ReviewRepo: "other/ospo"}} {
		if _, _, err := s.ClaimReviewIssue(ctx, ri); err != nil {
			t.Fatal(err)
		}
		if err := s.ReplaceCommentDecisions(ctx, ri.RepositoryID, []store.ReviewDecision{
			{RepositoryID: ri.RepositoryID, Actor: "lead", Verb: "exempt", Rule: "repository.files", At: since.Add(time.Hour)},
			{Seq: 1, RepositoryID: ri.RepositoryID, Actor: "lead", Verb: "approve", At: until.Add(time.Hour)},
		}); err != nil {
			t.Fatal(err)
		}
	}
	ds, err := s.OrgReviewDecisions(ctx, org, until)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 1 || len(ds[10]) != 1 || ds[10][0].Verb != "exempt" {
		t.Errorf("decisions = %+v", ds)
	}
	issues, err := s.OrgReviewIssues(ctx, org)
	if err != nil || len(issues) != 1 || issues[0].RepositoryID != 10 {
		t.Errorf("review issues = %+v, %v", issues, err)
	}
	for _, e := range []store.AuditEntry{
		{At: since.Add(time.Hour), Actor: "lead", Action: "exempt", Subject: "acme/a"},
		{At: since.Add(2 * time.Hour), Actor: "lead", Action: "approve", Subject: "Acme/a#2"},
		{At: until, Actor: "lead", Action: "approve", Subject: "Acme/a"},
		{At: since.Add(time.Hour), Actor: "lead", Action: "approve", Subject: "Acme-labs/a"},
	} {
		if err := s.AppendAudit(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	audit, err := s.OrgAuditLog(ctx, org, since, until)
	if err != nil {
		t.Fatal(err)
	}
	if len(audit) != 2 || audit[0].Action != "exempt" || audit[1].Subject != "Acme/a#2" {
		t.Errorf("audit = %+v", audit)
	}

	// CLA: an event in the period, a signature from before the history.
	exec(`INSERT INTO cla_events (event_key, org, user_id, login, kind, at) VALUES ('k1', 'Acme', 7, 'ann', 'signed', $1)`, u(since.Add(time.Hour)))
	exec(`INSERT INTO cla_events (event_key, org, user_id, login, kind, at) VALUES ('k2', 'Acme', 7, 'ann', 'revoked', $1)`, u(until))
	exec(`INSERT INTO cla_signatures (user_id, org, login, version, signed_at) VALUES (8, 'Acme', 'bob', '1', $1)`, before)
	cla, err := s.OrgCLAEvents(ctx, org, until)
	if err != nil {
		t.Fatal(err)
	}
	if len(cla) != 2 || cla[0].UserID != 7 || cla[1].UserID != 8 || !cla[1].At.Equal(before) {
		t.Errorf("CLA events = %+v", cla)
	}
}
