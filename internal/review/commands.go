// Package review runs OSPO review issues: one per flagged repository, a checklist that updates itself, and the /ospo commands that decide it.
package review

import (
	"fmt"
	"strings"
	"unicode"
)

// Verb is an /ospo command.
type Verb string

const (
	Approve  Verb = "approve"
	Reject   Verb = "reject"
	Exempt   Verb = "exempt"
	Unexempt Verb = "unexempt"
	Recheck  Verb = "recheck"
	Help     Verb = "help"
	// RevokeCLA is "/ospo cla revoke @user <reason>": Rule holds the login.
	RevokeCLA Verb = "cla revoke"
)

// Command is one /ospo line of a comment.
type Command struct {
	Verb   Verb
	Rule   string // exempt, unexempt
	Reason string // approve (note), reject, exempt
	Line   int    // 1-based line in the comment
}

// Decides reports whether the command changes the review's state, and so
// needs an approver.
func (c Command) Decides() bool {
	switch c.Verb {
	case Approve, Reject, Exempt, Unexempt, RevokeCLA:
		return true
	}
	return false
}

// ParseError is a line that starts with /ospo but is not a valid command.
type ParseError struct {
	Line    int
	Text    string
	Problem string
}

func (e ParseError) Error() string { return fmt.Sprintf("line %d %q: %s", e.Line, e.Text, e.Problem) }

// Parse reads the /ospo commands of a comment: each on its own line,
// case-insensitive, several per comment. Quoted lines ("> …") and fenced
// code blocks are ignored, so quoting the bot's help or another comment
// never runs anything.
func Parse(body string) ([]Command, []ParseError) {
	var cmds []Command
	var errs []ParseError
	inFence := false
	for i, raw := range strings.Split(strings.ReplaceAll(body, "\r\n", "\n"), "\n") {
		line := strings.TrimSpace(raw)
		if strings.HasPrefix(line, "```") || strings.HasPrefix(line, "~~~") {
			inFence = !inFence
			continue
		}
		if inFence || strings.HasPrefix(line, ">") {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) == 0 || !strings.EqualFold(fields[0], "/ospo") {
			continue
		}
		n := i + 1
		if len(fields) == 1 {
			errs = append(errs, ParseError{n, line, "missing command"})
			continue
		}
		verb := Verb(strings.ToLower(fields[1]))
		rest := restAfter(line, 2)
		switch verb {
		case Approve:
			cmds = append(cmds, Command{Verb: verb, Reason: rest, Line: n})
		case Reject:
			if rest == "" {
				errs = append(errs, ParseError{n, line, "a rejection needs a reason: /ospo reject <reason>"})
				continue
			}
			cmds = append(cmds, Command{Verb: verb, Reason: rest, Line: n})
		case Exempt:
			if len(fields) < 4 {
				errs = append(errs, ParseError{n, line, "an exemption needs a rule and a reason: /ospo exempt <rule> <reason>"})
				continue
			}
			cmds = append(cmds, Command{Verb: verb, Rule: strings.ToLower(fields[2]), Reason: restAfter(line, 3), Line: n})
		case Unexempt:
			if len(fields) < 3 {
				errs = append(errs, ParseError{n, line, "name the rule: /ospo unexempt <rule>"})
				continue
			}
			cmds = append(cmds, Command{Verb: verb, Rule: strings.ToLower(fields[2]), Line: n})
		case Recheck, Help:
			cmds = append(cmds, Command{Verb: verb, Line: n})
		case "cla":
			if len(fields) < 5 || !strings.EqualFold(fields[2], "revoke") || !strings.HasPrefix(fields[3], "@") || len(fields[3]) < 2 {
				errs = append(errs, ParseError{n, line, "write /ospo cla revoke @user <reason>"})
				continue
			}
			cmds = append(cmds, Command{Verb: RevokeCLA, Rule: strings.TrimPrefix(fields[3], "@"), Reason: restAfter(line, 4), Line: n})
		default:
			errs = append(errs, ParseError{n, line, fmt.Sprintf("unknown command %q", fields[1])})
		}
	}
	return cmds, errs
}

// restAfter returns the text of line after its first n fields.
func restAfter(line string, n int) string {
	rest := line
	for range n {
		rest = strings.TrimLeftFunc(rest, unicode.IsSpace)
		if i := strings.IndexFunc(rest, unicode.IsSpace); i >= 0 {
			rest = rest[i:]
		} else {
			return ""
		}
	}
	return strings.TrimSpace(rest)
}

// HelpText is the reply to /ospo help and to a comment with errors.
const HelpText = "Commands, each on its own line:\n\n" +
	"| command | who | what |\n|---|---|---|\n" +
	"| `/ospo approve [note]` | approvers | approve the repository; closes this issue |\n" +
	"| `/ospo reject <reason>` | approvers | reject it; the issue stays open |\n" +
	"| `/ospo exempt <rule> <reason>` | approvers | exempt the repository from a rule |\n" +
	"| `/ospo unexempt <rule>` | approvers | withdraw an exemption |\n" +
	"| `/ospo recheck` | anyone | check the repository again now |\n" +
	"| `/ospo help` | anyone | this table |\n"
