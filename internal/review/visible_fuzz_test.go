package review

import (
	"bytes"
	"strings"
	"testing"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	gmhtml "github.com/yuin/goldmark/renderer/html"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// renderer renders a comment as GitHub does, raw HTML included, so that
// what the HTML hides (comments, <details>, <pre>…) is hidden in the
// rendered page too.
var renderer = goldmark.New(goldmark.WithExtensions(extension.GFM, extension.Footnote), goldmark.WithRendererOptions(gmhtml.WithUnsafe()))

// shown returns the lines a reader sees as plain paragraph text, read from
// the rendered HTML alone: the lines of each <p> that is a child of <body>
// (no blockquote, details, pre, code, table, li, h1–h6, summary, nor any
// element opened by raw HTML around it) and has no attributes, each line
// starting in text that is the <p>'s own child (not in <code>, <a>, <em>…).
// Lines are split at "\n" only, trimmed of ASCII spaces and tabs.
func shown(t *testing.T, body string) []string {
	t.Helper()
	// CommonMark, and GitHub, end a line at a lone "\r" too; goldmark
	// does not.
	src := strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(body)
	var out bytes.Buffer
	if err := renderer.Convert([]byte(src), &out); err != nil {
		t.Fatalf("render %q: %v", body, err)
	}
	return shownIn(t, out.Bytes())
}

// shownIn returns the lines shown as plain paragraph text in a rendered
// comment (see shown).
func shownIn(t *testing.T, rendered []byte) []string {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader(rendered))
	if err != nil {
		t.Fatalf("parse the HTML %q: %v", rendered, err)
	}
	var lines []string
	var visit func(n *html.Node)
	visit = func(n *html.Node) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.ElementNode && c.DataAtom == atom.P && len(c.Attr) == 0 && topLevel(c) {
				lines = append(lines, paragraphLines(c)...)
				continue
			}
			visit(c)
		}
	}
	visit(doc)
	return lines
}

// topLevel reports whether n's parent is the document's <body>.
func topLevel(n *html.Node) bool {
	b := n.Parent
	return b != nil && b.Type == html.ElementNode && b.DataAtom == atom.Body &&
		b.Parent != nil && b.Parent.DataAtom == atom.Html && b.Parent.Parent != nil && b.Parent.Parent.Type == html.DocumentNode
}

// paragraphLines returns the lines of p that start in p's own text.
func paragraphLines(p *html.Node) []string {
	var lines []string
	var cur strings.Builder
	direct, pending := false, true // the current line started in p's own text; a line is about to start
	end := func() {
		if direct {
			lines = append(lines, strings.Trim(cur.String(), " \t"))
		}
		cur.Reset()
		direct, pending = false, true
	}
	var walk func(n *html.Node, own bool)
	walk = func(n *html.Node, own bool) {
		switch n.Type {
		case html.TextNode:
			for i, part := range strings.Split(n.Data, "\n") {
				if i > 0 {
					end()
				}
				if part == "" {
					continue
				}
				if pending {
					direct, pending = own, false
				}
				cur.WriteString(part)
			}
		case html.ElementNode:
			if pending && n.DataAtom != atom.Br {
				direct, pending = false, false // the line starts in an element
			}
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				walk(c, false)
			}
		}
	}
	for c := p.FirstChild; c != nil; c = c.NextSibling {
		walk(c, true)
	}
	end()
	return lines
}

// FuzzParseRendered checks Parse and Signs against goldmark's rendering:
// every command (and every line Parse reports as a bad command) is a line
// shown as plain paragraph text that starts with /ospo and, for commands,
// the same verb, in the same order, one line each; every phrase Signs
// finds is such a line.
func FuzzParseRendered(f *testing.F) {
	for _, tc := range hidden {
		f.Add(tc.body)
	}
	for _, tc := range signing {
		f.Add(tc.body)
	}
	for _, s := range []string{
		"/ospo approve\n<!--\n/ospo reject hidden\n-->",
		"<details><summary>/ospo approve</summary>\n\n/ospo reject x\n\n</details>\n/ospo help",
		"<details>\n<table>\n</details>\n</table>\n\n/ospo approve",
		"<b>x\n\n/ospo approve\n\n</b>\n\n/ospo recheck",
		"<!-- a -- b -->\n/ospo approve",
		"<?php\n/ospo approve\n?>\n/ospo help",
		"<![CDATA[\n/ospo approve\n]]>",
		"<script>\n/ospo approve\n</script>",
		"<textarea>\n\n/ospo approve\n\n</textarea>",
		"<div\n\n/ospo approve",
		"x <span title=\"\n/ospo approve\n\">y</span>",
		"[ref]: https://example.com\n/ospo approve",
		"[ref]: https://example.com\n\"/ospo approve\"\n/ospo help",
		"/ospo approve  \n/ospo recheck\\\n/ospo help",
		"- [ ] /ospo approve\n- [x] task\n/ospo help",
		"www.example.com\n/ospo approve",
		"&#47;ospo approve\n/ospo&#32;help",
		"/ospo cla revoke @mallory because\n/OSPO Exempt license reason",
		"\t\t/ospo approve\n\n\n   /ospo recheck",
		"I have read the CLA Document and I hereby sign the CLA\n---",
		"sign here\n\nsign here",
		"- <b>x\n\n/ospo approve",
		"# <details>\n\n/ospo approve",
		"| <sub> |\n| - |\n\n/ospo approve\n\n</sub>\n\n/ospo help",
		"> <details>\n\n</details>\n\n/ospo approve",
		"<p>\n/ospo approve\n</p>\n\n/ospo help",
		"<search>\n\n/ospo approve\n\n</search>", "text\n<source>\n/ospo approve", "<!-- a -- b -->\n/ospo approve",
		"a <!-- b -- c -->\n/ospo approve", "<!-->\n/ospo approve", "<!--->\n/ospo approve",
		"| a | b |\n| - |\n/ospo approve", "a\n-|-\n/ospo approve", "|a|\n|-|\n/ospo approve", "a | b\n- | -\n/ospo approve",
		"/ospo approve\n| a |\n| - |", "/ospo approve | x\n- | -", "/ospo approve\n- | -", "> a\n/ospo approve\n---",
		"[a]: <b\n/ospo approve", "[a]: /b\n'/ospo approve\n", "<details>\n<summary>x</summary>\n/ospo approve\n</details>",
		"<div>/ospo approve</div>", "&nbsp;/ospo approve", "\\/ospo approve", "<textarea>\n\n/ospo approve\n\n</textarea>",
		"1) /ospo approve", "2. a\n/ospo approve", "- a\n\n  /ospo approve", "- a\n\n /ospo approve", "-\n  /ospo approve",
		"-\n\n  /ospo approve", "a\n    /ospo approve", "  - a\n\n   /ospo approve", "10. a\n\n    /ospo approve", "10. a\n\n   /ospo approve",
		"> a\n>\n/ospo approve", "```\n/ospo reject x\n```   \n/ospo approve", "``` ```\n/ospo approve", "~~~ ~\n/ospo approve\n~~~",
		"   ```\n/ospo approve\n   ```", "    ```\n/ospo approve", "<pre\n/ospo approve", "<pre>\n/ospo approve", "<PRE>\n\n/ospo approve\n\n</Pre>\n\n/ospo help",
		"<style>\n/ospo approve\n</style>\n/ospo help", "<a href=x>\n/ospo approve\n\n/ospo help", "<a>\n\n/ospo approve", "</a>\n/ospo approve",
		"<x-y>\n\n/ospo approve\n\n</x-y>\n\n/ospo help", "***\n/ospo approve\n___", "/ospo approve\n***", "# x #\n/ospo approve",
		"/ospo approve\n\t=", "/ospo approve\n   ===   ", "/ospo approve\n    ===", "|\n|-\n/ospo approve", "a|b\n-|-\n\n/ospo approve",
		"<del>\n\n/ospo approve\n\n</del>", "<ins>x\n/ospo approve", "<img src=x>\n/ospo approve", "<br>\n/ospo approve", "x<br>\n/ospo approve",
		"[^1]: a\n/ospo approve\n\nb[^1]", "[^1]:\n/ospo approve\n\nb[^1]", "* [ ] a\n/ospo approve", "[x] /ospo approve",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		lines := shown(t, body)
		cmds, errs := Parse(body)
		// Parse's lines in order: a command's verb, or "" for an error.
		type parsed struct {
			line int
			verb string
		}
		var got []parsed
		for _, c := range cmds {
			got = append(got, parsed{c.Line, strings.Fields(string(c.Verb))[0]})
		}
		for _, e := range errs {
			got = append(got, parsed{e.Line, ""})
		}
		for i := 1; i < len(got); i++ { // insertion sort: bodies are small
			for j := i; j > 0 && got[j].line < got[j-1].line; j-- {
				got[j], got[j-1] = got[j-1], got[j]
			}
		}
		k := 0
		for _, p := range got {
			for ; k < len(lines); k++ {
				f := fieldsASCII(lines[k])
				if len(f) > 0 && equalFoldASCII(f[0], "/ospo") && (p.verb == "" || len(f) > 1 && lowerASCII(f[1]) == p.verb) {
					break
				}
			}
			if k == len(lines) {
				t.Fatalf("Parse(%q) read line %d (%q), which is not shown as plain text; shown: %q\ncommands %+v\nerrors %+v", body, p.line, p.verb, lines, cmds, errs)
			}
			k++
		}
		// Any line of the body made of letters, digits, spaces and ".,/"
		// renders as itself: as a phrase it must sign only where shown.
		for _, phrase := range append(strings.Split(body, "\n"), cla) {
			phrase = strings.Trim(phrase, " \t\r")
			if phrase == "" || strings.Trim(phrase, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,/") != "" {
				continue
			}
			if Signs(body, phrase) && !containsLine(lines, phrase) {
				t.Fatalf("Signs(%q, %q) is true but no line shown as plain text is the phrase; shown: %q", body, phrase, lines)
			}
		}
	})
}

func containsLine(lines []string, s string) bool {
	for _, l := range lines {
		if l == s {
			return true
		}
	}
	return false
}

// TestShown: the oracle itself sees what a reader sees.
func TestShown(t *testing.T) {
	for body, want := range map[string][]string{
		"a\n/ospo approve":                              {"a", "/ospo approve"},
		"<details>\n\n/ospo x\n\n</details>\n\nb":       {"b"},
		"> q\nlazy\n\n    code\n\nz `x\ny` w\n\n*e\nf*": {"z x y w"},
		"<!--\nc\n-->\nd\r/ospo help \\\ne":             {"d", "/ospo help", "e"},
		"<b>x\n\ny":                                     nil,
		"| a |\n| - |\nb\n\nc\n---":                     nil,
	} {
		if got := shown(t, body); strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("shown(%q) = %q, want %q", body, got, want)
		}
	}
}
