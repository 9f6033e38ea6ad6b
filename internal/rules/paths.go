package rules

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/ospo-bot/ospo-bot/internal/inert"
	"github.com/ospo-bot/ospo-bot/internal/policy"
)

// ProtectedPaths checks that a pull request changing protected files (the
// license, code owners, the policy override, ...) has an approval from an
// OSPO approver that no later push voided. A pattern is matched against
// each changed file's full path with path.Match: case-sensitive like git,
// * within one directory ("LICENSE*" matches LICENSE.md, not
// docs/LICENSE). approvers names who may approve, for the messages
// ("@org/team-slug" or logins; empty: the org's owners). A nil path list
// means the defaults.
func ProtectedPaths(pr *PullRequest, r policy.ProtectedPathsRule, approvers []string) Finding {
	if !active(r.Mode) {
		return skipped(RuleProtectedPaths, r.Mode)
	}
	pr = orEmptyPR(pr)
	patterns := r.Paths
	if patterns == nil {
		patterns = policy.DefaultProtectedPaths()
	}
	if len(nonBlank(patterns)) == 0 {
		return passed(RuleProtectedPaths, r.Mode, "the policy protects no paths")
	}
	changed, file := protectedChanges(ProtectedFiles(pr.Files, patterns), pr.Renamed)
	approval, ok := validApproval(pr.Approvals)
	who := approverList(approvers)
	switch {
	case len(changed) == 0 && pr.FilesComplete:
		return passed(RuleProtectedPaths, r.Mode, "changes no protected paths")
	case len(changed) == 0 && ok:
		return passed(RuleProtectedPaths, r.Mode, fmt.Sprintf("approved by %s (the changed files could not all be read)", inert.Mention(approval.Login)))
	case len(changed) == 0:
		// Fail closed: past GitHub's 3,000 files the rest is unknown.
		incomplete := fmt.Sprintf("could not read all changed files (%s read)", plural(pr.FilesRead, "file"))
		if pr.FileCount > pr.FilesRead {
			incomplete = fmt.Sprintf("the list of changed files is incomplete: GitHub listed %d of the %d changed files", pr.FilesRead, pr.FileCount)
		}
		if notes := approvalNotes(pr.Approvals); notes != "" {
			incomplete += " (" + notes + ")"
		}
		return failed(RuleProtectedPaths, r.Mode,
			incomplete+", so changes to protected paths cannot be ruled out; not passing on a partial list",
			fmt.Sprintf("%s must approve the pull request (comment /ospo approve or approve it in a review), or split it into smaller pull requests", who))
	case ok:
		return passed(RuleProtectedPaths, r.Mode, fmt.Sprintf("changes to protected paths %s approved by %s", capList(changed), inert.Mention(approval.Login)))
	}
	msg := fmt.Sprintf("changes protected paths %s without an OSPO approval", capList(changed))
	if notes := approvalNotes(pr.Approvals); notes != "" {
		msg += " (" + notes + ")"
	}
	f := failed(RuleProtectedPaths, r.Mode, msg,
		fmt.Sprintf("%s must approve the change: comment /ospo approve on this pull request or approve it in a review; or take the changes to %s out of the pull request",
			who, capList(changed)))
	f.File = file
	return f
}

// protectedChanges names the protected changes in Markdown, each path as
// code, a renamed file once as "old → new" (whichever of its paths is protected), and the file to
// annotate: the first change's path at the head.
func protectedChanges(paths []string, renamed map[string]string) (changes []string, file string) {
	newPath := map[string]string{}
	for to, from := range renamed {
		newPath[from] = to
	}
	done := map[string]bool{}
	for _, p := range paths {
		from, to := renamed[p], p
		if from == "" {
			from, to = p, newPath[p]
		}
		if done[from] || (to != "" && done[to]) {
			continue
		}
		done[from], done[to] = true, true
		name, at := inert.Code(from), from // anyone's file names: code
		if to != "" {
			name, at = inert.Code(from)+" → "+inert.Code(to), to
		}
		if file == "" {
			file = at
		}
		changes = append(changes, name)
	}
	return changes, file
}

// ProtectedFiles returns the files that match one of patterns
// (path.Match on the full path), in their order, each once.
func ProtectedFiles(files, patterns []string) []string {
	var out []string
	for _, f := range files {
		f = strings.TrimPrefix(f, "/")
		for _, p := range patterns {
			if ok, err := path.Match(strings.TrimSpace(p), f); err == nil && ok {
				if !slices.Contains(out, f) {
					out = append(out, f)
				}
				break
			}
		}
	}
	return out
}

// validApproval returns the latest approval by an authorized approver
// that no later push voided.
func validApproval(approvals []PathApproval) (PathApproval, bool) {
	var best PathApproval
	found := false
	for _, a := range approvals {
		if a.Authorized && !a.Voided && (!found || a.At.After(best.At)) {
			best, found = a, true
		}
	}
	return best, found
}

// approvalNotes explains the approvals that do not count.
func approvalNotes(approvals []PathApproval) string {
	var voided, unauthorized []string
	for _, a := range approvals {
		switch {
		case !a.Authorized:
			unauthorized = appendOnce(unauthorized, inert.Mention(a.Login))
		case a.Voided:
			voided = appendOnce(voided, inert.Mention(a.Login))
		}
	}
	var notes []string
	if len(voided) > 0 {
		notes = append(notes, fmt.Sprintf("the approval by %s was voided by a later push that changed protected paths or rewrote the approved commits", capList(voided)))
	}
	if len(unauthorized) > 0 {
		verb := "is not an OSPO approver"
		if len(unauthorized) > 1 {
			verb = "are not OSPO approvers"
		}
		notes = append(notes, fmt.Sprintf("%s %s", capList(unauthorized), verb))
	}
	return strings.Join(notes, "; ")
}

// approverList names who may approve: teams as written, users with "@".
func approverList(approvers []string) string {
	var names []string
	for _, a := range approvers {
		a = strings.TrimSpace(a)
		switch {
		case a == "":
		default:
			names = appendOnce(names, inert.Mention(a))
		}
	}
	if len(names) == 0 {
		return "one of the org's owners"
	}
	if len(names) == 1 && strings.Contains(names[0], "/") {
		return "a member of " + names[0]
	}
	return "an OSPO approver (" + listOr(names) + ")"
}

func appendOnce(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

var protectedPathsEntry = Rule{
	ID: RuleProtectedPaths, Scope: PullRequestScope, Section: "pull_request.protected_paths",
	Anchor:  "pull_requestprotected_paths--changes-that-need-an-ospo-approval",
	Summary: "a change to a protected path (LICENSE*, CODEOWNERS, .github/ospo.yml, …) is approved by an OSPO approver",
	Mode:    func(p *policy.Policy) policy.Mode { return p.PullRequest.ProtectedPaths.Mode },
	// The commits tell whether the changed files are the head's.
	Needs: Needs{Commits: true, ChangedFiles: true, Approvals: true},
	Check: func(in Input) Finding {
		return ProtectedPaths(in.PR, in.Policy.PullRequest.ProtectedPaths, in.Policy.Review.Approvers)
	},
}
