package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/ospo-bot/ospo-bot/internal/config"
	"github.com/ospo-bot/ospo-bot/internal/report"
	"github.com/ospo-bot/ospo-bot/internal/store"
)

const reportUsage = `Usage:
  ospo-bot report --org ORG --since DATE [--until DATE] [--format markdown|csv|json] [--out FILE] [--config FILE]

report writes an org's report from the database alone (no GitHub call): its
KPIs, every repository with its per-rule status, review state and
exemptions, and the audit log of the period. DATEs are YYYY-MM-DD (UTC);
the period runs from the start of --since to the start of --until, which is
excluded (default: tomorrow, so that today is in). The database is the one
serve uses (--config, OSPO_DATABASE_URL).
`

func reportCommand(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, reportUsage, "\nFlags:\n")
		fs.PrintDefaults()
	}
	path := fs.String("config", os.Getenv("OSPO_CONFIG"), "YAML config `file` (also OSPO_CONFIG)")
	org := fs.String("org", "", "the `org` to report on (required)")
	sinceFlag := fs.String("since", "", "first `day` of the period, YYYY-MM-DD (required)")
	untilFlag := fs.String("until", "", "the `day` after the period, YYYY-MM-DD (default tomorrow)")
	format := fs.String("format", "markdown", "output `format`: markdown, csv or json")
	out := fs.String("out", "", "write to `file` instead of standard output")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	o, err := reportOptions(*org, *sinceFlag, *untilFlag, *format, time.Now())
	if err != nil {
		return err
	}
	cfg, err := config.Load(*path, os.LookupEnv)
	if err != nil {
		return err
	}
	o.WebURL = webURL(cfg.GitHubAPIURL)
	ctx := context.Background()
	st, err := openReady(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer st.Close()
	r, err := report.Build(ctx, st, o)
	if err != nil {
		return err
	}
	w := stdout
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	if err := report.Write(w, r, *format); err != nil {
		return err
	}
	if f, ok := w.(*os.File); ok && *out != "" {
		return f.Close()
	}
	return nil
}

// reportOptions checks the flags: every problem is named at once.
func reportOptions(org, since, until, format string, now time.Time) (report.Options, error) {
	var errs []error
	o := report.Options{Org: strings.TrimSpace(org), Now: now}
	if o.Org == "" {
		errs = append(errs, errors.New("--org is required"))
	}
	var err error
	if since == "" {
		errs = append(errs, errors.New("--since is required (YYYY-MM-DD)"))
	} else if o.Since, err = time.Parse(time.DateOnly, since); err != nil {
		errs = append(errs, fmt.Errorf("--since %q is not a date: use YYYY-MM-DD", since))
	}
	if until == "" {
		n := now.UTC()
		o.Until = time.Date(n.Year(), n.Month(), n.Day()+1, 0, 0, 0, 0, time.UTC)
	} else if o.Until, err = time.Parse(time.DateOnly, until); err != nil {
		errs = append(errs, fmt.Errorf("--until %q is not a date: use YYYY-MM-DD", until))
	}
	if !o.Since.IsZero() && !o.Until.IsZero() && !o.Since.Before(o.Until) {
		errs = append(errs, fmt.Errorf("--since %s is not before --until %s (the day --until names is excluded)", since, o.Until.Format(time.DateOnly)))
	}
	if !report.ValidFormat(format) {
		errs = append(errs, fmt.Errorf("--format %q: use markdown, csv or json", format))
	}
	return o, errors.Join(errs...)
}

// webURL is GitHub's web address for an API URL: github.com for
// api.github.com, the host itself for GitHub Enterprise Server (/api/v3).
func webURL(api string) string {
	u, err := url.Parse(api)
	if err != nil || u.Host == "" {
		return "https://github.com"
	}
	if u.Host == "api.github.com" {
		return "https://github.com"
	}
	return u.Scheme + "://" + u.Host
}

// sqlitePath is the file of a SQLite database URL ("" for any other).
func sqlitePath(raw string) string {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return ""
	}
	switch scheme {
	case "sqlite", "sqlite3", "file":
		p, _, _ := strings.Cut(rest, "?")
		return p
	}
	return ""
}

// openReady opens the database serve uses for a command that only reads
// it: a SQLite file that is not there is named, not created empty, and a
// database not migrated is refused.
func openReady(ctx context.Context, url string) (*store.Store, error) {
	if p := sqlitePath(url); p != "" {
		if _, err := os.Stat(p); err != nil {
			return nil, fmt.Errorf("no database at %s (OSPO_DATABASE_URL, --config): %w", p, err)
		}
	}
	st, err := store.Open(ctx, url)
	if err != nil {
		return nil, err
	}
	if err := st.Ready(ctx); err != nil {
		st.Close()
		return nil, fmt.Errorf("%s database %s: %w", st.Dialect, store.Redact(url), err)
	}
	return st, nil
}
