package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ospo-bot/ospo-bot/internal/store"
)

func TestReportFlags(t *testing.T) {
	now := time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		org, since, until, format string
		wants                     []string
	}{
		{"", "", "", "markdown", []string{"--org is required", "--since is required"}},
		{"acme", "2026-13-01", "", "markdown", []string{`--since "2026-13-01" is not a date`}},
		{"acme", "2026-03-01", "03/04/2026", "markdown", []string{`--until "03/04/2026" is not a date`}},
		{"acme", "2026-03-01", "2026-03-01", "markdown", []string{"is not before --until"}},
		{"acme", "2026-03-01", "", "xml", []string{`--format "xml"`}},
	} {
		_, err := reportOptions(c.org, c.since, c.until, c.format, now)
		for _, w := range c.wants {
			if err == nil || !strings.Contains(err.Error(), w) {
				t.Errorf("%+v: error %v, want %q", c, err, w)
			}
		}
	}
	o, err := reportOptions("acme", "2026-03-01", "", "json", now)
	if err != nil || !o.Until.Equal(time.Date(2026, 3, 16, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("default until: %+v, %v", o, err)
	}
}

func TestReportCommand(t *testing.T) {
	dir := t.TempDir()
	db := "sqlite://" + filepath.Join(dir, "bot.db")
	t.Setenv("OSPO_DATABASE_URL", db)
	var stdout, stderr bytes.Buffer
	if code := run([]string{"report", "--org", "acme", "--since", "2026-01-01"}, &stdout, &stderr); code != 1 ||
		!strings.Contains(stderr.String(), "no database at") {
		t.Fatalf("report without a database: exit %d, %s", code, stderr.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "bot.db")); err == nil {
		t.Error("report created the database it did not find")
	}
	ctx := context.Background()
	st, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	day := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC).Unix()
	if _, err := st.DB.ExecContext(ctx, `INSERT INTO repository_days (repository_id, day, installation_id, org, repository, results, license, checked_at)
		VALUES (1, $1, 1, 'acme', 'acme/api', '{"repository.license":"enforce/pass"}', 'MIT', $1)`, day); err != nil {
		t.Fatal(err)
	}
	st.Close()

	stdout.Reset()
	stderr.Reset()
	out := filepath.Join(dir, "report.json")
	if code := run([]string{"report", "--org", "acme", "--since", "2026-01-01", "--until", "2026-04-01", "--format", "json", "--out", out}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Org  string
		KPIs struct {
			Compliance struct{ Num, Den int } `json:"compliance"`
		} `json:"kpis"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil || doc.Org != "acme" || doc.KPIs.Compliance.Num != 1 || doc.KPIs.Compliance.Den != 1 {
		t.Errorf("report: %+v %v\n%s", doc, err, raw)
	}
	stdout.Reset()
	if code := run([]string{"report", "--org", "acme", "--since", "2026-01-01", "--format", "csv"}, &stdout, &stderr); code != 0 ||
		!strings.HasPrefix(stdout.String(), "section,record,field,value\n") {
		t.Errorf("csv: exit %d, %q %s", code, stdout.String(), stderr.String())
	}
}
