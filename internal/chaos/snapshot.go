// Package chaos snapshots what the fake GitHub and the bot's audit log hold after a scenario, normalised so that two runs of the same scenario compare equal, for the differential chaos test.
package chaos

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/ospo-bot/ospo-bot/internal/githubfake"
)

// Snapshot is the observable end state of a scenario, one line per fact,
// in a stable order. Two runs of the same scenario that did the same
// things on GitHub have equal snapshots.
type Snapshot []string

// Options say what to snapshot.
type Options struct {
	Owner string
	Repos []string // repositories to read, e.g. "widget", "ospo"
	// Hosts are the host:port forms under which clients reached the fake
	// (127.0.0.1:P, localhost:P): URLs with them are normalised.
	Hosts []string
}

// Take reads the fake's issues, pull requests, comments, labels and check
// runs of the repositories, and, when db is not nil, the audit log.
//
// What is left out or normalised, because it differs between runs that
// did the same: IDs, timestamps, commit SHAs (named by what points at them:
// a pull request's head, a branch), the fake's host and port, issue numbers
// (issues are listed in number order instead), comment IDs in URLs and
// reply markers (the comment is named by its place instead), review
// notes' digests.
//
// Check runs: per head and name, the latest run's status, conclusion and
// title; and, to find an evaluation whose run was created twice, the runs'
// external_id values that occur more than once. Runs without an
// external_id cannot be told apart by evaluation, so for them the number
// of runs is part of the snapshot.
func Take(ctx context.Context, f *githubfake.Fake, db *sql.DB, o Options) (Snapshot, error) {
	n := newNormaliser(f, o)
	var out Snapshot
	for _, repo := range o.Repos {
		full := o.Owner + "/" + repo
		for _, l := range f.Labels(o.Owner, repo) {
			out = append(out, fmt.Sprintf("label %s %q color=%s desc=%q", full, l.Name, l.Color, n.text(l.Description)))
		}
		for i, is := range f.Issues(o.Owner, repo) {
			key := fmt.Sprintf("%s issue[%d]", full, i+1)
			labels := slices.Sorted(slices.Values(is.Labels))
			out = append(out, fmt.Sprintf("%s by %s %s %s title=%q labels=%v", key, is.User, is.State, is.StateReason, n.text(is.Title), labels))
			out = append(out, fmt.Sprintf("%s body=%q", key, n.text(is.Body)))
			out = n.comments(out, key, f.Comments(o.Owner, repo, is.Number))
		}
		for _, pr := range f.PullRequests(o.Owner, repo) {
			key := fmt.Sprintf("%s pr#%d", full, pr.Number)
			labels := slices.Sorted(slices.Values(pr.Labels))
			out = append(out, fmt.Sprintf("%s by %s %s title=%q labels=%v", key, pr.User, pr.State, n.text(pr.Title), labels))
			out = n.comments(out, key, f.Comments(o.Owner, repo, pr.Number))
		}
		out = append(out, n.checkRuns(full, f.CheckRuns(o.Owner, repo))...)
	}
	if db != nil {
		rows, err := db.QueryContext(ctx, `SELECT actor, action, subject, reason, url, policy_version FROM audit_log ORDER BY id`)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		for rows.Next() {
			var actor, action, subject, reason, url, version sql.NullString
			if err := rows.Scan(&actor, &action, &subject, &reason, &url, &version); err != nil {
				return nil, err
			}
			out = append(out, fmt.Sprintf("audit %s %s %s reason=%q url=%s policy=%s", actor.String, action.String, subject.String,
				n.text(reason.String), n.text(url.String), version.String))
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

type normaliser struct {
	hosts        []string
	shas         map[string]string // commit SHA → what points at it
	commentNames map[string]string // comment ID → which comment it is
}

func newNormaliser(f *githubfake.Fake, o Options) *normaliser {
	n := &normaliser{hosts: o.Hosts, shas: map[string]string{}, commentNames: map[string]string{}}
	// A comment is named by where it is, who wrote it and how many of
	// theirs came before it there: a reply's marker and a link name the
	// comment they are about, whatever ID it got (an extra object made
	// anywhere before it shifts every ID after).
	name := func(where string, cs []githubfake.Comment) {
		seen := map[string]int{}
		for _, c := range cs {
			seen[c.User]++
			n.commentNames[strconv.FormatInt(c.ID, 10)] = fmt.Sprintf("<%s comment %d by %s>", where, seen[c.User], c.User)
		}
	}
	for _, repo := range o.Repos {
		full := o.Owner + "/" + repo
		for i, is := range f.Issues(o.Owner, repo) {
			name(fmt.Sprintf("%s issue[%d]", full, i+1), f.Comments(o.Owner, repo, is.Number))
		}
		for _, pr := range f.PullRequests(o.Owner, repo) {
			name(fmt.Sprintf("%s pr#%d", full, pr.Number), f.Comments(o.Owner, repo, pr.Number))
		}
		for _, pr := range f.PullRequests(o.Owner, repo) {
			n.shas[pr.HeadSHA] = fmt.Sprintf("%s/%s#%d-head", o.Owner, repo, pr.Number)
		}
		for _, b := range []string{"main"} {
			if c, ok := f.Branch(o.Owner, repo, b); ok {
				if _, taken := n.shas[c.SHA]; !taken {
					n.shas[c.SHA] = fmt.Sprintf("%s/%s@%s", o.Owner, repo, b)
				}
			}
		}
	}
	return n
}

var (
	shaRE       = regexp.MustCompile(`\b[0-9a-f]{40}\b`)
	timeRE      = regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)`)
	commentIDRE = regexp.MustCompile(`(issuecomment-|/comments/|ospo-bot:reply comment=)(\d+)`)
	// noteRE: a review note's marker names the change it tells of by a
	// digest of, among others, when the bot's record was last written.
	noteRE = regexp.MustCompile(`(<!-- ospo-bot:review-note )[0-9a-f]{16}( -->)`)
)

// text normalises what differs between runs that did the same.
func (n *normaliser) text(s string) string {
	for _, h := range n.hosts {
		s = strings.ReplaceAll(s, h, "GITHUB-API")
	}
	s = shaRE.ReplaceAllStringFunc(s, func(sha string) string {
		if name, ok := n.shas[sha]; ok {
			return "<" + name + ">"
		}
		return "<sha>"
	})
	s = timeRE.ReplaceAllString(s, "<time>")
	s = noteRE.ReplaceAllString(s, "${1}<digest>${2}")
	return commentIDRE.ReplaceAllStringFunc(s, func(m string) string {
		sub := commentIDRE.FindStringSubmatch(m)
		if name, ok := n.commentNames[sub[2]]; ok {
			return sub[1] + name
		}
		return sub[1] + "<id>"
	})
}

func (n *normaliser) comments(out Snapshot, key string, cs []githubfake.Comment) Snapshot {
	// No position: a comment posted twice shows as one extra line, not as
	// every later comment moved on by one.
	for _, c := range cs {
		out = append(out, fmt.Sprintf("%s comment by %s: %q", key, c.User, n.text(c.Body)))
	}
	return out
}

func (n *normaliser) sha(s string) string {
	if name, ok := n.shas[s]; ok {
		return name
	}
	return "<sha>"
}

func (n *normaliser) checkRuns(repo string, runs []githubfake.CheckRun) []string {
	type group struct {
		latest     githubfake.CheckRun
		ids        map[string]int
		unmarked   int
		firstIndex int
	}
	groups := map[string]*group{}
	var order []string
	for i, cr := range runs { // oldest first
		key := fmt.Sprintf("check %s %s %s", repo, n.sha(cr.HeadSHA), cr.Name)
		g := groups[key]
		if g == nil {
			g = &group{ids: map[string]int{}, firstIndex: i}
			groups[key] = g
			order = append(order, key)
		}
		g.latest = cr
		if cr.ExternalID == "" {
			g.unmarked++
		} else {
			g.ids[cr.ExternalID]++
		}
	}
	slices.Sort(order)
	var out []string
	for _, key := range order {
		g := groups[key]
		out = append(out, fmt.Sprintf("%s latest: %s %s title=%q", key, g.latest.Status, g.latest.Conclusion, n.text(g.latest.Output.Title)))
		out = append(out, fmt.Sprintf("%s latest summary=%q", key, n.text(g.latest.Output.Summary)))
		var twice []string
		for id, c := range g.ids {
			if c > 1 {
				twice = append(twice, fmt.Sprintf("%s×%d", n.text(id), c))
			}
		}
		slices.Sort(twice)
		out = append(out, fmt.Sprintf("%s evaluations run twice: %v", key, twice))
		if g.unmarked > 0 {
			out = append(out, fmt.Sprintf("%s runs without external_id: %d", key, g.unmarked))
		}
	}
	return out
}

// Diff lists what differs between want and got: lines only in want ("-")
// and lines only in got ("+"), counting repeated lines; empty when equal.
// Lines are matched as a multiset, then reported in their order.
func Diff(want, got Snapshot) []string {
	count := map[string]int{}
	for _, l := range got {
		count[l]++
	}
	var missing []string
	for _, l := range want {
		if count[l] > 0 {
			count[l]--
		} else {
			missing = append(missing, "- "+l)
		}
	}
	var extra []string
	for _, l := range got {
		if count[l] > 0 {
			count[l]--
			extra = append(extra, "+ "+l)
		}
	}
	return append(missing, extra...)
}
