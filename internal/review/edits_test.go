package review

import (
	"reflect"
	"testing"
	"time"

	"github.com/ospo-bot/ospo-bot/internal/store"
)

func TestChanged(t *testing.T) {
	parse := func(body string) []Command {
		cmds, _ := Parse(body)
		return cmds
	}
	for _, tc := range []struct {
		name, before, after string
		added               []Key
		removed             map[Key]int
	}{
		{"prose only", "/ospo approve ok", "Thanks!\n\n/ospo approve ok\n\nBye", nil, map[Key]int{}},
		{"a line added", "/ospo approve ok", "/ospo approve ok\n/ospo exempt files wiki", []Key{{Verb: Exempt, Rule: "files", Reason: "wiki"}}, map[Key]int{}},
		{"a duplicate added", "/ospo approve", "/ospo approve\n/ospo approve", []Key{{Verb: Approve}}, map[Key]int{}},
		{"a line removed", "/ospo exempt files wiki\n/ospo approve", "/ospo exempt files wiki", nil, map[Key]int{{Verb: Approve}: 1}},
		{"a reason changed", "/ospo reject no", "/ospo reject not yet", []Key{{Verb: Reject, Reason: "not yet"}}, map[Key]int{{Verb: Reject, Reason: "no"}: 1}},
		{"an expiry changed", "/ospo exempt files until 2027-01-31 wiki", "/ospo exempt files until 2027-02-28 wiki",
			[]Key{{Verb: Exempt, Rule: "files", Reason: "wiki", Expires: time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC).Unix()}},
			map[Key]int{{Verb: Exempt, Rule: "files", Reason: "wiki", Expires: time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC).Unix()}: 1}},
		{"reordered", "/ospo approve\n/ospo exempt files wiki", "/ospo exempt files wiki\n/ospo approve", nil, map[Key]int{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			added, removed := Changed(parse(tc.before), parse(tc.after))
			var keys []Key
			for _, c := range added {
				keys = append(keys, KeyOf(c))
			}
			if !reflect.DeepEqual(keys, tc.added) || !reflect.DeepEqual(removed, tc.removed) {
				t.Fatalf("added %v, removed %v; want %v, %v", keys, removed, tc.added, tc.removed)
			}
		})
	}
}

// Of identical lines, a removal withdraws the editor's own decision first.
func TestChooseWithdrawnPrefersTheEditors(t *testing.T) {
	stored := []store.ReviewDecision{{Seq: 0, Actor: "lead", Verb: "approve"}, {Seq: 1, Actor: "lead2", Verb: "approve"}, {Seq: 2, Actor: "lead", Verb: "reject", Reason: "no"}}
	got := chooseWithdrawn(stored, map[Key]int{{Verb: Approve}: 1}, "LEAD2")
	if len(got) != 1 || got[0].Seq != 1 {
		t.Fatalf("withdrawn %+v", got)
	}
	got = chooseWithdrawn(stored, map[Key]int{{Verb: Approve}: 2, {Verb: Reject, Reason: "no"}: 1}, "intruder")
	if len(got) != 3 {
		t.Fatalf("withdrawn %+v", got)
	}
}
