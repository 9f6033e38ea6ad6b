package githubfake

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/go-github/v66/github"
)

// Merge queues. When pull requests are queued, GitHub builds a merge group:
// a branch gh-readonly-queue/<base>/pr-<number>-<sha> on top of the base
// branch holding the queued pull requests, merged or squashed as the queue
// is configured, and sends the app a merge_group webhook (action
// checks_requested) naming the group's head_sha, head_ref, base_sha,
// base_ref and head_commit; required checks are reported on head_sha
// (https://docs.github.com/en/webhooks/webhook-events-and-payloads#merge_group,
// https://docs.github.com/en/repositories/configuring-branches-and-merges-in-your-repository/configuring-pull-request-merges/managing-a-merge-queue).
// The webhook does not list the group's pull requests.

// MergeGroup is a merge queue's group, as the merge_group webhook names it.
type MergeGroup struct {
	HeadSHA string
	HeadRef string // refs/heads/gh-readonly-queue/<base>/pr-<number>-<sha>
	BaseSHA string
	BaseRef string // refs/heads/<base>
}

// webFlow is GitHub's committer of the commits it makes on the web and in
// merge queues.
var webFlow = Signature{Name: "GitHub", Email: "noreply@github.com", Login: "web-flow"}

// AddMergeGroup queues open pull requests of owner/name with the same base
// branch, in order, and builds their merge group: for each, a merge commit
// of its head (method "merge") or one squashed commit of its changes with
// its other authors as co-authors (method "squash"), committed by GitHub.
func (f *Fake) AddMergeGroup(owner, name string, numbers []int, method string) (MergeGroup, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.st.repo(owner, name)
	if r == nil || len(numbers) == 0 {
		return MergeGroup{}, fmt.Errorf("githubfake: a merge group needs a repository and pull requests")
	}
	if method != "merge" && method != "squash" {
		return MergeGroup{}, fmt.Errorf("githubfake: merge method %q is not merge or squash", method)
	}
	base := ""
	for _, n := range numbers {
		it := r.issue(n)
		if it == nil || it.pr == nil || it.state != "open" {
			return MergeGroup{}, fmt.Errorf("githubfake: no open pull request %s#%d", r.fullName(), n)
		}
		if base != "" && it.pr.base != base {
			return MergeGroup{}, fmt.Errorf("githubfake: the pull requests of a merge group share one base branch")
		}
		base = it.pr.base
	}
	now := f.now()
	f.st.userFor(webFlow.Login, now)
	baseSHA := r.branches[base]
	prev := baseSHA
	for _, n := range numbers {
		it := r.issue(n)
		head := r.commits[r.pullHeadSHA(it)]
		var from map[string]string
		if mb := r.mergeBase(prev, head.sha); mb != nil {
			from = mb.files
		}
		nc := NewCommit{Files: map[string]string{}, Committer: webFlow}
		for _, d := range diff(from, head.files) {
			if d.status == "removed" {
				nc.Delete = append(nc.Delete, d.filename)
			} else {
				nc.Files[d.filename] = head.files[d.filename]
			}
		}
		opener := f.signatureOf(it.user, now)
		nc.Author = opener
		if method == "merge" {
			nc.Message = fmt.Sprintf("Merge pull request #%d from %s:%s\n\n%s", n, r.headRepo(it).owner.login, it.pr.head, it.title)
			c := r.addCommit(prev, nc, now)
			delete(r.commits, c.sha)
			c.parents = append(c.parents, head.sha)
			c.sha = gitHash("commit", []byte(c.sha+"\nparent "+head.sha))
			r.commits[c.sha] = c
			prev = c.sha
			continue
		}
		var coAuthors []string
		for _, pc := range r.pullCommits(it) {
			line := fmt.Sprintf("Co-authored-by: %s <%s>", pc.author.Name, pc.author.Email)
			if !strings.EqualFold(pc.author.Email, opener.Email) && !slices.Contains(coAuthors, line) {
				coAuthors = append(coAuthors, line)
			}
		}
		nc.Message = fmt.Sprintf("%s (#%d)", it.title, n)
		if len(coAuthors) > 0 {
			nc.Message += "\n\n" + strings.Join(coAuthors, "\n")
		}
		prev = r.addCommit(prev, nc, now).sha
	}
	branch := fmt.Sprintf("gh-readonly-queue/%s/pr-%d-%s", base, numbers[len(numbers)-1], baseSHA)
	r.branches[branch] = prev
	return MergeGroup{HeadSHA: prev, HeadRef: "refs/heads/" + branch, BaseSHA: baseSHA, BaseRef: "refs/heads/" + base}, nil
}

// signatureOf is how GitHub signs a commit it makes for a user: their
// name and first e-mail, or their noreply address.
func (f *Fake) signatureOf(a *account, now time.Time) Signature {
	email := fmt.Sprintf("%d+%s@users.noreply.github.com", a.id, a.login)
	if len(a.emails) > 0 {
		email = a.emails[0]
	}
	name := a.name
	if name == "" {
		name = a.login
	}
	return Signature{Name: name, Email: email, Login: a.login, Date: now}
}

// MergeGroupEvent builds the merge_group webhook GitHub sends for a group:
// action "checks_requested", or "destroyed" with reason merged,
// invalidated or dequeued.
func (f *Fake) MergeGroupEvent(installationID int64, owner, name string, g MergeGroup, action, reason string) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.st.repo(owner, name)
	if r == nil || r.commits[g.HeadSHA] == nil {
		return nil, fmt.Errorf("githubfake: no merge group %s in %s/%s", g.HeadSHA, owner, name)
	}
	head := r.commits[g.HeadSHA]
	person := func(s Signature) map[string]string { return map[string]string{"name": s.Name, "email": s.Email} }
	ev := map[string]any{
		"action": action,
		"merge_group": map[string]any{
			"head_sha": g.HeadSHA, "head_ref": g.HeadRef, "base_sha": g.BaseSHA, "base_ref": g.BaseRef,
			"head_commit": map[string]any{"id": head.sha, "tree_id": head.tree, "message": head.message,
				"timestamp": head.committer.Date.UTC().Format(time.RFC3339), "author": person(head.author), "committer": person(head.committer)},
		},
		"repository":   f.hookRepo(r),
		"installation": &github.Installation{ID: ptr(installationID)},
		"sender":       map[string]any{"login": "web-flow", "type": "User"},
	}
	if action == "destroyed" {
		ev["reason"] = reason
	}
	return json.Marshal(ev)
}
