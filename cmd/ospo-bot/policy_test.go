package main

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ospo-bot/ospo-bot/internal/policy"
)

func TestPolicyCommand(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	org := write("ospo.yml", "locked: [repository.license]\nrepository:\n  license: {mode: enforce, allowed: [MIT]}\n")
	override := write("override.yml", "repository:\n  license:\n    mode: warn\n  files: {mode: enforce}\n")
	bad := write("bad.yml", "review:\n  repository: acme\nrepository:\n  codeowners: {mode: strict}\n  extra: 1\n")
	badOverride := write("bad-override.yml", "allow_repo_override: true\n")

	tests := []struct {
		name     string
		args     []string
		err      string   // "" for success
		stdout   []string // substrings, in order
		stderr   []string // exact lines
		noStdout bool
	}{
		{name: "valid", args: []string{"validate", org}, stdout: []string{org + ": valid\n"}},
		{name: "invalid: every problem, one per line", args: []string{"validate", bad}, err: "3 problems found", noStdout: true, stderr: []string{
			bad + `:2:15: review.repository: "acme" is not a repository as owner/name (e.g. acme/ospo)`,
			bad + `:4:22: repository.codeowners.mode: "strict" is not a mode; use off, warn or enforce`,
			bad + `:5:3: unknown key "extra" in repository (known keys: include_forks, include_archived, license, codeowners, files, topics, labels, security_policy)`,
		}},
		{name: "override with notices", args: []string{"validate", "--repo-override", override, org}, stdout: []string{
			org + ": valid\n", override + ": valid\n",
			override + ":3:5: repository.license.mode is locked by the org policy (locked: repository.license); the org's value applies\n",
		}},
		{name: "flags after the file", args: []string{"validate", org, "--repo-override", override}, stdout: []string{override + ": valid\n"}},
		{name: "an override alone", args: []string{"validate", "--repo-override", override}, stdout: []string{override + ": valid\n"}},
		{name: "invalid override", args: []string{"validate", "--repo-override", badOverride, bad}, err: "4 problems found", stderr: []string{
			bad + `:2:15: review.repository: "acme" is not a repository as owner/name (e.g. acme/ospo)`,
			bad + `:4:22: repository.codeowners.mode: "strict" is not a mode; use off, warn or enforce`,
			bad + `:5:3: unknown key "extra" in repository (known keys: include_forks, include_archived, license, codeowners, files, topics, labels, security_policy)`,
			badOverride + `:1:1: only the org's ospo.yml may set allow_repo_override; remove it from this repository override`,
		}},
		{name: "explain", args: []string{"validate", "--explain", "--repo-override", override, org}, stdout: []string{
			"# Effective ospo-bot policy, version " + org + "@",
			"# org policy: " + org + " (blob ",
			"# repository override: " + override + " (blob ",
			"# notice: " + override + ":3:5: repository.license.mode is locked",
			"  license:\n    mode: enforce # " + org + ":3\n    allowed: [MIT] # " + org + ":3\n",
			"  files:\n    mode: enforce # " + override + ":4\n",
			"  topics:\n    mode: off # default\n",
		}, stderr: []string{
			org + ": valid", override + ": valid",
			override + ":3:5: repository.license.mode is locked by the org policy (locked: repository.license); the org's value applies",
		}},
		{name: "no file", args: []string{"validate"}, err: "name the org policy FILE (ospo.yml), a --repo-override FILE, or both"},
		{name: "two files", args: []string{"validate", org, bad}, err: "one org policy FILE at most"},
		{name: "missing file", args: []string{"validate", filepath.Join(dir, "nope.yml")}, err: "no such file or directory"},
		{name: "unknown subcommand", args: []string{"check", org}, err: `unknown subcommand "check" (subcommands: validate, plan)`},
		{name: "no subcommand", args: nil, err: "missing subcommand (subcommands: validate, plan)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := policyCommand(tt.args, &stdout, &stderr)
			if tt.err == "" && err != nil || tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)) {
				t.Fatalf("error %v, want %q (stderr %s)", err, tt.err, stderr.String())
			}
			out := stdout.String()
			rest := out
			for _, s := range tt.stdout {
				i := strings.Index(rest, s)
				if i < 0 {
					t.Fatalf("stdout lacks %q (in order):\n%s", s, out)
				}
				rest = rest[i+len(s):]
			}
			if tt.noStdout && out != "" {
				t.Errorf("stdout %q, want nothing", out)
			}
			if tt.stderr != nil {
				if got := strings.Split(strings.TrimSuffix(stderr.String(), "\n"), "\n"); strings.Join(got, "\n") != strings.Join(tt.stderr, "\n") {
					t.Errorf("stderr\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(tt.stderr, "\n  "))
				}
			}
		})
	}

	// The explained policy is itself a valid org policy.
	var stdout bytes.Buffer
	if err := policyCommand([]string{"validate", "--explain", "--repo-override", override, org}, &stdout, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	if _, err := policy.Parse("explained.yml", stdout.Bytes(), true); err != nil {
		t.Errorf("explain output: %v", err)
	}
	// -h is flag.ErrHelp, which main treats as success.
	if err := policyCommand([]string{"validate", "-h"}, &bytes.Buffer{}, &bytes.Buffer{}); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("validate -h: %v", err)
	}
}
