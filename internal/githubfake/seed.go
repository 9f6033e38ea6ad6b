package githubfake

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
)

// Seeding: tests and the demo fill the fake with these methods. Each returns
// the object as stored (IDs, numbers and defaults filled in). Logins that are
// referenced but unknown are created as users (repository owners and
// installation accounts as organizations).

// AddOrg adds an organization.
func (f *Fake) AddOrg(o Org) (Org, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if o.Login == "" {
		return Org{}, fmt.Errorf("githubfake: an organization needs a login")
	}
	if f.st.account(o.Login) != nil {
		return Org{}, fmt.Errorf("githubfake: account %q already exists", o.Login)
	}
	if o.ID != 0 && f.st.usedIDs[o.ID] {
		return Org{}, fmt.Errorf("githubfake: ID %d is taken", o.ID)
	}
	a := f.st.addAccount(o.ID, o.Login, "Organization", f.now())
	a.name, a.description = o.Name, o.Description
	o.ID = a.id
	return o, nil
}

// AddUser adds a user or bot account, or fills in one the fake created when
// a seed first named it.
func (f *Fake) AddUser(u User) (User, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if u.Login == "" {
		return User{}, fmt.Errorf("githubfake: a user needs a login")
	}
	switch u.Type {
	case "":
		u.Type = "User"
	case "User", "Bot":
	default:
		return User{}, fmt.Errorf("githubfake: user type %q is not User or Bot", u.Type)
	}
	a := f.st.account(u.Login)
	switch {
	case a != nil && (a.isOrg() || (u.ID != 0 && u.ID != a.id)):
		return User{}, fmt.Errorf("githubfake: account %q already exists", u.Login)
	case a != nil:
		a.typ = u.Type
	case u.ID != 0 && f.st.usedIDs[u.ID]:
		return User{}, fmt.Errorf("githubfake: ID %d is taken", u.ID)
	default:
		a = f.st.addAccount(u.ID, u.Login, u.Type, f.now())
	}
	a.name, a.emails = u.Name, slices.Clone(u.Emails)
	return a.user(), nil
}

// AddInstallation installs the app on an account.
func (f *Fake) AddInstallation(in Installation) (Installation, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if in.Account == "" {
		return Installation{}, fmt.Errorf("githubfake: an installation needs an account")
	}
	if in.ID != 0 && f.st.usedIDs[in.ID] {
		return Installation{}, fmt.Errorf("githubfake: ID %d is taken", in.ID)
	}
	switch in.RepositorySelection {
	case "":
		in.RepositorySelection = "all"
	case "all", "selected":
	default:
		return Installation{}, fmt.Errorf("githubfake: repository selection %q is not all or selected", in.RepositorySelection)
	}
	acct := f.st.account(in.Account)
	if acct == nil {
		acct = f.st.addAccount(0, in.Account, "Organization", f.now())
	}
	for _, id := range in.RepositoryIDs {
		if r := f.st.reposByID[id]; r == nil || r.owner != acct {
			return Installation{}, fmt.Errorf("githubfake: repository %d is not owned by %s", id, acct.login)
		}
	}
	if in.Permissions == nil {
		in.Permissions = defaultPermissions()
	}
	if in.CreatedAt.IsZero() {
		in.CreatedAt = f.now()
	}
	inst := &installation{
		id: f.st.id(in.ID), account: acct, selection: in.RepositorySelection,
		repoIDs: slices.Clone(in.RepositoryIDs), permissions: maps.Clone(in.Permissions),
		events: slices.Clone(in.Events), created: in.CreatedAt,
	}
	f.st.installs[inst.id] = inst
	return inst.info(), nil
}

// AddInstallationRepos adds repositories to a "selected" installation.
func (f *Fake) AddInstallationRepos(installationID int64, repoIDs ...int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	inst := f.st.installs[installationID]
	if inst == nil {
		return fmt.Errorf("githubfake: no installation %d", installationID)
	}
	for _, id := range repoIDs {
		if r := f.st.reposByID[id]; r == nil || r.owner != inst.account {
			return fmt.Errorf("githubfake: repository %d is not owned by %s", id, inst.account.login)
		}
		if !slices.Contains(inst.repoIDs, id) {
			inst.repoIDs = append(inst.repoIDs, id)
		}
	}
	return nil
}

func (in *installation) info() Installation {
	return Installation{
		ID: in.id, Account: in.account.login, RepositorySelection: in.selection,
		RepositoryIDs: slices.Clone(in.repoIDs), Permissions: maps.Clone(in.permissions),
		Events: slices.Clone(in.events), CreatedAt: in.created,
	}
}

// AddRepo adds a repository whose default branch holds r.Files in one
// commit. An unknown owner is created as an organization.
func (f *Fake) AddRepo(r Repo) (Repo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if r.Owner == "" || r.Name == "" {
		return Repo{}, fmt.Errorf("githubfake: a repository needs an owner and a name")
	}
	if f.st.repo(r.Owner, r.Name) != nil {
		return Repo{}, fmt.Errorf("githubfake: repository %s already exists", r.FullName())
	}
	if r.ID != 0 && f.st.usedIDs[r.ID] {
		return Repo{}, fmt.Errorf("githubfake: ID %d is taken", r.ID)
	}
	switch r.Visibility {
	case "":
		r.Visibility = "public"
		if r.Private {
			r.Visibility = "private"
		}
	case "public":
		r.Private = false
	case "private", "internal":
		r.Private = true
	default:
		return Repo{}, fmt.Errorf("githubfake: visibility %q is not public, private or internal", r.Visibility)
	}
	if r.DefaultBranch == "" {
		r.DefaultBranch = "main"
	}
	now := f.now()
	if r.CreatedAt.IsZero() {
		r.CreatedAt = now
	}
	owner := f.st.account(r.Owner)
	if owner == nil {
		owner = f.st.addAccount(0, r.Owner, "Organization", now)
	}
	rp := &repo{
		id: f.st.id(r.ID), owner: owner, name: r.Name, private: r.Private,
		visibility: r.Visibility, archived: r.Archived, fork: r.Fork,
		topics: slices.Clone(r.Topics), defaultBranch: r.DefaultBranch,
		description: r.Description, created: r.CreatedAt, updated: r.CreatedAt, pushed: r.CreatedAt,
		branches: map[string]string{}, commits: map[string]*commit{}, trees: map[string]*tree{},
		blobs: map[string]string{}, issues: map[int]*issue{}, nextNumber: 1,
		suites: map[string]int64{}, collaborators: map[string]string{},
	}
	author := Signature{Name: owner.login, Email: owner.login + "@users.noreply.github.com", Login: owner.login, Date: r.CreatedAt}
	c := rp.addCommit("", NewCommit{Message: "Initial commit", Author: author, Files: r.Files}, now)
	rp.branches[rp.defaultBranch] = c.sha
	f.st.repos[repoKey(owner.login, r.Name)] = rp
	f.st.reposByID[rp.id] = rp
	return rp.info(), nil
}

// Push adds commits to a branch, creating the branch from the default
// branch when it does not exist yet.
func (f *Fake) Push(owner, repoName, branch string, commits ...NewCommit) ([]Commit, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.st.repo(owner, repoName)
	if r == nil {
		return nil, fmt.Errorf("githubfake: no repository %s/%s", owner, repoName)
	}
	if branch == "" {
		return nil, fmt.Errorf("githubfake: push needs a branch")
	}
	head, ok := r.branches[branch]
	before := head
	if !ok {
		head = r.branches[r.defaultBranch]
	}
	return f.pushOnto(r, branch, before, head, false, commits), nil
}

// pushOnto adds commits on top of head, points branch at the last one and
// logs the push (f.mu is held).
func (f *Fake) pushOnto(r *repo, branch, before, head string, forced bool, commits []NewCommit) []Commit {
	var out []Commit
	var actor *account
	for _, nc := range commits {
		c := r.addCommit(head, nc, f.now())
		head = c.sha
		out = append(out, c.info())
		actor = f.signatureUser(c.committer)
	}
	r.branches[branch] = head
	f.recordActivity(r, branch, before, head, forced, actor)
	return out
}

// CreateBranch creates a branch pointing at the commit that from names.
func (f *Fake) CreateBranch(owner, repoName, branch, from string) (Commit, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.st.repo(owner, repoName)
	if r == nil {
		return Commit{}, fmt.Errorf("githubfake: no repository %s/%s", owner, repoName)
	}
	if _, ok := r.branches[branch]; ok || branch == "" {
		return Commit{}, fmt.Errorf("githubfake: branch %q exists or is empty", branch)
	}
	c := r.resolve(from)
	if c == nil {
		return Commit{}, fmt.Errorf("githubfake: no commit for %q", from)
	}
	r.branches[branch] = c.sha
	f.recordActivity(r, branch, "", c.sha, false, nil)
	return c.info(), nil
}

// ensureLabels returns the IDs of the named labels, creating missing labels
// as GitHub does when labels are added to an issue.
func (f *Fake) ensureLabels(r *repo, names []string) []int64 {
	var ids []int64
	for _, n := range names {
		n = strings.TrimSpace(n)
		if n == "" {
			continue
		}
		l := r.label(n)
		if l == nil {
			l = &label{id: f.st.id(0), name: n, color: "ededed"}
			r.labels = append(r.labels, l)
		}
		if !slices.Contains(ids, l.id) {
			ids = append(ids, l.id)
		}
	}
	return ids
}

// AddIssue opens (or, with State "closed", files a closed) issue.
func (f *Fake) AddIssue(owner, repoName string, is Issue) (Issue, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.st.repo(owner, repoName)
	if r == nil {
		return Issue{}, fmt.Errorf("githubfake: no repository %s/%s", owner, repoName)
	}
	if is.User == "" {
		is.User = "octocat"
	}
	it, err := f.newIssue(r, is.Title, is.Body, is.User, is.State, is.Labels)
	if err != nil {
		return Issue{}, err
	}
	it.stateReason = is.StateReason
	if !is.CreatedAt.IsZero() {
		it.created, it.updated = is.CreatedAt, is.CreatedAt
	}
	if !is.UpdatedAt.IsZero() {
		it.updated = is.UpdatedAt
	}
	if !is.ClosedAt.IsZero() && it.state == "closed" {
		it.closed = is.ClosedAt
	}
	return r.issueInfo(it), nil
}

func (f *Fake) newIssue(r *repo, title, body, user, state string, labels []string) (*issue, error) {
	switch state {
	case "":
		state = "open"
	case "open", "closed":
	default:
		return nil, fmt.Errorf("githubfake: state %q is not open or closed", state)
	}
	now := f.now()
	it := &issue{
		id: f.st.id(0), number: r.nextNumber, title: title, body: body,
		user: f.st.userFor(user, now), state: state, created: now, updated: now,
		labels: f.ensureLabels(r, labels),
	}
	if state == "closed" {
		it.closed = now
		it.stateReason = "completed"
	}
	r.nextNumber++
	r.issues[it.number] = it
	return it, nil
}

func (r *repo) issueInfo(it *issue) Issue {
	return Issue{
		Number: it.number, ID: it.id, Title: it.title, Body: it.body, User: it.user.login,
		State: it.state, StateReason: it.stateReason, Labels: r.labelNames(it),
		Comments: r.commentCount(it.number), CreatedAt: it.created, UpdatedAt: it.updated, ClosedAt: it.closed,
	}
}

// AddPullRequest opens a pull request from pr.Head into pr.Base.
func (f *Fake) AddPullRequest(owner, repoName string, pr PullRequest) (PullRequest, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.st.repo(owner, repoName)
	if r == nil {
		return PullRequest{}, fmt.Errorf("githubfake: no repository %s/%s", owner, repoName)
	}
	if pr.Base == "" {
		pr.Base = r.defaultBranch
	}
	headRepo, head, err := f.headOf(r, pr.Head)
	if err != nil {
		return PullRequest{}, err
	}
	pr.Head = head
	if _, ok := r.branches[pr.Base]; !ok {
		return PullRequest{}, fmt.Errorf("githubfake: no base branch %q in %s", pr.Base, r.fullName())
	}
	if pr.User == "" {
		pr.User = "octocat"
	}
	if pr.Merged {
		pr.State = "closed"
	}
	it, err := f.newIssue(r, pr.Title, pr.Body, pr.User, pr.State, pr.Labels)
	if err != nil {
		return PullRequest{}, err
	}
	it.stateReason = ""
	it.pr = &pull{id: f.st.id(0), headRepo: headRepo, head: pr.Head, base: pr.Base, draft: pr.Draft, merged: pr.Merged}
	if pr.Merged {
		it.pr.mergedAt = it.closed
	}
	if !pr.CreatedAt.IsZero() {
		it.created, it.updated = pr.CreatedAt, pr.CreatedAt
	}
	if !pr.UpdatedAt.IsZero() {
		it.updated = pr.UpdatedAt
	}
	return r.pullInfo(it), nil
}

func (r *repo) pullInfo(it *issue) PullRequest {
	return PullRequest{
		Number: it.number, ID: it.pr.id, Title: it.title, Body: it.body, User: it.user.login,
		State: it.state, Draft: it.pr.draft, Merged: it.pr.merged, Head: it.pr.head, Base: it.pr.base,
		HeadRepo: r.headRepo(it).fullName(), HeadSHA: r.pullHeadSHA(it), BaseSHA: r.branches[it.pr.base], Labels: r.labelNames(it),
		CreatedAt: it.created, UpdatedAt: it.updated,
	}
}

// AddLabel adds a label to a repository.
func (f *Fake) AddLabel(owner, repoName string, l Label) (Label, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.st.repo(owner, repoName)
	if r == nil {
		return Label{}, fmt.Errorf("githubfake: no repository %s/%s", owner, repoName)
	}
	if l.Name == "" || r.label(l.Name) != nil {
		return Label{}, fmt.Errorf("githubfake: label %q is empty or exists", l.Name)
	}
	if l.Color == "" {
		l.Color = "ededed"
	}
	lb := &label{id: f.st.id(0), name: l.Name, color: strings.TrimPrefix(l.Color, "#"), description: l.Description, isDefault: l.Default}
	r.labels = append(r.labels, lb)
	return lb.info(), nil
}

// AddComment adds a comment to an issue or pull request.
func (f *Fake) AddComment(owner, repoName string, number int, c Comment) (Comment, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.st.repo(owner, repoName)
	if r == nil || r.issue(number) == nil {
		return Comment{}, fmt.Errorf("githubfake: no issue %s/%s#%d", owner, repoName, number)
	}
	if c.User == "" {
		c.User = "octocat"
	}
	cm := f.newComment(r, number, f.st.userFor(c.User, f.now()), c.Body)
	if !c.CreatedAt.IsZero() {
		cm.created, cm.updated = c.CreatedAt, c.CreatedAt
	}
	if !c.UpdatedAt.IsZero() {
		cm.updated = c.UpdatedAt
	}
	return r.commentInfo(f.opts.WebURL, cm), nil
}

func (f *Fake) newComment(r *repo, number int, user *account, body string) *comment {
	now := f.now()
	cm := &comment{id: f.st.id(0), number: number, user: user, body: body, created: now, updated: now}
	r.comments = append(r.comments, cm)
	r.issue(number).updated = now
	return cm
}

func (r *repo) commentHTMLURL(web string, cm *comment) string {
	kind := "issues"
	if it := r.issue(cm.number); it != nil && it.pr != nil {
		kind = "pull"
	}
	return fmt.Sprintf("%s/%s/%s/%d#issuecomment-%d", web, r.fullName(), kind, cm.number, cm.id)
}

func (r *repo) commentInfo(web string, cm *comment) Comment {
	c := Comment{ID: cm.id, Number: cm.number, User: cm.user.login, Body: cm.body,
		HTMLURL: r.commentHTMLURL(web, cm), CreatedAt: cm.created, UpdatedAt: cm.updated}
	for _, re := range cm.reactions {
		c.Reactions = append(c.Reactions, Reaction{ID: re.id, User: re.user.login, Content: re.content, CreatedAt: re.created})
	}
	return c
}

// reactionContents are the reactions GitHub knows.
var reactionContents = []string{"+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes"}

// AddReaction adds a reaction to a comment.
func (f *Fake) AddReaction(owner, repoName string, commentID int64, re Reaction) (Reaction, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.st.repo(owner, repoName)
	if r == nil || r.comment(commentID) == nil {
		return Reaction{}, fmt.Errorf("githubfake: no comment %d in %s/%s", commentID, owner, repoName)
	}
	if !slices.Contains(reactionContents, re.Content) {
		return Reaction{}, fmt.Errorf("githubfake: unknown reaction %q", re.Content)
	}
	if re.User == "" {
		re.User = "octocat"
	}
	cm := r.comment(commentID)
	rr := &reaction{id: f.st.id(0), user: f.st.userFor(re.User, f.now()), content: re.Content, created: f.now()}
	cm.reactions = append(cm.reactions, rr)
	return Reaction{ID: rr.id, User: rr.user.login, Content: rr.content, CreatedAt: rr.created}, nil
}

// AddReview adds a review to a pull request.
func (f *Fake) AddReview(owner, repoName string, number int, rv Review) (Review, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.st.repo(owner, repoName)
	if r == nil || r.issue(number) == nil || r.issue(number).pr == nil {
		return Review{}, fmt.Errorf("githubfake: no pull request %s/%s#%d", owner, repoName, number)
	}
	it := r.issue(number)
	if rv.User == "" {
		rv.User = "octocat"
	}
	if rv.State == "" {
		rv.State = "COMMENTED"
	}
	if rv.CommitID == "" {
		rv.CommitID = r.pullHeadSHA(it)
	}
	if rv.SubmittedAt.IsZero() {
		rv.SubmittedAt = f.now()
	}
	rw := &review{id: f.st.id(0), user: f.st.userFor(rv.User, f.now()), state: rv.State, body: rv.Body,
		commitID: rv.CommitID, submitted: rv.SubmittedAt}
	it.pr.reviews = append(it.pr.reviews, rw)
	rv.ID = rw.id
	return rv, nil
}

// AddCheckRun adds a check run; HeadSHA may also name a branch.
func (f *Fake) AddCheckRun(owner, repoName string, cr CheckRun) (CheckRun, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.st.repo(owner, repoName)
	if r == nil {
		return CheckRun{}, fmt.Errorf("githubfake: no repository %s/%s", owner, repoName)
	}
	c := r.resolve(cr.HeadSHA)
	if c == nil || cr.Name == "" {
		return CheckRun{}, fmt.Errorf("githubfake: a check run needs a name and a known head SHA (got %q, %q)", cr.Name, cr.HeadSHA)
	}
	if cr.AppID == 0 {
		cr.AppID = f.opts.AppID
	}
	if cr.Status == "" {
		cr.Status = "queued"
	}
	if cr.Conclusion != "" {
		cr.Status = "completed"
	}
	if cr.StartedAt.IsZero() {
		cr.StartedAt = f.now()
	}
	if cr.Status == "completed" && cr.CompletedAt.IsZero() {
		cr.CompletedAt = f.now()
	}
	run := &checkRun{
		id: f.st.id(0), name: cr.Name, headSHA: c.sha, status: cr.Status, conclusion: cr.Conclusion,
		externalID: cr.ExternalID, detailsURL: cr.DetailsURL, startedAt: cr.StartedAt,
		completedAt: cr.CompletedAt, output: cr.Output, actions: slices.Clone(cr.Actions),
		appID: cr.AppID, suiteID: f.suite(r, cr.AppID, c.sha),
	}
	run.output.Annotations = slices.Clone(cr.Output.Annotations)
	r.checkRuns = append(r.checkRuns, run)
	return run.info(), nil
}

// suite returns the check suite of an app for a head SHA, creating it.
func (f *Fake) suite(r *repo, appID int64, sha string) int64 {
	key := fmt.Sprintf("%d/%s", appID, sha)
	if id, ok := r.suites[key]; ok {
		return id
	}
	id := f.st.id(0)
	r.suites[key] = id
	return id
}

// AddTeam adds a team to an organization.
func (f *Fake) AddTeam(t Team) (Team, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	org := f.st.account(t.Org)
	if org == nil || !org.isOrg() {
		return Team{}, fmt.Errorf("githubfake: no organization %q", t.Org)
	}
	if t.Slug == "" {
		t.Slug = slugify(t.Name)
	}
	if t.Name == "" {
		t.Name = t.Slug
	}
	if t.Slug == "" || org.team(t.Slug) != nil {
		return Team{}, fmt.Errorf("githubfake: team %q is empty or exists in %s", t.Slug, org.login)
	}
	if t.Privacy == "" {
		t.Privacy = "closed"
	}
	var parent *team
	if t.Parent != "" {
		if parent = org.team(t.Parent); parent == nil {
			return Team{}, fmt.Errorf("githubfake: no parent team %q in %s", t.Parent, org.login)
		}
		// "Secret teams cannot be nested": a parent and child are closed.
		// https://docs.github.com/organizations/organizing-members-into-teams/about-teams#nested-teams
		if t.Privacy != "closed" || parent.privacy != "closed" {
			return Team{}, fmt.Errorf("githubfake: secret teams cannot be nested (%s under %s)", t.Slug, t.Parent)
		}
	}
	tm := &team{id: f.st.id(t.ID), org: org, slug: t.Slug, name: t.Name, description: t.Description, privacy: t.Privacy, parent: parent}
	if tm.id == 0 {
		return Team{}, fmt.Errorf("githubfake: ID %d is taken", t.ID)
	}
	org.teams = append(org.teams, tm)
	t.ID, t.Org = tm.id, org.login
	return t, nil
}

func slugify(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}

func normalizeMembership(m Membership, roles ...string) (Membership, error) {
	if m.Login == "" {
		return m, fmt.Errorf("githubfake: a membership needs a login")
	}
	if m.Role == "" {
		m.Role = "member"
	}
	if m.State == "" {
		m.State = "active"
	}
	if !slices.Contains(roles, m.Role) {
		return m, fmt.Errorf("githubfake: role %q is not one of %v", m.Role, roles)
	}
	if m.State != "active" && m.State != "pending" {
		return m, fmt.Errorf("githubfake: state %q is not active or pending", m.State)
	}
	return m, nil
}

// SetTeamMembership adds a user to a team or changes their role or state.
func (f *Fake) SetTeamMembership(org, teamSlug string, m Membership) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	m, err := normalizeMembership(m, "member", "maintainer")
	if err != nil {
		return err
	}
	o := f.st.account(org)
	if o == nil || !o.isOrg() || o.team(teamSlug) == nil {
		return fmt.Errorf("githubfake: no team %s/%s", org, teamSlug)
	}
	t := o.team(teamSlug)
	if existing := t.member(m.Login); existing != nil {
		existing.role, existing.state = m.Role, m.State
		return nil
	}
	t.members = append(t.members, &member{user: f.st.userFor(m.Login, f.now()), role: m.Role, state: m.State})
	return nil
}

// RemoveTeamMembership removes a user from a team.
func (f *Fake) RemoveTeamMembership(org, teamSlug, login string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	o := f.st.account(org)
	if o == nil || !o.isOrg() || o.team(teamSlug) == nil {
		return fmt.Errorf("githubfake: no team %s/%s", org, teamSlug)
	}
	t := o.team(teamSlug)
	t.members = slices.DeleteFunc(t.members, func(m *member) bool { return strings.EqualFold(m.user.login, login) })
	return nil
}

// SetOrgMembership makes a user a member ("member") or owner ("admin") of an
// organization, active or pending.
func (f *Fake) SetOrgMembership(org string, m Membership) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	m, err := normalizeMembership(m, "member", "admin")
	if err != nil {
		return err
	}
	o := f.st.account(org)
	if o == nil || !o.isOrg() {
		return fmt.Errorf("githubfake: no organization %q", org)
	}
	o.members[strings.ToLower(m.Login)] = &member{user: f.st.userFor(m.Login, f.now()), role: m.Role, state: m.State, public: m.Public}
	return nil
}

// RemoveOrgMembership removes a user from an organization.
func (f *Fake) RemoveOrgMembership(org, login string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	o := f.st.account(org)
	if o == nil || !o.isOrg() {
		return fmt.Errorf("githubfake: no organization %q", org)
	}
	delete(o.members, strings.ToLower(login))
	return nil
}

// SetCollaborator gives a user a permission on a repository: admin,
// maintain, write, triage or read.
func (f *Fake) SetCollaborator(owner, repoName, login, permission string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.st.repo(owner, repoName)
	if r == nil {
		return fmt.Errorf("githubfake: no repository %s/%s", owner, repoName)
	}
	if !slices.Contains([]string{"admin", "maintain", "write", "triage", "read"}, permission) {
		return fmt.Errorf("githubfake: permission %q is not admin, maintain, write, triage or read", permission)
	}
	f.st.userFor(login, f.now())
	r.collaborators[strings.ToLower(login)] = permission
	return nil
}

// SetCodeownersErrors sets what GET .../codeowners/errors answers.
func (f *Fake) SetCodeownersErrors(owner, repoName string, errs []CodeownersError) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.st.repo(owner, repoName)
	if r == nil {
		return fmt.Errorf("githubfake: no repository %s/%s", owner, repoName)
	}
	r.codeownersErrors = slices.Clone(errs)
	return nil
}

// Read access for assertions. Everything returned is a copy.

// Repo returns a repository.
func (f *Fake) Repo(owner, repoName string) (Repo, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.st.repo(owner, repoName)
	if r == nil {
		return Repo{}, false
	}
	return r.info(), true
}

// Repos returns an owner's repositories, by name.
func (f *Fake) Repos(owner string) []Repo {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Repo
	for _, r := range f.st.repos {
		if strings.EqualFold(r.owner.login, owner) {
			out = append(out, r.info())
		}
	}
	slices.SortFunc(out, func(a, b Repo) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// Files returns the files at a ref (branch or SHA; "" for the default
// branch).
func (f *Fake) Files(owner, repoName, ref string) (map[string]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.st.repo(owner, repoName)
	if r == nil {
		return nil, fmt.Errorf("githubfake: no repository %s/%s", owner, repoName)
	}
	c := r.resolve(ref)
	if c == nil {
		return nil, fmt.Errorf("githubfake: no commit for %q in %s", ref, r.fullName())
	}
	return maps.Clone(c.files), nil
}

// Branch returns the head commit of a branch.
func (f *Fake) Branch(owner, repoName, branch string) (Commit, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.st.repo(owner, repoName)
	if r == nil {
		return Commit{}, false
	}
	sha, ok := r.branches[branch]
	if !ok {
		return Commit{}, false
	}
	return r.commits[sha].info(), true
}

// sortedIssues returns a repository's issues (and pull requests) by number.
func (r *repo) sortedIssues() []*issue {
	var out []*issue
	for _, it := range r.issues {
		out = append(out, it)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].number < out[j].number })
	return out
}

// Issues returns a repository's issues, not its pull requests, by number.
func (f *Fake) Issues(owner, repoName string) []Issue {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.st.repo(owner, repoName)
	if r == nil {
		return nil
	}
	var out []Issue
	for _, it := range r.sortedIssues() {
		if it.pr == nil {
			out = append(out, r.issueInfo(it))
		}
	}
	return out
}

// Issue returns one issue or pull request seen as an issue.
func (f *Fake) Issue(owner, repoName string, number int) (Issue, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.st.repo(owner, repoName)
	if r == nil || r.issue(number) == nil {
		return Issue{}, false
	}
	return r.issueInfo(r.issue(number)), true
}

// PullRequests returns a repository's pull requests by number.
func (f *Fake) PullRequests(owner, repoName string) []PullRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.st.repo(owner, repoName)
	if r == nil {
		return nil
	}
	var out []PullRequest
	for _, it := range r.sortedIssues() {
		if it.pr != nil {
			out = append(out, r.pullInfo(it))
		}
	}
	return out
}

// PullRequest returns one pull request.
func (f *Fake) PullRequest(owner, repoName string, number int) (PullRequest, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.st.repo(owner, repoName)
	if r == nil || r.issue(number) == nil || r.issue(number).pr == nil {
		return PullRequest{}, false
	}
	return r.pullInfo(r.issue(number)), true
}

// Comments returns the comments on an issue or pull request, oldest first.
func (f *Fake) Comments(owner, repoName string, number int) []Comment {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.st.repo(owner, repoName)
	if r == nil {
		return nil
	}
	var out []Comment
	for _, cm := range r.comments {
		if cm.number == number {
			out = append(out, r.commentInfo(f.opts.WebURL, cm))
		}
	}
	return out
}

// CheckRuns returns a repository's check runs, oldest first.
func (f *Fake) CheckRuns(owner, repoName string) []CheckRun {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.st.repo(owner, repoName)
	if r == nil {
		return nil
	}
	var out []CheckRun
	for _, cr := range r.checkRuns {
		out = append(out, cr.info())
	}
	return out
}

// Labels returns a repository's labels, oldest first.
func (f *Fake) Labels(owner, repoName string) []Label {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.st.repo(owner, repoName)
	if r == nil {
		return nil
	}
	var out []Label
	for _, l := range r.labels {
		out = append(out, l.info())
	}
	return out
}
