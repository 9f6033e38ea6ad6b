package review

import (
	"sort"
	"strings"
	"time"
)

// Decision is an accepted deciding command, as recorded.
type Decision struct {
	CommentID int64
	Seq       int // position among the comment's commands
	Actor     string
	Verb      Verb
	Rule      string
	Reason    string
	URL       string
	At        time.Time
	// Expires is when an exemption stops applying (zero: never); see
	// Command.Expires.
	Expires time.Time
	// Failing lists the enforce rules failing when an approval was given:
	// the approval accepts them, so only a rule failing anew reopens the
	// review.
	Failing []string
}

// Status of a review.
type Status string

const (
	Pending  Status = "pending"
	Approved Status = "approved"
	Rejected Status = "rejected"
)

// State is what the recorded decisions add up to.
type State struct {
	Status Status
	// Decided is the approval or rejection in force (nil when pending).
	Decided *Decision
	// Exemptions maps a rule to the exemption in force, expired or not:
	// InForce drops those expired at a given time.
	Exemptions map[string]Decision
}

// InForce is the state at now: its exemptions without those expired by
// then (Expires at or before now). The state it is called on is left as
// it is.
func (s State) InForce(now time.Time) State {
	out := s
	out.Exemptions = make(map[string]Decision, len(s.Exemptions))
	for rule, d := range s.Exemptions {
		if !d.Expired(now) {
			out.Exemptions[rule] = d
		}
	}
	return out
}

// Expired reports whether an exemption no longer applies at now.
func (d Decision) Expired(now time.Time) bool { return !d.Expires.IsZero() && !now.Before(d.Expires) }

// Replay derives a review's state from its decisions, oldest first: the
// latest command of each approver wins; a rejection by any approver stands
// until that approver approves; exemptions follow the latest exempt or
// unexempt of each rule.
func Replay(ds []Decision) State {
	sorted := append([]Decision(nil), ds...)
	sort.SliceStable(sorted, func(i, j int) bool {
		if !sorted[i].At.Equal(sorted[j].At) {
			return sorted[i].At.Before(sorted[j].At)
		}
		if sorted[i].CommentID != sorted[j].CommentID {
			return sorted[i].CommentID < sorted[j].CommentID
		}
		return sorted[i].Seq < sorted[j].Seq
	})
	latest := map[string]Decision{} // approver → latest approve/reject
	st := State{Status: Pending, Exemptions: map[string]Decision{}}
	for _, d := range sorted {
		switch d.Verb {
		case Approve, Reject:
			latest[strings.ToLower(d.Actor)] = d
		case Exempt:
			st.Exemptions[d.Rule] = d
		case Unexempt:
			delete(st.Exemptions, d.Rule)
		}
	}
	var approval, rejection *Decision
	for _, d := range latest {
		d := d
		switch {
		case d.Verb == Reject && (rejection == nil || later(d, *rejection)):
			rejection = &d
		case d.Verb == Approve && (approval == nil || later(d, *approval)):
			approval = &d
		}
	}
	switch {
	case rejection != nil:
		st.Status, st.Decided = Rejected, rejection
	case approval != nil:
		st.Status, st.Decided = Approved, approval
	}
	return st
}

func later(a, b Decision) bool {
	if !a.At.Equal(b.At) {
		return a.At.After(b.At)
	}
	return a.CommentID > b.CommentID || (a.CommentID == b.CommentID && a.Seq > b.Seq)
}
