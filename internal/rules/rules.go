// Package rules evaluates the repository and pull request rules: pure functions of a snapshot and the policy, returning findings, with no I/O.
package rules

import "github.com/ospo-bot/ospo-bot/internal/policy"

// Result is a finding's outcome.
type Result string

const (
	Pass   Result = "pass"
	Fail   Result = "fail"
	Exempt Result = "exempt" // an OSPO approver exempted the repository from the rule
	Skip   Result = "skip"   // the rule is off
)

// Finding is what one rule found.
type Finding struct {
	Rule   string      // rule id: one of IDs or PullRequestIDs
	Mode   policy.Mode // the rule's mode
	Result Result
	// Message and Remediation are one line of GitHub Markdown each, in
	// which anyone's text (names, emails, trailers, file and label names,
	// reasons) is written with package inert and does nothing.
	Message     string // what was found
	Remediation string // what to do ("" when passing)
	PolicyURL   string // link to the policy (file and anchor) that asks for it
	// File and Line locate the finding when it is about a place in a file.
	File string
	Line int
	// Annotations are places in files the finding is about, when there are
	// several (each failing file, each dependency's manifest line); they
	// are the check run's annotations, in this order, instead of File and
	// Line.
	Annotations []Annotation
	// Details is GitHub Markdown the check run's summary shows under the
	// rules' table (e.g. the table of the added dependencies), its text
	// written with package inert; "" when none.
	Details string
}

// Annotation is one place in a file a finding is about. Message is plain
// text (GitHub shows annotations unrendered).
type Annotation struct {
	File    string
	Line    int // 1-based; 0: the file's first line
	Title   string
	Message string
}

// Failing reports whether the finding fails an enforce rule.
func (f Finding) Failing() bool { return f.Result == Fail && f.Mode == policy.Enforce }

// Snapshot is what the rules see of a repository, gathered from GitHub
// beforehand in as few calls as possible.
type Snapshot struct {
	Owner, Name   string
	ID            int64
	Private       bool
	Archived      bool
	Fork          bool
	DefaultBranch string
	Topics        []string
	HTMLURL       string // the repository's page on GitHub

	// Paths lists the files of the root, .github/, docs/ and LICENSES/
	// directories of the default branch (full paths, e.g. "LICENSE",
	// ".github/CODEOWNERS", "docs/SECURITY.md", "LICENSES/MIT.txt").
	// Directories end with "/".
	Paths []string
	// Contents holds the text of the files a rule reads (the LICENSE and
	// CODEOWNERS candidates), by path. A path in Paths but not here was not
	// fetched.
	Contents map[string]string
	// CodeownersErrors are the errors GitHub reports for the CODEOWNERS file
	// in use (GET /repos/{owner}/{repo}/codeowners/errors).
	CodeownersErrors []CodeownersError
	// OrgDefaults lists the community health files in the org's .github
	// repository (e.g. "SECURITY.md", ".github/CONTRIBUTING.md"), which
	// GitHub shows for repositories that lack their own.
	OrgDefaults []string
	// OrgContents holds the text of the org .github repository's files a
	// rule reads (rules.FileSet.OrgDefault), by path.
	OrgContents map[string]string
	// PrivateReporting says whether GitHub's private vulnerability
	// reporting is on for the repository; nil when not read.
	PrivateReporting *bool
	// Labels are the repository's issue labels; nil when not gathered.
	Labels []policy.Label
	// Declared are the licences the root's package manifests declare
	// (package.json, Cargo.toml, pyproject.toml, pom.xml, setup.cfg,
	// *.gemspec), in Paths order, one per manifest read; nil when they
	// were not read (Needs.Manifests), empty when there are none.
	Declared []Declared
}

// Declared is the licence one package manifest declares.
type Declared struct {
	File string // the manifest's path, e.g. "package.json"
	// Expr is the declaration, an SPDX expression when it is one (or
	// names a well-known licence), otherwise as written; "" when the
	// manifest declares none or only points to a file.
	Expr string
	Line int // its 1-based line; 0 unknown
	// Problem says why the manifest could not be read ("" when it was).
	Problem string
}

// CodeownersError is one error GitHub found in a CODEOWNERS file.
type CodeownersError struct {
	Line       int
	Column     int
	Kind       string // e.g. "Unknown owner"
	Source     string // the offending line
	Suggestion string
	Message    string
	Path       string
}
