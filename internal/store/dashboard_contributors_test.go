package store_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/ospo-bot/ospo-bot/internal/kpi"
	"github.com/ospo-bot/ospo-bot/internal/store"
	"github.com/ospo-bot/ospo-bot/internal/store/storetest"
)

func TestContributorRollups(t *testing.T) {
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) { testContributorRollups(t, storetest.Open(t, d)) })
	}
}

// contribPR is a pull request of the fixtures, written through the
// history's own writers (so the triggers see what production writes).
type contribPR struct {
	repo   string
	number int
	author string
	assoc  string
	bot    bool
	opened time.Time
	closed time.Time
	merged bool
}

func recordContribPR(t *testing.T, s *store.Store, p contribPR) {
	t.Helper()
	ctx := context.Background()
	org := p.repo[:len(p.repo)-2]
	if err := s.RecordPullRequestOpened(ctx, store.PullRequestFact{Repository: p.repo, Number: p.number, InstallationID: 1, Org: org,
		Author: p.author, AuthorAssociation: p.assoc, AuthorBot: p.bot, OpenedAt: p.opened, Opening: true}); err != nil {
		t.Fatal(err)
	}
	if !p.closed.IsZero() {
		if err := s.RecordPullRequestClosed(ctx, p.repo, p.number, p.merged, p.closed); err != nil {
			t.Fatal(err)
		}
	}
}

func testContributorRollups(t *testing.T, s *store.Store) {
	ctx := context.Background()
	at := func(m time.Month, d, h int) time.Time { return time.Date(2026, m, d, h, 0, 0, 0, time.UTC) }
	now := at(3, 20, 12)
	until := at(3, 21, 0) // the default period's until at now
	for _, p := range []contribPR{
		{"Acme/a", 1, "alice", "MEMBER", false, at(3, 2, 10), at(3, 3, 0), true},
		{"Acme/a", 2, "bob", "CONTRIBUTOR", false, at(3, 2, 11), at(3, 5, 0), true},
		{"Acme/a", 3, "alice", "MEMBER", false, at(3, 9, 8), at(3, 10, 0), true},
		{"Acme/a", 4, "dependabot[bot]", "NONE", true, at(3, 9, 9), at(3, 9, 10), true},
		{"Acme/b", 1, "carol", "NONE", false, at(3, 10, 1), at(3, 11, 0), false},
		{"Acme/b", 2, "carol", "NONE", false, at(3, 11, 1), time.Time{}, false},
		{"Acme/b", 3, "bob", "CONTRIBUTOR", false, at(2, 1, 5), at(3, 1, 0), true},
		{"otro/x", 1, "zed", "NONE", false, at(3, 2, 10), at(3, 3, 0), true}, // another org's
	} {
		recordContribPR(t, s, p)
	}
	// Blocked by the CLA: a#2 for 2 hours, b#1 still; the bot's a#4
	// left out. Signatures: u1 in February, u2 on March 3.
	block := func(repo string, number int, from, to time.Time) {
		t.Helper()
		ref := store.PullRequestRef{InstallationID: 1, Repository: repo, Number: number}
		if err := s.SetBlockersAt(ctx, ref, []int64{7}, from); err != nil {
			t.Fatal(err)
		}
		if !to.IsZero() {
			if err := s.SetBlockersAt(ctx, ref, nil, to); err != nil {
				t.Fatal(err)
			}
		}
	}
	block("Acme/a", 2, at(3, 2, 12), at(3, 2, 14))
	block("Acme/b", 1, at(3, 10, 2), time.Time{})
	block("Acme/a", 4, at(3, 9, 9), at(3, 9, 10))
	for _, sig := range []store.Signature{{Org: "Acme", UserID: 1, Login: "u1", SignedAt: at(2, 20, 0), Key: "s1"},
		{Org: "Acme", UserID: 2, Login: "u2", SignedAt: at(3, 3, 0), Key: "s2"}} {
		if err := s.SaveSignature(ctx, sig); err != nil {
			t.Fatal(err)
		}
	}
	wantCLA := func(inForceAtSince int, days []store.CLADay, blocked int, unblocks []time.Duration) {
		t.Helper()
		n, ds, any, err := s.CLADays(ctx, "Acme", at(3, 1, 0), until)
		if err != nil || !any || n != inForceAtSince || !reflect.DeepEqual(ds, days) {
			t.Errorf("CLA days: %d in force, %+v, %v, %v; want %d, %+v", n, ds, any, err, inForceAtSince, days)
		}
		b, us, err := s.CLABlocked(ctx, "Acme", at(3, 1, 0), until)
		if err != nil || b != blocked || !reflect.DeepEqual(us, unblocks) {
			t.Errorf("CLA blocked: %d, %+v, %v; want %d, %+v", b, us, err, blocked, unblocks)
		}
	}
	if _, ok, err := s.ContributorsAsOf(ctx, "Acme"); ok || err != nil {
		t.Fatalf("as of before any refresh: %v, %v", ok, err)
	}
	if err := s.RefreshContributors(ctx, "Acme", now); err != nil {
		t.Fatal(err)
	}
	if asOf, ok, err := s.ContributorsAsOf(ctx, "Acme"); !ok || err != nil || !asOf.Equal(now) {
		t.Fatalf("as of = %s, %v, %v", asOf, ok, err)
	}
	days, err := s.ContributorDays(ctx, "Acme", at(2, 1, 0), until)
	if err != nil {
		t.Fatal(err)
	}
	want := []store.ContributorDay{
		{Day: at(2, 1, 0), Externals: 1},
		{Day: at(3, 2, 0), Members: 1, Externals: 1},
		{Day: at(3, 9, 0), Members: 1, Bots: 1},
		{Day: at(3, 10, 0), Externals: 1},
		{Day: at(3, 11, 0), Externals: 1},
	}
	if !reflect.DeepEqual(days, want) {
		t.Errorf("days =\n%+v, want\n%+v", days, want)
	}
	firsts, err := s.FirstTimeContributorDays(ctx, "Acme", at(3, 1, 0), until)
	if err != nil {
		t.Fatal(err)
	}
	// bob's first is in February, dependabot is a bot.
	if w := map[time.Time]int{at(3, 2, 0): 1, at(3, 10, 0): 1}; !reflect.DeepEqual(firsts, w) {
		t.Errorf("first-time contributors = %v, want %v", firsts, w)
	}
	wantAbsence := func(want ...kpi.RepositoryFactor) {
		t.Helper()
		got, total, ok, err := s.AbsenceFactors(ctx, "Acme", until, "factor", false, 0, 50, now)
		if err != nil || !ok || total != len(want) {
			t.Fatalf("absence factors: total %d, computed %v, %v", total, ok, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("absence factors =\n%+v, want\n%+v", got, want)
		}
		// And they are kpi's over the store's own reader.
		counts, err := s.OrgMergedCounts(ctx, "Acme", until.Add(-kpi.AbsenceWindow), until)
		if err != nil {
			t.Fatal(err)
		}
		kc := make([]kpi.AuthorCount, len(counts))
		for i, c := range counts {
			kc[i] = kpi.AuthorCount(c)
		}
		if k := kpi.AbsenceFactors(kc); !reflect.DeepEqual(got, k) {
			t.Errorf("absence factors =\n%+v, kpi says\n%+v", got, k)
		}
	}
	// a: alice 2 and bob 1 merged (the bot's left out); b: bob 1.
	wantAbsence(kpi.RepositoryFactor{Repository: "Acme/a", Factor: 1, Contributors: 2, Merged: 3},
		kpi.RepositoryFactor{Repository: "Acme/b", Factor: 1, Contributors: 1, Merged: 1})

	wantCLA(1, []store.CLADay{{Day: at(3, 3, 0), NewSigners: 1, InForce: 1}}, 2,
		[]time.Duration{2 * time.Hour})

	// Twice: the same rows, and nothing left marked.
	before := dumpContributorRollups(t, s)
	if err := s.RefreshContributors(ctx, "Acme", now); err != nil {
		t.Fatal(err)
	}
	if after := dumpContributorRollups(t, s); !reflect.DeepEqual(before, after) {
		t.Errorf("a second refresh changed the rollups:\n%v\n%v", before, after)
	}
	if n := count(t, s, `SELECT COUNT(*) FROM dashboard_contributors_dirty WHERE org = 'Acme'`); n != 0 {
		t.Errorf("%d marks left after a refresh", n)
	}

	// After the refresh: a#1 reopened (its merge no longer counts), b#2
	// merged, b#1's association is now MEMBER, dave opens his first.
	if err := s.RecordPullRequestReopened(ctx, "Acme/a", 1, at(3, 20, 13)); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordPullRequestClosed(ctx, "Acme/b", 2, true, at(3, 20, 14)); err != nil {
		t.Fatal(err)
	}
	recordContribPR(t, s, contribPR{"Acme/b", 1, "carol", "MEMBER", false, at(3, 10, 1), time.Time{}, false})
	// u1 revokes on March 12 and u2 signs again (a renewal) on the 15th;
	// b#1 is unblocked on the 11th.
	if _, err := s.RevokeSignatureEvent(ctx, store.CLAEvent{Key: "r1", Org: "Acme", UserID: 1, Login: "u1", At: at(3, 12, 0)}); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveSignature(ctx, store.Signature{Org: "Acme", UserID: 2, Login: "u2", SignedAt: at(3, 15, 0), Key: "s2b"}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetBlockersAt(ctx, store.PullRequestRef{InstallationID: 1, Repository: "Acme/b", Number: 1}, nil, at(3, 11, 2)); err != nil {
		t.Fatal(err)
	}
	recordContribPR(t, s, contribPR{"Acme/b", 4, "dave", "NONE", false, at(3, 15, 2), time.Time{}, false})
	if n := count(t, s, `SELECT COUNT(*) FROM dashboard_contributors_dirty WHERE org = 'Acme'`); n == 0 {
		t.Fatal("the changes marked nothing")
	}
	later := at(3, 20, 15)
	if err := s.RefreshContributors(ctx, "Acme", later); err != nil {
		t.Fatal(err)
	}
	days, err = s.ContributorDays(ctx, "Acme", at(3, 10, 0), until)
	if err != nil {
		t.Fatal(err)
	}
	want = []store.ContributorDay{{Day: at(3, 10, 0), Members: 1}, {Day: at(3, 11, 0), Externals: 1}, {Day: at(3, 15, 0), Externals: 1}}
	if !reflect.DeepEqual(days, want) {
		t.Errorf("days after the changes =\n%+v, want\n%+v", days, want)
	}
	firsts, err = s.FirstTimeContributorDays(ctx, "Acme", at(3, 12, 0), until)
	if err != nil {
		t.Fatal(err)
	}
	if w := map[time.Time]int{at(3, 15, 0): 1}; !reflect.DeepEqual(firsts, w) {
		t.Errorf("first-time contributors after the changes = %v, want %v", firsts, w)
	}
	wantAbsence(kpi.RepositoryFactor{Repository: "Acme/a", Factor: 1, Contributors: 2, Merged: 2},
		kpi.RepositoryFactor{Repository: "Acme/b", Factor: 1, Contributors: 2, Merged: 2})

	wantCLA(1, []store.CLADay{{Day: at(3, 3, 0), NewSigners: 1, InForce: 1}, {Day: at(3, 12, 0), InForce: -1}}, 2,
		[]time.Duration{2 * time.Hour, 24 * time.Hour})

	// The incremental rollups are those a refresh from scratch computes.
	incremental := dumpContributorRollups(t, s)
	for _, q := range []string{`DELETE FROM dashboard_contributors_state`, `DELETE FROM dashboard_contributor_days`,
		`DELETE FROM dashboard_first_pull_requests`, `DELETE FROM dashboard_absence`, `UPDATE dashboard_absence_untils SET computed_at = 0`,
		`DELETE FROM dashboard_cla_user_days`, `DELETE FROM dashboard_cla_days`, `DELETE FROM dashboard_cla_blocked_days`,
		`DELETE FROM dashboard_first_days`, `UPDATE dashboard_absence_untils SET repositories = 0`} {
		if _, err := s.DB.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.RefreshContributors(ctx, "Acme", later); err != nil {
		t.Fatal(err)
	}
	if scratch := dumpContributorRollups(t, s); !reflect.DeepEqual(incremental, scratch) {
		t.Errorf("incremental rollups\n%v\ndiffer from a refresh from scratch\n%v", incremental, scratch)
	}
}

func TestAbsenceFactorsUntilAsked(t *testing.T) {
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			s := storetest.Open(t, d)
			ctx := context.Background()
			now := time.Date(2026, 3, 20, 12, 0, 0, 0, time.UTC)
			recordContribPR(t, s, contribPR{"Acme/a", 1, "alice", "MEMBER", false, now.AddDate(0, -2, 0), now.AddDate(0, -2, 1), true})
			if err := s.RefreshContributors(ctx, "Acme", now); err != nil {
				t.Fatal(err)
			}
			// Periods ending with the last month are kept from the first
			// refresh, like the default period.
			if _, _, ok, err := s.AbsenceFactors(ctx, "Acme", time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), "factor", false, 0, 10, now); !ok || err != nil {
				t.Fatalf("the absence factors of periods ending with February: computed %v, %v", ok, err)
			}
			// Another until: not computed yet, asked for, and computed by
			// the next refresh.
			until := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
			if _, _, ok, err := s.AbsenceFactors(ctx, "Acme", until, "merged", true, 0, 10, now); ok || err != nil {
				t.Fatalf("computed %v before a refresh, %v", ok, err)
			}
			if err := s.RefreshContributors(ctx, "Acme", now); err != nil {
				t.Fatal(err)
			}
			got, total, ok, err := s.AbsenceFactors(ctx, "Acme", until, "merged", true, 0, 10, now)
			if err != nil || !ok || total != 1 || got[0] != (kpi.RepositoryFactor{Repository: "Acme/a", Factor: 1, Contributors: 1, Merged: 1}) {
				t.Fatalf("absence factors until %s = %+v (%d, %v), %v", until, got, total, ok, err)
			}
			// Nobody asks for it for longer than a week: dropped.
			if err := s.RefreshContributors(ctx, "Acme", now.AddDate(0, 0, 8)); err != nil {
				t.Fatal(err)
			}
			if n := count(t, s, fmt.Sprintf(`SELECT COUNT(*) FROM dashboard_absence WHERE until_at = %d`, until.Unix())); n != 0 {
				t.Errorf("%d rows of an until nobody asked for in 8 days", n)
			}
			if _, _, _, err := s.AbsenceFactors(ctx, "Acme", until, "nope", false, 0, 10, now); err == nil {
				t.Error("an unknown sort was accepted")
			}
		})
	}
}

// dumpContributorRollups is every rollup row, in order, as text.
func dumpContributorRollups(t *testing.T, s *store.Store) []string {
	t.Helper()
	var out []string
	for _, q := range []string{
		`SELECT org, day, members, externals, bots FROM dashboard_contributor_days ORDER BY org, day`,
		`SELECT org, author, first_opened, bot FROM dashboard_first_pull_requests ORDER BY org, author`,
		`SELECT org, until_at, repository, factor, contributors, merged FROM dashboard_absence ORDER BY org, until_at, repository`,
		`SELECT org, user_id, day, new_signers, in_force FROM dashboard_cla_user_days ORDER BY org, user_id, day`,
		`SELECT org, day, new_signers, in_force FROM dashboard_cla_days ORDER BY org, day`,
		`SELECT org, day, blocked, unblocks FROM dashboard_cla_blocked_days ORDER BY org, day`,
		`SELECT org, day, first_timers FROM dashboard_first_days ORDER BY org, day`,
		`SELECT org, until_at, repositories FROM dashboard_absence_untils ORDER BY org, until_at`,
	} {
		rows, err := s.DB.QueryContext(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			out = append(out, fmt.Sprint(vals...))
		}
		rows.Close()
	}
	return out
}

// Replicas refresh at once: neither fails, and the rollups are those of
// one refresh.
func TestContributorRollupsConcurrent(t *testing.T) {
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			s := storetest.Open(t, d)
			ctx := context.Background()
			now := time.Date(2026, 3, 20, 12, 0, 0, 0, time.UTC)
			for i := range 40 {
				opened := now.Add(-time.Duration(i*37) * time.Hour)
				recordContribPR(t, s, contribPR{fmt.Sprintf("Acme/r%d", i%5), i + 1, fmt.Sprint("u", i%9), "NONE", false, opened, opened.Add(time.Hour), true})
			}
			if err := s.SaveSignature(ctx, store.Signature{Org: "Acme", UserID: 1, Login: "u1", SignedAt: now.AddDate(0, 0, -3), Key: "s"}); err != nil {
				t.Fatal(err)
			}
			errs := make(chan error, 4)
			for range 4 {
				go func() { errs <- s.RefreshContributors(ctx, "Acme", now) }()
			}
			for range 4 {
				if err := <-errs; err != nil {
					t.Error(err)
				}
			}
			together := dumpContributorRollups(t, s)
			if _, err := s.DB.ExecContext(ctx, `DELETE FROM dashboard_contributors_state`); err != nil {
				t.Fatal(err)
			}
			if err := s.RefreshContributors(ctx, "Acme", now); err != nil {
				t.Fatal(err)
			}
			if alone := dumpContributorRollups(t, s); !reflect.DeepEqual(together, alone) {
				t.Errorf("refreshes at once\n%v\ndiffer from one\n%v", together, alone)
			}
		})
	}
}

// History written before migration 018 (no trigger marked it) is in the
// rollups from the first refresh, and the migration's Down undoes it.
func TestMigration018History(t *testing.T) {
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			s, err := store.Open(ctx, storetest.URL(t, d))
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if err := s.MigrateOursUpTo(ctx, 14); err != nil {
				t.Fatal(err)
			}
			day := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
			recordContribPR(t, s, contribPR{"Acme/a", 1, "alice", "MEMBER", false, day.Add(time.Hour), day.Add(2 * time.Hour), true})
			if _, err := s.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			if err := s.RefreshContributors(ctx, "Acme", day.AddDate(0, 0, 1)); err != nil {
				t.Fatal(err)
			}
			days, err := s.ContributorDays(ctx, "Acme", day, day.AddDate(0, 0, 1))
			if err != nil || len(days) != 1 || days[0].Members != 1 {
				t.Errorf("days of history older than the rollup = %+v, %v", days, err)
			}
			if err := s.MigrateOursDownTo(ctx, 14); err != nil {
				t.Fatalf("down: %v", err)
			}
			if _, err := s.Migrate(ctx); err != nil {
				t.Fatalf("up again: %v", err)
			}
		})
	}
}
