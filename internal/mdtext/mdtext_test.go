package mdtext

import (
	"reflect"
	"strings"
	"testing"
)

func TestLines(t *testing.T) {
	for _, tc := range []struct {
		name string
		body string
		want []Line
	}{
		{"paragraphs", "a\n  b  \n\nc", []Line{{1, "a"}, {2, "b"}, {4, "c"}}},
		{"CRLF and lone CR", "a\r\nb\rc", []Line{{1, "a"}, {2, "b"}, {3, "c"}}},
		{"hard break", "a\\\nb  \nc", []Line{{1, `a\`}, {2, "b"}, {3, "c"}}},
		{"quote and lazy line", "> a\nb\n\nc", []Line{{4, "c"}}},
		{"list and lazy line", "- a\nb\n\nc", []Line{{4, "c"}}},
		{"headings", "# a\nb\n===\nc\n---\n\nd", []Line{{7, "d"}}},
		{"table", "x\n| a |\n| - |\nb\n\nc", []Line{{1, "x"}, {6, "c"}}},
		{"code blocks", "```\na\n~~~\n```\n    b\n\nc", []Line{{7, "c"}}},
		{"lines starting in inline markup", "a `b\nc` d\n*e\nf*\n[g\nh](u)\ni", []Line{{1, "a `b"}, {7, "i"}}},
		{"inline HTML hides the rest of its paragraph", "a <i>b</i>\nc\n\nd", []Line{{1, "a <i>b</i>"}, {4, "d"}}},
		{"HTML comment block", "<!--\na\n\nb\n-->\nc", []Line{{6, "c"}}},
		{"details open and closed", "<details>\n\na\n\n</details>\n\nb", []Line{{7, "b"}}},
		{"nested elements", "<div>\n<details>\n\na\n\n</details>\n\nb\n\n</div>\n\nc", []Line{{12, "c"}}},
		{"an end tag out of order hides the rest", "<div>\n<sub>\n\n</div>\n\n</sub>\n\na", nil},
		{"an end tag in a table cell closes nothing outside", "<div>\n\n| a |\n| - |\n| </div> |\n\n</div>\n\nb", nil},
		{"an end tag in a quote is not followed: fail closed", "<div>\n\n> </div>\n\na", nil},
		{"details then table then closed", "<details>\n<table>\n</details>\n</table>\n\na", nil},
		{"void elements open nothing", "<img src=x>\n<br/>\n\na", []Line{{4, "a"}}},
		{"a self-closed div is open", "<div/>\n\na", nil},
		{"stray end tags close nothing", "</div>\n\na", []Line{{3, "a"}}},
		{"unfinished comment in an HTML block", "</x>\n<!--\n\na", nil},
		{"unfinished tag in an HTML block", "</x>\n<div class=\"\n\na", nil},
		{"raw text elements", "<script>\n</script>\n\na", nil},
		{"templates", "<template>\n\n</template>\n\na", nil},
		{"svg", "<svg>\n\n</svg>\n\na", nil},
		{"processing instruction", "<?x\na\n?>\nb", []Line{{4, "b"}}},
		{"footnote", "a[^1]\n\n[^1]: b\nc\n\nd", []Line{{1, "a[^1]"}, {6, "d"}}},
		{"mathematics", "a $b\nc$\n\n$$\nd\n$$\n\ne", []Line{{1, "a $b"}, {8, "e"}}},
		{"link reference definition", "[r]: /u\n\"t\"\nb", []Line{{3, "b"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Lines(tc.body); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Lines(%q) = %+v, want %+v", tc.body, got, tc.want)
			}
		})
	}
}

func TestTrimASCII(t *testing.T) {
	if got := TrimASCII(" \t\u00a0x\u00a0\r\n"); got != "\u00a0x\u00a0" {
		t.Errorf("TrimASCII trimmed %q", got)
	}
}

// TestCostlyBodiesShowNothing: a body built to make goldmark take seconds
// shows no line, so it runs no command; one just within the bounds is read.
func TestCostlyBodiesShowNothing(t *testing.T) {
	within := strings.Repeat("> ", MaxDepth) + "q\n\n/ospo approve"
	if got := Lines(within); len(got) != 1 || got[0].Number != 3 {
		t.Errorf("%d nested quotes: %+v", MaxDepth, got)
	}
	for name, body := range map[string]string{
		"nested quotes":       strings.Repeat("> ", MaxDepth+1) + "q\n\n/ospo approve",
		"nested lists":        strings.Repeat("1. - ", MaxDepth) + "\n\n/ospo approve",
		"unclosed links":      "/ospo approve\n" + strings.Repeat("[a](", 16384),
		"32768 nested quotes": "/ospo approve\n\n" + strings.Repeat("> ", 32768),
	} {
		if got := Lines(body); got != nil {
			t.Errorf("%s: %+v", name, got)
		}
	}
	if got := depth([]byte(" > 1. -\t+ 12) > * x")); got != 7 {
		t.Errorf("depth = %d, want 7", got)
	}
}
