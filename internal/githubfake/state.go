package githubfake

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// state is everything the fake knows. It is guarded by Fake.mu.
type state struct {
	usedIDs   map[int64]bool
	nextID    int64
	accounts  map[string]*account // by lower-case login
	repos     map[string]*repo    // by lower-case "owner/name"
	reposByID map[int64]*repo
	installs  map[int64]*installation
	tokens    map[string]*token
	rate      map[int64]*rateBucket
	// rateWindow is the primary rate limit's window (Options.RateWindow).
	rateWindow time.Duration
	bot        *account
	created    time.Time
	// packageLicenses are the licences GitHub's dependency graph knows,
	// by package URL (dependencyreview.go).
	packageLicenses map[string]string
}

func (s *state) init(now time.Time) {
	s.usedIDs = map[int64]bool{}
	s.nextID = 1000
	s.accounts = map[string]*account{}
	s.repos = map[string]*repo{}
	s.reposByID = map[int64]*repo{}
	s.installs = map[int64]*installation{}
	s.tokens = map[string]*token{}
	s.rate = map[int64]*rateBucket{}
	s.packageLicenses = map[string]string{}
	s.created = now
}

// id returns want when it is free, or a new ID when want is zero; 0 when want
// is already taken.
func (s *state) id(want int64) int64 {
	if want != 0 {
		if s.usedIDs[want] {
			return 0
		}
		s.usedIDs[want] = true
		return want
	}
	for s.usedIDs[s.nextID] {
		s.nextID++
	}
	s.usedIDs[s.nextID] = true
	return s.nextID
}

// account is a user, bot or organization.
type account struct {
	id          int64
	login       string
	typ         string // User, Bot, Organization
	name        string
	description string
	emails      []string
	created     time.Time

	// Organizations only.
	members map[string]*member // by lower-case login
	teams   []*team
}

type member struct {
	user   *account
	role   string
	state  string
	public bool // a public organization member
}

type team struct {
	id          int64
	org         *account
	slug        string
	name        string
	description string
	privacy     string
	members     []*member
	parent      *team
}

func (a *account) isOrg() bool { return a.typ == "Organization" }

func (a *account) user() User {
	return User{ID: a.id, Login: a.login, Type: a.typ, Name: a.name, Emails: slices.Clone(a.emails)}
}

func (a *account) team(slug string) *team {
	for _, t := range a.teams {
		if strings.EqualFold(t.slug, slug) {
			return t
		}
	}
	return nil
}

func (t *team) member(login string) *member {
	for _, m := range t.members {
		if strings.EqualFold(m.user.login, login) {
			return m
		}
	}
	return nil
}

func (s *state) account(login string) *account { return s.accounts[strings.ToLower(login)] }

func (s *state) addAccount(id int64, login, typ string, now time.Time) *account {
	a := &account{id: s.id(id), login: login, typ: typ, created: now}
	if typ == "Organization" {
		a.members = map[string]*member{}
	}
	s.accounts[strings.ToLower(login)] = a
	return a
}

// userFor returns the account with that login, creating a user (or a bot,
// for a "[bot]" login) when there is none.
func (s *state) userFor(login string, now time.Time) *account {
	if a := s.account(login); a != nil {
		return a
	}
	typ := "User"
	if strings.HasSuffix(login, "[bot]") {
		typ = "Bot"
	}
	return s.addAccount(0, login, typ, now)
}

// userByEmail finds the account that owns a commit e-mail.
func (s *state) userByEmail(email string) *account {
	if email == "" {
		return nil
	}
	for _, a := range s.accounts {
		for _, e := range a.emails {
			if strings.EqualFold(e, email) {
				return a
			}
		}
	}
	return nil
}

type installation struct {
	id          int64
	account     *account
	selection   string
	repoIDs     []int64
	permissions map[string]string
	events      []string
	created     time.Time
}

// covers reports whether the installation has access to the repository.
func (in *installation) covers(r *repo) bool {
	if r.owner != in.account {
		return false
	}
	return in.selection == "all" || slices.Contains(in.repoIDs, r.id)
}

type token struct {
	value       string
	inst        *installation
	expires     time.Time
	repoIDs     []int64 // nil: every repository of the installation
	permissions map[string]string
}

// covers reports whether the token may act on the repository.
func (t *token) covers(r *repo) bool {
	if !t.inst.covers(r) {
		return false
	}
	return t.repoIDs == nil || slices.Contains(t.repoIDs, r.id)
}

type rateBucket struct {
	used  int
	reset time.Time
}

func (s *state) bucket(key int64, now time.Time) *rateBucket {
	b := s.rate[key]
	if b == nil || !now.Before(b.reset) {
		b = &rateBucket{reset: now.Add(s.rateWindow).Truncate(time.Second)}
		s.rate[key] = b
	}
	return b
}

// rateHeaders charges the bucket when charge is set and writes GitHub's
// X-RateLimit-* headers.
func (s *state) rateHeaders(h http.Header, key int64, limit int, charge bool, now time.Time) {
	b := s.bucket(key, now)
	if charge && b.used < limit {
		b.used++
	}
	h.Set("X-RateLimit-Limit", strconv.Itoa(limit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(limit-b.used))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(b.reset.Unix(), 10))
	h.Set("X-RateLimit-Used", strconv.Itoa(b.used))
	h.Set("X-RateLimit-Resource", "core")
}

// repo is a repository with its git objects and its issues.
type repo struct {
	id            int64
	owner         *account
	name          string
	private       bool
	visibility    string
	archived      bool
	fork          bool
	parent        *repo // the repository a fork was forked from (forks.go)
	topics        []string
	defaultBranch string
	description   string
	created       time.Time
	updated       time.Time
	pushed        time.Time

	branches map[string]string // branch → commit SHA
	commits  map[string]*commit
	trees    map[string]*tree
	blobs    map[string]string // blob SHA → content
	seq      int               // commit creation counter
	activity []*activity       // branch changes, oldest first (activity.go)

	labels     []*label
	issues     map[int]*issue
	nextNumber int
	comments   []*comment
	checkRuns  []*checkRun
	suites     map[string]int64 // app ID + head SHA → check suite ID

	collaborators    map[string]string // lower-case login → permission
	codeownersErrors []CodeownersError
	privateReporting bool // private vulnerability reporting is on
	advancedSecurity bool // GitHub Advanced Security is on (dependencyreview.go)
	issuesDisabled   bool // has_issues: false (issuesdisabled.go)
}

func (r *repo) fullName() string { return r.owner.login + "/" + r.name }

func repoKey(owner, name string) string { return strings.ToLower(owner + "/" + name) }

func (s *state) repo(owner, name string) *repo { return s.repos[repoKey(owner, name)] }

func (r *repo) label(name string) *label {
	for _, l := range r.labels {
		if strings.EqualFold(l.name, name) {
			return l
		}
	}
	return nil
}

func (r *repo) labelByID(id int64) *label {
	for _, l := range r.labels {
		if l.id == id {
			return l
		}
	}
	return nil
}

func (r *repo) comment(id int64) *comment {
	for _, c := range r.comments {
		if c.id == id {
			return c
		}
	}
	return nil
}

func (r *repo) checkRun(id int64) *checkRun {
	for _, cr := range r.checkRuns {
		if cr.id == id {
			return cr
		}
	}
	return nil
}

func (r *repo) info() Repo {
	return Repo{
		ID: r.id, Owner: r.owner.login, Name: r.name, Private: r.private,
		Visibility: r.visibility, Archived: r.archived, Fork: r.fork,
		Topics: slices.Clone(r.topics), DefaultBranch: r.defaultBranch,
		Description: r.description, HasIssues: !r.issuesDisabled, CreatedAt: r.created,
	}
}

type label struct {
	id          int64
	name        string
	color       string
	description string
	isDefault   bool
}

func (l *label) info() Label {
	return Label{ID: l.id, Name: l.name, Color: l.color, Description: l.description, Default: l.isDefault}
}

// issue is an issue or, when pr is set, a pull request.
type issue struct {
	id          int64
	number      int
	title       string
	body        string
	user        *account
	state       string
	stateReason string
	labels      []int64
	created     time.Time
	updated     time.Time
	closed      time.Time
	pr          *pull
}

type pull struct {
	id       int64
	headRepo *repo // the fork holding the head branch; nil: the base repository
	head     string
	base     string
	draft    bool
	merged   bool
	mergedAt time.Time
	reviews  []*review
}

type review struct {
	id        int64
	user      *account
	state     string
	body      string
	commitID  string
	submitted time.Time
}

func (r *repo) issue(number int) *issue { return r.issues[number] }

func (r *repo) labelNames(is *issue) []string {
	var names []string
	for _, id := range is.labels {
		if l := r.labelByID(id); l != nil {
			names = append(names, l.name)
		}
	}
	return names
}

func (r *repo) commentCount(number int) int {
	n := 0
	for _, c := range r.comments {
		if c.number == number {
			n++
		}
	}
	return n
}

type comment struct {
	id        int64
	number    int
	user      *account
	body      string
	created   time.Time
	updated   time.Time
	reactions []*reaction
}

type reaction struct {
	id      int64
	user    *account
	content string
	created time.Time
}

type checkRun struct {
	id          int64
	name        string
	headSHA     string
	status      string
	conclusion  string
	externalID  string
	detailsURL  string
	startedAt   time.Time
	completedAt time.Time
	output      CheckRunOutput
	actions     []CheckRunAction
	appID       int64
	suiteID     int64
}

func (cr *checkRun) info() CheckRun {
	out := cr.output
	out.Annotations = slices.Clone(out.Annotations)
	return CheckRun{
		ID: cr.id, Name: cr.name, HeadSHA: cr.headSHA, Status: cr.status,
		Conclusion: cr.conclusion, ExternalID: cr.externalID, DetailsURL: cr.detailsURL,
		StartedAt: cr.startedAt, CompletedAt: cr.completedAt, Output: out,
		Actions: slices.Clone(cr.actions), AppID: cr.appID, CheckSuiteID: cr.suiteID,
	}
}
