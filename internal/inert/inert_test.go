package inert

import (
	"strings"
	"testing"
)

// hostile are anyone's text, one per kind of thing Markdown or GitHub
// would make of it.
var hostile = map[string][]string{
	"mention":     {"@alice", "hi @alice!", "@org/everyone", "(@alice)", "a.@alice"},
	"email":       {"eve@evil.example", "mailto:eve@evil.example", "<eve@evil.example>"},
	"reference":   {"#1", "fixes #123", "acme/widget#1", "GH-123", "gh-7", "acme/widget@1234567"},
	"sha":         {"a5c3785ed8d6a35868bc169f07e40e889087fd2e", "a5c3785", "see deadbeefcafe"},
	"url":         {"https://evil.example", "http://evil.example/x", "www.evil.example", "<https://evil.example>", "ftp://evil.example"},
	"link":        {"[x](https://evil.example)", "[x][1]\n\n[1]: https://evil.example", "[x]( https://evil.example )", "[sign here](https://evil.example \"t\")"},
	"image":       {"![x](https://evil.example/a.png)", "!", "![x]"},
	"html":        {"<img src=x>", "<b>bold</b>", "<!-- hidden -->", "</p><script>alert(1)</script>", "&lt;img&gt;", "&#64;alice", "&amp;"},
	"checklist":   {"- [x] approved", "* [ ] todo", "+ [x] ok", "1. [x] done", "1) x", "[x] approved"},
	"heading":     {"# Approved", "### x", "Title\n===", "x\n---", "---", "***", "___"},
	"quote":       {"> quoted", ">> x"},
	"code":        {"`x`", "``", "```", "a ` b", "`` a ` b ``", "    indented", "~~~"},
	"table":       {"a | b", "|---|", "| x |"},
	"emphasis":    {"*a*", "_a_", "**a**", "~~a~~", "~a~"},
	"math":        {"$x$", "$$x$$", "$`x`$"},
	"escape":      {`\`, `\*`, `a\`, `\\|`, `\|`},
	"line breaks": {"a\nb", "a\r\nb", "a\rb", "a\n\n- [x] b", "a  \nb", "a\u2028b", "a\tb\x00c"},
	"entity":      {"&copy;", "&#x40;alice", "&#35;1"},
	"plain":       {"Jane Doe", "O'Brien", "José", "a_b_c", "100%", "2+2=4", "?"},
}

func TestTextIsInert(t *testing.T) {
	for class, inputs := range hostile {
		t.Run(class, func(t *testing.T) {
			for _, s := range inputs {
				checkText(t, s)
			}
		})
	}
}

func TestCodeIsInert(t *testing.T) {
	for class, inputs := range hostile {
		t.Run(class, func(t *testing.T) {
			for _, s := range inputs {
				checkCode(t, s)
			}
		})
	}
}

// TestCodeFence: the fence is longer than any backtick run, padded when
// the text holds a backtick.
func TestCodeFence(t *testing.T) {
	for in, want := range map[string]string{
		"x":      "`x`",
		"a`b":    "`` a`b ``",
		"a``b":   "``` a``b ```",
		"`":      "`` ` ``",
		"a\nb":   "`a b`",
		"":       "` `",
		" x ":    "`  x  `",
		"a\r\nb": "`a b`",
	} {
		if got := Code(in); got != want {
			t.Errorf("Code(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMention(t *testing.T) {
	for in, want := range map[string]string{
		"alice":            "@alice",
		"@alice":           "@alice",
		"acme/ospo-leads":  "@acme/ospo-leads",
		"@acme/ospo-leads": "@acme/ospo-leads",
		"renovate[bot]":    "`@renovate[bot]`",
		"a b":              "`@a b`",
		"x](https://e)":    "`@x](https://e)`",
		"-alice":           "`@-alice`",
		"":                 "` `",
	} {
		if got := Mention(in); got != want {
			t.Errorf("Mention(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestCap: at most MaxMentions distinct accounts or teams are mentioned;
// the others stay readable and ping no one. Mentions in code do not count.
func TestCap(t *testing.T) {
	var b strings.Builder
	b.WriteString("`@incode` and\n\n```\n@fenced\n```\n\n")
	for i := range 15 {
		b.WriteString("- @user" + string(rune('a'+i)) + " must sign\n")
	}
	b.WriteString("\n| a |\n|---|\n| @usera again and @acme/team |\n")
	out := Cap(b.String())
	h := render(t, out)
	text := visible(codeRE.ReplaceAllString(h, " "))
	seen := map[string]bool{}
	for _, m := range githubMentionRE.FindAllStringSubmatch(text, -1) {
		seen[strings.ToLower(m[2])] = true
	}
	if len(seen) != MaxMentions {
		t.Errorf("Cap left %d distinct mentions, want %d: %v\n%s", len(seen), MaxMentions, seen, out)
	}
	for _, want := range []string{"usera", "userj"} {
		if !seen[want] {
			t.Errorf("@%s, among the first %d, is not mentioned:\n%s", want, MaxMentions, out)
		}
	}
	for _, gone := range []string{"userk", "usero", "acme/team"} {
		if seen[gone] {
			t.Errorf("@%s, past the first %d, is still mentioned:\n%s", gone, MaxMentions, out)
		}
	}
	if !strings.Contains(out, "`@incode`") || !strings.Contains(out, "\n@fenced\n") {
		t.Errorf("Cap changed code:\n%s", out)
	}
	if strings.ReplaceAll(out, zwsp, "") != b.String() {
		t.Errorf("Cap changed more than the mentions:\n%s", out)
	}
	if few := "@a, @b and `@c`"; Cap(few) != few {
		t.Errorf("Cap(%q) = %q, want it unchanged", few, Cap(few))
	}
}

func FuzzText(f *testing.F) {
	for _, inputs := range hostile {
		for _, s := range inputs {
			f.Add(s)
		}
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !validUTF8(s) {
			t.Skip()
		}
		checkText(t, s)
	})
}

func FuzzCode(f *testing.F) {
	for _, inputs := range hostile {
		for _, s := range inputs {
			f.Add(s)
		}
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !validUTF8(s) {
			t.Skip()
		}
		checkCode(t, s)
	})
}

// TestBlockIsInert: a fenced code block holds s, whatever its backticks.
func TestBlockIsInert(t *testing.T) {
	for _, inputs := range hostile {
		for _, s := range inputs {
			h := render(t, "Text:\n\n"+Block(s)+"\n\nAfter.")
			if got := strings.Join(tags(codeRE.ReplaceAllString(h, "<code></code>")), " "); got != "p pre code p" {
				t.Errorf("Block(%q) = %q renders %q:\n%s", s, Block(s), got, h)
			}
		}
	}
}

// FuzzCap: whatever the text, Cap only adds zero-width spaces, and
// GitHub finds at most MaxMentions distinct mentions in what it renders.
func FuzzCap(f *testing.F) {
	f.Add("@a @b @c @d @e @f @g @h @i @j @k @l `@m` [@n](x) @o/p")
	f.Add("- @a\n- @b\n\n| @c | @d |\n|---|---|\n| @e @f @g @h @i @j @k @l |\n")
	f.Fuzz(func(t *testing.T, s string) {
		if !validUTF8(s) || strings.Contains(s, zwsp) {
			t.Skip()
		}
		out := Cap(s)
		if strings.ReplaceAll(out, zwsp, "") != s {
			t.Fatalf("Cap(%q) = %q changed more than mentions", s, out)
		}
		text := visible(codeRE.ReplaceAllString(linkRE.ReplaceAllString(render(t, out), " "), " "))
		seen := map[string]bool{}
		for _, m := range githubMentionRE.FindAllStringSubmatch(text, -1) {
			seen[strings.ToLower(m[2])] = true
		}
		if len(seen) > MaxMentions {
			t.Fatalf("Cap(%q) = %q leaves %d mentions: %v", s, out, len(seen), seen)
		}
	})
}

// TestBidiControlsAreShown: a right-to-left override (U+202E) and its kin
// reorder how the rest of a line displays ("Trojan Source",
// CVE-2021-42574): in a name or a file name they would show the reader
// something other than what is there. Code and Text show each as U+FFFD.
func TestBidiControlsAreShown(t *testing.T) {
	for _, s := range []string{"evil\u202Etxt.exe", "a\u2066b\u2069", "x\u200Fy", "\u061Cz", "p\u202Aq\u202C"} {
		for name, out := range map[string]string{"Code": Code(s), "Text": Text(s)} {
			if strings.ContainsFunc(out, isBidiControl) {
				t.Errorf("%s(%q) = %q: keeps a bidirectional control", name, s, out)
			}
			if !strings.ContainsRune(out, '\uFFFD') {
				t.Errorf("%s(%q) = %q: hides the control instead of showing it", name, s, out)
			}
		}
	}
}
