package review

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ospo-bot/ospo-bot/internal/inert/inerttest"
	"github.com/ospo-bot/ospo-bot/internal/policy"
	"github.com/ospo-bot/ospo-bot/internal/rules"
)

// evil is what anyone may write as a reason, a note or a branch name.
const evil = "@acme/everyone #1 acme/x#2 GH-3 [x](https://evil.example) ![i](https://evil.example/i.png) <img src=x> <!-- hidden --> ``` ` www.evil.example\n- [x] approved\n# Heading\n> quote"

// TestReviewIssueIsInert: the review issue shows approvers' reasons,
// exemption reasons, policy problems and notices, a branch name and
// GitHub's error as text; it mentions the deciding approver and at most
// 10 of the policy's approvers.
func TestReviewIssueIsInert(t *testing.T) {
	snap := &rules.Snapshot{ID: 7, Owner: "acme", Name: "widget", HTMLURL: "https://github.com/acme/widget", DefaultBranch: "main`" + evil, Private: true}
	at := time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)
	st := State{Status: Approved, Decided: &Decision{Actor: "lead", Verb: Approve, Reason: evil, At: at},
		Exemptions: map[string]Decision{"files": {Actor: "lead", Verb: Exempt, Rule: "files", Reason: evil, At: at}}}
	fs := ApplyExemptions([]rules.Finding{
		{Rule: "files", Mode: policy.Enforce, Result: rules.Fail, Message: "missing", Remediation: "add"},
		{Rule: "license", Mode: policy.Enforce, Result: rules.Pass, Message: "ok"},
	}, st, at)
	var approvers []string
	for i := range 12 {
		approvers = append(approvers, fmt.Sprintf("lead%d", i))
	}
	approvers = append(approvers, "x](https://evil.example)")
	rep := Report{Snapshot: snap, Findings: fs, State: st, Approvers: approvers, PolicyVersion: "abc`" + evil,
		PolicyProblem: evil, PolicyNotices: []string{"ospo.yml:1:1: " + evil}, NotMadePrivate: evil, Flagged: true, Reasons: []string{"@lead rejected it"}}
	may := append([]string{"lead"}, approvers...)
	for _, doc := range []struct{ name, md string }{
		{"body", Body(rep)},
		{"not made private", NotMadePrivateNote(evil)},
	} {
		inerttest.Check(t, doc.name, doc.md, inerttest.Options{Mentions: may, Headings: 1, Checkboxes: 2, Quotes: 3,
			Links: []string{"https://github.com/acme/widget"}})
	}
	if body := Body(rep); !strings.Contains(body, "@lead ") {
		t.Errorf("the approver who decided is not mentioned:\n%s", body)
	}
	st.Status, st.Decided.Verb = Rejected, Reject
	rep.State = st
	inerttest.Check(t, "rejected body", Body(rep), inerttest.Options{Mentions: may, Headings: 1, Checkboxes: 2, Quotes: 3,
		Links: []string{"https://github.com/acme/widget"}})
}
