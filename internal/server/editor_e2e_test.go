package server_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/ospo-bot/ospo-bot/internal/ghclient"
	"github.com/ospo-bot/ospo-bot/internal/githubfake"
)

// Edits are the editor's: on an issue_comment edited event the actor is
// the sender. Only the lines an edit adds act, as the editor; what the
// comment held before stays with whoever wrote it.

// reviewWithEditors opens the review issue of acme/widget; lead2 is a
// second approver; carol a contributor; intruder, who may not decide, has
// write access to the OSPO repository (so GitHub lets them edit anyone's
// comment there), as has lead.
func reviewWithEditors(t *testing.T) (*scenario, githubfake.Issue) {
	t.Helper()
	s := newScenario(t, orgPolicy)
	for _, u := range []string{"lead2", "carol"} {
		if _, err := s.GitHub.AddUser(githubfake.User{Login: u}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.GitHub.SetTeamMembership("acme", "ospo-leads", githubfake.Membership{Login: "lead2"}); err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{"intruder", "lead", "lead2"} {
		if err := s.GitHub.SetCollaborator("acme", "ospo", u, "write"); err != nil {
			t.Fatal(err)
		}
	}
	s.deliver("repository", s.repoPayload("created"))
	s.until("a review issue is opened", func() bool { return len(s.reviewIssues()) > 0 })
	return s, s.theReviewIssue()
}

// decisions lists acme/widget's review decisions as actor:verb[ rule].
func (s *scenario) decisions() string {
	s.t.Helper()
	ds, err := s.App.Store.ReviewDecisions(context.Background(), s.widget.ID)
	if err != nil {
		s.t.Fatal(err)
	}
	var out []string
	for _, d := range ds {
		out = append(out, strings.TrimSpace(d.Actor+":"+d.Verb+" "+d.Rule))
	}
	return strings.Join(out, ", ")
}

// botSaid returns the app's comment on an issue that contains text, or
// all its comments when none does.
func (s *scenario) botSaid(repo string, number int, text string) (string, bool) {
	s.t.Helper()
	var all []string
	for _, c := range s.botComments(repo, number) {
		if strings.Contains(c.Body, text) {
			return c.Body, true
		}
		all = append(all, c.Body)
	}
	return strings.Join(all, "\n---\n"), false
}

// (a) Someone who may not decide adds /ospo approve to an approver's
// comment: refused as them, audited with them, and the approver's
// decisions stay as they were.
func TestEditorWhoMayNotDecideIsRefused(t *testing.T) {
	s, issue := reviewWithEditors(t)
	c := s.comment("lead", "ospo", issue.Number, "/ospo approve ship it")
	s.until("the review is closed", func() bool { return s.theReviewIssue().State == "closed" })
	before, err := s.App.Store.ReviewDecisions(context.Background(), s.widget.ID)
	if err != nil || len(before) != 1 {
		t.Fatalf("decisions %+v, %v", before, err)
	}

	s.editComment("ospo", issue.Number, c, "/ospo approve ship it\n/ospo exempt license vendored", "intruder")
	if got := s.auditActions("acme/widget"); got != "lead:approve, intruder:refuse exempt" {
		t.Fatalf("audit: %s", got)
	}
	after, err := s.App.Store.ReviewDecisions(context.Background(), s.widget.ID)
	if err != nil || len(after) != 1 || after[0].Actor != "lead" || !after[0].At.Equal(before[0].At) || after[0].CommentID != c.ID {
		t.Fatalf("the lead's approval changed: %+v → %+v (%v)", before, after, err)
	}
	if is := s.theReviewIssue(); is.State != "closed" || !strings.Contains(is.Body, "approved by @lead") {
		t.Fatalf("review after intruder's edit: %s\n%s", is.State, is.Body)
	}
	if said, ok := s.botSaid("ospo", issue.Number, "@intruder, only members of @acme/ospo-leads may"); !ok {
		t.Fatalf("no reply to intruder; the app said: %s", said)
	}
}

// (b) An approver adds /ospo approve to a contributor's comment: it
// approves as the approver, never as the contributor.
func TestApproverEditingAContributorsCommentDecidesAsTheApprover(t *testing.T) {
	s, issue := reviewWithEditors(t)
	c := s.comment("carol", "ospo", issue.Number, "Could the OSPO look at this? The licence is on its way.")
	s.editComment("ospo", issue.Number, c, c.Body+"\n\n/ospo approve the licence is on its way", "lead")
	s.until("the review is closed", func() bool { return s.theReviewIssue().State == "closed" })
	if is := s.theReviewIssue(); !strings.Contains(is.Body, "approved by @lead") {
		t.Fatalf("review body:\n%s", is.Body)
	}
	if got := s.auditActions("acme/widget"); got != "lead:approve" {
		t.Fatalf("audit: %s", got)
	}
	if got := s.decisions(); got != "lead:approve" {
		t.Fatalf("decisions: %s", got)
	}
}

// (d) The author's own edit runs what it adds as the author, while a line
// an approver added before stays the approver's.
func TestAuthorsEditKeepsTheEditorsLine(t *testing.T) {
	s, issue := reviewWithEditors(t)
	c := s.comment("lead2", "ospo", issue.Number, "Looking at it.")
	c = s.editComment("ospo", issue.Number, c, c.Body+"\n/ospo exempt files the docs live in the wiki", "lead")
	s.until("the exemption is recorded", func() bool { return s.decisions() == "lead:exempt files" })

	s.editComment("ospo", issue.Number, c, c.Body+"\n/ospo approve done", "lead2")
	s.until("the review is closed", func() bool { return s.theReviewIssue().State == "closed" })
	if got := s.decisions(); got != "lead:exempt files, lead2:approve" {
		t.Fatalf("decisions: %s", got)
	}
	if got := s.auditActions("acme/widget"); got != "lead:exempt files, lead2:approve" {
		t.Fatalf("audit: %s", got)
	}
}

// (e) Removing an approver's /ospo approve withdraws it, audited with the
// editor; the comment's other lines stay.
func TestEditorRemovingAnApprovalWithdrawsOnlyIt(t *testing.T) {
	s, issue := reviewWithEditors(t)
	c := s.comment("lead", "ospo", issue.Number, "/ospo exempt files the docs live in the wiki\n/ospo approve ship it")
	s.until("the review is closed", func() bool { return s.theReviewIssue().State == "closed" })

	s.editComment("ospo", issue.Number, c, "/ospo exempt files the docs live in the wiki\n\nNot yet, see below.", "intruder")
	s.until("the review is open again", func() bool { return s.theReviewIssue().State == "open" })
	if got := s.decisions(); got != "lead:exempt files" {
		t.Fatalf("decisions: %s", got)
	}
	if got := s.auditActions("acme/widget"); got != "lead:exempt files, lead:approve, intruder:withdraw approve" {
		t.Fatalf("audit: %s", got)
	}
}

// An edit that only changes the prose around the commands changes nothing,
// whoever makes it.
func TestProseEditChangesNothing(t *testing.T) {
	s, issue := reviewWithEditors(t)
	c := s.comment("lead", "ospo", issue.Number, "/ospo approve ship it")
	s.until("the review is closed", func() bool { return s.theReviewIssue().State == "closed" })
	s.editComment("ospo", issue.Number, c, "Reviewed with legal.\n\n/ospo approve ship it\n\nThanks all!", "intruder")
	if got := s.auditActions("acme/widget"); got != "lead:approve" {
		t.Fatalf("audit: %s", got)
	}
	if is := s.theReviewIssue(); is.State != "closed" || !strings.Contains(is.Body, "approved by @lead") {
		t.Fatalf("review: %s\n%s", is.State, is.Body)
	}
}

// Without changes.body.from the edit is unknown: the stored decisions the
// new body still holds stay their actors'; those it no longer holds are
// withdrawn by the sender (fail closed); every other command is the
// sender's, never the author's.
func TestEditWithoutPreviousBodyActsAsTheSender(t *testing.T) {
	s, issue := reviewWithEditors(t)
	c := s.comment("carol", "ospo", issue.Number, "Please look.")
	c = s.editCommentFrom("ospo", issue.Number, c, "Please look.\n/ospo exempt files the docs live in the wiki", "lead", false)
	s.until("the exemption is recorded", func() bool { return s.decisions() == "lead:exempt files" })

	// The author's edit, GitHub not saying what it changed: the approval
	// is carol's, who may not decide; the lead's exemption stays the lead's.
	s.editCommentFrom("ospo", issue.Number, c, c.Body+"\n/ospo approve", "carol", false)
	if got := s.decisions(); got != "lead:exempt files" {
		t.Fatalf("decisions: %s", got)
	}
	if got := s.auditActions("acme/widget"); got != "lead:exempt files, carol:refuse approve" {
		t.Fatalf("audit: %s", got)
	}
	// intruder removes the exemption, GitHub again not saying: withdrawn.
	s.editCommentFrom("ospo", issue.Number, c, "Please look.", "intruder", false)
	if got := s.decisions(); got != "" {
		t.Fatalf("decisions: %s", got)
	}
}

// A redelivered edit changes nothing more: each edit applies once.
func TestEditAppliesOnce(t *testing.T) {
	s, issue := reviewWithEditors(t)
	c := s.comment("lead", "ospo", issue.Number, "/ospo exempt files the docs live in the wiki\n/ospo approve ship it")
	s.until("the review is closed", func() bool { return s.theReviewIssue().State == "closed" })
	s.editComment("ospo", issue.Number, c, "/ospo exempt files the docs live in the wiki\n/ospo approve ship it\n/ospo approve", "lead2")
	if got := s.decisions(); got != "lead:exempt files, lead:approve, lead2:approve" {
		t.Fatalf("decisions: %s", got)
	}
	// The same payload again under a new delivery ID, as a retried job
	// runs it.
	last := s.sent[len(s.sent)-1]
	s.wait(s.send(last.event, last.body))
	if got := s.decisions(); got != "lead:exempt files, lead:approve, lead2:approve" {
		t.Fatalf("decisions after the same edit again: %s", got)
	}
	if got := s.auditActions("acme/widget"); got != "lead:exempt files, lead:approve, lead2:approve" {
		t.Fatalf("audit: %s", got)
	}
}

// (c) The CLA phrase added to another user's comment signs nobody; the
// reply says a signature must be written by the signer in their own
// comment. Written by carol herself in her own comment, it signs.
func TestPhraseAddedByAnotherSignsNobody(t *testing.T) {
	s := newPRScenario(t)
	if _, err := s.GitHub.AddUser(githubfake.User{Login: "carol", Emails: []string{"carol@example.org"}}); err != nil {
		t.Fatal(err)
	}
	if err := s.GitHub.SetCollaborator("acme", "widget", "bob", "write"); err != nil {
		t.Fatal(err)
	}
	n := s.openPR("widget", "docs", "carol", []string{"kind/docs"},
		githubfake.NewCommit{Message: "Docs", Author: githubfake.Signature{Name: "Carol", Email: "carol@example.org", Login: "carol"},
			Files: map[string]string{"docs.md": "docs"}})
	if cr := s.check("widget", n); cr.Conclusion != "failure" {
		t.Fatalf("unsigned: %+v", cr)
	}
	ids := func() []int64 {
		var out []int64
		for _, u := range []string{"carol", "bob"} {
			usr, _, err := s.admin.Users.Get(context.Background(), u)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, usr.GetID())
		}
		return out
	}()
	thanks := s.prComment("widget", n, "carol", "Thanks!")
	s.editComment("widget", n, thanks, "Thanks!\n\n"+phrase, "bob")
	if sigs, err := s.App.Store.Signatures(context.Background(), "acme", ids); err != nil || len(sigs) != 0 {
		t.Fatalf("bob's edit signed: %+v, %v", sigs, err)
	}
	if said, ok := s.botSaid("widget", n, "must be written by the signer in their own comment"); !ok {
		t.Fatalf("no reply to bob; the app said: %s", said)
	}
	if got := s.auditActions("acme"); strings.Contains(got, "cla sign") {
		t.Fatalf("audit: %s", got)
	}
	s.prComment("widget", n, "carol", phrase)
	s.until("carol signed", func() bool {
		sigs, _ := s.App.Store.Signatures(context.Background(), "acme", ids[:1])
		return len(sigs) == 1
	})
}

// (b, pull request) An approver adding /ospo approve to the author's
// comment approves the protected paths as the approver, at the head when
// the edit was made, not when the comment was written.
func TestApproverEditingAPRCommentApprovesAtTheEditsHead(t *testing.T) {
	s, n, pr := relicensePR(t)
	s.untilConclusion("widget", pr.HeadSHA, "failure")
	if err := s.GitHub.SetCollaborator("acme", "widget", "lead", "write"); err != nil {
		t.Fatal(err)
	}
	ready := s.prComment("widget", n, "alice", "Ready for review.")
	s.GitHub.Advance(2e9)
	if _, err := s.GitHub.Push("acme", "widget", "relicense", githubfake.NewCommit{Message: "Swap the license", Author: alice,
		Files: map[string]string{"LICENSE": licenseText(t, "Apache-2.0.txt")}}); err != nil {
		t.Fatal(err)
	}
	head := s.head(n)
	s.editComment("widget", n, ready, "Ready for review.\n/ospo approve", "lead")
	approvals, err := s.App.Store.PathApprovals(context.Background(), "acme/widget", n)
	if err != nil || len(approvals) != 1 || approvals[0].Login != "lead" || approvals[0].HeadSHA != head {
		t.Fatalf("approvals %+v (%v), want the lead's at %s", approvals, err, head)
	}
	if got := s.auditActions(fmt.Sprintf("acme/widget#%d", n)); got != "lead:approve protected paths" {
		t.Fatalf("audit: %s", got)
	}
}

// (e, pull request) Two approvals in one comment, the author's and an
// editor's: each is its writer's, and an approver removing one line
// withdraws their own.
func TestTwoApprovalsInOneComment(t *testing.T) {
	s, n, pr, c := approvedRelicensePR(t)
	if _, err := s.GitHub.AddUser(githubfake.User{Login: "lead2"}); err != nil {
		t.Fatal(err)
	}
	if err := s.GitHub.SetTeamMembership("acme", "ospo-leads", githubfake.Membership{Login: "lead2"}); err != nil {
		t.Fatal(err)
	}
	if err := s.GitHub.SetCollaborator("acme", "widget", "lead2", "write"); err != nil {
		t.Fatal(err)
	}
	logins := func() string {
		as, err := s.App.Store.PathApprovals(context.Background(), "acme/widget", n)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, a := range as {
			out = append(out, a.Login)
		}
		return strings.Join(out, ", ")
	}
	c = s.editComment("widget", n, c, "/ospo approve\n/ospo approve", "lead2")
	if got := logins(); got != "lead, lead2" {
		t.Fatalf("approvals: %s", got)
	}
	s.editComment("widget", n, c, "/ospo approve", "lead2")
	if got := logins(); got != "lead" {
		t.Fatalf("approvals: %s", got)
	}
	subject := fmt.Sprintf("acme/widget#%d", n)
	if got := s.auditActions(subject); got != "lead:approve protected paths, lead2:approve protected paths, lead2:withdraw approve protected paths" {
		t.Fatalf("audit: %s", got)
	}
	s.untilConclusion("widget", pr.HeadSHA, "success")
}

// The withdrawal an edit makes is committed before the re-check; when the
// re-check fails (GitHub's outage) and the job is retried, the retry finds
// the edit applied but still re-checks, so the pull request does not stay
// green on an approval edited away, and the audit names the editor once.
func TestEditedApprovalRechecksOnRetry(t *testing.T) {
	s, n, pr, c := approvedRelicensePR(t)
	if err := s.GitHub.SetCollaborator("acme", "widget", "bob", "write"); err != nil {
		t.Fatal(err)
	}
	s.GitHub.InjectFault(outage("/repos/{owner}/{repo}/pulls/{pull_number}"))
	s.editComment("widget", n, c, "Not this one.", "bob")
	if got := s.faulted(); got != ghclient.DefaultMaxRetries+1 {
		t.Fatalf("%d requests met the outage: the test does not test what it says", got)
	}
	if cr, _ := s.latestCheck("widget", pr.HeadSHA); cr.Conclusion != "failure" {
		t.Fatalf("after the retried edit the approval still passes: %+v", cr)
	}
	if got := s.auditActions(fmt.Sprintf("acme/widget#%d", n)); got != "lead:approve protected paths, bob:withdraw approve protected paths" {
		t.Fatalf("audit: %s", got)
	}
}
