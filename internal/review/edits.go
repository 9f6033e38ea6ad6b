package review

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/go-github/v66/github"
	"github.com/rs/zerolog"

	"github.com/ospo-bot/ospo-bot/internal/authz"
	"github.com/ospo-bot/ospo-bot/internal/mdtext"
	"github.com/ospo-bot/ospo-bot/internal/rules"
	"github.com/ospo-bot/ospo-bot/internal/store"
)

// Edits are the editor's. Anyone with write access may edit anyone's
// comment (GitHub's CommentCannotEditReason: "You must be the author or
// have write access to this repository to edit this comment",
// https://docs.github.com/graphql/reference/enums#commentcannoteditreason),
// so a decision belongs to whoever wrote its line, and an edit changes
// only what it adds or removes. The commands before the edit
// (changes.body.from) and after are compared as multisets of (verb, rule,
// reason):
//
//   - a command in both keeps its stored decision as it was (actor, time);
//   - a removed one withdraws its decision, by the editor: an approval or
//     an exemption always (fail closed), a rejection or an unexemption of
//     someone else only when the editor may decide; otherwise it stands,
//     and the refusal is audited and replied to;
//   - an added one runs as the editor: deciding ones only when the editor
//     may decide (live, MayDecide), otherwise refused, audited and
//     replied to.
//
// When GitHub sends no previous text, the commands before are taken to be
// the comment's stored decisions: those the new text still holds stay
// their actors', those it no longer holds are withdrawn by the editor as
// above, and every other command in it is the editor's, never the
// author's.

// Edit is an edit of a comment on what may be a review issue.
type Edit struct {
	Comment            // the comment after the edit; At is when it was edited
	Editor      string // the event's sender
	EditorIsBot bool
	OldKnown    bool // GitHub sent the text before (changes.body.from), in OldBody
}

// Key identifies a command for comparing two versions of a comment.
type Key struct {
	Verb         Verb
	Rule, Reason string
	Expires      int64 // Unix seconds; 0: none
}

// KeyOf is a command's key.
func KeyOf(c Command) Key { return Key{c.Verb, c.Rule, c.Reason, unixOrZero(c.Expires)} }

// unixOrZero is t in Unix seconds, 0 for the zero time.
func unixOrZero(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

// Changed compares the commands of two versions of a comment as
// multisets: added are the commands of after beyond those of before (in
// after's order), removed how many of each key before held beyond after.
func Changed(before, after []Command) (added []Command, removed map[Key]int) {
	count := map[Key]int{}
	for _, c := range before {
		count[KeyOf(c)]++
	}
	for _, c := range after {
		if count[KeyOf(c)] > 0 {
			count[KeyOf(c)]--
			continue
		}
		added = append(added, c)
	}
	removed = map[Key]int{}
	for k, n := range count {
		if n > 0 {
			removed[k] = n
		}
	}
	return added, removed
}

// chooseWithdrawn picks, for each removed key, that many of the comment's
// stored decisions with it: the editor's own first (an edit removing a
// line most likely removes the editor's), then the others, oldest first.
// Identical lines cannot be told apart, so the count decides (fail closed:
// an approval whose line may be gone is withdrawn).
func chooseWithdrawn(stored []store.ReviewDecision, removed map[Key]int, editor string) []store.ReviewDecision {
	var out []store.ReviewDecision
	for _, own := range []bool{true, false} {
		for _, d := range stored {
			k := Key{Verb(d.Verb), d.Rule, d.Reason, unixOrZero(d.Expires)}
			if removed[k] > 0 && strings.EqualFold(d.Actor, editor) == own {
				removed[k]--
				out = append(out, d)
			}
		}
	}
	return out
}

// reviewCommands reads the commands of a comment that concern a review:
// not CLA revocations (the pull request side runs those), and not
// commands naming an unknown rule (returned as errors).
func reviewCommands(body string) ([]Command, []ParseError) {
	cmds, perrs := Parse(body)
	cmds = slices.DeleteFunc(cmds, func(cmd Command) bool { return cmd.Verb == RevokeCLA })
	perrs = append(perrs, allowHere(body, cmds)...)
	cmds = slices.DeleteFunc(cmds, func(cmd Command) bool { return cmd.Verb == Allow })
	perrs = append(perrs, unknownRules(cmds)...)
	cmds = slices.DeleteFunc(cmds, func(cmd Command) bool { return cmd.Rule != "" && !slices.Contains(rules.IDs, cmd.Rule) })
	return cmds, perrs
}

// allowHere answers an `/ospo allow` on a review issue: it allows a
// package on a pull request, or for every repository in ospo.yml.
func allowHere(body string, cmds []Command) []ParseError {
	var errs []ParseError
	for _, c := range cmds {
		if c.Verb != Allow {
			continue
		}
		text := ""
		for _, l := range mdtext.Lines(body) {
			if l.Number == c.Line {
				text = l.Text
			}
		}
		errs = append(errs, ParseError{c.Line, text, "`/ospo allow` works on the pull request that adds the package; " +
			"to allow it in every repository, add it to `pull_request.dependencies.exceptions` in ospo.yml"})
	}
	return errs
}

// HandleEdit applies an edit of a comment on a review issue: what it
// removed is withdrawn and what it added runs, both as the editor. Every
// change and refusal is audited with the editor; an edit that only
// changes the prose around the commands changes nothing. An edit is
// applied once, however often its event is delivered.
func (m *Manager) HandleEdit(ctx context.Context, client *github.Client, e Edit, auth func(repositoryID int64) (authz.Authority, error)) (Handled, error) {
	repoID, err := m.reviewedRepository(ctx, client, e.Comment, auth)
	if err != nil || repoID == 0 {
		return Handled{}, err
	}
	h := Handled{RepositoryID: repoID}
	all, err := m.Store.ReviewDecisions(ctx, repoID)
	if err != nil {
		return h, err
	}
	stored := slices.DeleteFunc(all, func(d store.ReviewDecision) bool { return d.CommentID != e.ID })

	cmds, perrs := reviewCommands(e.Body)
	var before []Command
	var oldErrs []ParseError
	if e.OldKnown {
		before, oldErrs = reviewCommands(e.OldBody)
	} else {
		for _, d := range stored {
			before = append(before, Command{Verb: Verb(d.Verb), Rule: d.Rule, Reason: d.Reason, Expires: d.Expires})
		}
	}
	added, removed := Changed(before, cmds)
	perrs = AddedErrors(oldErrs, perrs)
	added, past := refusePast(e.Body, added, e.At) // only what the edit wrote is judged by its time
	perrs = byLine(append(perrs, past...))
	if e.EditorIsBot || strings.HasSuffix(e.Editor, "[bot]") {
		added, perrs = nil, nil // bots decide nothing; what they remove is withdrawn all the same
	}
	// A retry re-checks even when the decisions are already withdrawn.
	for k := range removed {
		if (Command{Verb: k.Verb}).Decides() {
			h.Recheck = true
		}
	}
	withdrawn := chooseWithdrawn(stored, removed, e.Editor)
	if len(added) == 0 && len(withdrawn) == 0 && len(perrs) == 0 {
		return h, nil // nothing the comment decided changed
	}

	replies, recheck, deciding := triage(added, perrs)
	h.Recheck = h.Recheck || recheck
	lifting := slices.ContainsFunc(withdrawn, func(d store.ReviewDecision) bool {
		return restricts(Verb(d.Verb)) && !strings.EqualFold(d.Actor, e.Editor)
	})
	edit := store.ReviewEdit{CommentID: e.ID, Key: store.EditKey(e.ID, e.At, e.OldKnown, e.OldBody, e.Body)}
	accepted := false
	if len(deciding) > 0 || len(withdrawn) > 0 {
		a, err := auth(repoID)
		if err != nil {
			return h, err
		}
		may := false
		if (len(deciding) > 0 || lifting) && e.Editor != "" {
			if may, err = authz.MayDecide(ctx, client, a, e.Editor); err != nil {
				return h, err
			}
		}
		row, _ := m.Store.ReviewIssue(ctx, repoID)
		subject := row.Repository
		if subject == "" {
			subject = fmt.Sprintf("repository %d", repoID)
		}
		entry := func(action, reason string) store.AuditEntry {
			return store.AuditEntry{InstallationID: e.InstallationID, Actor: e.Editor, Action: action, Subject: subject,
				Reason: reason, URL: e.URL, PolicyVersion: a.PolicyVersion}
		}
		for _, d := range withdrawn {
			action := strings.TrimSpace("withdraw " + d.Verb + " " + d.Rule)
			reason := fmt.Sprintf("@%s removed @%s's line from the comment", e.Editor, d.Actor)
			if restricts(Verb(d.Verb)) && !strings.EqualFold(d.Actor, e.Editor) && !may {
				edit.Audit = append(edit.Audit, entry("refuse "+action, reason+"; only "+authz.Describe(a)+" may lift it"))
				replies = append(replies, fmt.Sprintf("@%s, your edit removed @%s's `/ospo %s`, which stands: only %s may lift it.",
					e.Editor, d.Actor, strings.TrimSpace(d.Verb+" "+d.Rule), authz.Describe(a)))
				continue
			}
			edit.Withdraw = append(edit.Withdraw, d)
			edit.Audit = append(edit.Audit, entry(action, reason))
			h.Recheck = true
		}
		if len(deciding) > 0 && !may {
			replies = append(replies, fmt.Sprintf("@%s, only %s may approve, reject or exempt: what your edit added was not done.", e.Editor, authz.Describe(a)))
			for _, cmd := range deciding {
				edit.Audit = append(edit.Audit, entry("refuse "+string(cmd.Verb), "not an approver"))
			}
			zerolog.Ctx(ctx).Info().Str("actor", e.Editor).Str("author", e.Author).Msg("refused /ospo commands an edit added: the editor may not decide")
		} else if len(deciding) > 0 {
			failing, err := m.failingNow(ctx, repoID)
			if err != nil {
				return h, err
			}
			for _, cmd := range deciding {
				d := store.ReviewDecision{RepositoryID: repoID, Actor: e.Editor, Verb: string(cmd.Verb),
					Rule: cmd.Rule, Reason: cmd.Reason, URL: e.URL, At: e.At, Expires: cmd.Expires}
				if cmd.Verb == Approve {
					d.Failing = failing
				}
				edit.Add = append(edit.Add, d)
				edit.Audit = append(edit.Audit, entry(cmd.action(), cmd.Reason))
			}
			accepted, h.Recheck, h.Expiries = true, true, expiries(deciding)
		}
	}
	if len(edit.Withdraw) > 0 || len(edit.Add) > 0 || len(edit.Audit) > 0 {
		applied, err := m.Store.ApplyReviewEdit(ctx, edit)
		if err != nil {
			return h, err
		}
		if !applied {
			zerolog.Ctx(ctx).Info().Int64("comment_id", e.ID).Msg("this edit was applied before: its decisions stay as they are")
		}
	}
	if err := m.recordDecisions(ctx, e.InstallationID, repoID, e.Editor, edit.Add, func(i int) string { return fmt.Sprintf("%s %d", edit.Key, i) }); err != nil {
		return h, err
	}
	if err := m.AnswerEditOnce(ctx, client, owner(e.Repo), name(e.Repo), e.IssueNumber, e.ID, edit.Key, accepted, replies); err != nil {
		return h, err
	}
	return h, nil
}

// AddedErrors are the errors of after not in before (by text, as multisets):
// an edit replies only about lines it wrote.
func AddedErrors(before, after []ParseError) []ParseError {
	count := map[string]int{}
	for _, e := range before {
		count[e.Text]++
	}
	var out []ParseError
	for _, e := range after {
		if count[e.Text] > 0 {
			count[e.Text]--
			continue
		}
		out = append(out, e)
	}
	return out
}
