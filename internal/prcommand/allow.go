package prcommand

import (
	"context"
	"fmt"
	"slices"

	"github.com/google/go-github/v66/github"

	"github.com/ospo-bot/ospo-bot/internal/inert"
	"github.com/ospo-bot/ospo-bot/internal/review"
	"github.com/ospo-bot/ospo-bot/internal/store"
)

// `/ospo allow <purl> <reason>` on a pull request: an OSPO approver
// allows a package whatever its licence (the dependencies rule reads the
// allowances back through check.AllowanceReader).

// allowPackage records the allowance an approver wrote (cmd, the i-th
// command of cm) and audits it, each once however often the comment is
// delivered; it returns the reply saying what was allowed.
func (h *Handler) allowPackage(ctx context.Context, ref store.PullRequestRef, cm *github.IssueComment, i int, cmd review.Command, version string, ruleOn bool) (string, error) {
	login := cm.GetUser().GetLogin()
	err := h.Store.SavePackageAllowance(ctx, ref, store.PackageAllowance{CommentID: cm.GetID(), Package: cmd.Rule, Login: login,
		Reason: cmd.Reason, URL: cm.GetHTMLURL(), At: signedAt(cm)})
	if err != nil {
		return "", err
	}
	if err := h.audit(ctx, ref.InstallationID, login, "allow package", fmt.Sprintf("%s#%d", ref.Repository, ref.Number),
		cmd.Rule+": "+cmd.Reason, cm.GetHTMLURL(), version, review.CommandKey(cm.GetID(), i, "allow package "+cmd.Rule)); err != nil {
		return "", err
	}
	return allowedReply(login, cmd, ruleOn), nil
}

// allowedReply says what an allowance allows.
func allowedReply(login string, cmd review.Command, ruleOn bool) string {
	s := fmt.Sprintf("%s allowed %s on this pull request, whatever its licence: %s. The check runs again.",
		inert.Mention(login), inert.Code(cmd.Rule), inert.Text(cmd.Reason))
	if !ruleOn {
		s += " (The `pull_request.dependencies` rule is off in this repository's policy: the allowance counts once it is on.)"
	}
	return s
}

// allows reports whether a comment's body holds /ospo allow.
func allows(body string) bool {
	cmds, _ := review.Parse(body)
	return slices.ContainsFunc(cmds, func(c review.Command) bool { return c.Verb == review.Allow })
}
