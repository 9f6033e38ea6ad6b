package githubfake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-github/v66/github"
)

// Labels.

var colorPattern = regexp.MustCompile(`^[0-9a-fA-F]{6}$`)

func (f *Fake) labelJSON(c *call, r *repo, l *label) *github.Label {
	return &github.Label{
		ID: ptr(l.id), NodeID: ptr(nodeID("LA_", l.id)), Name: ptr(l.name), Color: ptr(l.color),
		Description: ptr(l.description), Default: ptr(l.isDefault),
		URL: ptr(c.base + "/repos/" + r.fullName() + "/labels/" + url.PathEscape(l.name)),
	}
}

func (f *Fake) labelsJSON(c *call, r *repo, ids []int64) []*github.Label {
	out := []*github.Label{}
	for _, id := range ids {
		if l := r.labelByID(id); l != nil {
			out = append(out, f.labelJSON(c, r, l))
		}
	}
	return out
}

func (f *Fake) listLabels(c *call) reply {
	r, rep := f.repoFor(c, false)
	if rep != nil {
		return *rep
	}
	out := []*github.Label{}
	for _, l := range paginate(c, r.labels) {
		out = append(out, f.labelJSON(c, r, l))
	}
	return ok(out)
}

func (f *Fake) createLabel(c *call) reply {
	r, rep := f.repoFor(c, true)
	if rep != nil {
		return *rep
	}
	var body struct {
		Name        string `json:"name"`
		Color       string `json:"color"`
		Description string `json:"description"`
	}
	if rep := c.decode(&body); rep != nil {
		return *rep
	}
	body.Name = strings.TrimSpace(body.Name)
	if body.Name == "" {
		return invalid("Label", "name", "missing_field", "")
	}
	if r.label(body.Name) != nil {
		return invalid("Label", "name", "already_exists", "")
	}
	color := strings.TrimPrefix(body.Color, "#")
	if color == "" {
		color = "ededed"
	}
	if !colorPattern.MatchString(color) {
		return invalid("Label", "color", "invalid", "")
	}
	if len(body.Description) > 100 {
		return invalid("Label", "description", "invalid", "description is too long (maximum is 100 characters)")
	}
	l := &label{id: f.st.id(0), name: body.Name, color: strings.ToLower(color), description: body.Description}
	r.labels = append(r.labels, l)
	return created(f.labelJSON(c, r, l))
}

func (f *Fake) getLabel(c *call) reply {
	r, rep := f.repoFor(c, false)
	if rep != nil {
		return *rep
	}
	l := r.label(c.param("name"))
	if l == nil {
		return notFound()
	}
	return ok(f.labelJSON(c, r, l))
}

func (f *Fake) updateLabel(c *call) reply {
	r, rep := f.repoFor(c, true)
	if rep != nil {
		return *rep
	}
	l := r.label(c.param("name"))
	if l == nil {
		return notFound()
	}
	var body struct {
		NewName     *string `json:"new_name"`
		Color       *string `json:"color"`
		Description *string `json:"description"`
	}
	if rep := c.decode(&body); rep != nil {
		return *rep
	}
	if body.NewName != nil {
		n := strings.TrimSpace(*body.NewName)
		if n == "" {
			return invalid("Label", "name", "missing_field", "")
		}
		if other := r.label(n); other != nil && other != l {
			return invalid("Label", "name", "already_exists", "")
		}
		l.name = n
	}
	if body.Color != nil {
		color := strings.TrimPrefix(*body.Color, "#")
		if !colorPattern.MatchString(color) {
			return invalid("Label", "color", "invalid", "")
		}
		l.color = strings.ToLower(color)
	}
	if body.Description != nil {
		l.description = *body.Description
	}
	return ok(f.labelJSON(c, r, l))
}

func (f *Fake) deleteLabel(c *call) reply {
	r, rep := f.repoFor(c, true)
	if rep != nil {
		return *rep
	}
	l := r.label(c.param("name"))
	if l == nil {
		return notFound()
	}
	r.labels = slices.DeleteFunc(r.labels, func(x *label) bool { return x == l })
	for _, it := range r.issues {
		it.labels = slices.DeleteFunc(it.labels, func(id int64) bool { return id == l.id })
	}
	return noContent()
}

// labelNamesFromBody reads the label forms GitHub accepts: {"labels":[...]},
// a bare array, or a single string; items are names or {"name": ...}.
func labelNamesFromBody(body []byte) ([]string, bool) {
	raw := json.RawMessage(strings.TrimSpace(string(body)))
	if len(raw) == 0 {
		return nil, true
	}
	if raw[0] == '{' {
		var obj struct {
			Labels json.RawMessage `json:"labels"`
		}
		if json.Unmarshal(raw, &obj) != nil {
			return nil, false
		}
		if len(obj.Labels) == 0 || string(obj.Labels) == "null" {
			return nil, true
		}
		raw = obj.Labels
	}
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return []string{one}, true
	}
	var items []json.RawMessage
	if json.Unmarshal(raw, &items) != nil {
		return nil, false
	}
	names := []string{}
	for _, it := range items {
		var name string
		if json.Unmarshal(it, &name) == nil {
			names = append(names, name)
			continue
		}
		var obj struct {
			Name string `json:"name"`
		}
		if json.Unmarshal(it, &obj) != nil || obj.Name == "" {
			return nil, false
		}
		names = append(names, obj.Name)
	}
	return names, true
}

// issueFor finds the issue (or pull request) of the request.
func (f *Fake) issueFor(c *call, write bool) (*repo, *issue, *reply) {
	r, rep := f.repoFor(c, write)
	if rep != nil {
		return nil, nil, rep
	}
	n, err := strconv.Atoi(c.param("issue_number"))
	if err != nil || r.issue(n) == nil {
		rep := notFound()
		return nil, nil, &rep
	}
	if rep := issuesGone(r, r.issue(n)); rep != nil {
		return nil, nil, rep
	}
	return r, r.issue(n), nil
}

func (f *Fake) listIssueLabels(c *call) reply {
	r, it, rep := f.issueFor(c, false)
	if rep != nil {
		return *rep
	}
	return ok(paginate(c, f.labelsJSON(c, r, it.labels)))
}

func (f *Fake) addIssueLabels(c *call) reply { return f.changeIssueLabels(c, false) }
func (f *Fake) setIssueLabels(c *call) reply { return f.changeIssueLabels(c, true) }

func (f *Fake) changeIssueLabels(c *call, replace bool) reply {
	r, it, rep := f.issueFor(c, true)
	if rep != nil {
		return *rep
	}
	names, valid := labelNamesFromBody(c.body)
	if !valid {
		return invalid("Label", "labels", "invalid", "")
	}
	ids := f.ensureLabels(r, names)
	if replace {
		it.labels = ids
	} else {
		for _, id := range ids {
			if !slices.Contains(it.labels, id) {
				it.labels = append(it.labels, id)
			}
		}
	}
	it.updated = f.now()
	return ok(f.labelsJSON(c, r, it.labels))
}

func (f *Fake) clearIssueLabels(c *call) reply {
	_, it, rep := f.issueFor(c, true)
	if rep != nil {
		return *rep
	}
	it.labels = nil
	it.updated = f.now()
	return noContent()
}

func (f *Fake) removeIssueLabel(c *call) reply {
	r, it, rep := f.issueFor(c, true)
	if rep != nil {
		return *rep
	}
	l := r.label(c.param("name"))
	if l == nil || !slices.Contains(it.labels, l.id) {
		return errReply(http.StatusNotFound, "Label does not exist")
	}
	it.labels = slices.DeleteFunc(it.labels, func(id int64) bool { return id == l.id })
	it.updated = f.now()
	return ok(f.labelsJSON(c, r, it.labels))
}

// Issues.

// association is the author_association GitHub computes for a user.
func (f *Fake) association(r *repo, a *account) string {
	switch {
	case a == r.owner:
		return "OWNER"
	case r.owner.isOrg() && r.owner.members[strings.ToLower(a.login)] != nil &&
		r.owner.members[strings.ToLower(a.login)].state == "active":
		return "MEMBER"
	case r.collaborators[strings.ToLower(a.login)] != "":
		return "COLLABORATOR"
	}
	return "NONE"
}

// issueOut is an issue as GitHub sends it: go-github's omits an empty
// "labels", which GitHub's description requires.
type issueOut struct {
	*github.Issue
	Labels []*github.Label `json:"labels"`
}

func (f *Fake) issueJSON(c *call, r *repo, it *issue) *issueOut {
	api := c.base + "/repos/" + r.fullName() + "/issues/" + strconv.Itoa(it.number)
	kind := "issues"
	if it.pr != nil {
		kind = "pull"
	}
	out := &github.Issue{
		ID: ptr(it.id), NodeID: ptr(nodeID("I_", it.id)), Number: ptr(it.number), State: ptr(it.state),
		Title: ptr(it.title), Body: ptr(it.body), User: f.userJSON(c, it.user),
		Labels: f.labelsJSON(c, r, it.labels), Comments: ptr(r.commentCount(it.number)),
		CreatedAt: ts(it.created), UpdatedAt: ts(it.updated), ClosedAt: ts(it.closed),
		URL: ptr(api), HTMLURL: ptr(fmt.Sprintf("%s/%s/%s/%d", f.opts.WebURL, r.fullName(), kind, it.number)),
		CommentsURL: ptr(api + "/comments"), EventsURL: ptr(api + "/events"), LabelsURL: ptr(api + "/labels{/name}"),
		RepositoryURL: ptr(c.base + "/repos/" + r.fullName()), Locked: ptr(false),
		AuthorAssociation: ptr(f.association(r, it.user)), Assignees: []*github.User{},
	}
	if it.stateReason != "" {
		out.StateReason = ptr(it.stateReason)
	}
	if it.pr != nil {
		pulls := c.base + "/repos/" + r.fullName() + "/pulls/" + strconv.Itoa(it.number)
		html := fmt.Sprintf("%s/%s/pull/%d", f.opts.WebURL, r.fullName(), it.number)
		out.PullRequestLinks = &github.PullRequestLinks{URL: ptr(pulls), HTMLURL: ptr(html),
			DiffURL: ptr(html + ".diff"), PatchURL: ptr(html + ".patch"), MergedAt: ts(it.pr.mergedAt)}
		out.Draft = ptr(it.pr.draft)
	}
	return &issueOut{Issue: out, Labels: out.Labels}
}

func (f *Fake) listIssues(c *call) reply {
	r, rep := f.repoFor(c, false)
	if rep != nil {
		return *rep
	}
	state := c.query.Get("state")
	if state == "" {
		state = "open"
	}
	var wantLabels []string
	if s := c.query.Get("labels"); s != "" {
		for _, l := range strings.Split(s, ",") {
			if l = strings.TrimSpace(l); l != "" {
				wantLabels = append(wantLabels, l)
			}
		}
	}
	creator := c.query.Get("creator")
	var since time.Time
	if s := c.query.Get("since"); s != "" {
		since, _ = time.Parse(time.RFC3339, s)
	}
	var list []*issue
	for _, it := range r.sortedIssues() {
		if state != "all" && it.state != state {
			continue
		}
		if creator != "" && !strings.EqualFold(it.user.login, creator) {
			continue
		}
		if !since.IsZero() && it.updated.Before(since) {
			continue
		}
		names := r.labelNames(it)
		if !slices.ContainsFunc(wantLabels, func(w string) bool {
			return !slices.ContainsFunc(names, func(n string) bool { return strings.EqualFold(n, w) })
		}) {
			list = append(list, it)
		}
	}
	sortIssues(list, c.query.Get("sort"), c.query.Get("direction"))
	out := []*issueOut{}
	for _, it := range paginate(c, list) {
		out = append(out, f.issueJSON(c, r, it))
	}
	return ok(out)
}

// sortIssues orders by created (default) or updated, newest first by
// default, falling back on the number.
func sortIssues(list []*issue, by, direction string) {
	key := func(it *issue) time.Time { return it.created }
	if by == "updated" {
		key = func(it *issue) time.Time { return it.updated }
	}
	asc := direction == "asc"
	sort.SliceStable(list, func(i, j int) bool {
		a, b := key(list[i]), key(list[j])
		if a.Equal(b) {
			if asc {
				return list[i].number < list[j].number
			}
			return list[i].number > list[j].number
		}
		if asc {
			return a.Before(b)
		}
		return a.After(b)
	})
}

func (f *Fake) actor(c *call) *account { return f.st.bot }

func (f *Fake) createIssue(c *call) reply {
	r, rep := f.repoFor(c, true)
	if rep != nil {
		return *rep
	}
	if rep := issuesGone(r, nil); rep != nil {
		return *rep
	}
	var body struct {
		Title json.RawMessage `json:"title"`
		Body  *string         `json:"body"`
	}
	if rep := c.decode(&body); rep != nil {
		return *rep
	}
	var title string
	if json.Unmarshal(body.Title, &title) != nil {
		var n json.Number
		if json.Unmarshal(body.Title, &n) == nil {
			title = n.String()
		}
	}
	if strings.TrimSpace(title) == "" {
		return invalid("Issue", "title", "missing_field", "")
	}
	if rep := bodyTooLong("Issue", body.Body); rep != nil {
		return *rep
	}
	names, valid := labelNamesFromBody(c.body)
	if !valid {
		return invalid("Issue", "labels", "invalid", "")
	}
	it, err := f.newIssue(r, title, deref(body.Body), f.actor(c).login, "open", names)
	if err != nil {
		return unprocessable(err.Error())
	}
	return created(f.issueJSON(c, r, it))
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func (f *Fake) getIssue(c *call) reply {
	r, it, rep := f.issueFor(c, false)
	if rep != nil {
		return *rep
	}
	return ok(f.issueJSON(c, r, it))
}

func (f *Fake) updateIssue(c *call) reply {
	r, it, rep := f.issueFor(c, true)
	if rep != nil {
		return *rep
	}
	var body struct {
		Title       *string `json:"title"`
		Body        *string `json:"body"`
		State       *string `json:"state"`
		StateReason *string `json:"state_reason"`
	}
	if rep := c.decode(&body); rep != nil {
		return *rep
	}
	if body.State != nil && *body.State != "open" && *body.State != "closed" {
		return invalid("Issue", "state", "invalid", "")
	}
	if body.StateReason != nil && !slices.Contains([]string{"completed", "not_planned", "reopened"}, *body.StateReason) {
		return invalid("Issue", "state_reason", "invalid", "")
	}
	if rep := bodyTooLong("Issue", body.Body); rep != nil {
		return *rep
	}
	var labels []string
	setLabels := c.has("labels")
	if setLabels {
		var valid bool
		if labels, valid = labelNamesFromBody(c.body); !valid {
			return invalid("Issue", "labels", "invalid", "")
		}
	}
	now := f.now()
	if body.Title != nil {
		it.title = *body.Title
	}
	if body.Body != nil {
		it.body = *body.Body
	}
	if body.State != nil && *body.State != it.state {
		it.state = *body.State
		if it.state == "closed" {
			it.closed = now
			if it.pr == nil {
				it.stateReason = "completed"
			}
		} else {
			it.closed = time.Time{}
			if it.pr == nil {
				it.stateReason = "reopened"
			}
		}
	}
	if body.StateReason != nil && it.pr == nil {
		it.stateReason = *body.StateReason
	} else if c.has("state_reason") && body.StateReason == nil {
		it.stateReason = ""
	}
	if setLabels {
		it.labels = f.ensureLabels(r, labels)
	}
	it.updated = now
	return ok(f.issueJSON(c, r, it))
}

// Comments and reactions.

func reactionsJSON(c *call, r *repo, cm *comment) *github.Reactions {
	counts := map[string]int{}
	for _, re := range cm.reactions {
		counts[re.content]++
	}
	return &github.Reactions{
		TotalCount: ptr(len(cm.reactions)), PlusOne: ptr(counts["+1"]), MinusOne: ptr(counts["-1"]),
		Laugh: ptr(counts["laugh"]), Confused: ptr(counts["confused"]), Heart: ptr(counts["heart"]),
		Hooray: ptr(counts["hooray"]), Rocket: ptr(counts["rocket"]), Eyes: ptr(counts["eyes"]),
		URL: ptr(fmt.Sprintf("%s/repos/%s/issues/comments/%d/reactions", c.base, r.fullName(), cm.id)),
	}
}

func (f *Fake) commentJSON(c *call, r *repo, cm *comment) *github.IssueComment {
	return &github.IssueComment{
		ID: ptr(cm.id), NodeID: ptr(nodeID("IC_", cm.id)), Body: ptr(cm.body), User: f.userJSON(c, cm.user),
		Reactions: reactionsJSON(c, r, cm), CreatedAt: ts(cm.created), UpdatedAt: ts(cm.updated),
		AuthorAssociation: ptr(f.association(r, cm.user)),
		URL:               ptr(fmt.Sprintf("%s/repos/%s/issues/comments/%d", c.base, r.fullName(), cm.id)),
		HTMLURL:           ptr(r.commentHTMLURL(f.opts.WebURL, cm)),
		IssueURL:          ptr(fmt.Sprintf("%s/repos/%s/issues/%d", c.base, r.fullName(), cm.number)),
	}
}

func (f *Fake) listComments(c *call) reply {
	r, it, rep := f.issueFor(c, false)
	if rep != nil {
		return *rep
	}
	var since time.Time
	if s := c.query.Get("since"); s != "" {
		since, _ = time.Parse(time.RFC3339, s)
	}
	var list []*comment
	for _, cm := range r.comments {
		if cm.number == it.number && (since.IsZero() || !cm.updated.Before(since)) {
			list = append(list, cm)
		}
	}
	out := []*github.IssueComment{}
	for _, cm := range paginate(c, list) {
		out = append(out, f.commentJSON(c, r, cm))
	}
	return ok(out)
}

func (f *Fake) commentBody(c *call) (string, *reply) {
	var body struct {
		Body *string `json:"body"`
	}
	if rep := c.decode(&body); rep != nil {
		return "", rep
	}
	if body.Body == nil || strings.TrimSpace(*body.Body) == "" {
		rep := invalid("IssueComment", "body", "missing_field", "")
		return "", &rep
	}
	if rep := bodyTooLong("IssueComment", body.Body); rep != nil {
		return "", rep
	}
	return *body.Body, nil
}

func (f *Fake) createComment(c *call) reply {
	r, it, rep := f.issueFor(c, true)
	if rep != nil {
		return *rep
	}
	text, rep := f.commentBody(c)
	if rep != nil {
		return *rep
	}
	cm := f.newComment(r, it.number, f.actor(c), text)
	return created(f.commentJSON(c, r, cm))
}

func (f *Fake) commentFor(c *call, write bool) (*repo, *comment, *reply) {
	r, rep := f.repoFor(c, write)
	if rep != nil {
		return nil, nil, rep
	}
	id, err := strconv.ParseInt(c.param("comment_id"), 10, 64)
	if err != nil || r.comment(id) == nil {
		rep := notFound()
		return nil, nil, &rep
	}
	return r, r.comment(id), nil
}

func (f *Fake) getComment(c *call) reply {
	r, cm, rep := f.commentFor(c, false)
	if rep != nil {
		return *rep
	}
	return ok(f.commentJSON(c, r, cm))
}

func (f *Fake) updateComment(c *call) reply {
	r, cm, rep := f.commentFor(c, true)
	if rep != nil {
		return *rep
	}
	text, rep := f.commentBody(c)
	if rep != nil {
		return *rep
	}
	if cm.user != f.actor(c) {
		return forbidden("Resource not accessible by integration")
	}
	cm.body = text
	cm.updated = f.now()
	return ok(f.commentJSON(c, r, cm))
}

func (f *Fake) deleteComment(c *call) reply {
	r, cm, rep := f.commentFor(c, true)
	if rep != nil {
		return *rep
	}
	if cm.user != f.actor(c) {
		return forbidden("Resource not accessible by integration")
	}
	r.comments = slices.DeleteFunc(r.comments, func(x *comment) bool { return x == cm })
	return noContent()
}

// reactionJSON adds created_at, which go-github's Reaction lacks.
type reactionJSON struct {
	*github.Reaction
	CreatedAt *github.Timestamp `json:"created_at"`
}

func (f *Fake) reactionJSON(c *call, re *reaction) reactionJSON {
	return reactionJSON{&github.Reaction{ID: ptr(re.id), NodeID: ptr(nodeID("REA_", re.id)), User: f.userJSON(c, re.user),
		Content: ptr(re.content)}, ts(re.created)}
}

func (f *Fake) listReactions(c *call) reply {
	_, cm, rep := f.commentFor(c, false)
	if rep != nil {
		return *rep
	}
	content := c.query.Get("content")
	var list []*reaction
	for _, re := range cm.reactions {
		if content == "" || re.content == content {
			list = append(list, re)
		}
	}
	out := []reactionJSON{}
	for _, re := range paginate(c, list) {
		out = append(out, f.reactionJSON(c, re))
	}
	return ok(out)
}

// createReaction answers 201 for a new reaction and 200 with the existing
// one when the user already reacted so.
func (f *Fake) createReaction(c *call) reply {
	_, cm, rep := f.commentFor(c, true)
	if rep != nil {
		return *rep
	}
	var body struct {
		Content string `json:"content"`
	}
	if rep := c.decode(&body); rep != nil {
		return *rep
	}
	if !slices.Contains(reactionContents, body.Content) {
		return invalid("Reaction", "content", "invalid", "")
	}
	me := f.actor(c)
	for _, re := range cm.reactions {
		if re.user == me && re.content == body.Content {
			return ok(f.reactionJSON(c, re))
		}
	}
	re := &reaction{id: f.st.id(0), user: me, content: body.Content, created: f.now()}
	cm.reactions = append(cm.reactions, re)
	return created(f.reactionJSON(c, re))
}
