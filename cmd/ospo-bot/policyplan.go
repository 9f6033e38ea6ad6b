package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/ospo-bot/ospo-bot/internal/config"
	"github.com/ospo-bot/ospo-bot/internal/fit"
	"github.com/ospo-bot/ospo-bot/internal/plan"
	"github.com/ospo-bot/ospo-bot/internal/policy"
	"github.com/ospo-bot/ospo-bot/internal/store"
)

// policyPlan runs "ospo-bot policy plan NEW.yml": the plan of a new org
// policy from the snapshots in the database, with no API call.
func policyPlan(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("policy plan", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, policyUsage, "\nFlags:\n")
		fs.PrintDefaults()
	}
	cfgPath := fs.String("config", os.Getenv("OSPO_CONFIG"), "YAML config `file` naming the database, as for serve (also OSPO_CONFIG)")
	org := fs.String("org", "", "the `org` to plan for (default: the only one in the database)")
	markdown := fs.Bool("markdown", false, "print the plan as GitHub Markdown, as the ospo/policy-plan check run shows it")
	files, err := parseAround(fs, args)
	if err != nil {
		return err
	}
	if len(files) != 1 {
		fs.Usage()
		return fmt.Errorf("name one new org policy file (NEW.yml), got %d", len(files))
	}
	data, err := os.ReadFile(files[0])
	if err != nil {
		return err
	}
	newDoc, err := policy.ParseDocument(files[0], data, true)
	var errs policy.Errors
	if errors.As(err, &errs) {
		for _, e := range errs {
			fmt.Fprintln(stderr, e)
		}
		return fmt.Errorf("%s is invalid: %d problem%s found", files[0], len(errs), plural(len(errs)))
	}
	if err != nil {
		return err
	}

	cfg, err := config.Load(*cfgPath, os.LookupEnv)
	if err != nil {
		return err
	}
	ctx := context.Background()
	st, err := openReady(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer st.Close()
	if *org == "" {
		orgs, err := st.SnapshotOrgs(ctx)
		if err != nil {
			return err
		}
		switch len(orgs) {
		case 0:
			return fmt.Errorf("the database %s holds no repository snapshot yet: the plan needs the bot to have checked the org's repositories once", store.Redact(cfg.DatabaseURL))
		case 1:
			*org = orgs[0]
		default:
			return fmt.Errorf("the database holds several orgs (%s): name one with --org", strings.Join(orgs, ", "))
		}
	}
	p, err := plan.Build(ctx, st, *org, newDoc)
	if err != nil {
		return err
	}
	if p.Repositories == 0 {
		return fmt.Errorf("no repository snapshot of org %q in the database", *org)
	}
	if *markdown {
		_, err = io.WriteString(stdout, p.Markdown(fit.CheckOutput.Max, "")+"\n")
		return err
	}
	_, err = io.WriteString(stdout, p.Text())
	return err
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
