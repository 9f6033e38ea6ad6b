package plan_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/ospo-bot/ospo-bot/internal/plan"
	"github.com/ospo-bot/ospo-bot/internal/policy"
	"github.com/ospo-bot/ospo-bot/internal/rules"
	"github.com/ospo-bot/ospo-bot/internal/store/storetest"
)

// TestPlanKeepsTheLicenceSources: what the license rule reads besides the
// LICENSE (REUSE's LICENSES/, the manifests' declared licences) is kept
// with the snapshot and re-evaluated under a new policy; a snapshot kept
// before the rule read the manifests is unknown for it, never guessed.
func TestPlanKeepsTheLicenceSources(t *testing.T) {
	ctx := context.Background()
	const onlyApache = `repository:
  codeowners: {mode: warn}
  files: {mode: off}
  license: {mode: enforce, allowed: [Apache-2.0]}
`
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			st := storetest.Open(t, d)
			v1 := policy.Resolve(doc(t, "acme/.github:ospo.yml", orgV1, true), nil)
			lic := mit(t)
			withManifest := func(s *rules.Snapshot, declared []rules.Declared) *rules.Snapshot {
				s.Paths = append(s.Paths, "package.json")
				s.Declared = declared
				return s
			}
			for _, s := range []*rules.Snapshot{
				// LICENSE and package.json agree on MIT: passes, then MIT is no longer allowed
				withManifest(repo(1, "agree", true, map[string]string{"LICENSE": lic}), []rules.Declared{{File: "package.json", Expr: "MIT", Line: 3}}),
				// package.json says Apache-2.0: fails under both policies (it would pass under the first without its declaration)
				withManifest(repo(2, "disagree", true, map[string]string{"LICENSE": lic}), []rules.Declared{{File: "package.json", Expr: "Apache-2.0", Line: 3}}),
				// REUSE only: LICENSES/MIT.txt, no manifest
				func() *rules.Snapshot {
					s := repo(3, "reuse", true, map[string]string{"LICENSES/MIT.txt": lic})
					s.Declared = []rules.Declared{}
					return s
				}(),
				// kept before the license rule read manifests: package.json listed, its licence not read
				withManifest(repo(4, "old", true, map[string]string{"LICENSE": lic}), nil),
			} {
				if err := plan.Record(ctx, st, plan.Keep{InstallationID: 9, Snapshot: s, Policy: v1, At: time.Unix(1_764_000_000, 0)}); err != nil {
					t.Fatal(err)
				}
			}
			p, err := plan.Build(ctx, st, "acme", doc(t, "ospo.yml", onlyApache, true))
			if err != nil {
				t.Fatal(err)
			}
			var c plan.RuleChange
			for _, rc := range p.Rules {
				if rc.Rule == rules.RuleLicense {
					c = rc
				}
			}
			names := func(es []plan.Entry) []string {
				var out []string
				for _, e := range es {
					out = append(out, e.Repository)
				}
				slices.Sort(out)
				return out
			}
			if got := names(c.NewlyFailing); !slices.Equal(got, []string{"acme/agree", "acme/reuse"}) {
				t.Errorf("newly failing %v, want acme/agree and acme/reuse (acme/disagree failed already)", got)
			}
			if got := names(c.Unknown); !slices.Equal(got, []string{"acme/old"}) {
				t.Errorf("unknown %v, want acme/old (its package.json was never read)", got)
			}
			if len(c.NewlyPassing) != 0 {
				t.Errorf("newly passing %v", names(c.NewlyPassing))
			}
		})
	}
}
