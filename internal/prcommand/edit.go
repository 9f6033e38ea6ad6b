package prcommand

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/go-github/v66/github"
	"github.com/rs/zerolog"

	"github.com/ospo-bot/ospo-bot/internal/authz"
	"github.com/ospo-bot/ospo-bot/internal/check"
	"github.com/ospo-bot/ospo-bot/internal/review"
	"github.com/ospo-bot/ospo-bot/internal/store"
)

// Edit applies an edit of a comment on a pull request as its editor (the event's sender), as review.HandleEdit does on review
// issues: commands the edit kept stay as they were; an approval of
// protected paths whose line it removed is withdrawn, by the editor
// (always: withdrawing fails closed); what it added runs as the editor:
// `/ospo approve` approves as the editor, if they may, at the head when
// the edit was made, `/ospo allow` allows as the editor (an allowance
// whose line the edit removed is withdrawn, by the editor, unless a kept
// line allows the same package), and `/ospo cla revoke` revokes as the
// editor. A
// signing phrase signs only for the author who wrote it in their own
// comment: added by someone else it signs nobody, and the reply says so.
//
// Without changes.body.from the edit is unknown: the comment's stored
// approvals are taken as its commands before (the approvals its text
// still holds stay their givers'), every other command is the editor's,
// and a signing phrase signs nobody (a signature must be certain), which
// the reply says.
func (h *Handler) Edit(ctx context.Context, client *github.Client, installationID int64, ev *github.IssueCommentEvent) ([]Recheck, error) {
	cm := ev.GetComment()
	from := ev.GetChanges().GetBody()
	oldKnown := from != nil && from.From != nil
	editor, author := ev.GetSender(), cm.GetUser()
	login := editor.GetLogin()
	bot := editor.GetType() == "Bot" || strings.HasSuffix(login, "[bot]")
	repo := ev.GetRepo()
	owner, name := repo.GetOwner().GetLogin(), repo.GetName()
	number := ev.GetIssue().GetNumber()
	ref := store.PullRequestRef{InstallationID: installationID, Repository: repo.GetFullName(), Number: number}
	subject := fmt.Sprintf("%s#%d", ref.Repository, number)
	logger := zerolog.Ctx(ctx)

	all, err := h.Store.PathApprovals(ctx, ref.Repository, number)
	if err != nil {
		return nil, err
	}
	stored := slices.DeleteFunc(all, func(a store.PathApproval) bool { return a.CommentID != cm.GetID() })
	allowances, err := h.Store.PackageAllowances(ctx, ref.Repository, number)
	if err != nil {
		return nil, err
	}
	storedAllowed := slices.DeleteFunc(allowances, func(a store.PackageAllowance) bool { return a.CommentID != cm.GetID() })
	if bot && len(stored) == 0 && len(storedAllowed) == 0 {
		return nil, nil // a bot (the app updating its own comment) adds nothing and had nothing to remove
	}

	body, oldBody := cm.GetBody(), ev.GetChanges().GetBody().GetFrom()
	cmds, perrs := review.Parse(body)
	var before []review.Command
	var oldErrs []review.ParseError
	if oldKnown {
		before, oldErrs = review.Parse(oldBody)
	} else {
		// The stored approvals stand for the approvals before, whatever
		// their notes: they carry none.
		approvals := slices.DeleteFunc(slices.Clone(cmds), func(c review.Command) bool { return c.Verb != review.Approve })
		for i := range stored {
			c := review.Command{Verb: review.Approve}
			if i < len(approvals) {
				c = approvals[i]
			}
			before = append(before, c)
		}
		for _, a := range storedAllowed {
			before = append(before, review.Command{Verb: review.Allow, Rule: a.Package, Reason: a.Reason})
		}
	}
	added, removed := review.Changed(before, cmds)
	perrs = review.AddedErrors(oldErrs, perrs)
	if bot {
		added, perrs = nil, nil // bots decide nothing
	}
	removedApprovals := 0
	removedAllowed := map[string]bool{} // packages whose /ospo allow lines the edit removed
	for k, n := range removed {
		switch k.Verb {
		case review.Approve:
			removedApprovals += n
		case review.Allow:
			removedAllowed[k.Rule] = true
		}
	}
	// An allowance stands while a line the edit kept allows its package.
	kept := map[string]bool{}
	for _, c := range cmds {
		if c.Verb == review.Allow && !slices.ContainsFunc(added, func(a review.Command) bool { return a.Line == c.Line }) {
			kept[c.Rule] = true
		}
	}
	var disallowed []store.PackageAllowance
	for _, a := range storedAllowed {
		if removedAllowed[a.Package] && !kept[a.Package] {
			disallowed = append(disallowed, a)
		}
	}
	// The approvals whose lines are gone: the editor's own first, then
	// the others, oldest first (identical lines cannot be told apart).
	var withdrawn []store.PathApproval
	for _, own := range []bool{true, false} {
		for _, a := range stored {
			if len(withdrawn) < removedApprovals && strings.EqualFold(a.Login, login) == own {
				withdrawn = append(withdrawn, a)
			}
		}
	}

	eff, _, err := check.LoadPolicy(ctx, client, owner, name)
	if err != nil {
		return nil, err
	}
	cla := eff.Policy.PullRequest.CLA
	signed := !bot && cla.Mode.On() && review.Signs(body, cla.Phrase) && (!oldKnown || !review.Signs(oldBody, cla.Phrase))
	if len(added) == 0 && removedApprovals == 0 && len(removedAllowed) == 0 && len(perrs) == 0 && !signed {
		return nil, nil // an edit of the prose around the commands
	}

	// A retry re-checks even when the approvals are already withdrawn.
	recheck, react := removedApprovals > 0 || len(removedAllowed) > 0, false
	var rechecks []Recheck
	var replies []string
	if signed {
		switch {
		case !sameUser(editor, author):
			replies = append(replies, fmt.Sprintf("@%s, a CLA signature must be written by the signer in their own comment: "+
				"your edit of @%s's comment signs nobody.", login, author.GetLogin()))
		case !oldKnown:
			replies = append(replies, fmt.Sprintf("@%s, GitHub did not say what your edit changed, so I signed nothing: "+
				"a CLA signature must be written by the signer in their own comment. Please write the phrase in a new comment.", login))
		default:
			if rechecks, err = h.sign(ctx, installationID, ref, author, cm, cla.Version, eff.Version); err != nil {
				return nil, err
			}
			react, recheck = true, true
		}
	}
	if len(perrs) > 0 {
		replies = append(replies, review.Unreadable(perrs))
	}

	edit := store.PathApprovalEdit{PullRequest: ref, CommentID: cm.GetID(),
		Key: store.EditKey(cm.GetID(), cm.GetUpdatedAt().Time, oldKnown, oldBody, body)}
	entry := func(action, reason, url string) store.AuditEntry {
		return store.AuditEntry{InstallationID: installationID, Actor: login, Action: action, Subject: subject,
			Reason: reason, URL: url, PolicyVersion: eff.Version}
	}
	for _, a := range withdrawn {
		edit.Withdraw = append(edit.Withdraw, a)
		edit.Audit = append(edit.Audit, entry("withdraw approve protected paths",
			fmt.Sprintf("@%s removed @%s's approval of %s from the comment", login, a.Login, a.HeadSHA), a.URL))
	}
	for _, a := range disallowed {
		edit.Disallow = append(edit.Disallow, a)
		edit.Audit = append(edit.Audit, entry("withdraw allow package",
			fmt.Sprintf("@%s removed @%s's allowance of %s from the comment", login, a.Login, a.Package), a.URL))
	}

	authority := authz.Authority{Org: owner, Approvers: eff.Policy.Review.Approvers, PolicyVersion: eff.Version}
	may, asked, refused := false, false, false
	edited := cm.GetUpdatedAt().Time // the head the editor saw is the head when they saved the edit
	for _, cmd := range added {
		switch cmd.Verb {
		case review.Recheck:
			recheck = true
		case review.Help:
			replies = append(replies, prHelp)
		case review.Approve, review.RevokeCLA, review.Allow:
			if !asked {
				if may, err = authz.MayDecide(ctx, client, authority, login); err != nil {
					return nil, err
				}
				asked = true
			}
			if !may {
				if !refused {
					replies = append(replies, fmt.Sprintf("@%s, only %s may do that; nothing changed.", login, authz.Describe(authority)))
				}
				refused = true
				edit.Audit = append(edit.Audit, entry("refuse "+string(cmd.Verb), "not an approver", cm.GetHTMLURL()))
				continue
			}
			if cmd.Verb == review.Allow {
				edit.Allow = append(edit.Allow, store.PackageAllowance{Package: cmd.Rule, Login: login, Reason: cmd.Reason, URL: cm.GetHTMLURL(), At: edited})
				edit.Audit = append(edit.Audit, entry("allow package", cmd.Rule+": "+cmd.Reason, cm.GetHTMLURL()))
				replies = append(replies, allowedReply(login, cmd, eff.Policy.PullRequest.Dependencies.Mode.On()))
				react, recheck = true, true
				continue
			}
			if cmd.Verb == review.RevokeCLA {
				reply, err := h.revoke(ctx, client, installationID, owner, login, cmd, cm, eff.Version)
				if err != nil {
					return nil, err
				}
				if reply != "" {
					replies = append(replies, reply)
				}
				react, recheck = true, true
				continue
			}
			sha, branch, ok, err := headWhen(ctx, client, ref, edited)
			if err != nil {
				return nil, err
			}
			if !ok {
				edit.Audit = append(edit.Audit, entry("refuse approve", "the head when the edit was made is unknown", cm.GetHTMLURL()))
				replies = append(replies, unknownHeadReply(login, branch))
				continue
			}
			edit.Add = append(edit.Add, store.PathApproval{CommentID: cm.GetID(), Login: login, HeadSHA: sha, URL: cm.GetHTMLURL(), At: edited})
			edit.Audit = append(edit.Audit, entry("approve protected paths", "at "+sha, cm.GetHTMLURL()))
			react, recheck = true, true
		default:
			replies = append(replies, fmt.Sprintf("`/ospo %s` works on OSPO review issues, not on pull requests.", cmd.Verb))
		}
	}
	if len(edit.Withdraw) > 0 || len(edit.Add) > 0 || len(edit.Disallow) > 0 || len(edit.Allow) > 0 || len(edit.Audit) > 0 {
		applied, err := h.Store.ApplyPathApprovalEdit(ctx, edit)
		if err != nil {
			return nil, err
		}
		if !applied {
			logger.Info().Int64("comment_id", cm.GetID()).Msg("this edit was applied before: its approvals stay as they are")
		}
	}
	if err := h.Review.AnswerEditOnce(ctx, client, owner, name, number, cm.GetID(), edit.Key, react, replies); err != nil {
		return nil, err
	}
	if !recheck {
		return rechecks, nil
	}
	return append(rechecks, onIt(ref)), nil
}

// sign records the CLA signature of user, who wrote the phrase in their
// own comment cm, and audits it. It returns the other open pull requests
// the signer held up, in any repository of the installation, to be
// checked again too.
func (h *Handler) sign(ctx context.Context, installationID int64, ref store.PullRequestRef, user *github.User, cm *github.IssueComment, claVersion, policyVersion string) ([]Recheck, error) {
	org, _, _ := strings.Cut(ref.Repository, "/")
	key := fmt.Sprintf("comment %d cla sign %s", cm.GetID(), cm.GetUpdatedAt().UTC().Format(time.RFC3339Nano))
	err := h.Store.SaveSignature(ctx, store.Signature{Org: org, UserID: user.GetID(), Login: user.GetLogin(),
		Version: claVersion, SignedAt: signedAt(cm), URL: cm.GetHTMLURL(), Key: key})
	if err != nil {
		return nil, err
	}
	if err := h.audit(ctx, installationID, user.GetLogin(), "cla sign", org, "version "+claVersion, cm.GetHTMLURL(), policyVersion, key); err != nil {
		return nil, err
	}
	zerolog.Ctx(ctx).Info().Str("signer", user.GetLogin()).Msg("CLA signed")
	blocked, err := h.Store.BlockedBy(ctx, user.GetID())
	if err != nil {
		return nil, err
	}
	var rechecks []Recheck
	for _, b := range blocked {
		if b.Repository == ref.Repository && b.Number == ref.Number {
			continue
		}
		rechecks = append(rechecks, Recheck{PullRequest: b, Reason: "@" + user.GetLogin() + " signed the CLA"})
	}
	return rechecks, nil
}

// signedAt is when the comment that signs was written (or edited to
// sign), as GitHub says: the same for every delivery of it.
func signedAt(cm *github.IssueComment) time.Time {
	for _, t := range []*github.Timestamp{cm.UpdatedAt, cm.CreatedAt} {
		if t != nil && !t.IsZero() {
			return t.Time
		}
	}
	return time.Now()
}

// sameUser: the same GitHub account (by ID; by login when an ID is
// missing). A missing sender is no one.
func sameUser(a, b *github.User) bool {
	if a == nil || b == nil {
		return false
	}
	if a.GetID() != 0 && b.GetID() != 0 {
		return a.GetID() == b.GetID()
	}
	return a.GetLogin() != "" && strings.EqualFold(a.GetLogin(), b.GetLogin())
}
