package check

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/ospo-bot/ospo-bot/internal/appbot"
	"github.com/ospo-bot/ospo-bot/internal/githubfake"
	"github.com/ospo-bot/ospo-bot/internal/githubfake/fakeapp"
	"github.com/ospo-bot/ospo-bot/internal/plan"
	"github.com/ospo-bot/ospo-bot/internal/policy"
	"github.com/ospo-bot/ospo-bot/internal/review"
	"github.com/ospo-bot/ospo-bot/internal/store"
	"github.com/ospo-bot/ospo-bot/internal/store/storetest"
)

// A repository check keeps the snapshot it evaluated, and the plan of the
// policy it applied finds nothing to change; once GitHub no longer has the
// repository, its snapshot is forgotten.
func TestRepositoryCheckKeepsItsSnapshotForThePlan(t *testing.T) {
	ctx := context.Background()
	app := fakeapp.New(t)
	f := app.GitHub
	mit, err := os.ReadFile(filepath.Join("..", "..", "testdata", "licenses", "MIT.txt"))
	if err != nil {
		t.Fatal(err)
	}
	const org = "repository:\n  license: {mode: enforce, allowed: [MIT]}\n  files: {mode: warn, required: [README]}\n"
	if _, err := f.AddOrg(githubfake.Org{Login: "acme"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.AddRepo(githubfake.Repo{Owner: "acme", Name: ".github", Files: map[string]string{"ospo.yml": org}}); err != nil {
		t.Fatal(err)
	}
	widget, err := f.AddRepo(githubfake.Repo{Owner: "acme", Name: "widget", Private: true, Files: map[string]string{"LICENSE": string(mit), "README.md": "# w"}})
	if err != nil {
		t.Fatal(err)
	}
	inst, err := f.AddInstallation(githubfake.Installation{Account: "acme"})
	if err != nil {
		t.Fatal(err)
	}
	st := storetest.Open(t, store.SQLite)
	c := &Checker{Store: st, Review: &review.Manager{Store: st, Bot: appbot.New(app.Clients)}}
	client := app.Installation(t, inst.ID)
	r := Repository{InstallationID: inst.ID, ID: widget.ID, Owner: "acme", Name: "widget", Evaluation: "e1"}
	if err := c.Repository(ctx, client, r); err != nil {
		t.Fatal(err)
	}
	doc, err := policy.ParseDocument("ospo.yml", []byte(org), true)
	if err != nil {
		t.Fatal(err)
	}
	p, err := plan.Build(ctx, st, "acme", doc)
	if err != nil {
		t.Fatal(err)
	}
	if p.Repositories != 1 || len(p.NewlyFlagged)+len(p.NoLongerFlagged)+len(p.MaybeFlagged) != 0 {
		t.Fatalf("plan of the policy in force: %+v", p)
	}
	for _, rc := range p.Rules {
		if rc.Changed() {
			t.Errorf("%s changes under the policy in force: %+v", rc.Rule, rc)
		}
	}
	// The same snapshot under a policy that no longer allows MIT.
	stricter, err := policy.ParseDocument("ospo.yml", []byte("repository:\n  license: {mode: enforce, allowed: [Apache-2.0]}\n"), true)
	if err != nil {
		t.Fatal(err)
	}
	if p, err = plan.Build(ctx, st, "acme", stricter); err != nil || len(p.NewlyFlagged) != 1 || p.NewlyFlagged[0].Repository != "acme/widget" {
		t.Fatalf("plan without MIT: %+v, %v", p, err)
	}

	r.Name = "renamed-away" // GitHub answers 404: the repository is gone
	if err := c.Repository(ctx, client, r); err != nil {
		t.Fatal(err)
	}
	if p, err = plan.Build(ctx, st, "acme", doc); err != nil || p.Repositories != 0 {
		t.Fatalf("after the repository went: %d snapshots, %v", p.Repositories, err)
	}
}
