package githubfake

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Repository activity: GitHub's log of branch changes (pushes, force
// pushes, branch creation and deletion), each with the time GitHub
// recorded it and the SHAs before and after. Served by
// GET /repos/{owner}/{repo}/activity:
// https://docs.github.com/rest/repos/repos#list-repository-activities
// (newest first by default, `direction`, `ref` as refs/heads/NAME or NAME,
// `activity_type`, `actor`, `time_period`, at most 100 a page, 30 by
// default, cursor pagination with `before` and `after`). It needs the
// Contents permission (see permissions.go). Each item is the description's
// `activity` schema: id, node_id, before, after, ref, timestamp,
// activity_type, actor. The description's example shows other names
// (pushed_at, push_type, pusher); clients reading the live API read
// timestamp and activity_type (dependabot-core's Nix updater,
// https://github.com/dependabot/dependabot-core/pull/14840, and
// google/go-github#3651), so the fake follows the schema.

const zeroSHA = "0000000000000000000000000000000000000000"

// activity is one change of a branch.
type activity struct {
	id     int64
	before string
	after  string
	ref    string // refs/heads/<branch>
	at     time.Time
	kind   string // push, force_push, branch_creation, branch_deletion
	actor  *account
}

// recordActivity logs a change of branch from before to after ("" for a
// branch that did not exist, or no longer does). f.mu is held.
func (f *Fake) recordActivity(r *repo, branch, before, after string, forced bool, actor *account) {
	kind := "push"
	switch {
	case before == "":
		kind, before = "branch_creation", zeroSHA
	case after == "":
		kind, after = "branch_deletion", zeroSHA
	case forced:
		kind = "force_push"
	}
	r.activity = append(r.activity, &activity{id: f.st.id(0), before: before, after: after,
		ref: "refs/heads/" + branch, at: f.now(), kind: kind, actor: actor})
}

// ForcePush points branch at the commit onto names (a branch, SHA or SHA
// prefix) and adds commits on top: history the branch had is no longer
// in it. GitHub logs it as a force push.
func (f *Fake) ForcePush(owner, repoName, branch, onto string, commits ...NewCommit) ([]Commit, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.st.repo(owner, repoName)
	if r == nil {
		return nil, fmt.Errorf("githubfake: no repository %s/%s", owner, repoName)
	}
	before, ok := r.branches[branch]
	if !ok {
		return nil, fmt.Errorf("githubfake: no branch %q to force-push", branch)
	}
	base := r.resolve(onto)
	if base == nil {
		return nil, fmt.Errorf("githubfake: no commit for %q", onto)
	}
	return f.pushOnto(r, branch, before, base.sha, true, commits), nil
}

func (f *Fake) listActivities(c *call) reply {
	r, rep := f.repoFor(c, false)
	if rep != nil {
		return *rep
	}
	q := c.query
	ref := q.Get("ref")
	if ref != "" && !strings.HasPrefix(ref, "refs/") {
		ref = "refs/heads/" + ref
	}
	var since time.Time
	if p := q.Get("time_period"); p != "" {
		days := map[string]int{"day": 1, "week": 7, "month": 30, "quarter": 91, "year": 365}[p]
		since = f.now().AddDate(0, 0, -days)
	}
	var list []*activity
	for _, a := range r.activity {
		if (ref == "" || a.ref == ref) && (q.Get("activity_type") == "" || a.kind == q.Get("activity_type")) &&
			(q.Get("actor") == "" || (a.actor != nil && strings.EqualFold(a.actor.login, q.Get("actor")))) &&
			!a.at.Before(since) {
			list = append(list, a)
		}
	}
	if q.Get("direction") != "asc" {
		for i, j := 0, len(list)-1; i < j; i, j = i+1, j-1 {
			list[i], list[j] = list[j], list[i]
		}
	}
	perPage, _ := c.paging()
	lo, hi := 0, len(list)
	if cur := q.Get("after"); cur != "" {
		i, ok := cursorIndex(list, cur)
		if !ok {
			return unprocessable("Invalid cursor: " + cur)
		}
		lo = i + 1
	} else if cur := q.Get("before"); cur != "" {
		i, ok := cursorIndex(list, cur)
		if !ok {
			return unprocessable("Invalid cursor: " + cur)
		}
		hi, lo = i, max(0, i-perPage)
	}
	hi = min(hi, lo+perPage)
	page := list[lo:hi]
	var links []string
	link := func(key, cursor, rel string) string {
		v := url.Values{}
		for k, vs := range q {
			if k != "after" && k != "before" {
				v[k] = vs
			}
		}
		v.Set(key, cursor)
		v.Set("per_page", strconv.Itoa(perPage))
		return fmt.Sprintf("<%s%s?%s>; rel=%q", c.base, c.req.URL.EscapedPath(), v.Encode(), rel)
	}
	if hi < len(list) && len(page) > 0 {
		links = append(links, link("after", cursorOf(page[len(page)-1]), "next"))
	}
	if lo > 0 && len(page) > 0 {
		links = append(links, link("before", cursorOf(page[0]), "prev"))
	}
	if len(links) > 0 {
		c.header.Set("Link", strings.Join(links, ", "))
	}
	out := []map[string]any{}
	for _, a := range page {
		var actor any
		if a.actor != nil {
			actor = f.userJSON(c, a.actor)
		}
		out = append(out, map[string]any{
			"id": a.id, "node_id": nodeID("RA_", a.id), "before": a.before, "after": a.after, "ref": a.ref,
			"timestamp": ts(a.at), "activity_type": a.kind, "actor": actor,
		})
	}
	return ok(out)
}

// cursorOf is an activity's opaque pagination cursor.
func cursorOf(a *activity) string {
	return base64.RawURLEncoding.EncodeToString([]byte("activity:" + strconv.FormatInt(a.id, 10)))
}

func cursorIndex(list []*activity, cursor string) (int, bool) {
	for i, a := range list {
		if cursorOf(a) == cursor {
			return i, true
		}
	}
	return 0, false
}
