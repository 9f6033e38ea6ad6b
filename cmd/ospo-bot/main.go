// Command ospo-bot is the GitHub App that enforces an OSPO's open-source policy; its subcommands serve, migrate and report the version.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"

	shipped "github.com/ospo-bot/ospo-bot/config"
	"github.com/ospo-bot/ospo-bot/internal/config"
	"github.com/ospo-bot/ospo-bot/internal/demo"
	"github.com/ospo-bot/ospo-bot/internal/logging"
	"github.com/ospo-bot/ospo-bot/internal/register"
	"github.com/ospo-bot/ospo-bot/internal/server"
	"github.com/ospo-bot/ospo-bot/internal/store"
)

const usage = `ospo-bot enforces an Open Source Program Office's policy on a GitHub organisation.

Usage:
  ospo-bot demo    [--once] [--database FILE] [--listen ADDR]
                                     see ospo-bot at work against a built-in fake GitHub
  ospo-bot demo send EVENT [--to URL]
                                     play one more event in a running demo
  ospo-bot register --webhook-url URL [--org ORG] [--name NAME] [--dir DIR]
                                     create the GitHub App from its manifest, save its key and settings
  ospo-bot serve   [--config FILE]   receive webhooks and run jobs (migrates first)
  ospo-bot migrate [--config FILE]   apply database migrations and exit
  ospo-bot policy validate [--explain] [--repo-override FILE] FILE
                                     check an ospo.yml; --explain prints the effective policy
  ospo-bot backfill [--days N] [--org ORG] [--config FILE]
                                     fill the pull request history of the last N (90) days from
                                     GitHub, paced within the rate limit; run again to resume
  ospo-bot report --org ORG --since DATE [--until DATE] [--format markdown|csv|json] [--out FILE]
                                     write the org's KPIs, repositories, reviews and audit log
  ospo-bot policy plan [--config FILE] [--org ORG] NEW.yml
                                     what NEW.yml would change, from the database (no API call)
  ospo-bot sessions list|revoke (--login LOGIN | --all) [--config FILE]
                                     who is signed in to the dashboard; end sessions at once
  ospo-bot version                   print the version

Settings come from --config (YAML, see config/ospo-bot.example.yml) and
OSPO_* environment variables, which win over the file.
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	cmd, rest := args[0], args[1:]
	var err error
	switch cmd {
	case "serve":
		err = serve(rest, stderr)
	case "demo":
		err = runDemo(rest, stdout, stderr)
	case "register":
		err = registerApp(rest, stdout, stderr)
	case "migrate":
		err = migrate(rest, stdout, stderr)
	case "policy":
		err = policyCommand(rest, stdout, stderr)
	case "backfill":
		err = backfillCommand(rest, stdout, stderr)
	case "report":
		err = reportCommand(rest, stdout, stderr)
	case "sessions":
		err = sessionsCommand(rest, stdout, stderr)
	case "version", "--version":
		fmt.Fprintln(stdout, "ospo-bot", server.Version)
		return 0
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "ospo-bot: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		msg := err.Error()
		if strings.Contains(msg, "\n") {
			msg = "\n  - " + strings.ReplaceAll(msg, "\n", "\n  - ")
		}
		fmt.Fprintf(stderr, "ospo-bot %s: %s\n", cmd, msg)
		return 1
	}
	return 0
}

// loadConfig parses the --config flag and reads the file and environment.
func loadConfig(name string, args []string, stderr io.Writer) (config.Config, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", os.Getenv("OSPO_CONFIG"), "YAML config `file` (also OSPO_CONFIG)")
	if err := fs.Parse(args); err != nil {
		return config.Config{}, err
	}
	if fs.NArg() > 0 {
		return config.Config{}, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	return config.Load(*path, os.LookupEnv)
}

func serve(args []string, stderr io.Writer) error {
	cfg, err := loadConfig("serve", args, stderr)
	if err != nil {
		return err
	}
	logger, err := logging.New(stderr, cfg.LogLevel)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	app, err := server.Open(ctx, cfg, logger, server.Options{})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		app.Close()
		return fmt.Errorf("listen on %s (OSPO_LISTEN): %w", cfg.Listen, err)
	}
	return app.Serve(ctx, ln)
}

func migrate(args []string, stdout, stderr io.Writer) error {
	cfg, err := loadConfig("migrate", args, stderr)
	if err != nil {
		return err
	}
	ctx := context.Background()
	st, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer st.Close()
	applied, err := st.Migrate(ctx)
	if err != nil {
		return err
	}
	if len(applied) == 0 {
		fmt.Fprintf(stdout, "%s database %s is up to date\n", st.Dialect, store.Redact(cfg.DatabaseURL))
	}
	for _, a := range applied {
		fmt.Fprintln(stdout, "applied", a)
	}
	return nil
}

func runDemo(args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "send" {
		return demoSend(args[1:], stdout, stderr)
	}
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	once := fs.Bool("once", false, "exit after the scenario: status 0 only if every step gave its result")
	database := fs.String("database", "", "SQLite `file` to keep (default: a temporary one)")
	listen := fs.String("listen", "", "`address` for the server (default: a free local port)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	logger, err := logging.New(stderr, "warn")
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return demo.Run(ctx, demo.Options{Database: *database, Listen: *listen, Once: *once, Out: stdout, Logger: logger})
}

// demoSend asks a running demo to play one more event.
func demoSend(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("demo send", flag.ContinueOnError)
	fs.SetOutput(stderr)
	to := fs.String("to", "", "the running demo's control `URL` (default: the newest demo running here)")
	event := ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		event, args = args[0], args[1:]
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if event == "" || fs.NArg() > 0 {
		return fmt.Errorf("usage: ospo-bot demo send EVENT [--to URL], with EVENT one of %s", strings.Join(demo.EventNames(), ", "))
	}
	if *to == "" {
		u, err := demo.ControlURL()
		if err != nil {
			return err
		}
		*to = u
	}
	resp, err := http.Post(strings.TrimSuffix(*to, "/")+"/send?event="+url.QueryEscape(event), "text/plain", nil)
	if err != nil {
		return fmt.Errorf("is the demo running? %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return errors.New(strings.TrimSpace(string(body)))
	}
	_, err = stdout.Write(body)
	return err
}

// registerApp creates the GitHub App through GitHub's manifest flow.
func registerApp(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("register", flag.ContinueOnError)
	fs.SetOutput(stderr)
	o := register.Options{Manifest: shipped.AppManifest, Out: stdout}
	fs.StringVar(&o.WebhookURL, "webhook-url", "", "`URL` where GitHub can reach ospo-bot, e.g. https://ospo-bot.example.com/api/github/hook (required)")
	fs.StringVar(&o.Org, "org", "", "the `organisation` that owns the App (default: your user account)")
	fs.StringVar(&o.Name, "name", "", "the App's `name`, unique on GitHub (default: the manifest's, ospo-bot)")
	fs.StringVar(&o.Dir, "dir", ".", "`directory` for ospo-bot.pem and ospo-bot.env")
	fs.StringVar(&o.GitHubURL, "github-url", "https://github.com", "GitHub's web `URL`; https://HOST for GitHub Enterprise Server")
	fs.StringVar(&o.APIURL, "github-api-url", "", "GitHub's REST API `URL` (default: derived from --github-url)")
	fs.StringVar(&o.Listen, "listen", "127.0.0.1:0", "local `address` of the page the browser goes through")
	manifest := fs.String("manifest", "", "a manifest `file` to use instead of the built-in config/app.yml")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if *manifest != "" {
		b, err := os.ReadFile(*manifest)
		if err != nil {
			return err
		}
		o.Manifest = b
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	_, err := register.Run(ctx, o)
	return err
}
