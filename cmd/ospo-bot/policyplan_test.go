package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ospo-bot/ospo-bot/internal/plan"
	"github.com/ospo-bot/ospo-bot/internal/policy"
	"github.com/ospo-bot/ospo-bot/internal/rules"
	"github.com/ospo-bot/ospo-bot/internal/store"
	"github.com/ospo-bot/ospo-bot/internal/store/storetest"
)

func TestPolicyPlanCommand(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	newPolicy := write("new.yml", "repository:\n  license: {mode: off}\n  topics: {mode: enforce, one_of: [oss]}\n")
	bad := write("bad.yml", "repository:\n  topics: {mode: strict}\n  extra: 1\n")
	cur, err := policy.ParseDocument("acme/.github:ospo.yml", []byte("repository:\n  license: {mode: off}\n"), true)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			url := storetest.URL(t, d)
			st, err := store.Open(ctx, url)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			t.Setenv("OSPO_CONFIG", "")
			t.Setenv("OSPO_DATABASE_URL", url)
			run := func(args ...string) (string, string, error) {
				var stdout, stderr bytes.Buffer
				err := policyCommand(append([]string{"plan"}, args...), &stdout, &stderr)
				return stdout.String(), stderr.String(), err
			}
			if _, _, err := run(newPolicy); err == nil || !strings.Contains(err.Error(), "not migrated") {
				t.Fatalf("an unmigrated database: %v", err)
			}
			if _, err := st.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			if _, _, err := run(newPolicy); err == nil || !strings.Contains(err.Error(), "no repository snapshot yet") {
				t.Fatalf("an empty database: %v", err)
			}
			for i, name := range []string{"acme/tagged", "acme/untagged", "other/x"} {
				owner, repo, _ := strings.Cut(name, "/")
				s := &rules.Snapshot{Owner: owner, Name: repo, ID: int64(i + 1), Private: true, HTMLURL: "https://github.com/" + name}
				if name == "acme/tagged" {
					s.Topics = []string{"oss"}
				}
				if err := plan.Record(ctx, st, plan.Keep{InstallationID: 1, Snapshot: s, Policy: policy.Resolve(cur, nil), At: time.Now()}); err != nil {
					t.Fatal(err)
				}
			}
			if _, _, err := run(newPolicy); err == nil || !strings.Contains(err.Error(), "several orgs (acme, other): name one with --org") {
				t.Fatalf("two orgs: %v", err)
			}
			out, _, err := run("--org", "acme", newPolicy)
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{"Policy plan for acme: 2 repositories", "newly flagged (1):\n    acme/untagged: enforce rules fail: topics",
				"topics\n  newly failing (1):\n    acme/untagged (enforce, fail)"} {
				if !strings.Contains(out, want) {
					t.Errorf("plan lacks %q:\n%s", want, out)
				}
			}
			if md, _, err := run(newPolicy, "--org", "acme", "--markdown"); err != nil || !strings.Contains(md, "**Newly failing (1):** [acme/untagged](https://github.com/acme/untagged)") {
				t.Errorf("markdown (%v):\n%s", err, md)
			}
			out, stderr, err := run("--org", "acme", bad)
			if err == nil || !strings.Contains(err.Error(), "2 problems found") || out != "" {
				t.Fatalf("invalid policy: %v, stdout %q", err, out)
			}
			if want := bad + `:2:18: repository.topics.mode: "strict" is not a mode; use off, warn or enforce`; !strings.HasPrefix(stderr, want+"\n") {
				t.Errorf("stderr %q, want it to start with %q", stderr, want)
			}
		})
	}
}
