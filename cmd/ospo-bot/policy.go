package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/ospo-bot/ospo-bot/internal/policy"
)

const policyUsage = `Usage:
  ospo-bot policy validate [--explain] [--repo-override FILE] [FILE]
  ospo-bot policy plan [--config FILE] [--org ORG] [--markdown] NEW.yml

validate checks an org policy FILE (ospo.yml, as in the org's .github
repository) and a repository override (--repo-override, a repository's
.github/ospo.yml): every problem is printed as file:line:col: message and the
command fails. Otherwise it prints "FILE: valid" and the notices (overrides
the org policy does not allow). --explain prints the effective policy, with
defaults filled in and the override merged, as YAML on stdout.

plan re-evaluates the last snapshot the bot kept of every repository of the
org (--org; needed when the database holds more than one) under the org
policy each was checked with and under NEW.yml, each with its repository's
override, and prints per rule the repositories that would newly fail, newly
pass or change mode, and those that would newly be (or no longer be) flagged
for OSPO review. It reads the database named by the serve configuration
(--config, OSPO_DATABASE_URL) and calls no API. A rule whose needs a
repository's last check did not gather is "unknown: not gathered", never
guessed. --markdown prints the plan as the ospo/policy-plan check run shows it.
`

// policyCommand runs "ospo-bot policy SUBCOMMAND ...".
func policyCommand(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, policyUsage)
		return errors.New("missing subcommand (subcommands: validate, plan)")
	}
	switch args[0] {
	case "validate":
		return policyValidate(args[1:], stdout, stderr)
	case "plan":
		return policyPlan(args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, policyUsage)
		return nil
	}
	return fmt.Errorf("unknown subcommand %q (subcommands: validate, plan)", args[0])
}

func policyValidate(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("policy validate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, policyUsage, "\nFlags:\n")
		fs.PrintDefaults()
	}
	explain := fs.Bool("explain", false, "print the effective policy as YAML on stdout")
	override := fs.String("repo-override", "", "a repository override `FILE` (.github/ospo.yml) to check and merge")
	files, err := parseAround(fs, args)
	if err != nil {
		return err
	}
	switch {
	case len(files) > 1:
		return fmt.Errorf("one org policy FILE at most, got %q", files)
	case len(files) == 0 && *override == "":
		fs.Usage()
		return errors.New("name the org policy FILE (ospo.yml), a --repo-override FILE, or both")
	}

	var orgDoc, repoDoc *policy.Document
	var valid []string
	problems := 0
	read := func(file string, org bool) (*policy.Document, error) {
		data, err := os.ReadFile(file)
		if err != nil {
			return nil, err
		}
		d, err := policy.ParseDocument(file, data, org)
		var errs policy.Errors
		if errors.As(err, &errs) {
			for _, e := range errs {
				fmt.Fprintln(stderr, e)
			}
			problems += len(errs)
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		valid = append(valid, file)
		return d, nil
	}
	if len(files) == 1 {
		if orgDoc, err = read(files[0], true); err != nil {
			return err
		}
	}
	if *override != "" {
		if repoDoc, err = read(*override, false); err != nil {
			return err
		}
	}
	if problems > 0 {
		s := "s"
		if problems == 1 {
			s = ""
		}
		return fmt.Errorf("%d problem%s found", problems, s)
	}

	out := stdout
	if *explain {
		out = stderr // stdout is the YAML
	}
	for _, f := range valid {
		fmt.Fprintf(out, "%s: valid\n", f)
	}
	e := policy.Resolve(orgDoc, repoDoc)
	for _, n := range e.Notices {
		fmt.Fprintln(out, n)
	}
	if *explain {
		_, err := stdout.Write(e.YAML())
		return err
	}
	return nil
}

// parseAround parses fs's flags wherever they stand among the file
// arguments (Go's flag package stops at the first argument), and returns
// the files.
func parseAround(fs *flag.FlagSet, args []string) ([]string, error) {
	var files []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return files, nil
		}
		files = append(files, fs.Arg(0))
		args = fs.Args()[1:]
	}
}
