package mdtext

import (
	"strings"
	"testing"
)

// BenchmarkLines reads bodies of GitHub's largest comment (65,536
// characters): ordinary prose and inputs built to be slow to parse.
func BenchmarkLines(b *testing.B) {
	const max = 65536
	fill := func(unit string) string { return strings.Repeat(unit, max/len(unit)) }
	for _, bc := range []struct{ name, body string }{
		{"prose", fill("Looks good to me, thanks for the change.\n/ospo approve ship it\n\n")},
		{"brackets", fill("[")},
		{"emphasis", fill("*a _")},
		{"backticks", fill("`a ``")},
		{"html", fill("<details>\n\n")},
		{"quotes", fill("> ")},
		{"quotes within MaxDepth", fill(strings.Repeat("> ", MaxDepth) + "\n")},
		{"links", fill("[a](")},
		{"lists", fill("- ")},
		{"table", "| a |\n| - |\n" + fill("| b |\n")},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(bc.body)))
			for b.Loop() {
				Lines(bc.body)
			}
		})
	}
}
