// Package inert renders anyone's text into GitHub Markdown so that it shows as written and does nothing.
//
// Names, emails and trailers in commits, file names, logins GitHub did not
// verify, comment excerpts, reasons and policy snippets all come from
// people the bot does not trust. Written with Code or Text, such text
// mentions no one, references no issue, pull request or commit, links
// nowhere, embeds nothing, holds no HTML and makes no list, checkbox,
// heading, quote or table cell. Mention writes the mentions the bot means,
// and Cap keeps at most MaxMentions of them in one text.
package inert

import (
	"regexp"
	"strings"
	"unicode"
)

// zwsp breaks GitHub's autolinks: a mention is "@" directly followed by a
// login character, a reference "#" directly followed by a digit, a commit
// a word of 7 to 40 hex digits (html-pipeline's MentionFilter and its
// reference filters run on text after Markdown), a URL "scheme://" or
// "www.". A zero-width space after "@" or "#", or inside such a word, is
// invisible and ends the match.
const zwsp = "\u200b"

// isBreak: a line break, a tab, any white space or control character.
func isBreak(r rune) bool {
	return unicode.IsSpace(r) || unicode.IsControl(r) || r == '\u2028' || r == '\u2029'
}

// oneLine is s with each run of white space and control characters one
// space, trimmed.
func oneLine(s string) string { return strings.Join(strings.FieldsFunc(s, isBreak), " ") }

// Code writes s as one Markdown code span that s cannot close: fenced by
// more backticks than its longest run, padded with a space when it holds
// any or starts and ends with a space (CommonMark strips one on each side,
// https://spec.commonmark.org/0.31.2/#code-spans). Inside it nothing is a
// mention, a reference, a link or HTML. Line breaks and control characters
// become spaces; bidirectional controls show as U+FFFD. In a table cell, the writer of the table escapes "|".
func Code(s string) string {
	s = strings.Map(func(r rune) rune {
		if isBreak(r) {
			return ' '
		}
		return r
	}, strings.ReplaceAll(showBidi(s), "\r\n", "\n"))
	if s == "" {
		return "` `"
	}
	longest := longestBackticks(s)
	fence := strings.Repeat("`", longest+1)
	if longest > 0 || strings.HasPrefix(s, " ") && strings.HasSuffix(s, " ") && strings.TrimSpace(s) != "" {
		return fence + " " + s + " " + fence
	}
	return fence + s + fence
}

// escaped are the ASCII punctuation characters that start Markdown or
// GitHub syntax anywhere in a line: code, emphasis, strikethrough, links,
// images, HTML, entities, table cells, math, escapes themselves.
const escaped = "\\`*_[]<>&!|~$"

// Text writes s as Markdown that shows s, on one line, and does nothing:
// characters that start syntax are backslash-escaped, a leading list,
// heading or quote marker too, "@" and "#" are followed by a zero-width
// space, and so are "scheme:" before "//", "www" before "." and every
// sixth digit of a word of 7 or more hex digits. Line breaks and control
// characters become spaces; bidirectional controls show as U+FFFD.
func Text(s string) string {
	rs := []rune(oneLine(showBidi(s)))
	var b strings.Builder
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case isWordRune(r):
			j := i
			for j < len(rs) && isWordRune(rs[j]) {
				j++
			}
			word := string(rs[i:j])
			writeWord(&b, word)
			next := rune(0)
			if j < len(rs) {
				next = rs[j]
			}
			switch {
			case next == '.' && strings.EqualFold(word, "www"),
				next == '-' && strings.EqualFold(word, "gh"):
				b.WriteString(zwsp)
			}
			i = j - 1
		case r == '@':
			b.WriteString("@" + zwsp)
		case r == '#':
			b.WriteString(`\#` + zwsp)
		case r == ':' && i+2 < len(rs) && rs[i+1] == '/' && rs[i+2] == '/':
			b.WriteString(":" + zwsp)
		case strings.ContainsRune(escaped, r):
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	return escapeLeading(b.String())
}

// escapeLeading escapes what would start a block at the start of a line:
// a list item ("-", "+", "1." or "1)"), a setext underline ("="), a table
// delimiter row (":---"); "#",
// ">" and "*" are escaped everywhere already.
func escapeLeading(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '-', '+', '=', ':': // ":---" under a line makes that line a table header
		return `\` + s
	}
	digits := 0
	for digits < len(s) && s[digits] >= '0' && s[digits] <= '9' {
		digits++
	}
	if digits > 0 && digits < len(s) && (s[digits] == '.' || s[digits] == ')') {
		return s[:digits] + `\` + s[digits:]
	}
	return s
}

func isWordRune(r rune) bool {
	return r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
}

// writeWord writes a word, with a zero-width space after every sixth
// character when it is 7 or more hex digits: GitHub links such a word to
// the commit it abbreviates.
func writeWord(b *strings.Builder, word string) {
	if len(word) < 7 || strings.Trim(word, "0123456789abcdefABCDEF") != "" {
		b.WriteString(word)
		return
	}
	for i := 0; i < len(word); i += 6 {
		if i > 0 {
			b.WriteString(zwsp)
		}
		b.WriteString(word[i:min(i+6, len(word))])
	}
}

var loginRE = regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9]|-[A-Za-z0-9]){0,38}(?:/[A-Za-z0-9][A-Za-z0-9_.-]{0,99})?$`)

// Mention writes "@login" (or "@org/team-slug"), which GitHub turns into a
// mention. Give it only accounts GitHub verified, and teams the policy
// names. Anything that is not a well-formed login or team is written as
// code, and so is a bot's login, which GitHub does not mention.
func Mention(login string) string {
	login = strings.TrimPrefix(login, "@")
	if !loginRE.MatchString(login) {
		if login == "" {
			return Code("")
		}
		return Code("@" + login)
	}
	return "@" + login
}

// Block writes s as a fenced code block that s cannot close: the fence is
// longer than any run of backticks in s (and at least three). Its lines
// stay lines; a carriage return ends one.
func Block(s string) string {
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	longest := longestBackticks(s)
	fence := strings.Repeat("`", max(3, longest+1))
	return fence + "\n" + s + "\n" + fence
}

// longestBackticks is the length of the longest run of backticks in s.
func longestBackticks(s string) int {
	longest, run := 0, 0
	for _, c := range s {
		if c == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	return longest
}

// showBidi is s with each bidirectional control shown as U+FFFD.
func showBidi(s string) string {
	return strings.Map(func(r rune) rune {
		if isBidiControl(r) {
			return '\uFFFD'
		}
		return r
	}, s)
}

// isBidiControl: an explicit bidirectional formatting character
// (https://www.unicode.org/reports/tr9/#Explicit_Directional_Embeddings),
// which reorders how the text after it displays.
func isBidiControl(r rune) bool {
	return r >= '\u202A' && r <= '\u202E' || r >= '\u2066' && r <= '\u2069' || r == '\u200E' || r == '\u200F' || r == '\u061C'
}
