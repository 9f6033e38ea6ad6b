package review

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/go-github/v66/github"
	"github.com/rs/zerolog"

	"github.com/ospo-bot/ospo-bot/internal/authz"
	"github.com/ospo-bot/ospo-bot/internal/inert"
	"github.com/ospo-bot/ospo-bot/internal/rules"
	"github.com/ospo-bot/ospo-bot/internal/store"
)

// Comment is a comment on an issue that may be a review issue.
type Comment struct {
	InstallationID int64
	Repo           string // owner/name of the issue's repository
	IssueNumber    int
	IssueBody      string
	ID             int64
	Body           string
	OldBody        string // the body before an edit
	Edited         bool
	Author         string
	AuthorIsBot    bool
	URL            string
	At             time.Time

	// The issue's author and labels, as the webhook has them: a marker
	// counts only in the app's own review issue (markers.go).
	IssueAuthor   string
	IssueAuthorID int64
	IssueLabels   []string
}

// Handled says what a comment asked for.
type Handled struct {
	RepositoryID int64 // 0: not a review issue
	Recheck      bool  // the repository should be checked again now
	// Repository is the reviewed repository's owner/name, when Recheck
	// (IssueComment only).
	Repository string
	// Expiries are when the exemptions the comment gave expire: the
	// repository is checked again then.
	Expiries []time.Time
}

// expiries are the expiries of the exemptions among accepted commands.
func expiries(cmds []Command) []time.Time {
	var out []time.Time
	for _, c := range cmds {
		if c.Verb == Exempt && !c.Expires.IsZero() {
			out = append(out, c.Expires)
		}
	}
	return out
}

// HandleComment runs the /ospo commands of a comment on a review issue.
// Deciding commands from someone who may not decide change nothing and
// get one reply naming who may; every decision and refusal is audited.
func (m *Manager) HandleComment(ctx context.Context, client *github.Client, c Comment, auth func(repositoryID int64) (authz.Authority, error)) (Handled, error) {
	if c.AuthorIsBot || strings.HasSuffix(c.Author, "[bot]") {
		return Handled{}, nil
	}
	auth = once(auth)
	repoID, err := m.reviewedRepository(ctx, client, c, auth)
	if err != nil || repoID == 0 {
		return Handled{}, err
	}
	h := Handled{RepositoryID: repoID}
	if err := m.recordResponse(ctx, c, repoID); err != nil {
		return h, err
	}
	// CLA revocations are not about this review; the pull request side
	// runs them wherever they are written. An edit is HandleEdit's.
	cmds, perrs := reviewCommands(c.Body)
	cmds, past := refusePast(c.Body, cmds, c.At)
	perrs = byLine(append(perrs, past...))
	logger := zerolog.Ctx(ctx)
	replies, recheck, deciding := triage(cmds, perrs)
	h.Recheck = recheck

	accepted := false // deciding commands recorded: acknowledged with a reaction
	if len(deciding) > 0 {
		a, err := auth(repoID)
		if err != nil {
			return h, err
		}
		row, _ := m.Store.ReviewIssue(ctx, repoID)
		subject := row.Repository
		if subject == "" {
			subject = fmt.Sprintf("repository %d", repoID)
		}
		ok, err := authz.MayDecide(ctx, client, a, c.Author)
		if err != nil {
			return h, err
		}
		if !ok {
			replies = append(replies, fmt.Sprintf("%s, only %s may approve, reject or exempt; nothing changed.", inert.Mention(c.Author), authz.Describe(a)))
			for i, cmd := range deciding {
				if err := m.audit(ctx, c, a, subject, "refuse "+string(cmd.Verb), "not an approver", i); err != nil {
					return h, err
				}
			}
			logger.Info().Str("actor", c.Author).Msg("refused /ospo command from someone who may not decide")
		} else {
			if err := m.record(ctx, c, repoID, deciding, a, subject); err != nil {
				return h, err
			}
			h.Recheck, accepted, h.Expiries = true, true, expiries(deciding)
		}
	}
	return h, m.AnswerOnce(ctx, client, owner(c.Repo), name(c.Repo), c.IssueNumber, c.ID, accepted, replies)
}

// Withdraw forgets the decisions of a deleted comment, audits each with
// who deleted it, and asks for the repository to be re-checked so that its
// review issue shows the withdrawal. A comment that decided nothing (or
// whose decisions were withdrawn already) changes nothing. how says what
// became of the comment ("deleted"); an edit is HandleEdit's.
//
// Anyone with write access may delete or edit any comment, so removing a
// comment may only fail closed: an approval or an exemption is always
// withdrawn, but a rejection or an unexemption, which hold the review
// back, is withdrawn only when the one who removed it may decide reviews
// (live, as for every command); otherwise it stands, and the refusal is
// audited.
func (m *Manager) Withdraw(ctx context.Context, client *github.Client, c Comment, deletedBy, how string, auth func(repositoryID int64) (authz.Authority, error)) (Handled, error) {
	if c.AuthorIsBot || strings.HasSuffix(c.Author, "[bot]") {
		return Handled{}, nil // bots' comments decide nothing
	}
	auth = once(auth)
	repoID, err := m.reviewedRepository(ctx, client, c, auth)
	if err != nil || repoID == 0 {
		return Handled{}, err
	}
	a, err := auth(repoID)
	if err != nil {
		return Handled{}, err
	}
	row, _ := m.Store.ReviewIssue(ctx, repoID)
	subject := row.Repository
	if subject == "" {
		subject = fmt.Sprintf("repository %d", repoID)
	}
	mayLift, err := m.mayLift(ctx, client, a, repoID, c.ID, deletedBy)
	if err != nil {
		return Handled{}, err
	}
	keep := func(d store.ReviewDecision) bool { return !mayLift && restricts(Verb(d.Verb)) }
	gone, err := m.Store.WithdrawCommentDecisions(ctx, c.ID, keep, func(d store.ReviewDecision) store.AuditEntry {
		action := "withdraw " + d.Verb
		if d.Rule != "" {
			action += " " + d.Rule
		}
		reason := fmt.Sprintf("@%s's comment was %s", d.Actor, how)
		if keep(d) {
			action, reason = "refuse "+action, reason+"; only "+authz.Describe(a)+" may lift it"
		}
		return store.AuditEntry{InstallationID: c.InstallationID, Actor: deletedBy, Action: action, Subject: subject,
			Reason: reason, URL: d.URL, PolicyVersion: a.PolicyVersion}
	})
	if err != nil {
		return Handled{}, err
	}
	if len(gone) == 0 {
		// A retry finds the decisions withdrawn by the attempt that failed
		// after it: re-check all the same when the comment decided.
		return Handled{RepositoryID: repoID, Recheck: decides(c.Body) || decides(c.OldBody)}, nil
	}
	zerolog.Ctx(ctx).Info().Int64("comment_id", c.ID).Str("deleted_by", deletedBy).Str("how", how).Int("decisions", len(gone)).Msg("decisions withdrawn: their comment was deleted or edited by someone else")
	return Handled{RepositoryID: repoID, Recheck: true}, nil
}

// decides reports whether a comment's body holds a deciding command.
func decides(body string) bool {
	cmds, _ := Parse(body)
	return slices.ContainsFunc(cmds, Command.Decides)
}

// restricts: a decision that holds a review back, which only someone who
// may decide may lift.
func restricts(v Verb) bool { return v == Reject || v == Unexempt }

// mayLift reports whether who may lift the restricting decisions of a
// comment: asked of GitHub only when the comment has any.
func (m *Manager) mayLift(ctx context.Context, client *github.Client, a authz.Authority, repoID, commentID int64, who string) (bool, error) {
	ds, err := m.Store.ReviewDecisions(ctx, repoID)
	if err != nil {
		return false, err
	}
	if !slices.ContainsFunc(ds, func(d store.ReviewDecision) bool { return d.CommentID == commentID && restricts(Verb(d.Verb)) }) {
		return true, nil
	}
	if who == "" {
		return false, nil
	}
	return authz.MayDecide(ctx, client, a, who)
}

// record stores a comment's decisions (replacing an earlier version of the
// comment's) and audits each.
func (m *Manager) record(ctx context.Context, c Comment, repoID int64, cmds []Command, a authz.Authority, subject string) error {
	failing, err := m.failingNow(ctx, repoID)
	if err != nil {
		return err
	}
	ds := make([]store.ReviewDecision, len(cmds))
	for i, cmd := range cmds {
		ds[i] = store.ReviewDecision{Seq: i, RepositoryID: repoID, Actor: c.Author, Verb: string(cmd.Verb),
			Rule: cmd.Rule, Reason: cmd.Reason, URL: c.URL, At: c.At, Expires: cmd.Expires}
		if cmd.Verb == Approve {
			ds[i].Failing = failing
		}
	}
	if err := m.Store.ReplaceCommentDecisions(ctx, c.ID, ds); err != nil {
		return err
	}
	if err := m.recordDecisions(ctx, c.InstallationID, repoID, c.Author, ds, func(i int) string { return CommandKey(c.ID, i, ds[i].Verb) }); err != nil {
		return err
	}
	for i, cmd := range cmds {
		if err := m.audit(ctx, c, a, subject, cmd.action(), cmd.Reason, i); err != nil {
			return err
		}
	}
	return nil
}

// audit writes the entry of the i-th deciding command of a new comment,
// once however often the comment is delivered (CommandKey).
func (m *Manager) audit(ctx context.Context, c Comment, a authz.Authority, subject, action, reason string, i int) error {
	return m.Store.AppendAudit(ctx, store.AuditEntry{
		InstallationID: c.InstallationID, Actor: c.Author, Action: action, Subject: subject,
		Reason: reason, URL: c.URL, PolicyVersion: a.PolicyVersion, Key: CommandKey(c.ID, i, action),
	})
}

// failingNow lists the enforce rules failing in the repository's latest
// check, which an approval accepts.
func (m *Manager) failingNow(ctx context.Context, repoID int64) ([]string, error) {
	chk, err := m.Store.RepositoryCheckOf(ctx, repoID)
	if store.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var fs []rules.Finding
	if err := json.Unmarshal([]byte(chk.Findings), &fs); err != nil {
		return nil, fmt.Errorf("read the last check of repository %d: %w", repoID, err)
	}
	return FailingEnforce(fs), nil
}

func unknownRules(cmds []Command) []ParseError {
	var errs []ParseError
	for _, c := range cmds {
		if c.Rule != "" && !slices.Contains(rules.IDs, c.Rule) {
			errs = append(errs, ParseError{Line: c.Line, Text: "/ospo " + string(c.Verb) + " " + c.Rule,
				Problem: fmt.Sprintf("unknown rule %s; the rules are %s", inert.Code(c.Rule), strings.Join(rules.IDs, ", "))})
		}
	}
	return errs
}

func owner(fullName string) string { o, _ := split(fullName); return o }
func name(fullName string) string  { _, n := split(fullName); return n }
