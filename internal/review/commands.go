// Package review runs OSPO review issues: one per flagged repository, a checklist that updates itself, and the /ospo commands that decide it.
package review

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ospo-bot/ospo-bot/internal/fit"
	"github.com/ospo-bot/ospo-bot/internal/inert"
	"github.com/ospo-bot/ospo-bot/internal/mdtext"
	"github.com/ospo-bot/ospo-bot/internal/purl"
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
	// Allow is "/ospo allow <purl> <reason>" on a pull request: Rule holds
	// the package URL (or pattern) as written.
	Allow Verb = "allow"
)

// Command is one /ospo line of a comment.
type Command struct {
	Verb   Verb
	Rule   string // exempt, unexempt
	Reason string // approve (note), reject, exempt
	// Expires is when an exemption written "until YYYY-MM-DD" stops
	// applying: the start (UTC) of the day after the one named, so that
	// it holds through that day. Zero: it holds until withdrawn.
	Expires time.Time
	Line    int // 1-based line in the comment
}

// Decides reports whether the command changes the review's state, and so
// needs an approver.
func (c Command) Decides() bool {
	switch c.Verb {
	case Approve, Reject, Exempt, Unexempt, RevokeCLA, Allow:
		return true
	}
	return false
}

// action names the command in the audit log: its verb, its rule, and the
// last day of a dated exemption ("exempt files until 2027-03-31").
func (c Command) action() string {
	a := string(c.Verb)
	if c.Rule != "" {
		a += " " + c.Rule
	}
	if !c.Expires.IsZero() {
		a += " until " + Through(c.Expires)
	}
	return a
}

// ParseError is a line that starts with /ospo but is not a valid command.
type ParseError struct {
	Line    int
	Text    string
	Problem string
}

func (e ParseError) Error() string { return fmt.Sprintf("line %d %q: %s", e.Line, e.Text, e.Problem) }

// Parse reads the /ospo commands of a comment: each on its own line,
// several per comment, only in lines GitHub shows as plain paragraph text
// (see mdtext.Lines), so a command quoted, in code, in a table, a heading,
// an HTML comment or a collapsed <details> never runs. "/ospo" and the
// verbs match byte for byte but for the case of ASCII letters; fields are
// split on ASCII spaces and tabs only.
func Parse(body string) ([]Command, []ParseError) {
	var cmds []Command
	var errs []ParseError
	for _, l := range mdtext.Lines(body) {
		line, n := l.Text, l.Number
		fields := fieldsASCII(line)
		if len(fields) == 0 || !equalFoldASCII(fields[0], "/ospo") {
			continue
		}
		if len(fields) == 1 {
			errs = append(errs, ParseError{n, line, "missing command"})
			continue
		}
		verb := Verb(lowerASCII(fields[1]))
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
			cmd := Command{Verb: verb, Rule: lowerASCII(fields[2]), Reason: restAfter(line, 3), Line: n}
			if len(fields) >= 5 && equalFoldASCII(fields[3], "until") && isDigit(fields[4][0]) {
				day, err := time.Parse(time.DateOnly, fields[4])
				if err != nil {
					errs = append(errs, ParseError{n, line, inert.Code(fields[4]) + " is not a date: write /ospo exempt <rule> until YYYY-MM-DD <reason>"})
					continue
				}
				if len(fields) < 6 {
					errs = append(errs, ParseError{n, line, "an exemption needs a reason: /ospo exempt <rule> until YYYY-MM-DD <reason>"})
					continue
				}
				cmd.Expires, cmd.Reason = day.AddDate(0, 0, 1), restAfter(line, 5)
			}
			cmds = append(cmds, cmd)
		case Unexempt:
			if len(fields) < 3 {
				errs = append(errs, ParseError{n, line, "name the rule: /ospo unexempt <rule>"})
				continue
			}
			cmds = append(cmds, Command{Verb: verb, Rule: lowerASCII(fields[2]), Line: n})
		case Recheck, Help:
			cmds = append(cmds, Command{Verb: verb, Line: n})
		case "cla":
			if len(fields) < 5 || !equalFoldASCII(fields[2], "revoke") || !strings.HasPrefix(fields[3], "@") || len(fields[3]) < 2 {
				errs = append(errs, ParseError{n, line, "write /ospo cla revoke @user <reason>"})
				continue
			}
			cmds = append(cmds, Command{Verb: RevokeCLA, Rule: strings.TrimPrefix(fields[3], "@"), Reason: restAfter(line, 4), Line: n})
		case Allow:
			if len(fields) < 4 {
				errs = append(errs, ParseError{n, line, "write /ospo allow <purl> <reason>, e.g. /ospo allow " + purl.Example + " vetted by legal"})
				continue
			}
			if _, err := purl.Parse(fields[2]); err != nil {
				errs = append(errs, ParseError{n, line, inert.Code(fields[2]) + " is not a package URL: " + err.Error()})
				continue
			}
			cmds = append(cmds, Command{Verb: Allow, Rule: fields[2], Reason: restAfter(line, 3), Line: n})
		default:
			errs = append(errs, ParseError{n, line, "unknown command " + inert.Code(fields[1])})
		}
	}
	return cmds, errs
}

// refusePast refuses the exemptions of cmds whose day (they hold through
// it, UTC) is before at's: an approver cannot exempt for a time already
// gone. The refusals are errors of their lines, read from body, replied to
// like any line that could not be read; nothing of them is recorded.
func refusePast(body string, cmds []Command, at time.Time) (kept []Command, errs []ParseError) {
	for _, c := range cmds {
		if c.Expires.IsZero() || at.Before(c.Expires) {
			kept = append(kept, c)
			continue
		}
		text := ""
		for _, l := range mdtext.Lines(body) {
			if l.Number == c.Line {
				text = l.Text
			}
		}
		errs = append(errs, ParseError{c.Line, text, fmt.Sprintf("%s has passed: an exemption holds through a day from today (%s, UTC) on",
			inert.Code(Through(c.Expires)), at.UTC().Format(time.DateOnly))})
	}
	return kept, errs
}

// byLine sorts errors by their line, for the reply.
func byLine(errs []ParseError) []ParseError {
	slices.SortStableFunc(errs, func(a, b ParseError) int { return a.Line - b.Line })
	return errs
}

// Signs reports whether a comment holds phrase alone on a line GitHub
// shows as plain paragraph text, byte for byte once ASCII whitespace is
// trimmed from both: never in a quote, code, an HTML comment or <details>.
func Signs(body, phrase string) bool {
	phrase = mdtext.TrimASCII(phrase)
	return phrase != "" && slices.ContainsFunc(mdtext.Lines(body), func(l mdtext.Line) bool { return l.Text == phrase })
}

// isDigit: c is an ASCII digit. After "until", a word that begins with
// one is read as the date of an exemption's expiry, never as a reason.
func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// Through is the last day an exemption expiring at expires holds, as
// written in its command (YYYY-MM-DD).
func Through(expires time.Time) string { return expires.UTC().AddDate(0, 0, -1).Format(time.DateOnly) }

// blank reports whether c separates fields: an ASCII space or tab.
func blank(c byte) bool { return c == ' ' || c == '\t' }

// fieldsASCII splits line at runs of ASCII spaces and tabs.
func fieldsASCII(line string) []string {
	var fields []string
	for i := 0; i < len(line); {
		for i < len(line) && blank(line[i]) {
			i++
		}
		j := i
		for j < len(line) && !blank(line[j]) {
			j++
		}
		if j > i {
			fields = append(fields, line[i:j])
		}
		i = j
	}
	return fields
}

// Unreadable is the reply about the lines of a comment that could not be
// read: each line shown as code, never run, and cut to echoLimit characters.
func Unreadable(perrs []ParseError) string {
	var lines []string
	for _, e := range perrs {
		lines = append(lines, fmt.Sprintf("- line %d, %s: %s", e.Line, inert.Code(fit.Body.Cut(e.Text, echoLimit)), e.Problem))
	}
	return "I could not read these lines, so nothing in them was done:\n" + strings.Join(lines, "\n")
}

// echoLimit is how much of an unreadable line a reply shows.
const echoLimit = 500

// triage sorts a comment's commands for a review issue: the replies (what
// could not be read, with the help table once; the help asked for), whether
// a re-check was asked for, and the commands that decide.
func triage(cmds []Command, perrs []ParseError) (replies []string, recheck bool, deciding []Command) {
	if len(perrs) > 0 {
		replies = append(replies, Unreadable(perrs))
		if !slices.ContainsFunc(cmds, func(cmd Command) bool { return cmd.Verb == Help }) {
			replies = append(replies, HelpText)
		}
	}
	for _, cmd := range cmds {
		switch {
		case cmd.Verb == Help:
			replies = append(replies, HelpText)
		case cmd.Verb == Recheck:
			recheck = true
		case cmd.Decides():
			deciding = append(deciding, cmd)
		}
	}
	return replies, recheck, deciding
}

// restAfter returns the text of line after its first n fields.
func restAfter(line string, n int) string {
	rest := line
	for range n {
		rest = strings.TrimLeft(rest, " \t")
		i := strings.IndexAny(rest, " \t")
		if i < 0 {
			return ""
		}
		rest = rest[i:]
	}
	return mdtext.TrimASCII(rest)
}

// lowerASCII lowers the ASCII letters of s and leaves every other byte as
// it is (no Unicode case mapping: "K", the Kelvin sign, stays).
func lowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// equalFoldASCII compares byte for byte but for the case of ASCII letters:
// unlike strings.EqualFold, "/oſpo" is not "/ospo".
func equalFoldASCII(a, b string) bool {
	return len(a) == len(b) && lowerASCII(a) == lowerASCII(b)
}

// HelpText is the reply to /ospo help and to a comment with errors.
const HelpText = "Commands, each on its own line:\n\n" +
	"| command | who | what |\n|---|---|---|\n" +
	"| `/ospo approve [note]` | approvers | approve the repository; closes this issue |\n" +
	"| `/ospo reject <reason>` | approvers | reject it; the issue stays open |\n" +
	"| `/ospo exempt <rule> [until YYYY-MM-DD] <reason>` | approvers | exempt the repository from a rule (through that day, UTC) |\n" +
	"| `/ospo unexempt <rule>` | approvers | withdraw an exemption |\n" +
	"| `/ospo recheck` | anyone | check the repository again now |\n" +
	"| `/ospo help` | anyone | this table |\n"
