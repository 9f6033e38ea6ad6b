package policy

import (
	"fmt"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestPolicyDefaults(t *testing.T) {
	d := Defaults()
	yes := true
	want := Policy{
		AllowRepoOverride: &yes,
		Review:            Review{Label: "ospo-review"},
		Repository: RepositoryRules{
			License: LicenseRule{Mode: Enforce, Allowed: []string{"Apache-2.0", "MIT", "BSD-2-Clause", "BSD-3-Clause", "ISC", "MPL-2.0"},
				MinCoverage: DefaultMinCoverage, MinMatch: DefaultMinMatch},
			Codeowners:     CodeownersRule{Mode: Warn},
			Files:          FilesRule{Mode: Warn, Required: []string{"README", "CONTRIBUTING", "SECURITY", "CODE_OF_CONDUCT"}},
			Topics:         TopicsRule{Mode: Off},
			Labels:         LabelsRule{Mode: Off},
			SecurityPolicy: SecurityPolicyRule{Mode: Off},
		},
		PullRequest: PullRequestRules{
			CLA: CLARule{Mode: Off, Version: "1", Phrase: "I have read the CLA Document and I hereby sign the CLA",
				Allow: CLAAllow{Bots: &yes}, Agents: AgentsSponsor},
			DCO:    DCORule{Mode: Off},
			Labels: PRLabelsRule{Mode: Off},
			ProtectedPaths: ProtectedPathsRule{Mode: Enforce,
				Paths: []string{"LICENSE*", "COPYING*", "CODEOWNERS", ".github/CODEOWNERS", "docs/CODEOWNERS", ".github/ospo.yml"}},
			Dependencies: DependenciesRule{Mode: Off, Unknown: Warn, Scopes: []string{"runtime"}},
			SPDXHeaders: SPDXHeadersRule{Mode: Off, Paths: DefaultSPDXHeaderPaths(),
				Allowed: []string{"Apache-2.0", "MIT", "BSD-2-Clause", "BSD-3-Clause", "ISC", "MPL-2.0"}},
		},
	}
	if !reflect.DeepEqual(d, want) {
		t.Errorf("Defaults() =\n%+v\nwant\n%+v", d, want)
	}
	if DefaultMinCoverage != 92 || DefaultMinMatch != 85 {
		t.Errorf("thresholds %v %v; the README documents 92 and 85", DefaultMinCoverage, DefaultMinMatch)
	}

	// Set values are kept; an explicitly empty list stays empty; nothing is shared.
	no := false
	p := Policy{AllowRepoOverride: &no, Repository: RepositoryRules{
		License: LicenseRule{Mode: Warn, Allowed: []string{}, MinMatch: 99},
		Files:   FilesRule{Required: []string{"README"}},
	}}
	got := p.WithDefaults()
	if *got.AllowRepoOverride || got.AllowRepoOverride == p.AllowRepoOverride ||
		got.Repository.License.Mode != Warn || got.Repository.License.Allowed == nil || len(got.Repository.License.Allowed) != 0 ||
		got.Repository.License.MinMatch != 99 || got.Repository.License.MinCoverage != DefaultMinCoverage ||
		!slices.Equal(got.Repository.Files.Required, []string{"README"}) || got.Repository.Files.Mode != Warn {
		t.Errorf("WithDefaults() = %+v", got)
	}
	got.Repository.Files.Required[0] = "changed"
	if p.Repository.Files.Required[0] != "README" {
		t.Error("WithDefaults shares lists with its receiver")
	}
	d.Repository.License.Allowed[0] = "changed"
	if Defaults().Repository.License.Allowed[0] != "Apache-2.0" {
		t.Error("Defaults shares its lists")
	}
}

func mustDoc(t *testing.T, file, in string, org bool) *Document {
	t.Helper()
	d, err := ParseDocument(file, []byte(in), org)
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return d
}

func TestPolicyMerge(t *testing.T) {
	const override = `repository:
  license:
    mode: warn
    allowed: [GPL-3.0-only]
  codeowners: {mode: off}
  files:
    required: [README]
review:
  approvers:
`
	tests := []struct {
		name    string
		org     string // "-" for no org file
		repo    string
		check   func(Policy) bool
		notices []string
	}{
		{"no override restrictions: lists replaced, not appended", `repository:
  license: {mode: enforce, allowed: [MIT, Apache-2.0]}
  files: {mode: enforce, required: [README, CONTRIBUTING]}
review:
  approvers: ["@acme/ospo"]
`, override, func(p Policy) bool {
			l := p.Repository.License
			return l.Mode == Warn && slices.Equal(l.Allowed, []string{"GPL-3.0-only"}) &&
				p.Repository.Codeowners.Mode == Off &&
				p.Repository.Files.Mode == Enforce && slices.Equal(p.Repository.Files.Required, []string{"README"}) &&
				slices.Equal(p.Review.Approvers, []string{"@acme/ospo"}) // null in the override sets nothing
		}, nil},
		{"review is the org's alone", `review:
  approvers: ["@acme/ospo"]
`, "review:\n  approvers: [mallory]\n  auto_close: true\n", func(p Policy) bool {
			return slices.Equal(p.Review.Approvers, []string{"@acme/ospo"}) && !p.Review.AutoClose
		}, []string{
			".github/ospo.yml:2:3: review.approvers is set by the org's ospo.yml only: a repository may not change who reviews it; the org's value applies",
			".github/ospo.yml:3:3: review.auto_close is set by the org's ospo.yml only: a repository may not change who reviews it; the org's value applies",
		}},
		{"allow_repo_override false", `allow_repo_override: false
repository:
  license: {mode: enforce}
`, override, func(p Policy) bool {
			l := p.Repository.License
			return l.Mode == Enforce && slices.Equal(l.Allowed, Defaults().Repository.License.Allowed) &&
				p.Repository.Codeowners.Mode == Warn && len(p.Repository.Files.Required) == 4
		}, []string{
			".github/ospo.yml:3:5: repository.license.mode is ignored: the org policy sets allow_repo_override: false; the org's value applies",
			".github/ospo.yml:4:5: repository.license.allowed is ignored: the org policy sets allow_repo_override: false; the org's value applies",
			".github/ospo.yml:5:16: repository.codeowners.mode is ignored: the org policy sets allow_repo_override: false; the org's value applies",
			".github/ospo.yml:7:5: repository.files.required is ignored: the org policy sets allow_repo_override: false; the org's value applies",
		}},
		{"locked parent", `locked: [repository.license]
repository:
  license: {allowed: [MIT]}
`, override, func(p Policy) bool {
			l := p.Repository.License
			return l.Mode == Enforce && slices.Equal(l.Allowed, []string{"MIT"}) &&
				p.Repository.Codeowners.Mode == Off && slices.Equal(p.Repository.Files.Required, []string{"README"})
		}, []string{
			".github/ospo.yml:3:5: repository.license.mode is locked by the org policy (locked: repository.license); the org's value applies",
			".github/ospo.yml:4:5: repository.license.allowed is locked by the org policy (locked: repository.license); the org's value applies",
		}},
		{"locked top level", `locked: [repository]`, override, func(p Policy) bool {
			return p.Repository.License.Mode == Enforce && p.Repository.Codeowners.Mode == Warn
		}, []string{
			".github/ospo.yml:3:5: repository.license.mode is locked by the org policy (locked: repository); the org's value applies",
			".github/ospo.yml:4:5: repository.license.allowed is locked by the org policy (locked: repository); the org's value applies",
			".github/ospo.yml:5:16: repository.codeowners.mode is locked by the org policy (locked: repository); the org's value applies",
			".github/ospo.yml:7:5: repository.files.required is locked by the org policy (locked: repository); the org's value applies",
		}},
		{"locked leaf", `locked: [repository.license.allowed]
repository:
  license: {allowed: [MIT]}
`, override, func(p Policy) bool {
			l := p.Repository.License
			return l.Mode == Warn && slices.Equal(l.Allowed, []string{"MIT"}) && p.Repository.Codeowners.Mode == Off
		}, []string{
			".github/ospo.yml:4:5: repository.license.allowed is locked by the org policy; the org's value applies",
		}},
		{"locked but not set by the override", `locked: [review]`, "repository:\n  topics: {mode: enforce, one_of: [inner-source]}\n", func(p Policy) bool {
			return p.Repository.Topics.Mode == Enforce && slices.Equal(p.Repository.Topics.OneOf, []string{"inner-source"})
		}, nil},
		{"explicitly empty list in the override", "repository:\n  license: {allowed: [MIT]}\n", "repository:\n  license: {allowed: []}\n", func(p Policy) bool {
			return p.Repository.License.Allowed != nil && len(p.Repository.License.Allowed) == 0
		}, nil},
		{"labels replaced whole", "repository:\n  labels: {mode: enforce, required: [{name: a, color: '000000'}, {name: b}]}\n",
			"repository:\n  labels: {required: [{name: c}]}\n", func(p Policy) bool {
				return p.Repository.Labels.Mode == Enforce && reflect.DeepEqual(p.Repository.Labels.Required, []Label{{Name: "c"}})
			}, nil},
		{"no org file: the override over the defaults", "-", override, func(p Policy) bool {
			return p.Repository.License.Mode == Warn && p.Repository.Codeowners.Mode == Off && p.Review.Label == "ospo-review"
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var org *Document
			if tt.org != "-" {
				org = mustDoc(t, "acme/.github:ospo.yml", tt.org, true)
			}
			repo := mustDoc(t, ".github/ospo.yml", tt.repo, false)
			got, notices := Merge(org, repo)
			if !tt.check(got) {
				t.Errorf("merged policy %+v", got)
			}
			var ns []string
			for _, n := range notices {
				ns = append(ns, n.String())
			}
			if !slices.Equal(ns, tt.notices) {
				t.Errorf("notices\n  %s\nwant\n  %s", strings.Join(ns, "\n  "), strings.Join(tt.notices, "\n  "))
			}
			// Merging never changes its inputs.
			if again := mustDoc(t, ".github/ospo.yml", tt.repo, false); !reflect.DeepEqual(again.Policy, repo.Policy) {
				t.Error("Merge changed the override")
			}
			if org != nil {
				if again := mustDoc(t, "acme/.github:ospo.yml", tt.org, true); !reflect.DeepEqual(again.Policy, org.Policy) {
					t.Error("Merge changed the org policy")
				}
			}
		})
	}
	// No files: the defaults.
	if p, n := Merge(nil, nil); !reflect.DeepEqual(p, Defaults()) || n != nil {
		t.Errorf("Merge(nil, nil) = %+v, %v", p, n)
	}
}

func TestPolicyResolveVersion(t *testing.T) {
	org := mustDoc(t, "ospo.yml", "review: {label: x}\n", true)
	org.Source = Source{Repo: "acme/.github", Path: "ospo.yml", Ref: "main", SHA: BlobSHA([]byte("review: {label: x}\n"))}
	repo := mustDoc(t, ".github/ospo.yml", "", false)
	repo.Source.Repo = "acme/widget"
	tests := []struct {
		org, repo *Document
		want      string
	}{
		{nil, nil, "defaults"},
		{org, nil, "acme/.github:ospo.yml@" + org.Source.SHA[:12]},
		{org, repo, "acme/.github:ospo.yml@" + org.Source.SHA[:12] + "+acme/widget:.github/ospo.yml@e69de29bb2d1"},
		{nil, repo, "acme/widget:.github/ospo.yml@e69de29bb2d1"},
	}
	for _, tt := range tests {
		if got := Resolve(tt.org, tt.repo).Version; got != tt.want {
			t.Errorf("Version = %q, want %q", got, tt.want)
		}
	}
}

func TestPolicyRuleURL(t *testing.T) {
	org := mustDoc(t, "acme/.github:ospo.yml", "review:\n  label: x\nrepository:\n  files: {mode: warn}\n  license:\n    mode: enforce\n", true)
	org.Source.Repo, org.Source.Path, org.Source.Ref = "acme/.github", "ospo.yml", "main"
	repo := mustDoc(t, ".github/ospo.yml", "repository:\n  files:\n    mode: enforce\n", false)
	repo.Source.Repo, repo.Source.Path = "acme/widget", ".github/ospo.yml"
	locked := mustDoc(t, "acme/.github:ospo.yml", "locked: [repository.files]\nrepository:\n  files: {mode: warn}\n", true)
	locked.Source.Repo, locked.Source.Path, locked.Source.Ref = "acme/.github", "ospo.yml", "main"

	tests := []struct {
		e    *Effective
		rule string
		want string
	}{
		{Resolve(org, nil), "license", "https://github.com/acme/.github/blob/main/ospo.yml#L5"},
		{Resolve(org, nil), "repository.license", "https://github.com/acme/.github/blob/main/ospo.yml#L5"},
		{Resolve(org, nil), "review", "https://github.com/acme/.github/blob/main/ospo.yml#L1"},
		{Resolve(org, nil), "codeowners", ReferenceURL},
		{Resolve(org, repo), "files", "https://github.com/acme/widget/blob/HEAD/.github/ospo.yml#L2"},
		{Resolve(org, repo), "license", "https://github.com/acme/.github/blob/main/ospo.yml#L5"},
		{Resolve(locked, repo), "files", "https://github.com/acme/.github/blob/main/ospo.yml#L3"},
		{Resolve(nil, nil), "license", ReferenceURL},
		{Resolve(nil, nil), "no-such-rule", ReferenceURL},
		{nil, "license", ReferenceURL},
	}
	for _, tt := range tests {
		if got := tt.e.RuleURL("https://github.com/", tt.rule); got != tt.want {
			t.Errorf("RuleURL(%q) = %s, want %s", tt.rule, got, tt.want)
		}
	}
	if got := Resolve(org, nil).RuleURL("https://ghe.acme.example", "license"); got != "https://ghe.acme.example/acme/.github/blob/main/ospo.yml#L5" {
		t.Errorf("GHES RuleURL = %s", got)
	}
}

// TestPolicyExplain: the rendered effective policy names its sources, tells
// where each value comes from, and parses back to the same policy.
func TestPolicyExplain(t *testing.T) {
	org := mustDoc(t, "ospo.yml", fullExample, true)
	repo := mustDoc(t, ".github/ospo.yml", "repository:\n  license:\n    mode: warn\n  topics:\n    mode: warn\n", false)
	for _, tc := range []struct {
		org, repo *Document
		contains  []string
	}{
		{nil, nil, []string{"# Effective ospo-bot policy, version defaults\n", "# No policy file: the defaults apply.\n",
			"  license:\n    mode: enforce # default\n", "allowed: [Apache-2.0, MIT, BSD-2-Clause, BSD-3-Clause, ISC, MPL-2.0] # default",
			"min_coverage: 92 # default", "locked: [] # default", "label: ospo-review # default"}},
		{org, repo, []string{"# org policy: ospo.yml (blob " + org.Source.SHA + ")\n", "# repository override: .github/ospo.yml (blob ",
			"# notice: .github/ospo.yml:3:5: repository.license.mode is locked by the org policy (locked: repository.license); the org's value applies\n",
			"    mode: enforce # ospo.yml:13\n", "  topics:\n    mode: warn # .github/ospo.yml:5\n",
			"min_match: 97.5 # ospo.yml:13", `color: "000000"`, "- {name: needs review}", "private_until_approved: false # ospo.yml:8"}},
	} {
		e := Resolve(tc.org, tc.repo)
		out := string(e.YAML())
		for _, s := range tc.contains {
			if !strings.Contains(out, s) {
				t.Errorf("explain output lacks %q:\n%s", s, out)
			}
		}
		back, err := Parse("explained.yml", []byte(out), true)
		if err != nil {
			t.Fatalf("explain output does not parse: %v\n%s", err, out)
		}
		if want := e.Policy; !reflect.DeepEqual(back.WithDefaults(), normalizeLists(want)) {
			t.Errorf("explain output parses to\n%+v\nwant\n%+v", back.WithDefaults(), want)
		}
	}
}

// normalizeLists makes the nil lists that have no default empty, as the
// explain output writes them ([]).
func normalizeLists(p Policy) Policy {
	cla := &p.PullRequest.CLA.Allow
	for _, l := range []*[]string{&p.Locked, &p.Review.Approvers, &p.Repository.Topics.OneOf,
		&cla.Users, &cla.Orgs, &cla.EmailDomains, &p.PullRequest.Labels.Patterns,
		&p.PullRequest.Dependencies.Allowed, &p.PullRequest.Dependencies.Denied, &p.PullRequest.SPDXHeaders.Exclude} {
		if *l == nil {
			*l = []string{}
		}
	}
	if p.PullRequest.Labels.OneOf == nil {
		p.PullRequest.Labels.OneOf = LabelSets{}
	}
	if p.PullRequest.CLA.AgentIdentities == nil {
		p.PullRequest.CLA.AgentIdentities = []AgentIdentity{}
	}
	if p.Repository.Labels.Required == nil {
		p.Repository.Labels.Required = []Label{}
	}
	if p.PullRequest.Dependencies.Exceptions == nil {
		p.PullRequest.Dependencies.Exceptions = []DependencyException{}
	}
	return p
}

// TestPolicyReferenceExamples: every example in the README's policy
// reference is valid, and the complete example's override gives the notice
// the reference promises.
func TestPolicyReferenceExamples(t *testing.T) {
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(data), "\n## Policy reference\n")
	if !ok {
		t.Fatal("README.md has no policy reference")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	var blocks []string
	for _, part := range strings.Split(section, "```yaml\n")[1:] {
		block, _, _ := strings.Cut(part, "```")
		if !strings.HasPrefix(block, "remote:") {
			blocks = append(blocks, block)
		}
	}
	if len(blocks) < 10 {
		t.Fatalf("%d YAML examples found", len(blocks))
	}
	for i, b := range blocks[:len(blocks)-1] {
		if _, err := Parse(fmt.Sprintf("example %d", i+1), []byte(b), true); err != nil {
			t.Errorf("%v\n%s", err, b)
		}
	}
	if shipped, err := os.ReadFile("../../config/ospo.example.yml"); err != nil || string(shipped) != blocks[len(blocks)-2] {
		t.Errorf("config/ospo.example.yml must be the README's complete example (%v)", err)
	}
	org := mustDoc(t, "ospo.yml", blocks[len(blocks)-2], true)
	repo := mustDoc(t, ".github/ospo.yml", blocks[len(blocks)-1], false)
	p, notices := Merge(org, repo)
	if len(notices) != 1 || notices[0].String() != ".github/ospo.yml:7:5: repository.license.allowed is locked by the org policy; the org's value applies" {
		t.Errorf("notices %v", notices)
	}
	if !slices.Equal(p.Repository.Files.Required, []string{"README", "SECURITY"}) || p.Repository.Topics.Mode != Off ||
		len(p.Repository.License.Allowed) != 4 || p.Repository.Labels.Required[2].Color != "0075ca" {
		t.Errorf("merged example %+v", p)
	}
}
