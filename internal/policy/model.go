// Package policy is the org's open-source policy: the ospo.yml model, its defaults, loading from GitHub (org .github repository plus a repository override) and validation.
package policy

// Mode is how a rule is applied: off (not evaluated), warn (reported, never
// failing) or enforce (a failure flags the repository or fails the check).
type Mode string

const (
	Off     Mode = "off"
	Warn    Mode = "warn"
	Enforce Mode = "enforce"
)

// Policy is the shape of ospo.yml. The org file lives in the org's .github
// repository as ospo.yml; a repository may override fields in
// .github/ospo.yml unless the org forbids it.
type Policy struct {
	// AllowRepoOverride (org file only) lets repositories override fields
	// with their own .github/ospo.yml. Default true.
	AllowRepoOverride *bool `yaml:"allow_repo_override,omitempty"`
	// Locked (org file only) lists dotted field paths a repository override
	// may not change, e.g. "repository.license" (the whole rule),
	// "repository.license.allowed" or "review".
	Locked []string `yaml:"locked,omitempty"`

	Review      Review           `yaml:"review,omitempty"`
	Repository  RepositoryRules  `yaml:"repository,omitempty"`
	PullRequest PullRequestRules `yaml:"pull_request,omitempty"`
}

// Review configures OSPO review issues and who decides them.
type Review struct {
	// Repository ("owner/name") is where review issues are opened; empty
	// means in the reviewed repository itself.
	Repository string `yaml:"repository,omitempty"`
	// Approvers may decide reviews: "@org/team-slug" (active team members,
	// checked live) or a user login. Empty: the org's owners.
	Approvers []string `yaml:"approvers,omitempty"`
	// AutoClose closes a review issue when every enforce rule passes.
	AutoClose bool `yaml:"auto_close,omitempty"`
	// PrivateUntilApproved turns a repository made public without an
	// approval private again (needs Administration: write).
	PrivateUntilApproved bool `yaml:"private_until_approved,omitempty"`
	// Label marks review issues. Default "ospo-review".
	Label string `yaml:"label,omitempty"`
}

// RepositoryRules are the rules checked on repositories.
type RepositoryRules struct {
	// IncludeForks and IncludeArchived check forks and archived
	// repositories too; both are skipped by default.
	IncludeForks    bool `yaml:"include_forks,omitempty"`
	IncludeArchived bool `yaml:"include_archived,omitempty"`

	License    LicenseRule    `yaml:"license,omitempty"`
	Codeowners CodeownersRule `yaml:"codeowners,omitempty"`
	Files      FilesRule      `yaml:"files,omitempty"`
	Topics     TopicsRule     `yaml:"topics,omitempty"`
	Labels     LabelsRule     `yaml:"labels,omitempty"`
	// SecurityPolicy is the security-policy rule.
	SecurityPolicy SecurityPolicyRule `yaml:"security_policy,omitempty"`
}

// SecurityPolicyRule requires a security policy (SECURITY.md, or the org's
// default one) that names a private way to report a vulnerability: an
// email address, a URL, or GitHub's private vulnerability reporting.
type SecurityPolicyRule struct {
	Mode Mode `yaml:"mode,omitempty"`
}

// LicenseRule requires an approved LICENSE at the root of the default branch.
type LicenseRule struct {
	Mode Mode `yaml:"mode,omitempty"`
	// Allowed are SPDX license IDs ("Apache-2.0") or, for dual or multiple
	// licensing, SPDX expressions ("MIT OR Apache-2.0") naming exactly the
	// licenses a file may contain together.
	Allowed []string `yaml:"allowed,omitempty"`
	// MinCoverage is the percentage of the file's text the matched licenses
	// must cover; MinMatch the percentage of each license's text that must
	// match. Zero means the default.
	MinCoverage float64 `yaml:"min_coverage,omitempty"`
	MinMatch    float64 `yaml:"min_match,omitempty"`
}

// CodeownersRule requires a valid CODEOWNERS file.
type CodeownersRule struct {
	Mode Mode `yaml:"mode,omitempty"`
	// RequireDefaultOwner requires a rule covering every file ("*").
	RequireDefaultOwner bool `yaml:"require_default_owner,omitempty"`
}

// FilesRule requires community files.
type FilesRule struct {
	Mode Mode `yaml:"mode,omitempty"`
	// Required are file names without extension, matched case-insensitively
	// with any extension in the root, .github/ or docs/ (README,
	// CONTRIBUTING, SECURITY, CODE_OF_CONDUCT by default).
	Required []string `yaml:"required,omitempty"`
}

// TopicsRule requires the repository's topics to include one of a set
// (its policy label, e.g. ospo-public or inner-source).
type TopicsRule struct {
	Mode  Mode     `yaml:"mode,omitempty"`
	OneOf []string `yaml:"one_of,omitempty"`
}

// LabelsRule requires the org's standard issue labels in every repository.
type LabelsRule struct {
	Mode Mode `yaml:"mode,omitempty"`
	// Fix creates missing labels and corrects colours.
	Fix      bool    `yaml:"fix,omitempty"`
	Required []Label `yaml:"required,omitempty"`
}

// Label is an issue label; Color is six hex digits without '#'.
type Label struct {
	Name        string `yaml:"name"`
	Color       string `yaml:"color,omitempty"`
	Description string `yaml:"description,omitempty"`
}

// PullRequestRules are the rules checked on pull requests.
type PullRequestRules struct {
	CLA            CLARule            `yaml:"cla,omitempty"`
	DCO            DCORule            `yaml:"dco,omitempty"`
	Labels         PRLabelsRule       `yaml:"labels,omitempty"`
	ProtectedPaths ProtectedPathsRule `yaml:"protected_paths,omitempty"`
	Dependencies   DependenciesRule   `yaml:"dependencies,omitempty"`
	SPDXHeaders    SPDXHeadersRule    `yaml:"spdx_headers,omitempty"`
}

// CLARule requires everyone who contributes to a pull request to have
// signed the Contributor License Agreement.
type CLARule struct {
	Mode Mode `yaml:"mode,omitempty"`
	// Document is the http(s) URL of the CLA text. Required when the rule
	// is on.
	Document string `yaml:"document,omitempty"`
	// Version is the CLA version in force. Default "1".
	Version string `yaml:"version,omitempty"`
	// Resign: a signature of another version no longer counts.
	Resign bool `yaml:"resign,omitempty"`
	// Phrase is what a contributor comments to sign. Default DefaultCLAPhrase.
	Phrase string `yaml:"phrase,omitempty"`
	// IncludeOpener: the pull request's opener must sign too, even without
	// a commit of their own.
	IncludeOpener bool `yaml:"include_opener,omitempty"`
	// Allow lists who need not sign.
	Allow CLAAllow `yaml:"allow,omitempty"`
	// Agents is how the cla and dco rules treat AI coding agents among a
	// pull request's contributors: allow, sponsor (the default) or block.
	Agents AgentPolicy `yaml:"agents,omitempty"`
	// AgentIdentities add to the built-in list of AI agents (see
	// rules.BuiltinAgents).
	AgentIdentities []AgentIdentity `yaml:"agent_identities,omitempty"`
}

// AgentPolicy is how AI coding agents' contributions are treated.
type AgentPolicy string

const (
	// AgentsAllow: agents need neither a CLA signature nor a sign-off.
	AgentsAllow AgentPolicy = "allow"
	// AgentsSponsor: the human who opened the pull request vouches for the
	// agents' work: they must have signed the CLA, and they sign off the
	// agents' commits.
	AgentsSponsor AgentPolicy = "sponsor"
	// AgentsBlock: an agent's contribution fails the cla and dco rules.
	AgentsBlock AgentPolicy = "block"
)

// AgentIdentity is an AI coding agent: a commit author or Co-authored-by
// whose email is Email (exactly, ignoring case), or a GitHub account whose
// login is Login (exactly, ignoring case). Name is what messages call it;
// it never identifies the agent (a human may have the same name).
type AgentIdentity struct {
	Name  string `yaml:"name"`
	Email string `yaml:"email,omitempty"`
	Login string `yaml:"login,omitempty"`
}

// CLAAllow lists the contributors who need not sign the CLA.
type CLAAllow struct {
	// Bots exempts accounts of type Bot and logins ending in "[bot]".
	// Default true.
	Bots *bool `yaml:"bots,omitempty"`
	// Users are logins or login patterns with * (anchored,
	// case-insensitive): "release-*".
	Users []string `yaml:"users,omitempty"`
	// Orgs exempts the members of these GitHub orgs (a corporate CLA),
	// private members included.
	Orgs []string `yaml:"orgs,omitempty"`
	// EmailDomains exempts commit emails in these domains or their
	// subdomains (case-insensitive).
	EmailDomains []string `yaml:"email_domains,omitempty"`
}

// BotsAllowed reports whether bots are exempt (the default).
func (a CLAAllow) BotsAllowed() bool { return a.Bots == nil || *a.Bots }

// DCORule requires a Signed-off-by (Developer Certificate of Origin) on
// every non-merge commit.
type DCORule struct {
	Mode Mode `yaml:"mode,omitempty"`
}

// PRLabelsRule requires labels on pull requests.
type PRLabelsRule struct {
	Mode Mode `yaml:"mode,omitempty"`
	// OneOf are sets of labels; at least one label of each set must be on
	// the pull request.
	OneOf LabelSets `yaml:"one_of,omitempty"`
	// Patterns are regular expressions (RE2 syntax, anchored at both
	// ends); at least one label must match each.
	Patterns []string `yaml:"patterns,omitempty"`
}

// ProtectedPathsRule requires an OSPO approval of pull requests that
// change protected files.
type ProtectedPathsRule struct {
	Mode Mode `yaml:"mode,omitempty"`
	// Paths are glob patterns (path.Match) matched against each changed
	// file's full path: "LICENSE*", ".github/CODEOWNERS".
	Paths []string `yaml:"paths,omitempty"`
}

// DependenciesRule judges the licences of the dependencies a pull request
// adds or changes (not the ones already there).
type DependenciesRule struct {
	Mode Mode `yaml:"mode,omitempty"`
	// Allowed are SPDX license IDs or expressions a dependency's licence
	// must satisfy (a dependency passes when some choice its expression
	// offers is allowed and not denied). Empty: any licence not denied.
	Allowed []string `yaml:"allowed,omitempty"`
	// Denied are SPDX license IDs no choice may include.
	Denied []string `yaml:"denied,omitempty"`
	// Unknown is how a dependency with no known licence counts: warn (the
	// default: the check is neutral, never a silent pass) or enforce (it
	// fails).
	Unknown Mode `yaml:"unknown,omitempty"`
	// Scopes are the dependency scopes judged: runtime, development.
	// Default [runtime]; a dependency whose scope is unknown is always
	// judged.
	Scopes []string `yaml:"scopes,omitempty"`
	// Exceptions allow packages whatever their licence, by package URL
	// pattern.
	Exceptions []DependencyException `yaml:"exceptions,omitempty"`
}

// DependencyException allows the packages whose package URL matches
// Package: a purl ("pkg:npm/left-pad@1.3.0"), without a version for every
// version ("pkg:npm/left-pad"), or with * for any run of characters
// ("pkg:npm/@acme/*").
type DependencyException struct {
	Package string `yaml:"package"`
	Reason  string `yaml:"reason"`
}

// SPDXHeadersRule requires an SPDX-License-Identifier in the first lines
// of every file a pull request adds or modifies that matches Paths, or
// REUSE coverage (REUSE.toml, a .license file, .reuse/dep5).
type SPDXHeadersRule struct {
	Mode Mode `yaml:"mode,omitempty"`
	// Paths are globs (doublestar: ** spans directories) of the files
	// that need a header. Default: the source files of common languages
	// (DefaultSPDXHeaderPaths).
	Paths []string `yaml:"paths,omitempty"`
	// Exclude are globs of files that need none (vendored code, generated
	// files).
	Exclude []string `yaml:"exclude,omitempty"`
	// Allowed are the licences a header may name (SPDX IDs or
	// expressions). Default: repository.license.allowed.
	Allowed []string `yaml:"allowed,omitempty"`
}
