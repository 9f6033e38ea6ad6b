// Package plan tells what a new org policy would change: it re-evaluates the stored snapshot of every repository of the org under the policy in force and under the new one, with no API call.
package plan

import (
	"context"
	"runtime"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/ospo-bot/ospo-bot/internal/policy"
	"github.com/ospo-bot/ospo-bot/internal/review"
	"github.com/ospo-bot/ospo-bot/internal/rules"
	"github.com/ospo-bot/ospo-bot/internal/store"
)

// Plan is what changes for an org's repositories when New replaces the
// org policy each of them was last checked under.
type Plan struct {
	Org string
	// New names the new policy file (its path, or its repository, path
	// and blob SHA).
	New string
	// Repositories is how many stored snapshots were evaluated; Oldest
	// and Newest are when the oldest and newest of them were taken.
	Repositories   int
	Oldest, Newest time.Time
	// Rules are the repository rules, in registry order, each with what
	// changes.
	Rules []RuleChange
	// NewlyFlagged would be flagged for OSPO review under the new policy
	// and are not now; NoLongerFlagged the other way round. MaybeFlagged
	// are not flagged now and would be if a rule whose needs were not
	// gathered fails (Unknown).
	NewlyFlagged, NoLongerFlagged, MaybeFlagged []Entry
}

// RuleChange is what changes for one rule.
type RuleChange struct {
	Rule string
	// NewlyFailing fail under the new policy and did not (passed, were
	// exempt, or the rule was off or left them out); NewlyPassing failed
	// and do not any more (they pass, or the rule is off or leaves them
	// out).
	NewlyFailing, NewlyPassing []Entry
	// ModeChanges are the repositories whose mode of the rule changes,
	// grouped by change (warn → enforce), in order of the change.
	ModeChanges []ModeChange
	// Unknown are the repositories whose snapshot lacks what the rule
	// reads under the new policy: their last check did not gather it
	// (the rule was off, or read less). Their next check will.
	Unknown []Entry
}

// Changed reports whether anything changes for the rule.
func (c RuleChange) Changed() bool {
	return len(c.NewlyFailing)+len(c.NewlyPassing)+len(c.ModeChanges)+len(c.Unknown) > 0
}

// ModeChange is one change of a rule's mode and the repositories it
// concerns; Failing are those among them where the rule fails under the
// new policy.
type ModeChange struct {
	From, To     policy.Mode
	Repositories []Entry
	Failing      []Entry
}

// Entry is a repository in the plan.
type Entry struct {
	Repository string
	URL        string
	// Mode and Result are the rule's under the new policy (for rule
	// lists); Why says why a repository is (no longer) flagged.
	Mode   policy.Mode
	Result rules.Result
	Why    string
}

// Build evaluates the stored snapshots of org's repositories under the
// org policy they were checked under and under newOrg (nil: no org file,
// the defaults), each with its repository's override. It reads the
// database only.
func Build(ctx context.Context, st *store.Store, org string, newOrg *policy.Document) (*Plan, error) {
	texts, err := st.SnapshotBlobs(ctx, org)
	if err != nil {
		return nil, err
	}
	decisions, err := st.SnapshotReviewDecisions(ctx, org)
	if err != nil {
		return nil, err
	}
	p := &Plan{Org: org, New: "the defaults"}
	if newOrg != nil {
		p.New = newOrg.Source.String()
		if newOrg.Source.SHA != "" && newOrg.Source.Repo != "" {
			p.New = newOrg.Source.Version()
		}
	}
	b := builder{plan: p, dec: decoder{texts: texts, docs: map[string]*policy.Document{}},
		newOrg: newOrg, effective: map[[2]*policy.Document]*policy.Effective{}, now: time.Now()}
	for _, r := range rules.OfScope(rules.RepositoryScope) {
		b.changes = append(b.changes, &RuleChange{Rule: r.ID})
		b.modes = append(b.modes, map[[2]policy.Mode]*ModeChange{})
	}
	if err := b.run(ctx, st, org, decisions); err != nil {
		return nil, err
	}
	for i, c := range b.changes {
		for _, m := range b.modes[i] {
			c.ModeChanges = append(c.ModeChanges, *m)
		}
		sort.Slice(c.ModeChanges, func(x, y int) bool {
			a, b := c.ModeChanges[x], c.ModeChanges[y]
			return a.From+"→"+a.To < b.From+"→"+b.To
		})
		p.Rules = append(p.Rules, *c)
	}
	return p, nil
}

type builder struct {
	mu        sync.Mutex // guards effective
	plan      *Plan
	dec       decoder
	newOrg    *policy.Document
	effective map[[2]*policy.Document]*policy.Effective // by org and override document
	changes   []*RuleChange                             // in rules.IDs order
	modes     []map[[2]policy.Mode]*ModeChange
	now       time.Time // the exemptions in force are those at now, under both policies
}

// evaluated is a repository evaluated under both policies.
type evaluated struct {
	r             *Repository
	before, after Outcome
	err           error
}

// run evaluates the snapshots on every CPU while the database is read,
// and adds them to the plan in the database's order.
func (b *builder) run(ctx context.Context, st *store.Store, org string, decisions map[int64][]store.ReviewDecision) error {
	type job struct {
		n int
		s store.RepositorySnapshot
	}
	type done struct {
		n int
		e evaluated
	}
	jobs, results := make(chan job, 64), make(chan done, 64)
	var workers sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		workers.Add(1)
		go func() {
			defer workers.Done()
			for j := range jobs {
				results <- done{j.n, b.evaluate(j.s, decisions)}
			}
		}()
	}
	var added sync.WaitGroup
	var failed error
	added.Add(1)
	go func() { // in order: a reorder buffer of at most the jobs in flight
		defer added.Done()
		pending, next := map[int]evaluated{}, 0
		for d := range results {
			pending[d.n] = d.e
			for e, ok := pending[next]; ok; e, ok = pending[next] {
				delete(pending, next)
				next++
				if e.err != nil && failed == nil {
					failed = e.err
				}
				if failed == nil {
					b.add(e)
				}
			}
		}
	}()
	n := 0
	err := st.Snapshots(ctx, org, func(s store.RepositorySnapshot) error {
		jobs <- job{n, s}
		n++
		return nil
	})
	close(jobs)
	workers.Wait()
	close(results)
	added.Wait()
	if err != nil {
		return err
	}
	return failed
}

// evaluate decodes a snapshot and evaluates it under both policies.
func (b *builder) evaluate(s store.RepositorySnapshot, decisions map[int64][]store.ReviewDecision) evaluated {
	r, err := b.dec.decode(s)
	if err != nil {
		return evaluated{err: err}
	}
	st := review.Replay(review.Decisions(decisions[r.ID]))
	return evaluated{r: r, before: Evaluate(r, b.resolve(r.Org, r.Override).Policy, st, b.now),
		after: Evaluate(r, b.resolve(b.newOrg, r.Override).Policy, st, b.now)}
}

func (b *builder) resolve(org, override *policy.Document) *policy.Effective {
	key := [2]*policy.Document{org, override}
	b.mu.Lock()
	defer b.mu.Unlock()
	e, ok := b.effective[key]
	if !ok {
		e = policy.Resolve(org, override)
		b.effective[key] = e
	}
	return e
}

func (b *builder) add(ev evaluated) {
	r, before, after := ev.r, ev.before, ev.after
	p := b.plan
	p.Repositories++
	if p.Oldest.IsZero() || r.CheckedAt.Before(p.Oldest) {
		p.Oldest = r.CheckedAt
	}
	if r.CheckedAt.After(p.Newest) {
		p.Newest = r.CheckedAt
	}
	entry := Entry{Repository: r.Name, URL: r.Snapshot.HTMLURL}
	for i, c := range b.changes {
		old, now := before.Findings[i], after.Findings[i]
		e := entry
		e.Mode, e.Result = now.Mode, now.Result
		switch {
		case after.Unknown[i]:
			c.Unknown = append(c.Unknown, e)
		case now.Result == rules.Fail && old.Result != rules.Fail:
			c.NewlyFailing = append(c.NewlyFailing, e)
		case old.Result == rules.Fail && now.Result != rules.Fail:
			c.NewlyPassing = append(c.NewlyPassing, e)
		}
		if old.Mode != now.Mode {
			key := [2]policy.Mode{old.Mode, now.Mode}
			m := b.modes[i][key]
			if m == nil {
				m = &ModeChange{From: old.Mode, To: now.Mode}
				b.modes[i][key] = m
			}
			m.Repositories = append(m.Repositories, e)
			if now.Result == rules.Fail && !after.Unknown[i] {
				m.Failing = append(m.Failing, e)
			}
		}
	}
	switch {
	case after.Flagged && !before.Flagged:
		p.NewlyFlagged = append(p.NewlyFlagged, Entry{Repository: r.Name, URL: r.Snapshot.HTMLURL, Why: after.Why})
	case before.Flagged && !after.Flagged && !after.MaybeFlagged:
		p.NoLongerFlagged = append(p.NoLongerFlagged, Entry{Repository: r.Name, URL: r.Snapshot.HTMLURL, Why: "was: " + before.Why})
	case !before.Flagged && !after.Flagged && after.MaybeFlagged:
		p.MaybeFlagged = append(p.MaybeFlagged, Entry{Repository: r.Name, URL: r.Snapshot.HTMLURL, Why: after.Why})
	}
}

// repositoryRules are the rules rules.Evaluate runs, in its order.
var repositoryRules = rules.OfScope(rules.RepositoryScope)

// Outcome is a repository's evaluation under one policy.
type Outcome struct {
	// Findings are the repository rules' findings, in rules.IDs order,
	// exemptions applied.
	Findings []rules.Finding
	// Unknown marks the findings of rules whose needs the snapshot does
	// not cover: their Result is a guess, not to be reported.
	Unknown []bool
	// Flagged: the check would flag the repository for OSPO review
	// whatever the unknown rules find; MaybeFlagged: it would if they
	// fail. Why says why.
	Flagged, MaybeFlagged bool
	Why                   string
}

// Evaluate is what a repository check (check.evaluateRepository) decides
// of the repository's snapshot under the effective policy pol: the rules,
// the review's exemptions in force at now, whether it is flagged. A
// repository the policy leaves out (a fork, an archived one) is never
// flagged.
func Evaluate(r *Repository, pol policy.Policy, st review.State, now time.Time) Outcome {
	s, rr := r.Snapshot, pol.Repository
	fs := rules.Evaluate(s, rr)
	out := Outcome{Unknown: make([]bool, len(fs))}
	for i, f := range fs {
		if f.Result != rules.Skip && !r.Gathered.Covers(repositoryRules[i], &pol, s) {
			out.Unknown[i] = true
		}
	}
	st = st.InForce(now)
	out.Findings = review.ApplyExemptions(fs, st, now)
	for i, f := range out.Findings {
		out.Unknown[i] = out.Unknown[i] && f.Result != rules.Exempt // an exemption holds whatever the rule finds
	}
	if (s.Fork && !rr.IncludeForks) || (s.Archived && !rr.IncludeArchived) {
		return out
	}
	assess := func(unknownFails bool) (bool, []string) {
		fs := slices.Clone(out.Findings)
		for i := range fs {
			if out.Unknown[i] {
				fs[i].Result = rules.Pass
				if unknownFails {
					fs[i].Result = rules.Fail
				}
			}
		}
		if r.OverrideInvalid != "" {
			fs = append(fs, rules.Finding{Rule: "policy", Mode: policy.Enforce, Result: rules.Fail})
		}
		return review.Assess(s, fs, st)
	}
	flagged, why := assess(false)
	maybe, maybeWhy := assess(true)
	out.Flagged, out.MaybeFlagged = flagged, maybe && !flagged
	if !flagged {
		why = maybeWhy
	}
	if len(why) > 0 {
		out.Why = why[0]
		for _, w := range why[1:] {
			out.Why += "; " + w
		}
	}
	return out
}
