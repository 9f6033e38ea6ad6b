package rules

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/ospo-bot/ospo-bot/internal/inert"
	"github.com/ospo-bot/ospo-bot/internal/policy"
)

// Rule ids, as they appear in findings and in ospo.yml.
const (
	RuleLicense    = "license"
	RuleCodeowners = "codeowners"
	RuleFiles      = "files"
	RuleTopics     = "topics"
	RuleLabels     = "labels"

	// Pull request rules.
	RuleCLA            = "cla"
	RuleDCO            = "dco"
	RulePRLabels       = "pr-labels"
	RuleProtectedPaths = "protected-paths"
	RuleDependencies   = "dependencies"
	RuleSPDXHeaders    = "spdx-headers"
)

// active reports whether a rule in this mode is evaluated; "" and unknown
// modes count as off.
func active(m policy.Mode) bool { return m == policy.Warn || m == policy.Enforce }

// skipped is the finding of a rule that is off.
func skipped(rule string, m policy.Mode) Finding {
	msg := rule + " rule is off"
	if m != "" && m != policy.Off && !active(m) {
		msg = fmt.Sprintf("%s rule has mode %q, which is not off, warn or enforce; not evaluated", rule, m)
	}
	return Finding{Rule: rule, Mode: m, Result: Skip, Message: oneLine(msg)}
}

func passed(rule string, m policy.Mode, msg string) Finding {
	return Finding{Rule: rule, Mode: m, Result: Pass, Message: oneLine(msg)}
}

func failed(rule string, m policy.Mode, msg, remediation string) Finding {
	return Finding{Rule: rule, Mode: m, Result: Fail, Message: oneLine(msg), Remediation: oneLine(remediation)}
}

// oneLine replaces control characters (which may come from file contents or
// the policy) with spaces, so that a message stays on one line.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, s)
}

// orEmpty lets the rules accept a nil snapshot as an empty repository.
func orEmpty(s *Snapshot) *Snapshot {
	if s == nil {
		return &Snapshot{}
	}
	return s
}

// branch names the default branch in messages.
func branch(s *Snapshot) string {
	if s.DefaultBranch == "" {
		return "the default branch"
	}
	return inert.Code(s.DefaultBranch) // git allows backticks, "@" and "<" in a branch name
}

// listOr joins items as "a, b or c".
func listOr(items []string) string { return joinLast(items, " or ") }

// listAnd joins items as "a, b and c".
func listAnd(items []string) string { return joinLast(items, " and ") }

func joinLast(items []string, last string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + last + items[len(items)-1]
}
