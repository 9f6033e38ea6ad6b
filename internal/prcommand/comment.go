// Package prcommand runs the /ospo commands and the CLA phrase written on pull requests.
package prcommand

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/google/go-github/v66/github"
	"github.com/rs/zerolog"

	"github.com/ospo-bot/ospo-bot/internal/authz"
	"github.com/ospo-bot/ospo-bot/internal/check"
	"github.com/ospo-bot/ospo-bot/internal/ghclient"
	"github.com/ospo-bot/ospo-bot/internal/inert"
	"github.com/ospo-bot/ospo-bot/internal/review"
	"github.com/ospo-bot/ospo-bot/internal/store"
)

// prHelp is the reply to /ospo help on a pull request.
const prHelp = "Commands on a pull request, each on its own line:\n\n" +
	"| command | who | what |\n|---|---|---|\n" +
	"| the CLA's signing phrase, alone on a line of plain text (not quoted, not in code or HTML), in your own comment | contributors | signs the CLA |\n" +
	"| `/ospo approve` | approvers | approves changes to protected paths (LICENSE, CODEOWNERS, …) up to the head commit when you write it; later pushes to them need a new approval |\n" +
	"| `/ospo cla revoke @user <reason>` | approvers | revokes a CLA signature |\n" +
	"| `/ospo allow <purl> <reason>` | approvers | allows a dependency whatever its licence on this pull request (`pkg:npm/left-pad@1.3.0`; without a version, every version; `*` any run of characters) |\n" +
	"| `/ospo recheck` | anyone | checks this pull request again now |\n" +
	"| `/ospo help` | anyone | this table |\n"

// Handler runs what a comment on a pull request asks (Comment, Edit,
// Delete). It writes the store and replies on GitHub, each once however
// often the comment is delivered or its job retried; the checks a comment
// asks for it returns, for the caller to enqueue (never run inline after
// a side effect).
type Handler struct {
	Store *store.Store
	// Review posts the replies (AnswerOnce, AnswerEditOnce).
	Review *review.Manager
}

// Recheck is a pull request a comment asks to be checked again, and why.
type Recheck struct {
	PullRequest store.PullRequestRef
	Reason      string
}

// onIt is the check of the pull request the comment is on.
func onIt(ref store.PullRequestRef) Recheck {
	return Recheck{PullRequest: ref, Reason: "a comment on it"}
}

// Comment handles a new comment on a pull request: a CLA signature,
// /ospo approve of protected paths, /ospo allow of a dependency, /ospo
// cla revoke, recheck and help.
func (h *Handler) Comment(ctx context.Context, client *github.Client, installationID int64, ev *github.IssueCommentEvent) ([]Recheck, error) {
	cm := ev.GetComment()
	user := cm.GetUser()
	if user.GetType() == "Bot" || strings.HasSuffix(user.GetLogin(), "[bot]") {
		return nil, nil
	}
	repo := ev.GetRepo()
	owner, name := repo.GetOwner().GetLogin(), repo.GetName()
	number := ev.GetIssue().GetNumber()
	ref := store.PullRequestRef{InstallationID: installationID, Repository: repo.GetFullName(), Number: number}
	eff, _, err := check.LoadPolicy(ctx, client, owner, name)
	if err != nil {
		return nil, err
	}
	cla := eff.Policy.PullRequest.CLA
	recheck := false
	var rechecks []Recheck
	var replies []string
	react := false

	if cla.Mode.On() && review.Signs(cm.GetBody(), cla.Phrase) {
		if rechecks, err = h.sign(ctx, installationID, ref, user, cm, cla.Version, eff.Version); err != nil {
			return nil, err
		}
		react, recheck = true, true
	}

	cmds, perrs := review.Parse(cm.GetBody())
	if len(perrs) > 0 {
		replies = append(replies, review.Unreadable(perrs))
	}
	authority := authz.Authority{Org: owner, Approvers: eff.Policy.Review.Approvers, PolicyVersion: eff.Version}
	for i, cmd := range cmds {
		switch cmd.Verb {
		case review.Recheck:
			recheck = true
		case review.Help:
			replies = append(replies, prHelp)
		case review.Approve, review.RevokeCLA, review.Allow:
			ok, err := authz.MayDecide(ctx, client, authority, user.GetLogin())
			if err != nil {
				return nil, err
			}
			if !ok {
				replies = append(replies, fmt.Sprintf("%s, only %s may do that; nothing changed.", inert.Mention(user.GetLogin()), authz.Describe(authority)))
				if err := h.audit(ctx, installationID, user.GetLogin(), "refuse "+string(cmd.Verb), ref.Repository+fmt.Sprintf("#%d", number), "not an approver", cm.GetHTMLURL(), eff.Version,
					review.CommandKey(cm.GetID(), i, "refuse "+string(cmd.Verb))); err != nil {
					return nil, err
				}
				continue
			}
			if cmd.Verb == review.Allow {
				reply, err := h.allowPackage(ctx, ref, cm, i, cmd, eff.Version, eff.Policy.PullRequest.Dependencies.Mode.On())
				if err != nil {
					return nil, err
				}
				replies = append(replies, reply)
			} else if cmd.Verb == review.Approve {
				reply, err := h.approvePaths(ctx, client, ref, cm, eff.Version)
				if err != nil {
					return nil, err
				}
				if reply != "" {
					replies = append(replies, reply)
					continue
				}
			} else if reply, err := h.revoke(ctx, client, installationID, owner, user.GetLogin(), cmd, cm, eff.Version); err != nil {
				return nil, err
			} else if reply != "" {
				replies = append(replies, reply)
			}
			react, recheck = true, true
		default:
			replies = append(replies, fmt.Sprintf("`/ospo %s` works on OSPO review issues, not on pull requests.", cmd.Verb))
		}
	}
	if err := h.Review.AnswerOnce(ctx, client, owner, name, number, cm.GetID(), react, replies); err != nil {
		return nil, err
	}
	if !recheck {
		return rechecks, nil
	}
	return append(rechecks, onIt(ref)), nil
}

// Delete withdraws what a deleted comment on a pull request approved or
// allowed, audited with who deleted it, and re-checks the pull request. A CLA
// signature stays: it is a record of consent, which a deleted comment
// does not revoke (an approver runs /ospo cla revoke). An edit is Edit's.
func (h *Handler) Delete(ctx context.Context, installationID int64, ev *github.IssueCommentEvent) ([]Recheck, error) {
	cm := ev.GetComment()
	ref := store.PullRequestRef{InstallationID: installationID, Repository: ev.GetRepo().GetFullName(), Number: ev.GetIssue().GetNumber()}
	subject := fmt.Sprintf("%s#%d", ref.Repository, ref.Number)
	had, err := h.Store.WithdrawPathApproval(ctx, ref, cm.GetID(), func(a store.PathApproval) store.AuditEntry {
		return store.AuditEntry{InstallationID: installationID, Actor: ev.GetSender().GetLogin(), Action: "withdraw approve protected paths",
			Subject: subject, Reason: fmt.Sprintf("@%s's comment approving %s was deleted", a.Login, a.HeadSHA), URL: a.URL}
	})
	if err != nil {
		return nil, err
	}
	hadAllowed, err := h.Store.WithdrawPackageAllowances(ctx, ref, cm.GetID(), func(a store.PackageAllowance) store.AuditEntry {
		return store.AuditEntry{InstallationID: installationID, Actor: ev.GetSender().GetLogin(), Action: "withdraw allow package",
			Subject: subject, Reason: fmt.Sprintf("@%s's comment allowing %s was deleted", a.Login, a.Package), URL: a.URL}
	})
	if err != nil {
		return nil, err
	}
	had = had || hadAllowed
	if !had {
		// A retry finds the approval withdrawn by the attempt that failed
		// after it: re-check all the same when the comment approved.
		body, from := cm.GetBody(), ev.GetChanges().GetBody().GetFrom()
		if !approves(body) && !approves(from) && !allows(body) && !allows(from) {
			return nil, nil
		}
		return []Recheck{onIt(ref)}, nil
	}
	zerolog.Ctx(ctx).Info().Int64("comment_id", cm.GetID()).Str("deleted_by", ev.GetSender().GetLogin()).Msg("approval withdrawn: its comment was deleted")
	return []Recheck{onIt(ref)}, nil
}

// approves reports whether a comment's body holds /ospo approve.
func approves(body string) bool {
	cmds, _ := review.Parse(body)
	return slices.ContainsFunc(cmds, func(c review.Command) bool { return c.Verb == review.Approve })
}

// revoke deletes a CLA signature, as actor (who wrote the command); the
// pull requests of its author fail again at their next check.
func (h *Handler) revoke(ctx context.Context, client *github.Client, installationID int64, org, actor string, cmd review.Command, cm *github.IssueComment, version string) (string, error) {
	u, _, err := client.Users.Get(ctx, cmd.Rule)
	if ghclient.NotFound(err) {
		return fmt.Sprintf("I could not find the user %s.", inert.Code("@"+cmd.Rule)), nil
	}
	if err != nil { // a 5xx or a rate limit is no answer: retry the job
		return "", fmt.Errorf("look up @%s: %w", cmd.Rule, err)
	}
	had, err := h.Store.RevokeSignatureEvent(ctx, store.CLAEvent{Key: fmt.Sprintf("comment %d cla revoke %d", cm.GetID(), u.GetID()),
		Org: org, UserID: u.GetID(), Login: u.GetLogin(), At: cm.GetCreatedAt().Time})
	if err != nil {
		return "", err
	}
	if !had {
		return fmt.Sprintf("%s has no CLA signature on record; nothing changed.", inert.Mention(u.GetLogin())), nil
	}
	if err := h.audit(ctx, installationID, actor, "cla revoke", "@"+u.GetLogin(), cmd.Reason, cm.GetHTMLURL(), version,
		fmt.Sprintf("comment %d cla revoke %d", cm.GetID(), u.GetID())); err != nil {
		return "", err
	}
	return fmt.Sprintf("The CLA signature of %s is revoked: %s", inert.Mention(u.GetLogin()), inert.Text(cmd.Reason)), nil
}

// audit writes an entry once per key (its natural key: see
// review.CommandKey), whatever delivered the comment and however often.
func (h *Handler) audit(ctx context.Context, installationID int64, actor, action, subject, reason, url, version, key string) error {
	return h.Store.AppendAudit(ctx, store.AuditEntry{InstallationID: installationID, Actor: actor, Action: action,
		Subject: subject, Reason: reason, URL: url, PolicyVersion: version, Key: key})
}
