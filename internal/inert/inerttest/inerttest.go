// Package inerttest checks, for tests, that Markdown the bot writes leaves anyone's text inert, with goldmark as the oracle.
package inerttest

import (
	"bytes"
	"html"
	"regexp"
	"strings"
	"testing"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

var (
	// gfm renders as GitHub does before its own autolinks.
	gfm    = goldmark.New(goldmark.WithExtensions(extension.GFM))
	tagRE  = regexp.MustCompile(`<(/?)([a-zA-Z][a-zA-Z0-9]*)([^>]*)>`)
	codeRE = regexp.MustCompile(`(?s)<code>.*?</code>|<a [^>]*>.*?</a>`)
	// MentionRE is a mention as GitHub finds one in text.
	MentionRE = regexp.MustCompile(`(?:^|[^\w])@([a-zA-Z0-9][a-zA-Z0-9-]*(?:/[a-zA-Z0-9][a-zA-Z0-9_.-]*)?)`)
	// What GitHub links in text after Markdown, besides mentions: issue
	// and pull request references, commits, URLs and emails.
	referenceREs = []*regexp.Regexp{
		regexp.MustCompile(`#[0-9]`),
		regexp.MustCompile(`(?i)\bgh-[0-9]`),
		regexp.MustCompile(`(?i)(?:^|[^0-9a-z])[0-9a-f]{7,40}(?:$|[^0-9a-z])`),
		regexp.MustCompile(`(?i)(?:https?|ftp|xmpp)://|\bwww\.`),
		regexp.MustCompile(`(?i)[a-z0-9]@[a-z0-9]`),
	}
)

// Options says what the bot itself may write in a text.
type Options struct {
	// Mentions are the accounts and teams the text may mention.
	Mentions []string
	// Commits are (abbreviated) SHAs the bot names on purpose.
	Commits []string
	// Headings, Checkboxes and Quotes (GitHub's alerts) are how many the
	// bot writes itself.
	Headings, Checkboxes, Quotes int
	// Links are URL prefixes the bot links to.
	Links []string
}

// Check renders md and fails t when anything of anyone's text became
// something: a link or an image of theirs, raw HTML beyond the bot's
// markers, an unexpected heading, checkbox, quote or emphasis, a mention
// of someone not in o.Mentions or of more than 10, a linkable reference.
// It returns who is mentioned.
func Check(t testing.TB, name, md string, o Options) map[string]bool {
	t.Helper()
	var buf bytes.Buffer
	if err := gfm.Convert([]byte(md), &buf); err != nil {
		t.Fatal(err)
	}
	h := buf.String()
	headings, boxes, quotes := 0, 0, 0
	for _, m := range tagRE.FindAllStringSubmatch(h, -1) {
		if m[1] != "" {
			continue
		}
		switch tag := strings.ToLower(m[2]); tag {
		case "blockquote":
			quotes++
		case "img", "script", "del", "em", "iframe":
			t.Errorf("%s: has <%s%s>:\n%s", name, tag, m[3], md)
		case "h1", "h2", "h3", "h4", "h5", "h6":
			headings++
		case "input":
			boxes++
		case "a":
			ok := false
			for _, p := range o.Links {
				ok = ok || strings.HasPrefix(m[3], ` href="`+p)
			}
			if !ok {
				t.Errorf("%s: links to%s:\n%s", name, m[3], md)
			}
		}
	}
	if headings > o.Headings || boxes > o.Checkboxes || quotes > o.Quotes {
		t.Errorf("%s: %d headings, %d checkboxes and %d quotes, want at most %d, %d and %d:\n%s", name, headings, boxes, quotes, o.Headings, o.Checkboxes, o.Quotes, md)
	}
	if n := strings.Count(h, "raw HTML omitted"); n > strings.Count(md, "<!-- ospo-bot:")+2*strings.Count(md, "<details>")+2*strings.Count(md, "<sub>") {
		t.Errorf("%s: holds %d pieces of raw HTML, more than the bot's own:\n%s", name, n, md)
	}
	text := html.UnescapeString(tagRE.ReplaceAllString(codeRE.ReplaceAllString(h, " "), " "))
	for _, sha := range o.Commits {
		text = strings.ReplaceAll(text, sha, " ")
	}
	mentioned := map[string]bool{}
	for _, m := range MentionRE.FindAllStringSubmatch(text, -1) {
		who := strings.ToLower(m[1])
		mentioned[who] = true
		ok := false
		for _, v := range o.Mentions {
			ok = ok || strings.EqualFold(strings.TrimPrefix(v, "@"), who)
		}
		if !ok {
			t.Errorf("%s: mentions @%s, whom GitHub did not verify:\n%s", name, who, md)
		}
	}
	if len(mentioned) > 10 {
		t.Errorf("%s: mentions %d accounts or teams, more than 10", name, len(mentioned))
	}
	for _, re := range referenceREs {
		if m := re.FindString(text); m != "" {
			t.Errorf("%s: %q stays linkable:\n%s", name, m, md)
		}
	}
	return mentioned
}

// Render is md as HTML, as GitHub renders it before its autolinks.
func Render(t testing.TB, md string) string {
	t.Helper()
	var buf bytes.Buffer
	if err := gfm.Convert([]byte(md), &buf); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}
