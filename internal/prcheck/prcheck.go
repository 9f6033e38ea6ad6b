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

// Summary is the check run's table: rule, result, what to do. It fits in a
// check run: rows that do not are counted in "… and N more: see <the pull
// request>", prURL being the pull request's page.
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
		return fit.Limit{Max: max, Bytes: l.Bytes}.List("| rule | result | what to do |\n|---|---|---|\n", rows, "", fmt.Sprintf("see [the pull request](%s)", prURL))
	})
}

// Annotations point at the file and line of each failure that has one.
func Annotations(fs []rules.Finding) []*github.CheckRunAnnotation {
	var out []*github.CheckRunAnnotation
	for _, f := range fs {
		if f.Result != rules.Fail || f.File == "" {
			continue
		}
		line := max(f.Line, 1)
		level := "warning"
		if f.Failing() {
			level = "failure"
		}
		out = append(out, &github.CheckRunAnnotation{
			Path: github.String(f.File), StartLine: github.Int(line), EndLine: github.Int(line),
			AnnotationLevel: github.String(level), Title: github.String(f.Rule), Message: github.String(f.Message + ". " + f.Remediation),
		})
		if len(out) == 50 { // GitHub's limit per request
			break
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
