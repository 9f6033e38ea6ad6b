// Package fit cuts the text the bot writes to GitHub's size limits, saying how much it left out and where to read all of it.
package fit

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Limit is one of GitHub's size limits, measured as GitHub measures it.
type Limit struct {
	Max   int
	Bytes bool // measured in bytes; otherwise in characters (code points)
}

var (
	// Body is an issue or comment body: GitHub refuses more than 65,536
	// characters ("body is too long (maximum is 65536 characters)").
	Body = Limit{Max: 65536}
	// CheckOutput is a check run's output.summary or output.text: the
	// documentation says 65,535 characters, GitHub counts bytes ("summary
	// exceeds a maximum bytesize of 65535",
	// https://github.com/github/docs/issues/35252).
	CheckOutput = Limit{Max: 65535, Bytes: true}
)

// Len measures s in l's unit.
func (l Limit) Len(s string) int {
	if l.Bytes {
		return len(s)
	}
	return utf8.RuneCountInString(s)
}

// List is head, then as many items as fit, in order, then a line "… and N
// more: <more>" for the N items left out, then tail, all within l. Each
// item is a line or a block ending in "\n", kept whole or left out. more
// links to the full list, e.g. "see [the commits](https://…)"; it may be "".
func (l Limit) List(head string, items []string, tail, more string) string {
	all := head + strings.Join(items, "") + tail
	if l.Len(all) <= l.Max {
		return all
	}
	var b strings.Builder
	b.WriteString(head)
	used := l.Len(head) + l.Len(tail)
	kept := 0
	for i, it := range items {
		if used+l.Len(it)+l.Len(moreLine(len(items)-i-1, more)) > l.Max {
			break
		}
		b.WriteString(it)
		used += l.Len(it)
		kept++
	}
	b.WriteString(moreLine(len(items)-kept, more))
	b.WriteString(tail)
	return l.Cut(b.String(), l.Max)
}

func moreLine(n int, more string) string {
	if n == 0 {
		return ""
	}
	s := fmt.Sprintf("… and %d more", n)
	if more != "" {
		s += ": " + more
	}
	return s + "\n"
}

// Cut shortens s to at most max (in l's unit), at a space where there is
// one near the end, and says how many characters it left out: "… and N
// more characters". It is for one overlong item; List is for lists.
func (l Limit) Cut(s string, max int) string {
	if l.Len(s) <= max {
		return s
	}
	const reserve = 40 // " … and 1234567 more characters"
	keep := max - reserve
	if keep < 0 {
		keep = 0
	}
	end, n := 0, 0 // byte offset of the cut, and the length before it
	for i := range s {
		_, w := utf8.DecodeRuneInString(s[i:])
		size := 1
		if l.Bytes {
			size = w
		}
		if n+size > keep {
			break
		}
		n += size
		end = i + w
	}
	if sp := strings.LastIndexAny(s[:end], " \n"); sp > end-200 && sp > 0 {
		end = sp
	}
	if open := openCodeSpan(s[:end]); open >= 0 {
		end = open // a code span cut open would let the rest of its text act
	}
	left := utf8.RuneCountInString(s[end:])
	return s[:end] + fmt.Sprintf(" … and %d more characters", left)
}

// openCodeSpan returns where a Markdown code span that s leaves open
// starts: a run of backticks (not escaped by a backslash) that no later run
// of the same length closes. -1 when every span is closed.
func openCodeSpan(s string) int {
	run := func(i int) int {
		n := 0
		for i+n < len(s) && s[i+n] == '`' {
			n++
		}
		return n
	}
	for i := 0; i < len(s); {
		switch s[i] {
		case '\\':
			i += 2
			continue
		case '`':
		default:
			i++
			continue
		}
		n := run(i)
		closed := -1
		for j := i + n; j < len(s); {
			if s[j] != '`' {
				j++
				continue
			}
			m := run(j)
			if m == n {
				closed = j + m
				break
			}
			j += m
		}
		if closed < 0 {
			return i
		}
		i = closed
	}
	return -1
}
