package plan_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ospo-bot/ospo-bot/internal/fit"
	"github.com/ospo-bot/ospo-bot/internal/plan"
	"github.com/ospo-bot/ospo-bot/internal/policy"
	"github.com/ospo-bot/ospo-bot/internal/rules"
	"github.com/ospo-bot/ospo-bot/internal/store/storetest"
)

const orgV1 = `repository:
  codeowners: {mode: warn}
  files: {mode: off}
`

const orgV2 = `repository:
  codeowners: {mode: enforce}
  files: {mode: off}
  topics: {mode: enforce, one_of: [oss]}
  labels: {mode: warn, required: [{name: bug, color: d73a4a}]}
`

func doc(t testing.TB, file, text string, org bool) *policy.Document {
	t.Helper()
	d, err := policy.ParseDocument(file, []byte(text), org)
	if err != nil {
		t.Fatal(err)
	}
	d.Source.Repo = "acme/.github"
	return d
}

func mit(t testing.TB) string {
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "licenses", "MIT.txt"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// repo is a snapshot as the gatherer would take it under eff: it lists
// the tree and reads what the enabled rules read.
func repo(id int64, name string, private bool, files map[string]string, topics ...string) *rules.Snapshot {
	s := &rules.Snapshot{Owner: "acme", Name: name, ID: id, Private: private, DefaultBranch: "main", Topics: topics,
		HTMLURL: "https://github.com/acme/" + name, Contents: map[string]string{}}
	dirs := map[string]bool{}
	for p := range files {
		if d, _, ok := strings.Cut(p, "/"); ok && !dirs[d] {
			dirs[d] = true
			s.Paths = append(s.Paths, d+"/")
		}
		s.Paths = append(s.Paths, p)
	}
	for p, t := range files {
		s.Contents[p] = t
	}
	return s
}

func TestPlanReportsWhatChangesAndWhatIsNotGathered(t *testing.T) {
	ctx := context.Background()
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			st := storetest.Open(t, d)
			v1 := policy.Resolve(doc(t, "acme/.github:ospo.yml", orgV1, true), nil)
			lic := mit(t)
			at := time.Unix(1_764_000_000, 0)
			for _, s := range []*rules.Snapshot{
				// private, licensed, CODEOWNERS, topic: nothing changes but the mode
				repo(1, "ok", true, map[string]string{"LICENSE": lic, ".github/CODEOWNERS": "* @acme/team\n"}, "oss"),
				// private, licensed, no CODEOWNERS: codeowners goes warn → enforce and fails
				repo(2, "no-owners", true, map[string]string{"LICENSE": lic}, "oss"),
				// private, no topic: topics newly fails
				repo(3, "no-topic", true, map[string]string{"LICENSE": lic, "CODEOWNERS": "* @acme/team\n"}),
				// public: flagged already (public and not approved)
				repo(4, "public", false, map[string]string{"LICENSE": lic}),
			} {
				if err := plan.Record(ctx, st, plan.Keep{InstallationID: 9, Snapshot: s, Policy: v1, At: at}); err != nil {
					t.Fatal(err)
				}
			}
			p, err := plan.Build(ctx, st, "acme", doc(t, "ospo.yml", orgV2, true))
			if err != nil {
				t.Fatal(err)
			}
			names := func(es []plan.Entry) string {
				var out []string
				for _, e := range es {
					out = append(out, e.Repository)
				}
				return strings.Join(out, " ")
			}
			rule := func(id string) plan.RuleChange {
				for _, c := range p.Rules {
					if c.Rule == id {
						return c
					}
				}
				t.Fatalf("no rule %s", id)
				return plan.RuleChange{}
			}
			if p.Repositories != 4 || names(p.NewlyFlagged) != "acme/no-owners acme/no-topic" || len(p.NoLongerFlagged) != 0 {
				t.Fatalf("flagged: %d repositories, newly %q, no longer %q", p.Repositories, names(p.NewlyFlagged), names(p.NoLongerFlagged))
			}
			if c := rule("topics"); names(c.NewlyFailing) != "acme/no-topic acme/public" || len(c.ModeChanges) != 1 || c.ModeChanges[0].From != policy.Off {
				t.Fatalf("topics: %+v", c)
			}
			co := rule("codeowners")
			if len(co.NewlyFailing) != 0 || len(co.ModeChanges) != 1 || len(co.ModeChanges[0].Repositories) != 4 ||
				names(co.ModeChanges[0].Failing) != "acme/no-owners acme/public" {
				t.Fatalf("codeowners: %+v", co)
			}
			// labels were never gathered: unknown, never guessed.
			if c := rule("labels"); names(c.Unknown) != "acme/no-owners acme/no-topic acme/ok acme/public" || len(c.NewlyFailing) != 0 {
				t.Fatalf("labels: %+v", c)
			}
			if c := rule("license"); c.Changed() {
				t.Fatalf("license changed: %+v", c)
			}

			md := p.Markdown(fit.CheckOutput.Max, "")
			for _, want := range []string{"**Flagged for OSPO review:** 2 newly, 0 no longer", "[acme/no-owners](https://github.com/acme/no-owners)",
				"| `codeowners` | 0 | 0 | warn → enforce: 4 | 0 |", "**Unknown: not gathered (4):**"} {
				if !strings.Contains(md, want) {
					t.Errorf("Markdown lacks %q:\n%s", want, md)
				}
			}
			if txt := p.Text(); !strings.Contains(txt, "acme/no-topic (enforce, fail)") || !strings.Contains(txt, "newly flagged (2)") {
				t.Errorf("text:\n%s", txt)
			}

			// Under the policy it was checked with, nothing changes.
			same, err := plan.Build(ctx, st, "acme", doc(t, "ospo.yml", orgV1, true))
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range same.Rules {
				if c.Changed() {
					t.Errorf("the same policy changes %s: %+v", c.Rule, c)
				}
			}
			if len(same.NewlyFlagged)+len(same.NoLongerFlagged)+len(same.MaybeFlagged) != 0 {
				t.Errorf("the same policy flags: %+v", same)
			}
		})
	}
}
