package githubfake

import (
	"encoding/json"
	"fmt"

	"github.com/google/go-github/v66/github"
)

// IssueCommentEvent builds the issue_comment webhook GitHub sends when
// sender creates, edits or deletes comment c on an issue or pull request
// (action "created", "edited" or "deleted"). For "edited", from is the body
// before the edit (changes.body.from); nil sends the event without it, as
// GitHub does when the body did not change. The issue, the comment and the
// people are rendered as the REST API renders them: the issue's author and
// labels, its pull_request links when it is one, the comment's author as
// an account with its ID and type. A deleted comment is rendered from c,
// as it was.
// (https://docs.github.com/webhooks/webhook-events-and-payloads#issue_comment)
func (f *Fake) IssueCommentEvent(installationID int64, owner, name string, c Comment, action, sender string, from *string) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.st.repo(owner, name)
	if r == nil || r.issue(c.Number) == nil {
		return nil, fmt.Errorf("githubfake: no issue %d in %s/%s", c.Number, owner, name)
	}
	who, author := f.st.account(sender), f.st.account(c.User)
	if who == nil || author == nil {
		return nil, fmt.Errorf("githubfake: no user %q or %q", sender, c.User)
	}
	cm := r.comment(c.ID)
	if cm == nil {
		if action != "deleted" {
			return nil, fmt.Errorf("githubfake: no comment %d in %s/%s", c.ID, owner, name)
		}
		cm = &comment{id: c.ID, number: c.Number, user: author, body: c.Body, created: c.CreatedAt, updated: c.UpdatedAt}
	}
	call := &call{base: f.URL()}
	ev := struct {
		Action       string               `json:"action"`
		Changes      *github.EditChange   `json:"changes,omitempty"`
		Issue        *issueOut            `json:"issue"`
		Comment      *github.IssueComment `json:"comment"`
		Repo         *github.Repository   `json:"repository"`
		Sender       *github.User         `json:"sender"`
		Installation *github.Installation `json:"installation"`
	}{Action: action, Issue: f.issueJSON(call, r, r.issue(c.Number)), Comment: f.commentJSON(call, r, cm),
		Repo: f.hookRepo(r), Sender: f.userJSON(call, who), Installation: &github.Installation{ID: ptr(installationID)}}
	if action == "edited" {
		ev.Changes = &github.EditChange{}
		if from != nil {
			ev.Changes.Body = &github.EditBody{From: from}
		}
	}
	return json.Marshal(ev)
}
