package report_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/ospo-bot/ospo-bot/internal/kpi"
	"github.com/ospo-bot/ospo-bot/internal/report"
	"github.com/ospo-bot/ospo-bot/internal/store"
	"github.com/ospo-bot/ospo-bot/internal/store/storetest"
)

var (
	since = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	until = time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	now   = until.Add(24 * time.Hour)
)

const hostile = "=cmd|' /C calc'!A0 @everyone <img src=x> [x](https://evil.example) | #1"

// seed writes a small org's history: three repositories (one failing the
// licence rule, one out of scope), a review decided and an exemption with
// a hostile reason, a CLA signer, pull requests and an audit entry.
func seed(t *testing.T, s *store.Store) {
	ctx := context.Background()
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := s.DB.ExecContext(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	at := func(days float64) int64 { return since.Add(time.Duration(days * 24 * float64(time.Hour))).Unix() }
	exec(`INSERT INTO installations (id, account, account_type, state, updated_at) VALUES (1, 'acme', 'Organization', 'active', $1)`, since)
	for _, r := range []struct {
		id               int64
		name             string
		inScope          bool
		failing, results string
		license          string
	}{
		{1, "acme/api", true, "", `{"repository.license":"enforce/pass","repository.files":"warn/fail"}`, "Apache-2.0"},
		{2, "acme/web", true, "repository.license", `{"repository.license":"enforce/fail"}`, ""},
		{3, "acme/old-fork", false, "", `{"repository.license":"enforce/fail"}`, "BUSL-1.1"},
	} {
		exec(`INSERT INTO repository_days (repository_id, day, installation_id, org, repository, in_scope, flagged, failing, results, license, checked_at)
			VALUES ($1, $2, 1, 'acme', $3, $4, $5, $6, $7, $8, $2)`, r.id, at(30), r.name, r.inScope, r.failing != "", r.failing, r.results, r.license)
	}
	exec(`INSERT INTO repositories (id, installation_id, full_name, updated_at) VALUES (4, 1, 'acme/new', $1)`, since)

	if _, _, err := s.ClaimReviewIssue(ctx, store.ReviewIssue{RepositoryID: 2, InstallationID: 1, Repository: "acme/web", ReviewRepo: "acme/ospo"}); err != nil {
		t.Fatal(err)
	}
	if err := s.UpdateReviewIssue(ctx, store.ReviewIssue{RepositoryID: 2, InstallationID: 1, Repository: "acme/web", ReviewRepo: "acme/ospo", IssueNumber: 7}); err != nil {
		t.Fatal(err)
	}
	if err := s.ReplaceCommentDecisions(ctx, 99, []store.ReviewDecision{
		{CommentID: 99, RepositoryID: 2, Actor: "lead", Verb: "exempt", Rule: "repository.license", Reason: hostile,
			URL: "https://github.com/acme/ospo/issues/7#issuecomment-99", At: time.Unix(at(31), 0)},
		{CommentID: 99, Seq: 1, RepositoryID: 2, Actor: "lead", Verb: "reject", Reason: "no licence", At: time.Unix(at(32), 0)},
	}); err != nil {
		t.Fatal(err)
	}
	for i, e := range []struct {
		kind, verb string
		day        float64
	}{{"opened", "", 30}, {"responded", "", 30.5}, {"decided", "exempt", 31}, {"decided", "reject", 32}} {
		exec(`INSERT INTO review_events (event_key, repository_id, installation_id, org, repository, kind, verb, at)
			VALUES ($1, 2, 1, 'acme', 'acme/web', $2, $3, $4)`, "e"+string(rune('a'+i)), e.kind, e.verb, at(e.day))
	}
	exec(`INSERT INTO cla_events (event_key, org, user_id, login, kind, at) VALUES ('c1', 'acme', 5, 'eve', 'signed', $1)`, at(40))
	exec(`INSERT INTO cla_signatures (user_id, org, login, version, signed_at) VALUES (6, 'acme', 'old', '1', $1)`, since.AddDate(-1, 0, 0))

	for _, p := range []struct {
		repo                      string
		n                         int
		author, assoc             string
		bot                       bool
		opened, responded, closed float64
		responder                 string
		merged                    bool
	}{
		{"acme/api", 1, "ann", "MEMBER", false, 10, 10.5, 11, "bob", true},
		{"acme/api", 2, "eve", "FIRST_TIME_CONTRIBUTOR", false, 20, 20.25, 0, "renovate[bot]", false},
		{"acme/api", 3, "dependabot[bot]", "NONE", true, 21, 0, 22, "", true},
		{"acme/web", 1, "ann", "MEMBER", false, 50, 51, 52, "lead", true},
	} {
		ts := func(d float64) int64 {
			if d == 0 {
				return 0
			}
			return at(d)
		}
		exec(`INSERT INTO pull_request_facts (repository, number, installation_id, org, author, author_association, author_bot,
			opened_at, first_response_at, first_responder, closed_at, merged, updated_at)
			VALUES ($1, $2, 1, 'acme', $3, $4, $5, $6, $7, $8, $9, $10, $6)`,
			p.repo, p.n, p.author, p.assoc, p.bot, at(p.opened), ts(p.responded), p.responder, ts(p.closed), p.merged)
	}
	if err := s.AppendAudit(ctx, store.AuditEntry{At: time.Unix(at(31), 0), InstallationID: 1, Actor: "lead", Action: "exempt",
		Subject: "acme/web", Reason: hostile, URL: "https://github.com/acme/ospo/issues/7#issuecomment-99"}); err != nil {
		t.Fatal(err)
	}
}

func TestBuild(t *testing.T) {
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			s := storetest.Open(t, d)
			seed(t, s)
			r, err := report.Build(context.Background(), s, report.Options{Org: "ACME", Since: since, Until: until, Now: now})
			if err != nil {
				t.Fatal(err)
			}
			k := r.KPIs
			check := func(name string, got, want any) {
				t.Helper()
				if got != want {
					t.Errorf("%s = %+v, want %+v", name, got, want)
				}
			}
			check("org", r.Org, "acme")
			check("compliance", k.Compliance, kpi.Ratio{Num: 1, Den: 2})
			check("compliance by rule", k.ComplianceByRule["repository.license"], kpi.Ratio{Num: 1, Den: 2})
			check("licence coverage", k.LicenseCoverage, kpi.Ratio{Num: 1, Den: 2})
			check("OSI approved", k.OSIApproved, kpi.Ratio{Num: 1, Den: 1})
			// Opened day 30, first approve or reject day 32 (the reject).
			check("review time to decision", k.ReviewTimeToDecision, kpi.Durations{N: 1, P50: 48 * time.Hour, P90: 48 * time.Hour})
			check("open reviews", k.OpenReviews, 0)
			check("exemptions", k.ExemptionsInForce, 1)
			check("CLA signers", k.CLASigners, 2)
			check("CLA new in February", k.CLANewSigners[1], kpi.MonthCount{Month: "2026-02", Count: 1})
			// ann's two: 12h and 24h; eve's bot "response" does not count.
			check("time to first response", k.TimeToFirstResponse, kpi.Durations{N: 2, P50: 12 * time.Hour, P90: 24 * time.Hour})
			check("time to close", k.TimeToClose, kpi.Durations{N: 2, P50: 24 * time.Hour, P90: 48 * time.Hour})
			check("closure", k.ChangeRequestClosure, kpi.Ratio{Num: 2, Den: 3})
			check("member", k.MemberContributions, 2)
			check("external", k.ExternalContributions, 1)
			check("first-time", k.FirstTimeContributors, 2) // ann and eve; the bot is not counted
			if len(k.AbsenceFactor) != 2 || k.AbsenceFactor[0] != (kpi.RepositoryFactor{Repository: "acme/api", Factor: 1, Contributors: 1, Merged: 1}) {
				t.Errorf("absence factors = %+v", k.AbsenceFactor)
			}
			if len(r.Repositories) != 4 || r.Repositories[3].Name != "acme/web" || r.Repositories[3].Review != "rejected" ||
				r.Repositories[3].ReviewIssueURL != "https://github.com/acme/ospo/issues/7" || len(r.Repositories[3].Exemptions) != 1 {
				t.Errorf("repositories = %+v", r.Repositories)
			}
			if len(r.Reviews) != 1 || r.Reviews[0].Status != "rejected" || r.Reviews[0].Decided.Unix() != since.AddDate(0, 0, 32).Unix() {
				t.Errorf("reviews = %+v", r.Reviews)
			}
			if len(r.Audit) != 1 {
				t.Errorf("audit = %+v", r.Audit)
			}
			testWrite(t, r)
		})
	}
}

func testWrite(t *testing.T, r *report.Report) {
	for _, f := range report.Formats {
		var b bytes.Buffer
		if err := report.Write(&b, r, f); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		switch f {
		case "json":
			validate(t, b.Bytes())
		case "csv":
			rows, err := csv.NewReader(&b).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(rows[0], ",") != "section,record,field,value" {
				t.Errorf("CSV header %v", rows[0])
			}
			for _, row := range rows {
				if strings.HasPrefix(row[3], "=") {
					t.Errorf("CSV cell a spreadsheet would run: %v", row)
				}
			}
		case "markdown":
			md := b.String()
			if strings.Contains(md, "](https://evil") || strings.Contains(md, "@everyone") {
				t.Errorf("markdown holds a live link or mention:\n%s", md)
			}
			for _, escaped := range []string{`\<img`, `\[x\]`, `\| \#`} {
				if !strings.Contains(md, escaped) {
					t.Errorf("markdown lacks %s:\n%s", escaped, md)
				}
			}
			if !strings.Contains(md, "| Compliance (in-scope repositories passing every enforce rule) | 50.0 % (1 of 2) |") {
				t.Errorf("markdown lacks the compliance line:\n%s", md)
			}
		}
	}
	if err := report.Write(&bytes.Buffer{}, r, "xml"); err == nil {
		t.Error("format xml accepted")
	}
}

// validate checks a JSON report against testdata/report.schema.json with
// santhosh-tekuri/jsonschema (JSON Schema 2020-12, formats asserted).
func validate(t *testing.T, doc []byte) {
	t.Helper()
	raw, err := os.ReadFile("../../testdata/report.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	schemaDoc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("report.schema.json", schemaDoc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("report.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	if err := sch.Validate(v); err != nil {
		t.Errorf("the JSON report does not match its schema: %v\n%s", err, doc)
	}
	var generic map[string]any
	if err := json.Unmarshal(doc, &generic); err != nil {
		t.Fatal(err)
	}
}

func TestSchemaRejects(t *testing.T) {
	// The validation can fail: a document missing its KPIs is refused.
	defer func() {
		if r := recover(); r != nil {
			t.Fatal(r)
		}
	}()
	raw, _ := os.ReadFile("../../testdata/report.schema.json")
	schemaDoc, _ := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	c := jsonschema.NewCompiler()
	if err := c.AddResource("s.json", schemaDoc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("s.json")
	if err != nil {
		t.Fatal(err)
	}
	v, _ := jsonschema.UnmarshalJSON(strings.NewReader(`{"schema_version":1,"org":"a","since":"2026-01-01","until":"2026-02-01","spdx_license_list_version":"3","repositories":[],"reviews":[],"audit":[]}`))
	if sch.Validate(v) == nil {
		t.Error("a report without kpis validates")
	}
}

func TestBuildRefusesAnEmptyPeriod(t *testing.T) {
	s := storetest.Open(t, store.SQLite)
	if _, err := report.Build(context.Background(), s, report.Options{Org: "acme", Since: until, Until: since}); err == nil {
		t.Error("a period ending before it starts was accepted")
	}
}

// TestExemptionExpiry: an exemption that expired by the end of the period
// is not in force; one expiring after it is, with its expiry in every
// format.
func TestExemptionExpiry(t *testing.T) {
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			s := storetest.Open(t, d)
			seed(t, s)
			ctx := context.Background()
			later := until.AddDate(0, 0, 10)
			if err := s.ReplaceCommentDecisions(ctx, 100, []store.ReviewDecision{
				{RepositoryID: 2, Actor: "lead", Verb: "exempt", Rule: "repository.files", Reason: "expired", At: since, Expires: until},
				{Seq: 1, RepositoryID: 2, Actor: "lead", Verb: "exempt", Rule: "repository.topics", Reason: "expiring", At: since, Expires: later},
			}); err != nil {
				t.Fatal(err)
			}
			r, err := report.Build(ctx, s, report.Options{Org: "acme", Since: since, Until: until, Now: now})
			if err != nil {
				t.Fatal(err)
			}
			ex := r.Repositories[3].Exemptions
			if r.KPIs.ExemptionsInForce != 2 || len(ex) != 2 || ex[0].Rule != "repository.license" || !ex[0].Expires.IsZero() ||
				ex[1].Rule != "repository.topics" || !ex[1].Expires.Equal(later) {
				t.Fatalf("in force %d: %+v", r.KPIs.ExemptionsInForce, ex)
			}
			want := map[string]string{
				"json":     `"expires": "2026-04-11T00:00:00Z"`,
				"csv":      "repository,acme/web,exemptions:repository.topics:expires,2026-04-11T00:00:00Z",
				"markdown": "repository.topics by lead through 2026-04-10: expiring",
			}
			for _, f := range report.Formats {
				var b bytes.Buffer
				if err := report.Write(&b, r, f); err != nil {
					t.Fatal(err)
				}
				if !strings.Contains(b.String(), want[f]) {
					t.Errorf("%s lacks %s:\n%s", f, want[f], b.String())
				}
				if f == "json" {
					validate(t, b.Bytes())
				}
			}
		})
	}
}
