package rules

import "time"

// PullRequest is what the pull request rules see of a pull request,
// gathered from GitHub and the store beforehand.
type PullRequest struct {
	Owner, Name string // the base repository
	Number      int
	HeadSHA     string
	Opener      Account
	Labels      []string

	// Commits are all the pull request's commits, oldest first.
	Commits []Commit
	// CommitsComplete is false when the commit list could not be verified
	// complete (GitHub's count differs): the CLA and DCO rules then fail
	// closed, never pass on a partial list.
	CommitsComplete bool
	// CommitCount is GitHub's count of the pull request's commits.
	CommitCount int

	// Files are the paths the pull request changes (renames: both paths).
	// FilesRead is how many changes were read (a rename is one change, as
	// in FileCount, GitHub's count of the changed files); FilesComplete is
	// false when GitHub's list was cut short (it lists at most 3,000).
	Files []string
	// Renamed maps the new path of each renamed file to its old path.
	Renamed map[string]string
	// Status is each changed path's status as GitHub lists it (added,
	// modified, removed, renamed, copied, changed; a rename's old path:
	// removed), and Patches the unified diff GitHub gave for it ("" when
	// it gave none: a binary or too large a change), by path. They come
	// with the list of files, at no cost of their own.
	Status        map[string]string
	Patches       map[string]string
	FilesRead     int
	FileCount     int
	FilesComplete bool

	// Signatures are the CLA signatures on record of the accounts involved,
	// by GitHub user ID.
	Signatures map[int64]Signature
	// Users are the accounts GitHub gave (GET /users/{login}) for the
	// logins of old-style noreply addresses (login@users.noreply.github.com,
	// see NoreplyLogins), by lower-case login. A login GitHub does not know
	// is absent: its address stays an unlinked email.
	Users map[string]Account
	// OrgMembers holds, for each allow-listed org, the logins of the
	// accounts involved that are members of it (corporate CLA).
	OrgMembers map[string][]string
	// Unverified are the logins (lower case) named by the commits that the
	// gather stage did not look up (an old-style noreply address's account,
	// an allow-listed org's membership) because the check's LookupBudget
	// of per-identity lookups was spent: the CLA rule fails closed while
	// any is listed.
	Unverified   []string
	LookupBudget int

	// Approvals of changes to protected paths: `/ospo approve` comments on
	// the pull request and approving reviews.
	Approvals []PathApproval

	// Dependencies are the dependencies the pull request adds or changes,
	// with their licences; nil when not gathered (the rule is off).
	Dependencies *DependencyChanges
	// Allowed are the `/ospo allow` decisions recorded on the pull request.
	Allowed []PackageAllowance

	// Heads are the first lines (HeadLines at most) of the files the
	// pull request adds or modifies that the spdx-headers rule reads, at
	// its head, by path; nil when not gathered. A file listed in Files but
	// not here was not read (deleted, or not matching the rule's paths).
	// The text comes from the file list's patch when that shows the
	// file's first lines, else from the contents API.
	Heads map[string]string
	// NoHead are the files the rule judges whose text is not in Heads,
	// and why (a binary file, a symlink, or a file that could not be read).
	NoHead map[string]NoHead
	// REUSE are the REUSE files at the pull request's head that can
	// cover the files the rule judges; nil when not gathered.
	REUSE *REUSE
}

// NoHead says why a file's first lines are not in PullRequest.Heads.
type NoHead struct {
	Kind string // one of the Head* kinds
	Why  string // for HeadUnread: what went wrong
}

// The kinds of NoHead.
const (
	// HeadBinary: not text (an Uncommentable File in REUSE's words): only
	// a .license file or REUSE.toml can give it a licence.
	HeadBinary = "binary"
	// HeadSymlink, HeadSubmodule, HeadEmpty: not a file REUSE covers
	// (a symlink, a submodule, a file with no data).
	HeadSymlink   = "symlink"
	HeadSubmodule = "submodule"
	HeadEmpty     = "empty"
	// HeadUnread: the file could not be read; the rule fails closed on it.
	HeadUnread = "unread"
)

// HeadLines is how many first lines of a file the spdx-headers rule reads.
const HeadLines = 20

// DependencyChanges are the dependencies a pull request adds or changes.
type DependencyChanges struct {
	// Source says where the list came from: "dependency review" (GitHub's
	// dependency graph compare) or "manifests" (the changed manifests and
	// lock files, parsed).
	Source string
	// Added are the dependencies added or changed to another version,
	// in manifest order.
	Added []Dependency
	// Unread names the changed manifests or lock files that could not be
	// read or parsed, each with why: the rule fails closed on them.
	Unread []UnreadManifest
}

// Dependency is one added or changed dependency.
type Dependency struct {
	// PURL is its package URL ("pkg:npm/left-pad@1.3.0").
	PURL      string
	Ecosystem string // as GitHub names it: npm, gomod, pip, cargo, maven, ...
	Name      string
	Version   string
	// Previous is the version it replaces; "" when added.
	Previous string
	// Manifest is the file that declares it, and Line its line there at
	// the head (0: unknown).
	Manifest string
	Line     int
	// Scope is runtime, development or unknown.
	Scope string
	// License is its SPDX expression; "" when nobody knows it.
	License string
	// LicenseSource says who said so: "GitHub", "deps.dev", "manifest".
	LicenseSource string
}

// UnreadManifest is a changed manifest that could not be read or parsed.
type UnreadManifest struct {
	Path string
	Why  string
}

// PackageAllowance is an approver's `/ospo allow <purl> <reason>` on a
// pull request.
type PackageAllowance struct {
	Package string // the purl or pattern, as written
	Reason  string
	Login   string
	At      time.Time
	URL     string
}

// REUSE are the files of the REUSE specification
// (https://reuse.software/spec-3.3/) at a pull request's head that can
// give the files it changes a licence, as text: the rule parses them and
// applies the specification's order of precedence, which depends on the
// files' own headers.
type REUSE struct {
	// Files holds their text by path: REUSE.toml files (in any
	// directory), .reuse/dep5, and the <file>.license files of the files
	// without a header. A path not here does not exist at the head.
	Files map[string]string
	// Problems are REUSE files that exist but could not be read, each
	// with why (the files they may cover fail, saying so).
	Problems []UnreadManifest
	// Partial: the repository's tree was too large to list, so REUSE.toml
	// files below the root were not looked for.
	Partial bool
}

// Account is a GitHub account.
type Account struct {
	ID    int64
	Login string
	Type  string // "User" or "Bot"
	// FromText: only commit text names this account (a noreply address
	// in a Co-authored-by or an unlinked author email); GitHub linked it
	// to nothing in the pull request. Such an account is listed, never
	// mentioned: anyone can write anyone's address.
	FromText bool
}

// Commit is one commit of a pull request.
type Commit struct {
	SHA       string
	Message   string
	Parents   int // 2 or more: a merge commit
	Author    Person
	Committer Person
}

// Person is a commit's author or committer: the name and email in the
// commit, and the GitHub account GitHub linked them to (nil when the email
// belongs to no account).
type Person struct {
	Name    string
	Email   string
	Account *Account
}

// Signature is a CLA signature on record.
type Signature struct {
	UserID  int64
	Login   string
	Version string
	At      time.Time
	URL     string // the comment that signed
}

// PathApproval is an approval of a pull request's protected-path changes.
type PathApproval struct {
	Login string
	At    time.Time
	// Authorized: the approver is an OSPO approver (team membership checked
	// live when the approval was gathered).
	Authorized bool
	// Voided: a later push touched protected paths again.
	Voided bool
	URL    string
}
