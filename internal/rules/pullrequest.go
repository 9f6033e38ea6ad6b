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
	Renamed       map[string]string
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
