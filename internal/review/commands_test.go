package review

import (
	"reflect"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		name string
		body string
		want []Command
		errs []string
	}{
		{"approve with note", "Looks good.\n/ospo approve ship it", []Command{{Verb: Approve, Reason: "ship it", Line: 2}}, nil},
		{"case and spacing", "  /OSPO   Approve  ", []Command{{Verb: Approve, Line: 1}}, nil},
		{"several", "/ospo exempt Files docs live in the wiki\r\n/ospo approve", []Command{
			{Verb: Exempt, Rule: "files", Reason: "docs live in the wiki", Line: 1}, {Verb: Approve, Line: 2}}, nil},
		{"reject needs reason", "/ospo reject", nil, []string{"needs a reason"}},
		{"exempt needs reason", "/ospo exempt license", nil, []string{"rule and a reason"}},
		{"unexempt", "/ospo unexempt LICENSE", []Command{{Verb: Unexempt, Rule: "license", Line: 1}}, nil},
		{"quoted is ignored", "> /ospo approve\nI agree with the above", nil, nil},
		{"fenced is ignored", "```\n/ospo approve\n```\n", nil, nil},
		{"not at line start", "please /ospo approve this", nil, nil},
		{"prefix only", "/ospo", nil, []string{"missing command"}},
		{"unknown", "/ospo frobnicate now", nil, []string{"unknown command `frobnicate`"}},
		{"lookalike", "/ospoapprove", nil, nil},
		{"cla revoke", "/ospo cla REVOKE @Mallory signed for someone else", []Command{{Verb: RevokeCLA, Rule: "Mallory", Reason: "signed for someone else", Line: 1}}, nil},
		{"cla revoke needs a reason", "/ospo cla revoke @mallory", nil, []string{"write /ospo cla revoke @user <reason>"}},
		{"recheck and help", "/ospo recheck\n/ospo help", []Command{{Verb: Recheck, Line: 1}, {Verb: Help, Line: 2}}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, errs := Parse(tc.body)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("commands = %+v, want %+v", got, tc.want)
			}
			if len(errs) != len(tc.errs) {
				t.Fatalf("errors = %v, want %v", errs, tc.errs)
			}
			for i, e := range errs {
				if !strings.Contains(e.Error(), tc.errs[i]) {
					t.Errorf("error %q lacks %q", e.Error(), tc.errs[i])
				}
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"/ospo approve", "/ospo exempt files reason", "> /ospo reject x", "```\n/ospo\n```", "/ospo \t unexempt", "\r\n/OSPO HELP"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		cmds, errs := Parse(body)
		for _, c := range cmds {
			if c.Line < 1 || (c.Verb == Reject && c.Reason == "") || ((c.Verb == Exempt || c.Verb == RevokeCLA) && (c.Rule == "" || c.Reason == "")) {
				t.Fatalf("invalid command %+v from %q", c, body)
			}
		}
		for _, e := range errs {
			if e.Line < 1 || e.Problem == "" {
				t.Fatalf("invalid error %+v", e)
			}
		}
	})
}
