package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/ospo-bot/ospo-bot/internal/backfill"
	"github.com/ospo-bot/ospo-bot/internal/config"
	"github.com/ospo-bot/ospo-bot/internal/ghclient"
	"github.com/ospo-bot/ospo-bot/internal/logging"
	"github.com/ospo-bot/ospo-bot/internal/server"
	"github.com/ospo-bot/ospo-bot/internal/store"
)

// backfillCommand fills the pull request history of an existing org from
// GitHub's API (internal/backfill), beside a running bot or not: it takes
// no lock and writes only upserts. Interrupted, it resumes when run again.
func backfillCommand(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("backfill", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", os.Getenv("OSPO_CONFIG"), "YAML config `file` (also OSPO_CONFIG)")
	days := fs.Int("days", 90, "fill the pull requests created in the last `N` days")
	org := fs.String("org", "", "only the installation on `ORG` (default: every installation of the app)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if *days <= 0 {
		return fmt.Errorf("--days must be positive, not %d", *days)
	}
	cfg, err := config.Load(*path, os.LookupEnv)
	if err != nil {
		return err
	}
	logger, err := logging.New(stderr, cfg.LogLevel)
	if err != nil {
		return err
	}
	key, err := cfg.PrivateKeyPEM()
	if err != nil {
		return err
	}
	gh, err := ghclient.NewClientCreator(ghclient.Config{APIURL: cfg.GitHubAPIURL, AppID: cfg.GitHubAppID, PrivateKey: key,
		UserAgent: "ospo-bot/" + server.Version + " backfill"}, nil)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	st, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer st.Close()
	if _, err := st.Migrate(ctx); err != nil {
		return err
	}
	res, err := backfill.Run(logger.WithContext(ctx), gh, st, backfill.Options{Days: *days, Org: *org})
	fmt.Fprintf(stdout, "backfilled %d pull requests of the last %d days in %d repositories of %d installations (%d filled before), "+
		"%d requests, %d waits for the rate limit\n", res.PullRequests, *days, res.Repositories, res.Installations, res.Skipped, res.Requests, res.Waits)
	if err != nil {
		return fmt.Errorf("%w (run it again to resume)", err)
	}
	return nil
}
