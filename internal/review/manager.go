package review

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/google/go-github/v66/github"
	"github.com/rs/zerolog"

	"github.com/ospo-bot/ospo-bot/internal/appbot"
	"github.com/ospo-bot/ospo-bot/internal/ghclient"
	"github.com/ospo-bot/ospo-bot/internal/inert"
	"github.com/ospo-bot/ospo-bot/internal/store"
)

// Manager keeps review issues in step with repository results and runs the
// /ospo commands.
type Manager struct {
	Store *store.Store
	// Bot knows the app's bot user: only its issues are review issues.
	Bot *appbot.Resolver

	issues issueIndex // the review issues found by their markers
}

// State replays a repository's recorded decisions.
func (m *Manager) State(ctx context.Context, repositoryID int64) (State, error) {
	rows, err := m.Store.ReviewDecisions(ctx, repositoryID)
	if err != nil {
		return State{}, err
	}
	return Replay(Decisions(rows)), nil
}

// Decisions are the recorded decisions as Replay reads them.
func Decisions(rows []store.ReviewDecision) []Decision {
	ds := make([]Decision, len(rows))
	for i, r := range rows {
		ds[i] = Decision{CommentID: r.CommentID, Seq: r.Seq, Actor: r.Actor, Verb: Verb(r.Verb), Rule: r.Rule,
			Reason: r.Reason, URL: r.URL, At: r.At, Expires: r.Expires, Failing: r.Failing}
	}
	return ds
}

// Target says where a repository's review issue lives and how it behaves.
type Target struct {
	InstallationID int64
	Repo           string // owner/name of the issue's repository; empty: the reviewed repository
	Label          string
	AutoClose      bool
	// Fallbacks are where the issue goes, in order, when Repo has its
	// issues disabled (the org's .github repository).
	Fallbacks []string
}

// Sync opens, updates, reopens or closes the repository's review issue so
// it shows rep. It edits only what differs and comments only when a human
// must know: a new enforce failure, all enforce rules passing, an approval,
// a reopening, or the repository made private.
func (m *Manager) Sync(ctx context.Context, client *github.Client, t Target, rep Report) error {
	s := rep.Snapshot
	fullName := s.Owner + "/" + s.Name
	if t.Repo == "" {
		t.Repo = fullName
	}
	row, err := m.Store.ReviewIssue(ctx, s.ID)
	if err != nil && !store.IsNotFound(err) {
		return err
	}
	if err != nil || row.IssueNumber == 0 {
		if !rep.Flagged {
			return nil
		}
		return m.open(ctx, client, t, rep, err == nil)
	}
	owner, name := split(row.ReviewRepo)
	issue, _, err := client.Issues.Get(ctx, owner, name, row.IssueNumber)
	if ghclient.Status(err) == http.StatusNotFound || ghclient.Status(err) == http.StatusGone {
		// The issue (or its repository) is gone: start afresh.
		zerolog.Ctx(ctx).Warn().Str("review_issue", fmt.Sprintf("%s#%d", row.ReviewRepo, row.IssueNumber)).Msg("review issue is gone; opening a new one if needed")
		m.issues.forget(row.ReviewRepo, t.Label, s.ID, row.IssueNumber)
		if err := m.Store.DeleteReviewIssue(ctx, s.ID); err != nil {
			return err
		}
		if !rep.Flagged {
			return nil
		}
		return m.open(ctx, client, t, rep, false)
	}
	if err != nil {
		return fmt.Errorf("read review issue %s#%d: %w", row.ReviewRepo, row.IssueNumber, err)
	}
	return m.update(ctx, client, t, rep, row, issue)
}

// update brings the review issue (as read from GitHub) and its row (as
// read from the store) in step with rep, and says on the issue what a
// human must know, once.
func (m *Manager) update(ctx context.Context, client *github.Client, t Target, rep Report, row store.ReviewIssue, issue *github.Issue) error {
	s := rep.Snapshot
	fullName := s.Owner + "/" + s.Name
	owner, name := split(row.ReviewRepo)
	edit := &github.IssueRequest{}
	changed := false
	if body := Body(rep); issue.GetBody() != body {
		edit.Body, changed = &body, true
	}
	if title := Title(fullName); issue.GetTitle() != title {
		edit.Title, changed = &title, true
	}
	open := issue.GetState() == "open"
	failing := FailingEnforce(rep.Findings)
	digest := strings.Join(failing, ",")
	var notes []string
	switch {
	case rep.Flagged && !open:
		edit.State, changed = github.String("open"), true
		notes = append(notes, "Reopened: "+strings.Join(rep.Reasons, "; ")+".")
	case !rep.Flagged && open && rep.State.Status == Approved:
		d := rep.State.Decided
		note := "Approved by " + inert.Mention(d.Actor)
		if d.Reason != "" {
			note += ": " + inert.Text(d.Reason)
		}
		notes = append(notes, note+". Closing this review.")
		edit.State, edit.StateReason, changed = github.String("closed"), github.String("completed"), true
	case !rep.Flagged && open && t.AutoClose:
		notes = append(notes, "Every enforce rule passes now. Closing this review (`review.auto_close`).")
		edit.State, edit.StateReason, changed = github.String("closed"), github.String("completed"), true
	case open && digest != row.Notified:
		if n := changeNote(row.Notified, failing); n != "" {
			notes = append(notes, n)
		}
	}
	if rep.MadePrivate {
		notes = append(notes, "This repository was made public without an approval, so it was made private again, as the policy asks (`review.private_until_approved`).")
	}
	if rep.NotMadePrivate != "" {
		notes = append(notes, NotMadePrivateNote(rep.NotMadePrivate))
	}
	if err := m.recordLife(ctx, t, rep, row, issue, edit.State); err != nil {
		return err
	}
	if len(notes) > 0 {
		// Once per change: the key names the row as this attempt read it
		// (every Sync that gets through rewrites it, after the issue's
		// update) and what the note says, so a retry of a failed attempt
		// finds its note, and the same note after a change is a new one.
		note := strings.Join(notes, "\n\n")
		sum := sha256.Sum256([]byte(fmt.Sprintf("%d %s#%d %d %s", s.ID, row.ReviewRepo, row.IssueNumber, row.UpdatedAt.UnixNano(), note)))
		id := hex.EncodeToString(sum[:8])
		if err := m.CommentOnce(ctx, client, owner, name, row.IssueNumber, "review note "+id, noteMarker(id), note); err != nil {
			return err
		}
	}
	if changed {
		if _, _, err := client.Issues.Edit(ctx, owner, name, row.IssueNumber, edit); err != nil {
			return fmt.Errorf("update review issue %s#%d: %w", row.ReviewRepo, row.IssueNumber, err)
		}
	}
	if t.Repo == fullName && row.ReviewRepo == row.Repository {
		row.ReviewRepo = fullName // the issue moved with a renamed or transferred repository
	}
	row.Repository, row.Notified, row.InstallationID = fullName, digest, t.InstallationID
	return m.Store.UpdateReviewIssue(ctx, row)
}

// noteMarker names, hidden in a note on a review issue, the change it
// tells of.
func noteMarker(id string) string { return "<!-- ospo-bot:review-note " + id + " -->" }

// changeNote says what changed among the failing enforce rules, or nothing
// when rules only got fixed while others still fail.
func changeNote(before string, now []string) string {
	var prev []string
	if before != "" {
		prev = strings.Split(before, ",")
	}
	var anew []string
	for _, r := range now {
		if !slices.Contains(prev, r) {
			anew = append(anew, r)
		}
	}
	switch {
	case len(anew) > 0:
		return "❌ Now failing: " + strings.Join(anew, ", ") + ". See the checklist above."
	case len(now) == 0 && len(prev) > 0:
		return "✅ Every enforce rule passes now. An approver can approve with `/ospo approve`."
	}
	return ""
}

// open creates the review issue, or adopts one that already carries the
// repository's marker (our record may be newer than the issue). Where
// GitHub refuses issues (disabled: 410; archived: 403) it tries
// t.Fallbacks in order and says so on the issue it opens; when every one
// refuses it returns an *IssuesDisabledError.
func (m *Manager) open(ctx context.Context, client *github.Client, t Target, rep Report, rowExists bool) error {
	s := rep.Snapshot
	fullName := s.Owner + "/" + s.Name
	claim := store.ReviewIssue{RepositoryID: s.ID, InstallationID: t.InstallationID, Repository: fullName, ReviewRepo: t.Repo}
	// The claim is the record the issue's number goes into. It does not
	// serialise: the caller holds the repository's lease (every check
	// does), so a claim without an issue is an earlier attempt's that died
	// before it opened one, and this attempt goes on at once: it adopts
	// the issue by its marker if that attempt did open it.
	row, _, err := m.Store.ClaimReviewIssue(ctx, claim)
	if err != nil {
		return err
	}
	var refused []refusal
	for _, repo := range append([]string{t.Repo}, t.Fallbacks...) {
		if slices.ContainsFunc(refused, func(r refusal) bool { return r.repo == repo }) {
			continue
		}
		err := m.openIn(ctx, client, t, rep, row, repo, refused)
		var no *refusal
		if !errors.As(err, &no) {
			return err
		}
		no.repo = repo
		zerolog.Ctx(ctx).Warn().Str("review_repository", repo).Str("why", no.why).Msg("GitHub refuses issues there: the review issue cannot be opened in it")
		refused = append(refused, *no)
	}
	e := &IssuesDisabledError{Repository: fullName}
	for _, r := range refused {
		e.Disabled, e.Reasons = append(e.Disabled, r.repo), append(e.Reasons, r.why)
	}
	return m.release(ctx, s.ID, e)
}

// openIn opens (or adopts) the review issue in repo, or returns a
// *refusal when GitHub refuses issues there. refused lists the
// repositories tried before, which refused.
func (m *Manager) openIn(ctx context.Context, client *github.Client, t Target, rep Report, row store.ReviewIssue, repo string, refused []refusal) error {
	s := rep.Snapshot
	fullName := s.Owner + "/" + s.Name
	owner, name := split(repo)
	bot, err := m.Bot.Resolve(ctx, client)
	if err != nil {
		return m.release(ctx, s.ID, err)
	}
	number, err := m.issues.find(ctx, client, owner, name, t.Label, s.ID, bot)
	if err != nil {
		return m.release(ctx, s.ID, err)
	}
	if number != 0 {
		// Adopted as if opened here: its checklist is rewritten, and tells.
		row.IssueNumber, row.ReviewRepo, row.Notified = number, repo, strings.Join(FailingEnforce(rep.Findings), ",")
		if err := m.Store.UpdateReviewIssue(ctx, row); err != nil {
			return err
		}
		return m.Sync(ctx, client, t, rep)
	}
	if err := ensureLabel(ctx, client, owner, name, t.Label); err != nil {
		if no := refuses(err); no != nil {
			return no
		}
		return m.release(ctx, s.ID, err)
	}
	body := Body(rep)
	issue, _, err := client.Issues.Create(ctx, owner, name, &github.IssueRequest{
		Title: github.String(Title(fullName)), Body: &body, Labels: &[]string{t.Label},
	})
	if no := refuses(err); no != nil {
		return no
	}
	if err != nil {
		return m.release(ctx, s.ID, fmt.Errorf("open review issue in %s: %w", repo, err))
	}
	// Recorded at once: a retry (after a note below failed) adopts the
	// issue without waiting for the claim to go stale.
	row.IssueNumber, row.ReviewRepo, row.InstallationID = issue.GetNumber(), repo, t.InstallationID
	row.Notified = strings.Join(FailingEnforce(rep.Findings), ",")
	if err := m.Store.UpdateReviewIssue(ctx, row); err != nil {
		return err
	}
	zerolog.Ctx(ctx).Info().Str("review_issue", issue.GetHTMLURL()).Msg("review issue opened")
	if len(refused) > 0 {
		key := fmt.Sprintf("review issue %s#%d fallback note", repo, row.IssueNumber)
		if err := m.CommentOnce(ctx, client, owner, name, row.IssueNumber, key, noteMarker("fallback"), fallbackNote(refused, fullName, t.Repo)); err != nil {
			return err
		}
	}
	// The rest (made private, or not) is said as Sync says it, under the
	// same key as a retry's Sync says it.
	if row, err = m.Store.ReviewIssue(ctx, s.ID); err != nil {
		return err
	}
	return m.update(ctx, client, t, rep, row, issue)
}

// refusal says why GitHub refuses issues in a repository.
type refusal struct {
	repo, why string // why: issuesDisabled or archived
}

const (
	issuesDisabled = "issues are disabled"
	archived       = "it is archived"
)

func (r *refusal) Error() string { return r.repo + ": " + r.why }

// refuses tells whether err is GitHub refusing issues in the repository:
// 410 where issues are disabled, 403 "Repository was archived so is
// read-only." where it is archived
// (https://docs.github.com/rest/issues/issues#create-an-issue lists 410;
// every write to an archived repository is refused). nil otherwise.
func refuses(err error) *refusal {
	var e *github.ErrorResponse
	if !errors.As(err, &e) || e.Response == nil {
		return nil
	}
	switch {
	case e.Response.StatusCode == http.StatusGone:
		return &refusal{why: issuesDisabled}
	case e.Response.StatusCode == http.StatusForbidden && strings.Contains(e.Message, "archived"):
		return &refusal{why: archived}
	}
	return nil
}

// IssuesDisabledError says that no repository the review issue may go to
// takes issues (disabled, or archived). Retrying cannot fix it; an admin
// must.
type IssuesDisabledError struct {
	Repository string   // the reviewed repository
	Disabled   []string // where its review issue was refused, in order
	Reasons    []string // why each refused
}

func (e *IssuesDisabledError) Error() string {
	if !slices.ContainsFunc(e.Reasons, func(r string) bool { return r != issuesDisabled }) {
		return fmt.Sprintf("cannot open the review issue of %s: issues are disabled in %s; enable issues in %s or set review.repository to a repository that has them",
			e.Repository, strings.Join(e.Disabled, " and "), e.Disabled[0])
	}
	var each []string
	for i, r := range e.Disabled {
		each = append(each, r+": "+e.Reasons[i])
	}
	return fmt.Sprintf("cannot open the review issue of %s: GitHub refuses issues in %s; enable issues or unarchive %s, or set review.repository to a repository that takes issues",
		e.Repository, strings.Join(each, "; "), e.Disabled[0])
}

// fallbackNote explains why a review issue is not where the policy says.
func fallbackNote(refused []refusal, fullName, wanted string) string {
	where := "`" + wanted + "` (`review.repository`)"
	if wanted == fullName {
		where = "`" + wanted + "` itself (`review.repository` is not set)"
	}
	var also []string
	for _, r := range refused[1:] {
		also = append(also, r.repo)
	}
	lead, fix := "Issues are disabled in "+where, "Enable issues there"
	if refused[0].why == archived {
		lead, fix = where+" is archived", "Unarchive it"
	}
	if len(also) > 0 {
		lead += " (and in " + strings.Join(also, ", ") + ")"
	}
	return fmt.Sprintf("⚠️ %s, so ospo-bot opened the review of `%s` here instead. "+
		"%s, or set `review.repository` to a repository that takes issues; this issue stays the review meanwhile.", lead, fullName, fix)
}

func (m *Manager) release(ctx context.Context, repositoryID int64, err error) error {
	return errors.Join(err, m.Store.ReleaseReviewIssue(ctx, repositoryID))
}

// ensureLabel creates the review label when the repository lacks it.
func ensureLabel(ctx context.Context, client *github.Client, owner, name, label string) error {
	_, _, err := client.Issues.GetLabel(ctx, owner, name, url.PathEscape(label)) // go-github does not escape it
	if err == nil {
		return nil
	}
	if ghclient.Status(err) != http.StatusNotFound {
		return fmt.Errorf("read label %q of %s/%s: %w", label, owner, name, err)
	}
	_, _, err = client.Issues.CreateLabel(ctx, owner, name, &github.Label{
		Name: github.String(label), Color: github.String("5319e7"), Description: github.String("OSPO review of a repository (ospo-bot)"),
	})
	if err != nil && !ghclient.AlreadyExists(err) { // created meanwhile, or by a request whose response was lost
		return fmt.Errorf("create label %q in %s/%s: %w", label, owner, name, err)
	}
	return nil
}

// acknowledge reacts +1 to a comment that did something. GitHub keeps
// one reaction per user and content: doing it again changes nothing.
func acknowledge(ctx context.Context, client *github.Client, owner, name string, commentID int64) error {
	if _, _, err := client.Reactions.CreateIssueCommentReaction(ctx, owner, name, commentID, "+1"); err != nil {
		return fmt.Errorf("acknowledge comment %d: %w", commentID, err)
	}
	return nil
}

func split(fullName string) (string, string) {
	owner, name, _ := strings.Cut(fullName, "/")
	return owner, name
}
