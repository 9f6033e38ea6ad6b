package rules

import (
	"slices"
	"strings"
	"testing"

	"github.com/ospo-bot/ospo-bot/internal/policy"
)

// TestRegistry: every rule is complete, its ID unique, and the ID lists
// are the registry's, in its order.
func TestRegistry(t *testing.T) {
	seen := map[string]bool{}
	var repo, pr []string
	for _, r := range Registry {
		if r.ID == "" || seen[r.ID] {
			t.Errorf("rule %q: empty or repeated id", r.ID)
		}
		seen[r.ID] = true
		if r.Section == "" || r.Anchor == "" || r.Summary == "" || r.Mode == nil || r.Check == nil {
			t.Errorf("rule %s is incomplete: %+v", r.ID, r)
		}
		switch r.Scope {
		case RepositoryScope:
			repo = append(repo, r.ID)
		case PullRequestScope:
			pr = append(pr, r.ID)
		default:
			t.Errorf("rule %s: scope %q", r.ID, r.Scope)
		}
	}
	if !slices.Equal(IDs, repo) || !slices.Equal(PullRequestIDs, pr) {
		t.Errorf("IDs = %v, PullRequestIDs = %v; the registry has %v and %v", IDs, PullRequestIDs, repo, pr)
	}
}

// TestRegistrySections: a rule's Section is the policy key its Mode reads,
// and RuleURL (which links a finding to its key by rule id) finds it.
func TestRegistrySections(t *testing.T) {
	for _, r := range Registry {
		keys := strings.Split(r.Section, ".")
		var y strings.Builder
		for i, k := range keys {
			y.WriteString(strings.Repeat("  ", i) + k + ":\n")
		}
		y.WriteString(strings.Repeat("  ", len(keys)) + "mode: warn\n")
		if r.ID == RuleCLA {
			y.WriteString(strings.Repeat("  ", len(keys)) + "document: https://acme.example/cla\n")
		}
		doc, err := policy.ParseDocument("ospo.yml", []byte(y.String()), true)
		if err != nil {
			t.Errorf("rule %s: section %s is no policy key: %v", r.ID, r.Section, err)
			continue
		}
		p := doc.Policy.WithDefaults()
		if m := r.Mode(&p); m != policy.Warn {
			t.Errorf("rule %s: Mode reads %q where %s sets warn", r.ID, m, r.Section)
		}
		doc.Source.Repo, doc.Source.Ref = "acme/.github", "main"
		want := "https://github.com/acme/.github/blob/main/ospo.yml#L" + string(rune('0'+len(keys)))
		if got := policy.Resolve(doc, nil).RuleURL("https://github.com", r.ID); got != want {
			t.Errorf("rule %s: RuleURL = %s, want %s (the line of %s)", r.ID, got, want, r.Section)
		}
	}
}

// TestEnabledAndNeeds: the gatherer's needs are the union of the enabled
// rules' needs, under the default policy: license, codeowners and files
// read the tree (license also LICENSES/ and the manifests); no rule reads labels; on pull requests only
// protected-paths is on.
func TestEnabledAndNeeds(t *testing.T) {
	p := policy.Defaults()
	var ids []string
	for _, r := range Enabled(&p, RepositoryScope) {
		ids = append(ids, r.ID)
	}
	if want := []string{RuleLicense, RuleCodeowners, RuleFiles}; !slices.Equal(ids, want) {
		t.Errorf("enabled by default: %v, want %v", ids, want)
	}
	n := NeedsOf(Enabled(&p, RepositoryScope))
	if len(n.Dirs) != 4 || len(n.Read) != 3 || !n.CodeownersErrors || !n.OrgHealth || n.Labels || !n.Manifests {
		t.Errorf("default repository needs: %+v", n)
	}
	n = NeedsOf(Enabled(&p, PullRequestScope))
	if !n.Commits || !n.ChangedFiles || !n.Approvals || n.Signatures {
		t.Errorf("default pull request needs: %+v", n)
	}
	if n := NeedsOf(nil); len(n.Dirs) != 0 || n.Commits {
		t.Errorf("no rule needs %+v", n)
	}
}

// TestMissingHealth: the org's defaults are listed only when a community
// health file an enabled rule looks for is missing here, under its base
// name ("SECURITY.md" is SECURITY), and never for README (GitHub takes no
// README from the org).
func TestMissingHealth(t *testing.T) {
	on := func(required ...string) *policy.Policy {
		return &policy.Policy{Repository: policy.RepositoryRules{Files: policy.FilesRule{Mode: policy.Warn, Required: required}}}
	}
	for _, tc := range []struct {
		p     *policy.Policy
		paths []string
		want  bool
	}{
		{on("SECURITY.md", "README.md"), []string{"README.md", "docs/SECURITY.md"}, false},
		{on("SECURITY.md"), []string{"README.md"}, true},
		{on("README"), nil, false},
		{on(), nil, false},
		{&policy.Policy{}, nil, false},
	} {
		if got := MissingHealth(Enabled(tc.p, RepositoryScope), tc.p, tc.paths); got != tc.want {
			t.Errorf("required %v, paths %v: MissingHealth = %v", tc.p.Repository.Files.Required, tc.paths, got)
		}
	}
}

// TestFileSetFind: files by name in directories, in the set's order.
func TestFileSetFind(t *testing.T) {
	paths := []string{"CODEOWNERS", "docs/CODEOWNERS", ".github/CODEOWNERS", "src/CODEOWNERS", "LICENSE", "LICENSE-MIT", "license-checker.js"}
	if got := codeownersEntry.Needs.Read[0].Find(paths); !slices.Equal(got, []string{".github/CODEOWNERS"}) {
		t.Errorf("codeowners: %v", got)
	}
	if got := licenseEntry.Needs.Read[0].Find(paths); !slices.Equal(got, []string{"LICENSE", "LICENSE-MIT"}) {
		t.Errorf("license files: %v", got)
	}
}
