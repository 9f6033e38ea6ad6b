package rules

import (
	"path"
	"slices"
	"strings"

	"github.com/ospo-bot/ospo-bot/internal/policy"
)

// Rule is one rule of the registry: everything the rest of ospo-bot knows
// about it. The gatherer fetches the union of the enabled rules' Needs,
// the push filter re-checks a repository when a pushed path matches a
// rule's Stale patterns, `/ospo exempt` accepts the repository rules' IDs,
// the fan-out's cost estimate adds up their Needs, and the README's rule
// table lists them (a test compares it).
type Rule struct {
	ID string
	// Scope says what the rule checks: a repository or a pull request.
	Scope Scope
	// Section is the policy key the rule reads ("repository.files").
	Section string
	// Anchor is the README heading (under "Policy reference") that
	// documents the rule.
	Anchor string
	// Summary is one line for the README's rule table.
	Summary string
	// Mode is the rule's mode in a policy.
	Mode func(p *policy.Policy) policy.Mode
	// Needs is what the rule reads from GitHub.
	Needs Needs
	// Stale are the pushed paths that can change the rule's result.
	Stale Stale
	// Check is the rule: a pure function of what was gathered and the
	// policy, never any I/O.
	Check func(in Input) Finding
}

// Scope is what a rule checks.
type Scope string

const (
	RepositoryScope  Scope = "repository"
	PullRequestScope Scope = "pull request"
)

// Input is what a rule's Check reads: the repository snapshot (repository
// rules) or the pull request (pull request rules), and the policy.
type Input struct {
	Repo   *Snapshot
	PR     *PullRequest
	Policy *policy.Policy
}

// Needs is what a rule reads from GitHub, declared, for the gatherer.
// Repository rules read the default branch; pull request rules the pull
// request.
type Needs struct {
	// Dirs are the directories of the default branch whose listing the
	// rule reads: "" (the root), ".github", "docs".
	Dirs []string
	// Read are the files whose text the rule reads.
	Read []FileSet
	// OrgHealth: community health files the rule accepts from the org's
	// public .github repository when the repository has none (GitHub's
	// default community health files); the gatherer lists it when one of
	// Health(policy) is missing here.
	OrgHealth bool
	// Health lists the base names of the community health files the rule
	// looks for under the policy (nil: none).
	Health func(p *policy.Policy) []string
	// CodeownersErrors: GitHub's errors for the CODEOWNERS in use.
	CodeownersErrors bool
	// Labels: the repository's issue labels.
	Labels bool
	// PrivateReporting: whether private vulnerability reporting is on.
	PrivateReporting bool
	// Manifests: the licences the root's package manifests declare
	// (Snapshot.Declared; ManifestFiles lists which files).
	Manifests bool

	// Commits: the pull request's commits (GET /pulls/{n}/commits).
	Commits bool
	// ChangedFiles: the paths the pull request changes.
	ChangedFiles bool
	// Signatures: CLA signatures on record, and the accounts and org
	// memberships of the people the commits name.
	Signatures bool
	// Approvals: approvals of the pull request by OSPO approvers (comments
	// and reviews, and the approvers' team memberships).
	Approvals bool
	// Dependencies: the dependencies the pull request adds or changes,
	// with their licences (GitHub's dependency review, or the changed
	// manifests and deps.dev).
	Dependencies bool
	// Heads: the first lines (HeadLines) of the added or modified files
	// the spdx-headers rule judges, and the REUSE files that can cover
	// them (REUSE.toml, .reuse/dep5, .license files).
	Heads bool
}

// FileSet are files of the default branch a rule reads, by name and
// location.
type FileSet struct {
	// Dirs are the directories looked in, in order: "" (the root),
	// ".github", "docs".
	Dirs []string
	// Match reports whether a file name (without its directory) is one.
	Match func(name string) bool
	// First: only the first file found (the one GitHub uses); otherwise
	// every one (the cost estimate counts two).
	First bool
	// OrgDefault: when the repository has none, the org's public .github
	// repository's file is read instead, as GitHub shows it.
	OrgDefault bool
}

// Find lists the files of the set among paths (as Snapshot.Paths lists
// them), in the set's order; with First, at most one.
func (f FileSet) Find(paths []string) []string {
	var out []string
	for _, d := range f.Dirs {
		prefix := d
		if d != "" {
			prefix += "/"
		}
		for _, p := range paths {
			name, ok := strings.CutPrefix(p, prefix)
			if !ok || strings.Contains(name, "/") || name == "" || !f.Match(name) {
				continue
			}
			out = append(out, p)
			if f.First {
				return out
			}
		}
	}
	return out
}

// Stale are the pushed paths (globs, matched with path.Match ignoring
// case) that can change a rule's result.
type Stale struct {
	// Changed: any change (added, modified, removed) to a matching path.
	Changed []string
	// Existence: a matching path added or removed; the rule reads only
	// whether it is there.
	Existence []string
}

// Registry is every rule, in the order findings are reported: the
// repository rules, then the pull request rules.
var Registry = []Rule{
	licenseEntry,
	codeownersEntry,
	filesEntry,
	topicsEntry,
	labelsEntry,
	securityPolicyEntry,
	claEntry,
	dcoEntry,
	prLabelsEntry,
	protectedPathsEntry,
	dependenciesEntry,
	spdxHeadersEntry,
}

// IDs are the repository rules' IDs, in the order Evaluate reports them:
// the rules `/ospo exempt` accepts.
var IDs = idsOf(RepositoryScope)

// PullRequestIDs are the pull request rules' IDs, in the order
// EvaluatePullRequest reports them.
var PullRequestIDs = idsOf(PullRequestScope)

func idsOf(s Scope) []string {
	var out []string
	for _, r := range OfScope(s) {
		out = append(out, r.ID)
	}
	return out
}

// OfScope lists the rules of a scope.
func OfScope(s Scope) []Rule {
	var out []Rule
	for _, r := range Registry {
		if r.Scope == s {
			out = append(out, r)
		}
	}
	return out
}

// Enabled lists the rules of a scope that are on (warn or enforce) in p.
func Enabled(p *policy.Policy, s Scope) []Rule {
	var out []Rule
	for _, r := range Registry {
		if r.Scope == s && active(r.Mode(p)) {
			out = append(out, r)
		}
	}
	return out
}

// NeedsOf is the union of what the rules read.
func NeedsOf(rs []Rule) Needs {
	var n Needs
	for _, r := range rs {
		m := r.Needs
		for _, d := range m.Dirs {
			if !slices.Contains(n.Dirs, d) {
				n.Dirs = append(n.Dirs, d)
			}
		}
		n.Read = append(n.Read, m.Read...)
		n.OrgHealth = n.OrgHealth || m.OrgHealth
		n.CodeownersErrors = n.CodeownersErrors || m.CodeownersErrors
		n.Labels = n.Labels || m.Labels
		n.PrivateReporting = n.PrivateReporting || m.PrivateReporting
		n.Manifests = n.Manifests || m.Manifests
		n.Commits = n.Commits || m.Commits
		n.ChangedFiles = n.ChangedFiles || m.ChangedFiles
		n.Signatures = n.Signatures || m.Signatures
		n.Approvals = n.Approvals || m.Approvals
		n.Dependencies = n.Dependencies || m.Dependencies
		n.Heads = n.Heads || m.Heads
	}
	return n
}

// MissingHealth reports whether one of the community health files the
// enabled rules look for (Needs.Health, for rules with OrgHealth) is absent
// from paths: then the org's .github repository may supply it.
func MissingHealth(rs []Rule, p *policy.Policy, paths []string) bool {
	for _, r := range rs {
		if !r.Needs.OrgHealth || r.Needs.Health == nil {
			continue
		}
		for _, name := range r.Needs.Health(p) {
			if canComeFromOrg(name) && !hasFile(paths, name) {
				return true
			}
		}
	}
	return false
}

// StaleAfterPush reports whether a pushed path can change a repository
// rule's result; existence says it was added or removed (not only
// modified).
func StaleAfterPush(p string, existence bool) bool {
	for _, r := range Registry {
		if r.Scope != RepositoryScope {
			continue
		}
		if matchAny(r.Stale.Changed, p) || (existence && matchAny(r.Stale.Existence, p)) {
			return true
		}
	}
	return false
}

func matchAny(patterns []string, p string) bool {
	lp := strings.ToLower(p)
	for _, pat := range patterns {
		if ok, _ := path.Match(strings.ToLower(pat), lp); ok {
			return true
		}
	}
	return false
}

// evaluate runs the rules of a scope in registry order.
func evaluate(s Scope, in Input) []Finding {
	var out []Finding
	for _, r := range Registry {
		if r.Scope != s {
			continue
		}
		out = append(out, r.Check(in))
	}
	return out
}
