package review

import (
	"testing"
	"time"
)

func TestReplay(t *testing.T) {
	t0 := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	d := func(id int64, m int, actor string, v Verb, rule string) Decision {
		return Decision{CommentID: id, Actor: actor, Verb: v, Rule: rule, Reason: "r", At: at(m)}
	}
	for _, tc := range []struct {
		name       string
		ds         []Decision
		status     Status
		by         string
		exemptions []string
	}{
		{"nothing", nil, Pending, "", nil},
		{"approved", []Decision{d(1, 1, "lead", Approve, "")}, Approved, "lead", nil},
		{"a rejection stands beside another's approval", []Decision{d(1, 1, "ann", Reject, ""), d(2, 2, "bob", Approve, "")}, Rejected, "ann", nil},
		{"the rejecter's later approval wins", []Decision{d(1, 1, "ann", Reject, ""), d(2, 2, "ann", Approve, "")}, Approved, "ann", nil},
		{"login case does not split an approver", []Decision{d(1, 1, "Ann", Reject, ""), d(2, 2, "ann", Approve, "")}, Approved, "ann", nil},
		{"order by time, not by input", []Decision{d(2, 2, "ann", Approve, ""), d(1, 1, "ann", Reject, "")}, Approved, "ann", nil},
		{"exempt then unexempt", []Decision{d(1, 1, "ann", Exempt, "files"), d(2, 2, "bob", Exempt, "topics"), d(3, 3, "bob", Unexempt, "files")}, Pending, "", []string{"topics"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := Replay(tc.ds)
			if st.Status != tc.status || (tc.by != "" && (st.Decided == nil || st.Decided.Actor != tc.by)) {
				t.Fatalf("state %+v (decided %+v), want %s by %s", st, st.Decided, tc.status, tc.by)
			}
			if len(st.Exemptions) != len(tc.exemptions) {
				t.Fatalf("exemptions %v, want %v", st.Exemptions, tc.exemptions)
			}
			for _, r := range tc.exemptions {
				if _, ok := st.Exemptions[r]; !ok {
					t.Fatalf("exemptions %v lack %s", st.Exemptions, r)
				}
			}
		})
	}
}

// TestExemptionExpiry: an exemption "until" a day holds through that day
// (UTC) and not after; a later exemption of the rule without a date
// replaces it and holds on; an exemption without a date never expires.
func TestExemptionExpiry(t *testing.T) {
	t0 := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	expires := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC) // "until 2026-11-30"
	dated := Decision{CommentID: 1, Actor: "lead", Verb: Exempt, Rule: "files", Reason: "r", At: t0, Expires: expires}
	plain := Decision{CommentID: 2, Actor: "lead", Verb: Exempt, Rule: "topics", Reason: "r", At: t0}
	st := Replay([]Decision{dated, plain})
	for _, tc := range []struct {
		now  time.Time
		want []string
	}{
		{t0, []string{"files", "topics"}},
		{expires.Add(-time.Nanosecond), []string{"files", "topics"}}, // the last instant of 2026-11-30
		{expires, []string{"topics"}},
		{expires.AddDate(10, 0, 0), []string{"topics"}},
	} {
		got := st.InForce(tc.now).Exemptions
		if len(got) != len(tc.want) {
			t.Fatalf("at %s: exemptions %v, want %v", tc.now, got, tc.want)
		}
		for _, r := range tc.want {
			if _, ok := got[r]; !ok {
				t.Fatalf("at %s: exemptions %v lack %s", tc.now, got, r)
			}
		}
	}
	if len(st.Exemptions) != 2 {
		t.Fatalf("InForce changed the state it was given: %v", st.Exemptions)
	}
	renewed := Replay([]Decision{dated, {CommentID: 3, Actor: "lead", Verb: Exempt, Rule: "files", Reason: "for good", At: t0.Add(time.Hour)}})
	if _, ok := renewed.InForce(expires.AddDate(1, 0, 0)).Exemptions["files"]; !ok {
		t.Fatal("a later exemption without a date did not replace the dated one")
	}
	if Through(expires) != "2026-11-30" {
		t.Fatalf("Through = %s", Through(expires))
	}
}
