package snapshot_test

import (
	"testing"

	"github.com/ospo-bot/ospo-bot/internal/policy"
	"github.com/ospo-bot/ospo-bot/internal/rules"
	"github.com/ospo-bot/ospo-bot/internal/snapshot"
)

func rule(t *testing.T, id string) rules.Rule {
	for _, r := range rules.Registry {
		if r.ID == id {
			return r
		}
	}
	t.Fatalf("no rule %s", id)
	return rules.Rule{}
}

func TestCoverageSaysWhatASnapshotCanBeEvaluatedFor(t *testing.T) {
	on := policy.Policy{Repository: policy.RepositoryRules{
		License: policy.LicenseRule{Mode: policy.Enforce}, Codeowners: policy.CodeownersRule{Mode: policy.Warn},
		Files: policy.FilesRule{Mode: policy.Off}, Topics: policy.TopicsRule{Mode: policy.Off},
		Labels: policy.LabelsRule{Mode: policy.Off}, SecurityPolicy: policy.SecurityPolicyRule{Mode: policy.Off},
	}}.WithDefaults()
	s := &rules.Snapshot{Owner: "acme", Name: "w", Paths: []string{"LICENSE", "README.md"}, Contents: map[string]string{"LICENSE": "MIT"}}
	c := snapshot.Gathered(on.Repository, s)
	if len(c.Dirs) == 0 || !c.CodeownersErrors || c.OrgHealth {
		t.Fatalf("gathered: %+v", c)
	}
	newer := on
	newer.Repository.Files.Mode = policy.Enforce
	newer.Repository.Labels.Mode = policy.Warn
	newer.Repository.SecurityPolicy.Mode = policy.Enforce
	for _, tc := range []struct {
		rule string
		want bool
	}{
		{"license", true}, {"codeowners", true}, {"topics", true}, // the repository itself is always read
		{"labels", false},          // never listed
		{"files", false},           // CONTRIBUTING.md is missing: the org's .github was not looked at
		{"security-policy", false}, // nor was private vulnerability reporting read
	} {
		if got := c.Covers(rule(t, tc.rule), &newer, s); got != tc.want {
			t.Errorf("%s covered: %v, want %v", tc.rule, got, tc.want)
		}
	}
	// A LICENSE listed but not read (the license rule was off) is not covered.
	s2 := &rules.Snapshot{Paths: []string{"LICENSE"}, Contents: map[string]string{}}
	if snapshot.Gathered(on.Repository, s2).Covers(rule(t, "license"), &on, s2) {
		t.Error("a LICENSE never read is covered")
	}
	// Labels read: covered.
	s.Labels = []policy.Label{}
	if !c.Covers(rule(t, "labels"), &newer, s) {
		t.Error("labels read are not covered")
	}
}

// TestCoverageOfLicenceSources: a snapshot kept before the license rule
// listed LICENSES/ and read the manifests still covers the rule for a
// repository that has neither, and does not for one that has them.
func TestCoverageOfLicenceSources(t *testing.T) {
	on := policy.Defaults()
	old := snapshot.Coverage{Dirs: []string{"", ".github", "docs"}, CodeownersErrors: true}
	for _, tc := range []struct {
		name  string
		s     *rules.Snapshot
		cover bool
	}{
		{"neither", &rules.Snapshot{Paths: []string{"LICENSE", "src/"}, Contents: map[string]string{"LICENSE": "MIT"}}, true},
		{"LICENSES/ never listed", &rules.Snapshot{Paths: []string{"LICENSES/"}, Contents: map[string]string{}}, false},
		{"a manifest never read", &rules.Snapshot{Paths: []string{"LICENSE", "package.json"}, Contents: map[string]string{"LICENSE": "MIT"}}, false},
		{"a manifest read", &rules.Snapshot{Paths: []string{"LICENSE", "package.json"}, Contents: map[string]string{"LICENSE": "MIT"},
			Declared: []rules.Declared{{File: "package.json", Expr: "MIT", Line: 2}}}, true},
	} {
		if got := old.Covers(rule(t, "license"), &on, tc.s); got != tc.cover {
			t.Errorf("%s: covered %v, want %v", tc.name, got, tc.cover)
		}
	}
	// What the gatherer takes now covers a repository with both.
	s := &rules.Snapshot{Paths: []string{"LICENSES/", "LICENSES/MIT.txt", "package.json"}, Contents: map[string]string{"LICENSES/MIT.txt": "MIT"},
		Declared: []rules.Declared{{File: "package.json", Expr: "MIT", Line: 2}}}
	if !snapshot.Gathered(on.Repository, s).Covers(rule(t, "license"), &on, s) {
		t.Error("a snapshot gathered with LICENSES/ and the manifests does not cover the license rule")
	}
}
