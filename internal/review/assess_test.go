package review

import (
	"strings"
	"testing"
	"time"

	"github.com/ospo-bot/ospo-bot/internal/policy"
	"github.com/ospo-bot/ospo-bot/internal/rules"
)

func TestAssess(t *testing.T) {
	failLicense := []rules.Finding{{Rule: "license", Mode: policy.Enforce, Result: rules.Fail}, {Rule: "files", Mode: policy.Warn, Result: rules.Fail}}
	pass := []rules.Finding{{Rule: "license", Mode: policy.Enforce, Result: rules.Pass}}
	approvedWith := func(failing ...string) State {
		return State{Status: Approved, Decided: &Decision{Actor: "lead", Verb: Approve, Failing: failing}}
	}
	for _, tc := range []struct {
		name    string
		private bool
		fs      []rules.Finding
		st      State
		flagged bool
		reason  string
	}{
		{"public, passing, not approved", false, pass, State{Status: Pending}, true, "public and not approved"},
		{"private, passing", true, pass, State{Status: Pending}, false, ""},
		{"private, enforce failing", true, failLicense, State{Status: Pending}, true, "enforce rules fail: license"},
		{"a warn failure never flags", true, []rules.Finding{{Rule: "files", Mode: policy.Warn, Result: rules.Fail}}, State{Status: Pending}, false, ""},
		{"approved public", false, pass, approvedWith(), false, ""},
		{"approved with the failure it accepted", false, failLicense, approvedWith("license"), false, ""},
		{"a failure after approval", false, failLicense, approvedWith(), true, "license failed after @lead approved it"},
		{"rejected", true, pass, State{Status: Rejected, Decided: &Decision{Actor: "ann", Verb: Reject}}, true, "@ann rejected it"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			flagged, reasons := Assess(&rules.Snapshot{Private: tc.private}, tc.fs, tc.st)
			if flagged != tc.flagged || (tc.reason != "" && !strings.Contains(strings.Join(reasons, "; "), tc.reason)) {
				t.Fatalf("Assess = %v %v, want %v %q", flagged, reasons, tc.flagged, tc.reason)
			}
		})
	}
}

func TestApplyExemptions(t *testing.T) {
	st := State{Exemptions: map[string]Decision{"license": {Actor: "lead", Reason: "vendored  code", At: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)}}}
	fs := ApplyExemptions([]rules.Finding{{Rule: "license", Mode: policy.Enforce, Result: rules.Fail, Remediation: "add one"}, {Rule: "files", Result: rules.Fail}}, st, time.Now())
	if fs[0].Result != rules.Exempt || fs[0].Failing() || fs[0].Message != "exempt by @lead on 2026-11-01: vendored code" || fs[0].Remediation != "" {
		t.Fatalf("exempted finding %+v", fs[0])
	}
	if fs[1].Result != rules.Fail {
		t.Fatal("another rule was exempted")
	}
}

// TestApplyExpiringExemption: a dated exemption says through which day it
// holds, and from the next day on the rule fails again.
func TestApplyExpiringExemption(t *testing.T) {
	expires := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	st := State{Exemptions: map[string]Decision{"license": {Actor: "lead", Reason: "vendored code", At: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), Expires: expires}}}
	fs := []rules.Finding{{Rule: "license", Mode: policy.Enforce, Result: rules.Fail, Remediation: "add one"}}
	before := ApplyExemptions(fs, st, expires.Add(-time.Second))
	if before[0].Result != rules.Exempt || before[0].Message != "exempt by @lead on 2026-11-01 through 2026-11-30: vendored code" {
		t.Fatalf("before the expiry: %+v", before[0])
	}
	after := ApplyExemptions(fs, st, expires)
	if after[0].Result != rules.Fail || after[0].Remediation != "add one" || !after[0].Failing() {
		t.Fatalf("after the expiry: %+v", after[0])
	}
}

func TestChangeNote(t *testing.T) {
	for _, tc := range []struct {
		before string
		now    []string
		want   string
	}{
		{"", []string{"license"}, "Now failing: license"},
		{"license", []string{"codeowners", "license"}, "Now failing: codeowners"},
		{"codeowners,license", []string{"license"}, ""}, // a fix while others fail: body only
		{"license", nil, "Every enforce rule passes now"},
		{"", nil, ""},
	} {
		if got := changeNote(tc.before, tc.now); (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
			t.Errorf("changeNote(%q, %v) = %q, want %q", tc.before, tc.now, got, tc.want)
		}
	}
}

func TestBodyIsStableAndMarked(t *testing.T) {
	rep := Report{
		Snapshot:      &rules.Snapshot{ID: 77, Owner: "acme", Name: "widget", DefaultBranch: "main", HTMLURL: "https://github.com/acme/widget"},
		Findings:      []rules.Finding{{Rule: "license", Mode: policy.Enforce, Result: rules.Fail, Message: "no LICENSE", Remediation: "add one", PolicyURL: "https://x/p"}, {Rule: "topics", Result: rules.Skip}},
		PolicyVersion: "defaults", Flagged: true, Reasons: []string{"it is public and not approved"},
		PolicyNotices: []string{"acme/.github:ospo.yml: no org policy found; the defaults apply"},
	}
	b := Body(rep)
	if b != Body(rep) {
		t.Fatal("the same report renders two bodies")
	}
	if id, ok := MarkedRepository(b); !ok || id != 77 {
		t.Fatalf("marker: %d %v", id, ok)
	}
	for _, want := range []string{"- [ ] ❌ **license** (enforce): no LICENSE", "↳ add one ([policy](https://x/p))", "Policy notes", "**Decision:** pending. The org's owners decide"} {
		if !strings.Contains(b, want) {
			t.Errorf("body lacks %q:\n%s", want, b)
		}
	}
	if strings.Contains(b, "topics") {
		t.Error("a rule that is off is listed")
	}
}
