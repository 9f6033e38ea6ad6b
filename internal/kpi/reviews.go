package kpi

import (
	"slices"
	"time"
)

// Review event kinds and deciding verbs, as migration 011's review_events
// records them.
const (
	ReviewOpened    = "opened"
	ReviewReopened  = "reopened"
	ReviewResponded = "responded"
	ReviewDecided   = "decided"
	ReviewClosed    = "closed"
)

// ReviewEvent is one event of a review issue's life.
type ReviewEvent struct {
	RepositoryID int64
	Kind, Verb   string // Verb: approve, reject, exempt, unexempt (Kind decided)
	At           time.Time
}

// ReviewCycle is one opening of a review issue until its close: opened or
// reopened, its first human response, its first approve or reject (a
// review decided twice counts from its first decision; exempt and
// unexempt do not decide a review), its close.
type ReviewCycle struct {
	RepositoryID                           int64
	Opened, FirstResponse, Decided, Closed time.Time
}

// kindOrder orders the events of one second (history keeps whole
// seconds) as they can happen: the bot closes a review in the second of
// the approve that decided it, and a reopening follows a close.
var kindOrder = map[string]int{ReviewOpened: 0, ReviewResponded: 1, ReviewDecided: 2, ReviewClosed: 3, ReviewReopened: 4}

// ReviewCycles replays events, of any repositories in any order, into
// cycles ordered by repository and opening. Events before a repository's
// first opening are ignored.
func ReviewCycles(evs []ReviewEvent) []ReviewCycle {
	evs = slices.Clone(evs)
	slices.SortStableFunc(evs, func(a, b ReviewEvent) int {
		if a.RepositoryID != b.RepositoryID {
			if a.RepositoryID < b.RepositoryID {
				return -1
			}
			return 1
		}
		if c := a.At.Compare(b.At); c != 0 {
			return c
		}
		return kindOrder[a.Kind] - kindOrder[b.Kind]
	})
	var out []ReviewCycle
	var cur *ReviewCycle // the repository's open cycle
	for i, e := range evs {
		if i > 0 && e.RepositoryID != evs[i-1].RepositoryID {
			cur = nil
		}
		switch e.Kind {
		case ReviewOpened, ReviewReopened:
			if cur != nil && cur.Closed.IsZero() {
				continue // a redelivered opening of an open issue
			}
			out = append(out, ReviewCycle{RepositoryID: e.RepositoryID, Opened: e.At})
			cur = &out[len(out)-1]
		case ReviewResponded:
			if cur != nil && cur.Closed.IsZero() && cur.FirstResponse.IsZero() {
				cur.FirstResponse = e.At
			}
		case ReviewDecided:
			if cur != nil && cur.Closed.IsZero() && cur.Decided.IsZero() && (e.Verb == "approve" || e.Verb == "reject") {
				cur.Decided = e.At
			}
		case ReviewClosed:
			if cur != nil && cur.Closed.IsZero() {
				cur.Closed = e.At
			}
		}
	}
	return out
}

// AgeBuckets are the ages open reviews are counted in.
var AgeBuckets = []Bucket{
	{Label: "<1d", Max: 24 * time.Hour},
	{Label: "1-7d", Min: 24 * time.Hour, Max: 7 * 24 * time.Hour},
	{Label: "7-30d", Min: 7 * 24 * time.Hour, Max: 30 * 24 * time.Hour},
	{Label: ">=30d", Min: 30 * 24 * time.Hour},
}

// Reviews returns the time from opening to first decision of the cycles
// decided in [since, until), and the cycles awaiting a decision at asOf
// (opened before it, neither decided nor closed by then) by age.
func Reviews(cs []ReviewCycle, since, until, asOf time.Time) (toDecision Durations, open int, byAge []Bucket) {
	var ds []time.Duration
	byAge = slices.Clone(AgeBuckets)
	for _, c := range cs {
		if in(c.Decided, since, until) {
			ds = append(ds, c.Decided.Sub(c.Opened))
		}
		if !c.Opened.Before(asOf) || (!c.Decided.IsZero() && !c.Decided.After(asOf)) || (!c.Closed.IsZero() && !c.Closed.After(asOf)) {
			continue
		}
		open++
		age := asOf.Sub(c.Opened)
		for i, b := range byAge {
			if age >= b.Min && (b.Max == 0 || age < b.Max) {
				byAge[i].Count++
				break
			}
		}
	}
	return Of(ds), open, byAge
}
