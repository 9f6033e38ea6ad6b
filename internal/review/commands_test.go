package review

import (
	"reflect"
	"strings"
	"testing"
	"time"
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
		{"allow", "/ospo ALLOW pkg:npm/left-pad@1.3.0 vetted by  legal", []Command{{Verb: Allow, Rule: "pkg:npm/left-pad@1.3.0", Reason: "vetted by  legal", Line: 1}}, nil},
		{"allow a pattern", "/ospo allow pkg:npm/@acme/* ours", []Command{{Verb: Allow, Rule: "pkg:npm/@acme/*", Reason: "ours", Line: 1}}, nil},
		{"allow needs a reason", "/ospo allow pkg:npm/left-pad", nil, []string{"write /ospo allow <purl> <reason>, e.g. /ospo allow pkg:npm/left-pad@1.3.0 vetted by legal"}},
		{"allow needs a purl", "/ospo allow left-pad because", nil, []string{"`left-pad` is not a package URL: a package URL begins with pkg:<type>/"}},
		{"recheck and help", "/ospo recheck\n/ospo help", []Command{{Verb: Recheck, Line: 1}, {Verb: Help, Line: 2}}, nil},
		{"exempt until a day", "/ospo exempt files UNTIL 2027-03-31 docs move to the wiki in Q1", []Command{{Verb: Exempt, Rule: "files",
			Reason: "docs move to the wiki in Q1", Expires: time.Date(2027, 4, 1, 0, 0, 0, 0, time.UTC), Line: 1}}, nil},
		{"exempt until the last day of a year", "/ospo exempt license until 2027-12-31 x", []Command{{Verb: Exempt, Rule: "license",
			Reason: "x", Expires: time.Date(2028, 1, 1, 0, 0, 0, 0, time.UTC), Line: 1}}, nil},
		{"until begins a plain reason", "/ospo exempt files until the wiki is ready", []Command{{Verb: Exempt, Rule: "files",
			Reason: "until the wiki is ready", Line: 1}}, nil},
		{"until alone is a reason", "/ospo exempt files until", []Command{{Verb: Exempt, Rule: "files", Reason: "until", Line: 1}}, nil},
		{"invalid date", "/ospo exempt files until 2027-02-30 no such day", nil, []string{"`2027-02-30` is not a date: write /ospo exempt <rule> until YYYY-MM-DD <reason>"}},
		{"date in another form", "/ospo exempt files until 31/03/2027 docs", nil, []string{"`31/03/2027` is not a date"}},
		{"date without a reason", "/ospo exempt files until 2027-03-31", nil, []string{"an exemption needs a reason"}},
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
	for _, s := range []string{"/ospo approve", "/ospo exempt files reason", "> /ospo reject x", "```\n/ospo\n```", "/ospo \t unexempt", "\r\n/OSPO HELP",
		"/ospo exempt files until 2027-01-31 r", "/ospo exempt files until 0000-00-00 r", "/ospo exempt files until"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		cmds, errs := Parse(body)
		for _, c := range cmds {
			if c.Line < 1 || (c.Verb == Reject && c.Reason == "") || ((c.Verb == Exempt || c.Verb == RevokeCLA) && (c.Rule == "" || c.Reason == "")) {
				t.Fatalf("invalid command %+v from %q", c, body)
			}
			if !c.Expires.IsZero() && (c.Verb != Exempt || c.Expires.Location() != time.UTC || c.Expires.Truncate(24*time.Hour) != c.Expires) {
				t.Fatalf("expiry of %+v from %q is not the start of a UTC day", c, body)
			}
		}
		for _, e := range errs {
			if e.Line < 1 || e.Problem == "" {
				t.Fatalf("invalid error %+v", e)
			}
		}
	})
}

// TestRefusePast: an exemption until a day before the comment's (UTC) is
// refused with a reply naming the line; until the comment's own day it
// holds (through that day), and commands without a date are untouched.
func TestRefusePast(t *testing.T) {
	body := "/ospo exempt files until 2026-11-29 late\n/ospo exempt topics until 2026-11-30 today\n/ospo exempt license forever\n/ospo approve"
	cmds, _ := Parse(body)
	at := time.Date(2026, 11, 30, 23, 59, 0, 0, time.UTC)
	kept, errs := refusePast(body, cmds, at)
	if len(kept) != 3 || kept[0].Rule != "topics" || kept[1].Rule != "license" || kept[2].Verb != Approve {
		t.Fatalf("kept %+v", kept)
	}
	if len(errs) != 1 || errs[0].Line != 1 || errs[0].Text != "/ospo exempt files until 2026-11-29 late" ||
		errs[0].Problem != "`2026-11-29` has passed: an exemption holds through a day from today (2026-11-30, UTC) on" {
		t.Fatalf("errors %+v", errs)
	}
	if kept, errs := refusePast(body, cmds, at.Add(-24*time.Hour)); len(kept) != 4 || len(errs) != 0 {
		t.Fatalf("the day before: kept %+v, errors %+v", kept, errs)
	}
}
