package inert

import (
	"bytes"
	"html"
	"regexp"
	"strings"
	"testing"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

// gfm renders Markdown as GitHub does before its own autolinks: CommonMark
// with tables, strikethrough, task lists and autolinked URLs. Raw HTML is
// passed through (GitHub sanitises it, but what gets through is the
// attacker's: the oracle treats any of it as a failure).
var gfm = goldmark.New(goldmark.WithExtensions(extension.GFM))

func render(t testing.TB, md string) string {
	t.Helper()
	var buf bytes.Buffer
	if err := gfm.Convert([]byte(md), &buf); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

var (
	tagRE  = regexp.MustCompile(`<(/?)([a-zA-Z][a-zA-Z0-9]*)[^>]*>`)
	codeRE = regexp.MustCompile(`(?s)<code>.*?</code>`)
	// What GitHub links after Markdown, in text outside code and links
	// (html-pipeline's MentionFilter, its reference and SHA filters, GFM's
	// extended autolinks): @login, @org/team, #1, GH-1, owner/repo#1,
	// 7 to 40 hex digits, URLs and emails.
	githubLinks = []*regexp.Regexp{
		regexp.MustCompile(`(?:^|[^\w])@[a-zA-Z0-9]`),
		regexp.MustCompile(`#[0-9]`),
		regexp.MustCompile(`(?i)\bgh-[0-9]`),
		regexp.MustCompile(`(?i)(?:^|[^0-9a-z])[0-9a-f]{7,40}(?:$|[^0-9a-z])`),
		regexp.MustCompile(`(?i)(?:https?|ftp|xmpp)://`),
		regexp.MustCompile(`(?i)\bwww\.`),
		regexp.MustCompile(`(?i)[a-z0-9]@[a-z0-9]`),
	}
)

// visible is the text a reader sees in rendered HTML: tags dropped,
// entities decoded.
func visible(h string) string { return html.UnescapeString(tagRE.ReplaceAllString(h, "")) }

// tags lists the elements of rendered HTML, opening ones only.
func tags(h string) []string {
	var out []string
	for _, m := range tagRE.FindAllStringSubmatch(h, -1) {
		if m[1] == "" {
			out = append(out, strings.ToLower(m[2]))
		}
	}
	return out
}

// linkable returns the first GitHub autolink pattern found in the text of
// rendered HTML outside code, or "".
func linkable(h string) string {
	text := visible(codeRE.ReplaceAllString(h, " "))
	for _, re := range githubLinks {
		if m := re.FindString(text); m != "" {
			return m
		}
	}
	return ""
}

// wantLine is s as the renderers show it: each run of white space and
// control characters one space, trimmed.
func wantLine(s string) string {
	return strings.Join(strings.FieldsFunc(showBidi(s), func(r rune) bool { return isBreak(r) }), " ")
}

// checkText asserts that Text(s), within a sentence, a list item and a
// table cell, renders as exactly s (on one line) and nothing else.
func checkText(t *testing.T, s string) {
	t.Helper()
	md := Text(s)
	// The zero-width spaces Text adds are invisible; so are the input's.
	want := strings.TrimSpace(strings.ReplaceAll(wantLine(s), zwsp, ""))
	for _, c := range []struct {
		name, doc, tags string
	}{
		{"sentence", "Said " + md + " here.", "p"},
		{"line start", md + " here.", "p"},
		{"list item", "- " + md + "\n", "ul li"},
		{"after a paragraph", "Said:\n" + md + "\n", "p"},
		{"table cell", "| a | b |\n|---|---|\n| " + md + " | x |\n", "table thead tr th th tbody tr td td"},
	} {
		h := render(t, c.doc)
		if got := strings.Join(tags(h), " "); got != c.tags {
			t.Errorf("%s: Text(%q) = %q renders elements %q, want %q:\n%s", c.name, s, md, got, c.tags, h)
			continue
		}
		if m := linkable(h); m != "" {
			t.Errorf("%s: Text(%q) = %q leaves %q linkable:\n%s", c.name, s, md, m, h)
		}
		if c.name == "table cell" {
			continue
		}
		shown := strings.TrimSpace(visible(h))
		shown = strings.ReplaceAll(shown, zwsp, "")
		shown = strings.TrimPrefix(strings.TrimPrefix(shown, "Said:"), "Said")
		shown = strings.TrimSuffix(strings.TrimSuffix(shown, " here."), " here.")
		shown = strings.TrimSpace(strings.ReplaceAll(shown, "\n", " "))
		if want != "" && shown != want {
			t.Errorf("%s: Text(%q) = %q shows %q, want %q", c.name, s, md, shown, want)
		}
	}
}

// checkCode asserts that Code(s) within a sentence is one code span that
// holds exactly s on one line.
func checkCode(t *testing.T, s string) {
	t.Helper()
	md := Code(s)
	for _, doc := range []string{"Said " + md + " here.", md + " here.", "- " + md + "\n", "Said:\n" + md + "\n"} {
		h := render(t, doc)
		n := strings.Count(h, "<code>")
		if n != 1 {
			t.Errorf("Code(%q) = %q renders %d code spans in %q:\n%s", s, md, n, doc, h)
			continue
		}
		outside := codeRE.ReplaceAllString(h, "<code></code>")
		if got := strings.Join(tags(outside), " "); got != "p code" && got != "ul li code" {
			t.Errorf("Code(%q) = %q renders elements %q in %q:\n%s", s, md, got, doc, h)
		}
		if m := linkable(h); m != "" {
			t.Errorf("Code(%q) = %q leaves %q linkable outside the span:\n%s", s, md, m, h)
		}
		inner := html.UnescapeString(strings.TrimSuffix(strings.TrimPrefix(codeRE.FindString(h), "<code>"), "</code>"))
		if want := strings.Map(func(r rune) rune {
			if isBreak(r) {
				return ' '
			}
			return r
		}, strings.ReplaceAll(showBidi(s), "\r\n", "\n")); strings.TrimSpace(inner) != strings.TrimSpace(want) {
			t.Errorf("Code(%q) = %q holds %q, want %q", s, md, inner, want)
		}
	}
}
