package review

import (
	"reflect"
	"testing"
)

// hidden: bodies for Parse, each the case of issue 10 (item 2) it is
// named after; the fuzz target starts from them too.
var hidden = []struct {
	name string
	body string
	want []Command
}{
	{"HTML comment on one line", "<!-- /ospo approve -->", nil},
	{"HTML comment over lines", "<!--\n/ospo approve\n-->", nil},
	{"HTML comment over lines after text", "Thanks! <!--\n/ospo approve\n-->", nil},
	{"HTML comment with blank lines", "<!--\n\n/ospo approve\n\n-->", nil},
	{"after a closed HTML comment", "<!--\n/ospo reject hidden\n-->\n/ospo approve", approveAt(4)},
	{"details with blank lines", "<details>\n<summary>notes</summary>\n\n/ospo approve\n\n</details>", nil},
	{"after a closed details", "<details>\n\n/ospo reject hidden\n\n</details>\n\n/ospo approve", approveAt(7)},
	{"details closed inside a table cell is still open", "<details>\n\n| a |\n| - |\n| </details> |\n\n/ospo approve", nil},
	{"div", "<div>\n\n/ospo approve\n\n</div>", nil},
	{"pre", "<pre>\n/ospo approve\n</pre>", nil},
	{"pre with blank lines", "<pre>\n\n/ospo approve\n\n</pre>", nil},
	{"sub opened by inline HTML", "<sub>note\n/ospo approve\n</sub>", nil},
	{"inline HTML never closed", "a <b>bold\n\n/ospo approve", nil},
	{"unfinished comment in an HTML block", "</x>\n<!--\n\n/ospo approve\n\n-->", nil},
	{"tilde fence is not closed by backticks", "~~~\n```\n/ospo approve\n~~~", nil},
	{"backtick fence is not closed by tildes", "```\n~~~\n/ospo approve\n```", nil},
	{"fence is not closed by a shorter one", "````\n```\n/ospo approve\n````", nil},
	{"fence closed by a longer one", "```\ncode\n`````\n/ospo approve", approveAt(4)},
	{"unclosed fence runs to the end", "```\n\n/ospo approve", nil},
	{"fence with an info string", "```go\n/ospo approve\n```\n", nil},
	{"indented code", "text\n\n    /ospo approve", nil},
	{"indented code with a tab", "\t/ospo approve", nil},
	{"indented continuation line is text", "Looks good.\n    /ospo approve", approveAt(2)},
	{"block quote", "> /ospo approve", nil},
	{"block quote lazy continuation", "> quoted text\n/ospo approve", nil},
	{"list item lazy continuation", "- item\n/ospo approve", nil},
	{"list item", "1. /ospo approve", nil},
	{"table row", "| a | b |\n| - | - |\n/ospo approve", nil},
	{"table header", "/ospo approve | b\n--- | ---", nil},
	{"setext heading (-)", "/ospo approve\n---", nil},
	{"setext heading (=)", "/ospo approve\n===", nil},
	{"ATX heading", "# /ospo approve", nil},
	{"code span across lines", "`see\n/ospo approve\n`", nil},
	{"emphasis across lines", "*see\n/ospo approve\nnow*", nil},
	{"link text across lines", "[see\n/ospo approve\nnow](https://example.com)", nil},
	{"strikethrough across lines", "~~see\n/ospo approve\nnow~~", nil},
	{"lone carriage return ends a line", "/ospo approve \r---", nil},
	{"Unicode long s does not fold to s", "/oſpo approve", nil},
	{"Kelvin sign does not fold to k", "/ospo rechec\u212a", nil},
	{"dotless i in a verb", "/ospo unexempt L\u0130CENSE", []Command{{Verb: Unexempt, Rule: "l\u0130cense", Line: 1}}},
	{"no-break space is no separator", "/ospo\u00a0approve", nil},
	{"no-break space before the command", "\u00a0/ospo approve", nil},
	{"footnote lazy continuation", "See[^1].\n\n[^1]: a note\n/ospo approve", nil},
	{"display mathematics", "$$\n/ospo approve\n$$", nil},
	{"inline mathematics across lines", "costs $x\n/ospo approve\n$", nil},
	{"plain paragraph after all of them", "> q\n\n```\n/ospo reject x\n```\n\n/ospo approve", approveAt(7)},
}

func approveAt(line int) []Command { return []Command{{Verb: Approve, Line: line}} }

// TestParseOnlyVisibleText: a command counts only in a line GitHub shows as
// plain paragraph text (issue 10, item 2). Each body hides "/ospo approve"
// (or shows it where the old line splitter hid it).
func TestParseOnlyVisibleText(t *testing.T) {
	for _, tc := range hidden {
		t.Run(tc.name, func(t *testing.T) {
			got, _ := Parse(tc.body)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Parse(%q) = %+v, want %+v", tc.body, got, tc.want)
			}
		})
	}
}

// TestParseCLARevokeASCII: "revoke" is matched byte for byte but for ASCII case.
func TestParseCLARevokeASCII(t *testing.T) {
	if got, errs := Parse("/ospo cla revo\u212ae @mallory because"); len(got) != 0 || len(errs) != 1 {
		t.Errorf("Kelvin sign in revoke: commands %+v, errors %v; want one error", got, errs)
	}
	if got, _ := Parse("/ospo CLA Revoke @mallory because"); len(got) != 1 || got[0].Verb != RevokeCLA {
		t.Errorf("ASCII case in cla revoke: %+v", got)
	}
}

const cla = "I have read the CLA Document and I hereby sign the CLA"

// signing: bodies for Signs with the default phrase, hidden where GitHub
// hides them; the fuzz target starts from them too.
var signing = []struct {
	name string
	body string
	want bool
}{
	{"alone on a line", "Sure.\n" + cla + "\n", true},
	{"with spaces around", "  " + cla + "  ", true},
	{"after CRLF", "Sure.\r\n" + cla + "\r\n", true},
	{"not alone", cla + ", but only for this one", false},
	{"other case", "i have read the cla document and i hereby sign the cla", false},
	{"HTML comment", "<!-- " + cla + " -->", false},
	{"HTML comment over lines", "<!--\n" + cla + "\n-->", false},
	{"details", "<details>\n\n" + cla + "\n\n</details>", false},
	{"pre", "<pre>\n" + cla + "\n</pre>", false},
	{"fenced", "~~~\n" + cla + "\n~~~", false},
	{"fence closed only by the same fence", "~~~\n```\n" + cla + "\n~~~", false},
	{"indented code", "    " + cla, false},
	{"quoted", "> " + cla, false},
	{"lazy quote continuation", "> they wrote\n" + cla, false},
	{"table row", "| a |\n| - |\n" + cla, false},
	{"setext heading", cla + "\n---", false},
	{"code span across lines", "`x\n" + cla + "\n`", false},
	{"no-break space before it", "\u00a0" + cla, false},
}

// TestSigns: the signing phrase counts alone on a line GitHub shows as plain text.
func TestSigns(t *testing.T) {
	for _, tc := range signing {
		t.Run(tc.name, func(t *testing.T) {
			if got := Signs(tc.body, cla); got != tc.want {
				t.Errorf("Signs(%q) = %v, want %v", tc.body, got, tc.want)
			}
		})
	}
	if Signs(cla, "  ") {
		t.Error("an empty phrase signs")
	}
}
