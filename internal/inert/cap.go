package inert

import (
	"regexp"
	"slices"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/text"
)

// MaxMentions is how many distinct accounts and teams one text the bot
// writes may mention.
const MaxMentions = 10

// markdown parses as GitHub does before its own autolinks.
var markdown = goldmark.New(goldmark.WithExtensions(extension.GFM))

// mentionRE is a mention as GitHub's MentionFilter finds one in text: "@"
// after the start or a non-word character, then a login or a team.
var mentionRE = regexp.MustCompile(`(?:^|[^A-Za-z0-9_])@([A-Za-z0-9][A-Za-z0-9-]*(?:/[A-Za-z0-9][A-Za-z0-9_.-]*)?)`)

// Cap keeps the mentions of the first MaxMentions distinct accounts and
// teams in md live, in their order, and turns every later one into plain
// text (a zero-width space after its "@"): a text pings at most
// MaxMentions people or teams. Mentions in code, links and HTML, which
// GitHub does not mention, are left alone and not counted. Every text the
// bot writes to GitHub passes through Cap.
func Cap(md string) string {
	src := []byte(md)
	doc := markdown.Parser().Parse(text.NewReader(src))
	var at []int // offsets of the "@" of mentions past the cap
	kept := []string{}
	// Text nodes next to each other in the source are read as one run: a
	// login may span two of them.
	start, stop := -1, -1
	flush := func() {
		if start < 0 {
			return
		}
		for _, m := range mentionRE.FindAllSubmatchIndex(src[start:stop], -1) {
			atPos := start + m[2] - 1
			if atPos > 0 && atPos == start && isMentionWordByte(src[atPos-1]) {
				continue // "a@b" across two nodes: not a mention
			}
			who := strings.ToLower(string(src[start+m[2] : start+m[3]]))
			switch {
			case slices.Contains(kept, who):
			case len(kept) < MaxMentions:
				kept = append(kept, who)
			default:
				at = append(at, atPos)
			}
		}
		start, stop = -1, -1
	}
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n.Kind() {
		case ast.KindCodeSpan, ast.KindLink, ast.KindAutoLink, ast.KindImage, ast.KindRawHTML,
			ast.KindCodeBlock, ast.KindFencedCodeBlock, ast.KindHTMLBlock:
			flush()
			return ast.WalkSkipChildren, nil
		}
		t, ok := n.(*ast.Text)
		if !ok {
			return ast.WalkContinue, nil
		}
		seg := t.Segment
		if start >= 0 && seg.Start == stop {
			stop = seg.Stop
		} else {
			flush()
			start, stop = seg.Start, seg.Stop
		}
		return ast.WalkContinue, nil
	})
	flush()
	if len(at) == 0 {
		return md
	}
	var b strings.Builder
	last := 0
	for _, p := range at {
		b.Write(src[last : p+1])
		b.WriteString(zwsp)
		last = p + 1
	}
	b.Write(src[last:])
	return b.String()
}

func isMentionWordByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// CapWithin is Cap for a text written to fit a size limit: write(max)
// writes it within max, as size measures it. Capping mentions makes a text
// longer, so when the capped text is over max it is written again, shorter
// by as much as capping added, until it fits.
func CapWithin(max int, size func(string) int, write func(max int) string) string {
	budget := max
	for {
		out := Cap(write(budget))
		over := size(out) - max
		if over <= 0 || budget <= 0 {
			return out
		}
		budget -= over
	}
}
