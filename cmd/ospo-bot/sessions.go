package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ospo-bot/ospo-bot/internal/config"
)

const sessionsUsage = `Usage:
  ospo-bot sessions list [--config FILE]
  ospo-bot sessions revoke (--login LOGIN | --all) [--config FILE]

The dashboard's sign-in sessions, in the database serve uses (--config,
OSPO_DATABASE_URL). list shows who is signed in, to which orgs, and when
GitHub last confirmed it; revoke ends sessions at once, on every replica:
the browser's next request is sent to sign in again (and GitHub is asked
again who may see what).
`

func sessionsCommand(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "list" && args[0] != "revoke") {
		fmt.Fprint(stderr, sessionsUsage)
		if len(args) == 0 {
			return errors.New("say list or revoke")
		}
		return fmt.Errorf("unknown subcommand %q: say list or revoke", args[0])
	}
	sub := args[0]
	fs := flag.NewFlagSet("sessions "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, sessionsUsage, "\nFlags:\n")
		fs.PrintDefaults()
	}
	path := fs.String("config", os.Getenv("OSPO_CONFIG"), "YAML config `file` (also OSPO_CONFIG)")
	login := fs.String("login", "", "revoke the sessions of this GitHub `login`")
	all := fs.Bool("all", false, "revoke every session")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if sub == "list" && (*login != "" || *all) {
		return errors.New("list takes no --login or --all")
	}
	if sub == "revoke" && (*login == "") == !*all {
		return errors.New("revoke needs one of --login LOGIN or --all")
	}
	cfg, err := config.Load(*path, os.LookupEnv)
	if err != nil {
		return err
	}
	ctx := context.Background()
	st, err := openReady(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer st.Close()
	if sub == "revoke" {
		var n int64
		what := "every session"
		if *all {
			n, err = st.DeleteAllSessions(ctx)
		} else {
			n, err = st.DeleteSessionsOf(ctx, *login)
			what = "the sessions of " + *login
		}
		if err != nil {
			return err
		}
		noun := "sessions"
		if n == 1 {
			noun = "session"
		}
		if *all {
			fmt.Fprintf(stdout, "Revoked %s: %d %s.\n", what, n, noun)
		} else {
			fmt.Fprintf(stdout, "Revoked %d %s of %s.\n", n, noun, *login)
		}
		return nil
	}
	list, err := st.Sessions(ctx)
	if err != nil {
		return err
	}
	if len(list) == 0 {
		fmt.Fprintln(stdout, "No one is signed in to the dashboard.")
		return nil
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "LOGIN\tORGS\tSIGNED IN\tLAST SEEN\tCONFIRMED BY GITHUB\tEXPIRES\tSESSION")
	ts := func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04Z") }
	for _, s := range list {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s.Login, strings.Join(s.Orgs, ","), ts(s.CreatedAt), ts(s.SeenAt), ts(s.ConfirmedAt), ts(s.ExpiresAt), s.Hash[:12])
	}
	return tw.Flush()
}
