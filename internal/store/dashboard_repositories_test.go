package store_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/ospo-bot/ospo-bot/internal/store"
	"github.com/ospo-bot/ospo-bot/internal/store/storetest"
)

func TestDashboardRepositoriesRefreshOnlyWhatChanged(t *testing.T) {
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			st, ctx := storetest.Open(t, d), context.Background()
			now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
			day := func(id int64, name string, at time.Time, failing ...string) {
				t.Helper()
				if err := st.RecordRepositoryDay(ctx, store.RepositoryDay{RepositoryID: id, InstallationID: 1, Org: "acme",
					Repository: "acme/" + name, InScope: true, Flagged: len(failing) > 0, Failing: failing, At: at,
					Topics: []string{"b", "a", "a"}, HasTopics: true}); err != nil {
					t.Fatal(err)
				}
			}
			refresh := func(want int64) {
				t.Helper()
				n, err := st.RefreshDashboardRepositories(ctx, "acme")
				if err != nil || n != want {
					t.Fatalf("refresh wrote %d rows (%v), want %d", n, err, want)
				}
			}
			day(1, "one", now.AddDate(0, 0, -1), "license")
			day(1, "one", now, "license", "codeowners")
			day(2, "two", now.AddDate(0, 0, -1))
			refresh(2)
			refresh(0) // nothing changed: nothing written
			rows, total, err := st.DashboardRepositories(ctx, store.RepositoryFilter{Org: "acme", Sort: "failing", Desc: true, Limit: 10})
			if err != nil || total != 2 || rows[0].Repository != "acme/one" || len(rows[0].Failing) != 2 || rows[0].Status != store.StatusFlagged ||
				len(rows[1].Topics) != 2 || rows[1].Topics[0] != "a" || !rows[1].TopicsKnown || rows[1].Status != store.StatusCompliant {
				t.Fatalf("rows %+v total %d err %v", rows, total, err)
			}
			day(2, "two-renamed", now, "files")
			refresh(1)
			r, err := st.DashboardRepositoryNamed(ctx, "acme", "TWO-renamed")
			if err != nil || r.Status != store.StatusFlagged || r.Failing[0] != "files" || r.Review.State != "" {
				t.Fatalf("%+v %v", r, err)
			}
			// Review states: written when they differ, "none" for the rest.
			if n, err := st.SetDashboardReviewStates(ctx, "acme", map[int64]store.ReviewCell{1: {State: "open", ReviewRepo: "acme/ospo", Number: 4}}); err != nil || n != 2 {
				t.Fatalf("review states: %d rows, %v", n, err)
			}
			if n, err := st.SetDashboardReviewStates(ctx, "acme", map[int64]store.ReviewCell{1: {State: "open", ReviewRepo: "acme/ospo", Number: 4}}); err != nil || n != 0 {
				t.Fatalf("review states again: %d rows, %v", n, err)
			}
			if n, err := st.SetDashboardReviewStates(ctx, "acme", nil); err != nil || n != 1 {
				t.Fatalf("review states gone: %d rows, %v", n, err)
			}
			if r, _ := st.DashboardRepositoryNamed(ctx, "acme", "one"); r.Review != (store.ReviewCell{State: "none"}) {
				t.Fatalf("%+v", r.Review)
			}
		})
	}
}

func TestDashboardAuditIsTheOrgsExactly(t *testing.T) {
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			st, ctx := storetest.Open(t, d), context.Background()
			now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
			if err := st.UpsertInstallation(ctx, store.Installation{ID: 1, Account: "Acme", AccountType: "Organization", State: "active", UpdatedAt: now}); err != nil {
				t.Fatal(err)
			}
			for i, s := range []string{"Acme/widget", "acme/widget#3", "acme-other/widget", "acmeo/x", "repository 9"} {
				if err := st.AppendAudit(ctx, store.AuditEntry{At: now.Add(time.Duration(i) * time.Second), InstallationID: 1 + int64(i%2)*0,
					Actor: "lead", Action: "approve", Subject: s}); err != nil {
					t.Fatal(err)
				}
			}
			// A row written without its org (not through AppendAudit).
			if _, err := st.DB.ExecContext(ctx, `INSERT INTO audit_log (at, installation_id, actor, action, subject) VALUES ($1, 1, 'x', 'y', 'ACME/raw')`, now.Add(time.Minute)); err != nil {
				t.Fatal(err)
			}
			if n, err := st.FillAuditOrgs(ctx); err != nil || n != 1 {
				t.Fatalf("filled %d (%v)", n, err)
			}
			es, total, err := st.DashboardAudit(ctx, store.AuditFilter{Org: "ACME", Since: now.Add(-time.Hour), Until: now.Add(time.Hour)})
			var got []string
			for _, e := range es {
				got = append(got, e.Subject)
			}
			if err != nil || total != 4 || len(got) != 4 || got[0] != "ACME/raw" || got[1] != "repository 9" || got[2] != "acme/widget#3" || got[3] != "Acme/widget" {
				t.Fatalf("acme's audit: %q (%d) %v", got, total, err)
			}
			if _, total, _ := st.DashboardAudit(ctx, store.AuditFilter{Org: "acme", Repository: "ACME/Widget", Since: now.Add(-time.Hour), Until: now.Add(time.Hour)}); total != 2 {
				t.Fatalf("the widget's entries: %d", total)
			}
			// A CLA signature's subject is the org itself; written before
			// the bot knew the installation (the demo's first webhooks), it
			// is still the org's, and never another org's.
			for i, s := range []string{"Acme", "acme-other", "not a login"} {
				if err := st.AppendAudit(ctx, store.AuditEntry{At: now.Add(time.Duration(10+i) * time.Second), InstallationID: 7,
					Actor: "alice", Action: "cla sign", Subject: s}); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := st.DB.ExecContext(ctx, `INSERT INTO audit_log (at, installation_id, actor, action, subject) VALUES ($1, 8, 'bob', 'cla sign', 'ACME')`, now.Add(2*time.Minute)); err != nil {
				t.Fatal(err)
			}
			if n, err := st.FillAuditOrgs(ctx); err != nil || n != 1 {
				t.Fatalf("filled %d (%v)", n, err)
			}
			es, total, err = st.DashboardAudit(ctx, store.AuditFilter{Org: "acme", Action: "cla sign", Since: now.Add(-time.Hour), Until: now.Add(time.Hour)})
			if err != nil || total != 2 || len(es) != 2 || es[0].Actor != "bob" || es[1].Actor != "alice" {
				t.Fatalf("acme's signatures: %+v (%d) %v", es, total, err)
			}
		})
	}
}

// More repositories than a refresh statement takes: every one gets its
// latest day; an audit entry whose org cannot be known is filled once.
func TestDashboardRefreshInChunks(t *testing.T) {
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			st, ctx := storetest.Open(t, d), context.Background()
			now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
			if _, err := st.DB.ExecContext(ctx, `INSERT INTO repository_days (repository_id, day, installation_id, org, repository, failing, checked_at)
				SELECT r.id, r.id % 2 * 86400, 1, 'acme', 'acme/r' || r.id, CASE WHEN r.id % 2 = 1 THEN 'license' ELSE '' END, 1000 + r.id
				FROM (SELECT 1 + a.i + 10 * b.i + 100 * c.i + 1000 * e.i AS id FROM
					(SELECT 0 AS i UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) a,
					(SELECT 0 AS i UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) b,
					(SELECT 0 AS i UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) c,
					(SELECT 0 AS i UNION ALL SELECT 1) e) r
				WHERE r.id <= 1100`); err != nil {
				t.Fatal(err)
			}
			if n, err := st.RefreshDashboardRepositories(ctx, "acme"); err != nil || n != 1100 {
				t.Fatalf("first refresh: %d (%v)", n, err)
			}
			_, total, err := st.DashboardRepositories(ctx, store.RepositoryFilter{Org: "acme", Rule: "license", Limit: 1})
			if err != nil || total != 550 {
				t.Fatalf("failing license: %d (%v)", total, err)
			}
			if n, err := st.RefreshDashboardRepositories(ctx, "acme"); err != nil || n != 0 {
				t.Fatalf("second refresh: %d (%v)", n, err)
			}
			if err := st.AppendAudit(ctx, store.AuditEntry{At: now, InstallationID: 77, Actor: "x", Action: "y", Subject: "repository 5"}); err != nil {
				t.Fatal(err)
			}
			if _, err := st.DB.ExecContext(ctx, `INSERT INTO audit_log (at, installation_id, actor, action, subject) VALUES ($1, 78, 'x', 'y', 'z')`, now); err != nil {
				t.Fatal(err)
			}
			if n, err := st.FillAuditOrgs(ctx); err != nil || n != 1 {
				t.Fatalf("filled %d (%v)", n, err)
			}
			if n, err := st.FillAuditOrgs(ctx); err != nil || n != 0 {
				t.Fatalf("filled again %d (%v)", n, err)
			}
		})
	}
}

// Every page of a search, read from either end, holds the entries in
// order, each once.
func TestDashboardAuditPagesFromBothEnds(t *testing.T) {
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			st, ctx := storetest.Open(t, d), context.Background()
			now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
			for i := range 23 {
				// Two entries share each second: the ID breaks the tie.
				if err := st.AppendAudit(ctx, store.AuditEntry{At: now.Add(time.Duration(i/2) * time.Second), Actor: "lead", Action: "approve",
					Subject: "acme/widget", Reason: fmt.Sprint(i)}); err != nil {
					t.Fatal(err)
				}
			}
			var got []string
			for off := 0; off < 30; off += 5 {
				es, total, err := st.DashboardAudit(ctx, store.AuditFilter{Org: "acme", Since: now, Until: now.Add(time.Hour), Offset: off, Limit: 5})
				if err != nil || total != 23 {
					t.Fatalf("offset %d: %d (%v)", off, total, err)
				}
				for _, e := range es {
					got = append(got, e.Reason)
				}
			}
			var want []string
			for i := 22; i >= 0; i-- {
				want = append(want, fmt.Sprint(i))
			}
			if !slices.Equal(got, want) {
				t.Fatalf("pages: %q", got)
			}
		})
	}
}
