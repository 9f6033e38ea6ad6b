// Package mdtext tells which lines of a GitHub comment GitHub shows as plain paragraph text.
package mdtext

import (
	"bytes"
	"io"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/text"
	"golang.org/x/net/html"
)

// Line is a line of a comment that GitHub shows as plain paragraph text.
type Line struct {
	Number int    // 1-based line of the comment ("\r\n", "\n" and a lone "\r" end a line)
	Text   string // the line without its leading spaces and tabs (what CommonMark strips: one that starts with a form feed is no command) and its trailing ASCII white space
}

// Markdown is the parser GitHub's comments are read with: CommonMark and
// GitHub's extensions (tables, strikethrough, task lists, autolinks) and
// footnotes, whose lazy continuation lines are not top-level text.
var Markdown = goldmark.New(goldmark.WithExtensions(extension.GFM, extension.Footnote))

// Normalize makes every line ending "\n". CommonMark (and so GitHub) ends a
// line at "\r\n", "\n" and also at a lone "\r", which goldmark does not.
func Normalize(body string) string {
	return strings.ReplaceAll(strings.ReplaceAll(body, "\r\n", "\n"), "\r", "\n")
}

// Lines returns the lines of body that GitHub shows as plain text: lines of
// a paragraph at the top level of the comment (not in a quote, list,
// footnote, table, heading, code or HTML block) that start in the
// paragraph's own text (not in a code span, link, emphasis or inline HTML),
// that no inline HTML or "$" (mathematics) precedes in their paragraph, and
// that no element opened by HTML earlier in the comment (<details>, <div>,
// <pre>, <sub>…) still encloses. It fails
// closed: HTML it cannot follow (an unfinished comment or tag, <script>,
// <template>, <svg>…, a closing tag out of order) hides every line after it,
// and a body built to be slow to parse (see tooCostly) shows no line.
func Lines(body string) []Line {
	src := []byte(Normalize(body))
	if tooCostly(src) {
		return nil
	}
	starts := []int{0} // offset of each line's first byte
	for i, c := range src {
		if c == '\n' {
			starts = append(starts, i+1)
		}
	}
	doc := Markdown.Parser().Parse(text.NewReader(src))
	var h htmlState
	var lines []Line
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.HTMLBlock:
			var b bytes.Buffer
			for i := range n.Lines().Len() {
				seg := n.Lines().At(i)
				b.Write(seg.Value(src))
			}
			if n.HasClosure() {
				b.Write(n.ClosureLine.Value(src))
			}
			h.feed(b.Bytes(), n.Parent())
		case *ast.RawHTML:
			var b bytes.Buffer
			for i := range n.Segments.Len() {
				seg := n.Segments.At(i)
				b.Write(seg.Value(src))
			}
			h.feed(b.Bytes(), n.Parent())
		case *ast.Paragraph:
			if n.Parent() == doc && h.closed() {
				lines = append(lines, plain(n, src, starts)...)
			}
		}
		return ast.WalkContinue, nil
	})
	return lines
}

// plain returns the lines of a top-level paragraph that start in one of its
// own Text nodes with no inline HTML and no "$" before them.
func plain(p *ast.Paragraph, src []byte, starts []int) []Line {
	hideFrom := -1 // offset of the paragraph's first inline HTML or "$": no line after it is plain
	_ = ast.Walk(p, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if r, ok := n.(*ast.RawHTML); ok && entering && r.Segments.Len() > 0 {
			if s := r.Segments.At(0).Start; hideFrom < 0 || s < hideFrom {
				hideFrom = s
			}
		}
		return ast.WalkContinue, nil
	})
	// GitHub shows "$…$" and "$$…$$" as mathematics, which goldmark does
	// not know: the lines after a "$" are not plain text.
	for i := range p.Lines().Len() {
		seg := p.Lines().At(i)
		if d := bytes.IndexByte(seg.Value(src), '$'); d >= 0 {
			if s := seg.Start + d; hideFrom < 0 || s < hideFrom {
				hideFrom = s
			}
			break
		}
	}
	var own []text.Segment // the paragraph's own Text nodes, in source order
	for c := p.FirstChild(); c != nil; c = c.NextSibling() {
		if t, ok := c.(*ast.Text); ok {
			own = append(own, t.Segment)
		}
	}
	var out []Line
	j := 0
	for i := range p.Lines().Len() {
		s := p.Lines().At(i).Start
		if hideFrom >= 0 && hideFrom <= s {
			break
		}
		for j < len(own) && own[j].Stop <= s {
			j++
		}
		if j == len(own) || own[j].Start > s {
			continue // the line starts in a code span, a link, emphasis…
		}
		n := lineOf(starts, s)
		end := len(src)
		if n < len(starts) {
			end = starts[n] // the next line's start
		}
		out = append(out, Line{Number: n, Text: strings.TrimLeft(strings.TrimRight(string(src[starts[n-1]:end]), asciiSpace), " \t")})
	}
	return out
}

// lineOf returns the 1-based line holding offset s.
func lineOf(starts []int, s int) int {
	lo, hi := 0, len(starts) // the last start <= s
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		if starts[mid] <= s {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo + 1
}

// TrimASCII trims ASCII whitespace (space, tab, line feed, carriage return,
// form feed, vertical tab) from both ends of s, and nothing else.
func TrimASCII(s string) string {
	return strings.Trim(s, asciiSpace)
}

// asciiSpace is ASCII's white space.
const asciiSpace = " \t\n\r\f\v"

// htmlState follows the elements the comment's raw HTML opens, in order.
type htmlState struct {
	open   []element
	broken bool // HTML it cannot follow: nothing after it is plain text
}

// element is an open element and the Markdown node its tag was written in:
// only a closing tag written at the same place closes it (a closing tag in
// a table cell, say, does not close a <details> opened outside the table).
type element struct {
	name  string
	where ast.Node
}

func (h *htmlState) closed() bool { return !h.broken && len(h.open) == 0 }

// void elements have no content and no closing tag.
var void = map[string]bool{"area": true, "base": true, "br": true, "col": true, "embed": true, "hr": true,
	"img": true, "input": true, "link": true, "meta": true, "param": true, "source": true, "track": true,
	"wbr": true, "keygen": true, "basefont": true, "bgsound": true, "frame": true}

// opaque elements change how the HTML after them is read (raw text,
// foreign content, templates, documents and scoping markers): after one,
// nothing is plain text.
var opaque = map[string]bool{"script": true, "style": true, "textarea": true, "title": true, "xmp": true,
	"iframe": true, "noembed": true, "noframes": true, "noscript": true, "plaintext": true, "template": true,
	"svg": true, "math": true, "select": true, "frameset": true, "object": true, "applet": true,
	"marquee": true, "html": true, "head": true, "body": true, "listing": true}

// feed reads one piece of raw HTML written at where.
func (h *htmlState) feed(raw []byte, where ast.Node) {
	if h.broken {
		return
	}
	z := html.NewTokenizer(bytes.NewReader(raw))
	read := 0
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			// Anything left unread is an unfinished tag.
			if z.Err() != io.EOF || read != len(raw) {
				h.broken = true
			}
			return
		}
		tok := z.Raw()
		read += len(tok)
		name, _ := z.TagName()
		tag := string(name)
		switch tt {
		case html.CommentToken:
			if !finishedComment(tok) {
				h.broken = true // an open comment hides what follows
				return
			}
		case html.StartTagToken, html.SelfClosingTagToken: // "/>" closes only void elements
			switch {
			case opaque[tag]:
				h.broken = true
				return
			case !void[tag]:
				h.open = append(h.open, element{tag, where})
			}
		case html.EndTagToken:
			for i := len(h.open) - 1; i >= 0; i-- {
				if h.open[i].name != tag {
					continue
				}
				if i != len(h.open)-1 || h.open[i].where != where {
					h.broken = true // closes out of order: leave it to no guess
					return
				}
				h.open = h.open[:i]
				break
			}
			if opaque[tag] {
				h.broken = true
				return
			}
		}
	}
}

// finishedComment reports whether a comment token is closed: "<!-- … -->"
// (or "--!>", or the empty "<!-->" and "<!--->"), or a bogus comment such
// as "<?…>" or "<!x…>" closed by ">".
func finishedComment(tok []byte) bool {
	s := string(tok)
	if strings.HasPrefix(s, "<!--") {
		return s == "<!-->" || s == "<!--->" || len(s) >= 7 && (strings.HasSuffix(s, "-->") || strings.HasSuffix(s, "--!>"))
	}
	return strings.HasSuffix(s, ">")
}

// MaxDepth is the deepest nesting of block quotes and list items a line may
// open at its start; maxLinkScan bounds the bytes goldmark may scan for
// link destinations ("](" × the length of its line, summed over lines).
// Both costs grow as their square in goldmark: 32,768 nested quotes on one
// line take seconds to parse, and so do 16,384 "[a](" on one line.
const (
	MaxDepth    = 32
	maxLinkScan = 1 << 22
)

// tooCostly reports whether src is built to be slow to parse: a line
// nesting more than MaxDepth block quotes or list items, or links whose
// destinations goldmark would scan for too long. No comment with commands
// in it looks like this; such a body shows no line at all.
func tooCostly(src []byte) bool {
	scan := 0
	for line := range bytes.SplitSeq(src, []byte("\n")) {
		if depth(line) > MaxDepth {
			return true
		}
		if scan += bytes.Count(line, []byte("](")) * len(line); scan > maxLinkScan {
			return true
		}
	}
	return false
}

// depth counts the block quote and list item markers at the start of line.
func depth(line []byte) int {
	n, i := 0, 0
	blank := func(i int) bool { return i < len(line) && (line[i] == ' ' || line[i] == '\t') }
	for {
		for blank(i) {
			i++
		}
		switch j := i; {
		case i < len(line) && line[i] == '>':
			i++
		case i < len(line) && (line[i] == '-' || line[i] == '+' || line[i] == '*') && blank(i+1):
			i += 2
		default:
			for j < len(line) && j-i < 9 && '0' <= line[j] && line[j] <= '9' {
				j++
			}
			if j == i || j >= len(line) || line[j] != '.' && line[j] != ')' || !blank(j+1) {
				return n
			}
			i = j + 2
		}
		n++
	}
}
