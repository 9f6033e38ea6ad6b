// Package prcheck reports a pull request's results: the ospo/policy check run on its head commit and, when the contributor must act, one sticky comment.
package prcheck

import (
	"fmt"
	"strings"

	"github.com/google/go-github/v66/github"

	"github.com/ospo-bot/ospo-bot/internal/fit"
	"github.com/ospo-bot/ospo-bot/internal/inert"
	"github.com/ospo-bot/ospo-bot/internal/rules"
)

// CheckName is the check run's name.
const CheckName = "ospo/policy"

// RecheckAction is the identifier of the check run's "Recheck" button.
const RecheckAction = "recheck"

// Conclusion is failure when an enforce rule fails, neutral when only warn
// rules do, success otherwise.
func Conclusion(fs []rules.Finding) string {
	conclusion := "success"
	for _, f := range fs {
		switch {
		case f.Failing():
			return "failure"
		case f.Result == rules.Fail:
			conclusion = "neutral"
		}
	}
	return conclusion
}

// Title says in one line what is missing.
func Title(fs []rules.Finding) string {
	var missing []string
	for _, f := range fs {
		if f.Result == rules.Fail {
			missing = append(missing, f.Message)
		}
	}
	if len(missing) == 0 {
		return "All policy checks pass"
	}
	t := []rune(strings.Join(missing, "; "))
	if len(t) > 200 { // GitHub shows titles on one line
		t = append(t[:197], []rune("...")...)
	}
	return string(t)
}

// maxCell bounds one cell of the summary table, so one overlong rule
// result cannot push the others out of the summary.
const maxCell = 6000

// Summary is the check run's table: rule, result, what to do; then each
// finding's Details (a table of dependencies, say), in order, as far as
// they fit. It fits in a check run: rows that do not are counted in "… and
// N more: see <the pull request>", prURL being the pull request's page,
// and details that do not are named.
func Summary(fs []rules.Finding, prURL string) string {
	var rows []string
	for _, f := range fs {
		if f.Result == rules.Skip {
			continue
		}
		result := "✅ pass"
		switch {
		case f.Failing():
			result = "❌ fail"
		case f.Result == rules.Fail:
			result = "⚠️ fail (warn)"
		case f.Result == rules.Exempt:
			result = "➖ exempt"
		}
		todo := cell(f.Remediation)
		if f.PolicyURL != "" && f.Result == rules.Fail {
			todo += fmt.Sprintf(" ([policy](%s))", f.PolicyURL)
		}
		rows = append(rows, fmt.Sprintf("| `%s` (%s) | %s: %s | %s |\n", f.Rule, f.Mode, result, cell(f.Message), todo))
	}
	l := fit.CheckOutput
	return inert.CapWithin(l.Max, l.Len, func(max int) string {
		table := fit.Limit{Max: max, Bytes: l.Bytes}.List("| rule | result | what to do |\n|---|---|---|\n", rows, "", fmt.Sprintf("see [the pull request](%s)", prURL))
		var b strings.Builder
		b.WriteString(table)
		used := l.Len(table)
		for _, f := range fs {
			if f.Details == "" || f.Result == rules.Skip {
				continue
			}
			block := "\n" + strings.TrimRight(f.Details, "\n") + "\n"
			if used+l.Len(block) > max {
				block = fmt.Sprintf("\nThe details of `%s` are too long for a check run; see [the pull request](%s).\n", f.Rule, prURL)
				if used+l.Len(block) > max {
					break
				}
			}
			b.WriteString(block)
			used += l.Len(block)
		}
		return b.String()
	})
}

// maxAnnotations is how many annotations one request may add to a check
// run (https://docs.github.com/rest/checks/runs#update-a-check-run);
// maxRunAnnotations how many a run gets at most (5 requests): a finding
// about more places names them in its Details.
const (
	maxAnnotations    = 50
	maxRunAnnotations = 250
)

// Annotations point at the places of each failure that has any: its
// Annotations, or else its File and Line. At most maxRunAnnotations.
func Annotations(fs []rules.Finding) []*github.CheckRunAnnotation {
	var out []*github.CheckRunAnnotation
	for _, f := range fs {
		if f.Result != rules.Fail {
			continue
		}
		level := "warning"
		if f.Failing() {
			level = "failure"
		}
		places := f.Annotations
		if len(places) == 0 && f.File != "" {
			places = []rules.Annotation{{File: f.File, Line: f.Line, Title: f.Rule, Message: f.Message + ". " + f.Remediation}}
		}
		for _, a := range places {
			line := max(a.Line, 1)
			title := a.Title
			if title == "" {
				title = f.Rule
			}
			out = append(out, &github.CheckRunAnnotation{
				Path: github.String(a.File), StartLine: github.Int(line), EndLine: github.Int(line),
				AnnotationLevel: github.String(level), Title: github.String(title), Message: github.String(a.Message),
			})
			if len(out) == maxRunAnnotations {
				return out
			}
		}
	}
	return out
}

// cell is a Markdown text as one table cell: on one line, and every "|"
// escaped (GFM splits cells before it reads code spans), unless a
// backslash escapes it already.
func cell(s string) string {
	s = fit.CheckOutput.Cut(strings.Join(strings.Fields(s), " "), maxCell)
	var b strings.Builder
	backslashes := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '|' && backslashes%2 == 0 {
			b.WriteByte('\\')
		}
		if c == '\\' {
			backslashes++
		} else {
			backslashes = 0
		}
		b.WriteByte(c)
	}
	return b.String()
}
