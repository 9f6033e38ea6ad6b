package fit

import (
	"strings"
	"testing"

	"github.com/ospo-bot/ospo-bot/internal/inert"
	"github.com/ospo-bot/ospo-bot/internal/inert/inerttest"
)

// TestCutKeepsCodeSpansWhole: a cut never leaves a code span open, which
// would make the rest of anyone's text in it live Markdown.
func TestCutKeepsCodeSpansWhole(t *testing.T) {
	evil := strings.Repeat("a ", 100) + "@acme/everyone [x](https://evil.example) <img src=x> " + strings.Repeat("b ", 100)
	for _, l := range []Limit{Body, CheckOutput} {
		for n := 80; n < 700; n += 7 {
			s := l.Cut("not signed by "+inert.Code("x`"+evil)+" and "+inert.Code(evil), n)
			inerttest.Check(t, "cut", s, inerttest.Options{})
		}
	}
}
