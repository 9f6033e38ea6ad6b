package snapshot

import (
	"slices"

	"github.com/ospo-bot/ospo-bot/internal/policy"
	"github.com/ospo-bot/ospo-bot/internal/rules"
)

// Coverage says what Repository gathered for a policy, beyond what the
// snapshot shows by itself (nil Labels, nil PrivateReporting, a path
// listed but absent from Contents): a snapshot kept for later, as the
// policy plan keeps one, is evaluated under another policy only for the
// rules whose needs it covers.
type Coverage struct {
	// Dirs are the directories listed ("" the root, ".github", "docs");
	// empty when no rule read the tree.
	Dirs []string `json:"dirs,omitempty"`
	// CodeownersErrors: GitHub's CODEOWNERS errors were asked for.
	CodeownersErrors bool `json:"codeowners_errors,omitempty"`
	// OrgHealth: the org's .github repository was looked at for the
	// community health files missing here.
	OrgHealth bool `json:"org_health,omitempty"`
}

// Gathered is what Repository gathers of s for p, as it decided it.
func Gathered(p policy.RepositoryRules, s *rules.Snapshot) Coverage {
	pol := &policy.Policy{Repository: p}
	enabled := rules.Enabled(pol, rules.RepositoryScope)
	need := rules.NeedsOf(enabled)
	var c Coverage
	if len(need.Dirs) > 0 {
		c.Dirs = slices.Clone(need.Dirs)
		if !slices.Contains(c.Dirs, "") {
			c.Dirs = append(c.Dirs, "") // the root is always listed
		}
		slices.Sort(c.Dirs)
	}
	c.CodeownersErrors = need.CodeownersErrors
	c.OrgHealth = need.OrgHealth && rules.MissingHealth(enabled, pol, s.Paths)
	return c
}

// Covers reports whether a snapshot gathered with c holds everything rule
// r reads under policy p, so that evaluating r on it is what a check would
// find (for the same repository state).
func (c Coverage) Covers(r rules.Rule, p *policy.Policy, s *rules.Snapshot) bool {
	n := r.Needs
	for _, d := range n.Dirs {
		// A subdirectory the root listing does not have needed no listing
		// (a snapshot kept before a rule read LICENSES/ still covers a
		// repository without it).
		if !slices.Contains(c.Dirs, d) && (d == "" || !slices.Contains(c.Dirs, "") || slices.Contains(s.Paths, d+"/")) {
			return false
		}
	}
	if n.Manifests && s.Declared == nil && len(rules.ManifestFiles(s.Paths)) > 0 {
		return false
	}
	if n.CodeownersErrors && !c.CodeownersErrors {
		return false
	}
	if n.Labels && s.Labels == nil {
		return false
	}
	if n.PrivateReporting && s.PrivateReporting == nil {
		return false
	}
	if n.OrgHealth && rules.MissingHealth([]rules.Rule{r}, p, s.Paths) && !c.OrgHealth {
		return false
	}
	for _, f := range n.Read {
		for _, path := range f.Find(s.Paths) {
			if _, ok := s.Contents[path]; !ok {
				return false
			}
		}
		if f.OrgDefault && c.OrgHealth && len(f.Find(s.Paths)) == 0 {
			for _, path := range f.Find(s.OrgDefaults) {
				if _, ok := s.OrgContents[path]; !ok {
					return false
				}
			}
		}
	}
	return true
}
