package snapshot

import (
	"context"
	"testing"

	"github.com/ospo-bot/ospo-bot/internal/githubfake"
	"github.com/ospo-bot/ospo-bot/internal/githubfake/fakeapp"
	"github.com/ospo-bot/ospo-bot/internal/policy"
	"github.com/ospo-bot/ospo-bot/internal/rules"
)

// TestSecurityPolicyNeeds: with the security-policy rule on, the gatherer
// reads the org's default SECURITY.md when the repository has none, and
// whether private vulnerability reporting is on; with it off, neither.
func TestSecurityPolicyNeeds(t *testing.T) {
	app := fakeapp.New(t)
	gh := app.GitHub
	if _, err := gh.AddRepo(githubfake.Repo{Owner: "acme", Name: ".github", Files: map[string]string{
		".github/SECURITY.md": "security@acme.example", "ospo.yml": "{}",
	}}); err != nil {
		t.Fatal(err)
	}
	if _, err := gh.AddRepo(githubfake.Repo{Owner: "acme", Name: "widget", Files: map[string]string{"README.md": "# widget"}}); err != nil {
		t.Fatal(err)
	}
	if err := gh.SetPrivateReporting("acme", "widget", true); err != nil {
		t.Fatal(err)
	}
	in, err := gh.AddInstallation(githubfake.Installation{Account: "acme"})
	if err != nil {
		t.Fatal(err)
	}
	client := app.Installation(t, in.ID)
	p := policy.RepositoryRules{SecurityPolicy: policy.SecurityPolicyRule{Mode: policy.Enforce}}
	s, err := Repository(context.Background(), client, "acme", "widget", p)
	if err != nil {
		t.Fatal(err)
	}
	if s.OrgContents[".github/SECURITY.md"] != "security@acme.example" || s.PrivateReporting == nil || !*s.PrivateReporting {
		t.Fatalf("org contents %v, private reporting %v", s.OrgContents, s.PrivateReporting)
	}
	n := gh.CountRequests(func(r githubfake.Request) bool { return r.InstallationID == in.ID })
	most := MaxCalls(rules.NeedsOf(rules.Enabled(&policy.Policy{Repository: p}, rules.RepositoryScope)))
	if n != 7 || n > most {
		t.Errorf("%d requests (MaxCalls %d), want 7: repository, its root, org .github, its root and .github/, the org's SECURITY.md, private reporting", n, most)
	}
	if f := rules.SecurityPolicy(s, p.SecurityPolicy); f.Result != rules.Pass {
		t.Errorf("%s: %s", f.Result, f.Message)
	}

	gh.Reset()
	s, err = Repository(context.Background(), client, "acme", "widget", policy.RepositoryRules{})
	if err != nil || s.PrivateReporting != nil || s.OrgContents != nil {
		t.Fatalf("rule off: %+v, %v", s, err)
	}
}
