package githubfake

import "time"

// The types in this file are what tests seed the fake with and what the
// read accessors (Repo, Issues, Comments, ...) return. They are plain values:
// the fake never hands out pointers into its own state.

// User is a GitHub user or bot account.
type User struct {
	ID     int64  // 0: allocated by the fake
	Login  string // required
	Type   string // "User" (default) or "Bot"
	Name   string
	Emails []string // commit e-mails that map to this account
}

// Org is a GitHub organization.
type Org struct {
	ID          int64 // 0: allocated by the fake
	Login       string
	Name        string
	Description string
}

// Installation is an installation of the app on an organization or user
// account.
type Installation struct {
	ID int64 // 0: allocated by the fake
	// Account is the login of the organization or user the app is installed
	// on. An unknown login is created as an organization.
	Account string
	// RepositorySelection is "all" (default) or "selected".
	RepositorySelection string
	// RepositoryIDs are the repositories of a "selected" installation.
	RepositoryIDs []int64
	// Permissions default to what ospo-bot asks for: config/app.yml's
	// default_permissions.
	Permissions map[string]string
	Events      []string
	CreatedAt   time.Time
}

// Repo is a repository.
type Repo struct {
	ID            int64 // 0: allocated by the fake
	Owner         string
	Name          string
	Private       bool
	Visibility    string // "public", "private" or "internal"; derived from Private when empty
	Archived      bool
	Fork          bool
	Topics        []string
	DefaultBranch string // "main" when empty
	Description   string
	HasIssues     bool // ignored when seeding: seeded repositories have issues enabled
	CreatedAt     time.Time
	// Files seeds the default branch with one initial commit (AddRepo only).
	// Accessors leave it empty; use Files to read a branch.
	Files map[string]string
}

// FullName is "owner/name".
func (r Repo) FullName() string { return r.Owner + "/" + r.Name }

// Signature is the author or committer of a commit. Login links the commit
// to a GitHub account; when empty, an account whose Emails contain Email is
// used, as GitHub does.
type Signature struct {
	Name  string
	Email string
	Login string
	Date  time.Time // the fake's clock when zero
}

// NewCommit describes one commit to push to a branch: the files it adds or
// changes, the paths it deletes or moves, its message and its people.
type NewCommit struct {
	Message   string
	Author    Signature
	Committer Signature // Author when empty
	Files     map[string]string
	Delete    []string
	// Rename moves files, old path → new path, keeping their content (Files
	// may then change the new path). GitHub lists such a file once, as
	// "renamed" with its previous_filename (see renames.go).
	Rename map[string]string
}

// Commit is a commit in a repository.
type Commit struct {
	SHA       string
	TreeSHA   string
	Parents   []string
	Message   string
	Author    Signature
	Committer Signature
}

// PullRequest is a pull request. Its base is a branch of the repository; its
// head a branch of the same repository or, written "user:branch", of user's
// fork of it (AddFork). HeadSHA and BaseSHA follow those branches.
type PullRequest struct {
	Number    int // allocated by the fake (shared with issues)
	ID        int64
	Title     string
	Body      string
	User      string // author login; created as a user when unknown
	State     string // "open" (default) or "closed"
	Draft     bool
	Merged    bool
	Head      string // head branch; required, must exist
	Base      string // base branch; the default branch when empty
	HeadRepo  string // owner/name of the head branch's repository (read only)
	HeadSHA   string // read only
	BaseSHA   string // read only
	Labels    []string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Issue is an issue (not a pull request).
type Issue struct {
	Number      int // allocated by the fake (shared with pull requests)
	ID          int64
	Title       string
	Body        string
	User        string // author login; created as a user when unknown
	State       string // "open" (default) or "closed"
	StateReason string
	Labels      []string
	Comments    int // read only
	CreatedAt   time.Time
	UpdatedAt   time.Time
	ClosedAt    time.Time
}

// Label is a repository label.
type Label struct {
	ID          int64
	Name        string
	Color       string // six hex digits without '#'; "ededed" when empty
	Description string
	Default     bool
}

// Comment is an issue or pull request comment.
type Comment struct {
	ID        int64
	Number    int // the issue or pull request it belongs to
	User      string
	Body      string
	HTMLURL   string
	CreatedAt time.Time
	UpdatedAt time.Time
	Reactions []Reaction
}

// Reaction is a reaction to a comment.
type Reaction struct {
	ID        int64
	User      string
	Content   string // +1, -1, laugh, confused, heart, hooray, rocket, eyes
	CreatedAt time.Time
}

// Review is a pull request review.
type Review struct {
	ID          int64
	User        string
	State       string // APPROVED, CHANGES_REQUESTED, COMMENTED, DISMISSED, PENDING
	Body        string
	CommitID    string // the pull request's head when empty
	SubmittedAt time.Time
}

// CheckRun is a check run.
type CheckRun struct {
	ID          int64
	Name        string
	HeadSHA     string
	Status      string // queued, in_progress, completed, ...
	Conclusion  string
	ExternalID  string
	DetailsURL  string
	StartedAt   time.Time
	CompletedAt time.Time
	Output      CheckRunOutput
	Actions     []CheckRunAction
	// AppID is the app that owns the run: the fake's app when zero. Only the
	// owning app may update a run.
	AppID        int64
	CheckSuiteID int64 // read only
}

// CheckRunOutput is the output of a check run.
type CheckRunOutput struct {
	Title       string
	Summary     string
	Text        string
	Annotations []CheckRunAnnotation
}

// CheckRunAnnotation is one annotation of a check run.
type CheckRunAnnotation struct {
	Path            string
	StartLine       int
	EndLine         int
	StartColumn     int
	EndColumn       int
	AnnotationLevel string
	Message         string
	Title           string
}

// CheckRunAction is a button offered by a check run.
type CheckRunAction struct {
	Label       string
	Description string
	Identifier  string
}

// Team is an organization team.
type Team struct {
	ID          int64
	Org         string
	Slug        string // derived from Name when empty
	Name        string // Slug when empty
	Description string
	Privacy     string // "closed" (default) or "secret"
	// Parent is the slug of the parent team, in the same organization;
	// the parent's members include this team's members.
	Parent string
}

// Membership is a team or organization membership.
type Membership struct {
	Login string
	// Role: "member" or "maintainer" in a team; "member" or "admin" in an
	// organization. "member" when empty.
	Role string
	// State: "active" (default) or "pending".
	State string
	// Public: the organization member has made the membership public
	// (GET /orgs/{org}/public_members/{username}). Organizations only.
	Public bool
}

// CodeownersError is one entry of GET .../codeowners/errors.
type CodeownersError struct {
	Line       int
	Column     int
	Kind       string
	Source     string
	Suggestion string
	Message    string
	Path       string
}
