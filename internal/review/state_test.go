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
