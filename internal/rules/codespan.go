package rules

import "strings"

// CodeSpan writes s, anyone's text (a name in a commit), as one markdown
// code span that s cannot close: fenced by more backticks than its longest
// run, padded with a space when it holds any (CommonMark strips one on each
// side, https://spec.commonmark.org/0.31.2/#code-spans). Inside it nothing
// is a mention, a link or HTML. Line breaks become spaces.
func CodeSpan(s string) string {
	s = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(s)
	longest, run := 0, 0
	for _, c := range s {
		if c == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	if longest == 0 {
		return "`" + s + "`"
	}
	fence := strings.Repeat("`", longest+1)
	return fence + " " + s + " " + fence
}
