package rules

import (
	"bytes"
	stdhtml "html"
	"strings"
	"testing"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

// A header's text, anyone's, stays in its cell of the details table as
// GitHub renders it (goldmark's GFM is the oracle): a "|" in it, escaped
// by inert or by a backslash of its own, adds no cell, and it reads as
// written.
func TestSPDXHeaderTableCells(t *testing.T) {
	for _, expr := range []string{`MIT | x | y`, `MIT \| x`, `MIT\\| x`} {
		f := SPDXHeaders(headerPR(map[string]string{"a|b.go": "// SPDX-License-Identifier: " + expr + "\npackage a\n"}, nil), enforceHeaders())
		if f.Result != Fail || f.Details == "" {
			t.Fatalf("%q: %s %q", expr, f.Result, f.Message)
		}
		var html bytes.Buffer
		if err := goldmark.New(goldmark.WithExtensions(extension.GFM)).Convert([]byte(f.Details), &html); err != nil {
			t.Fatal(err)
		}
		rows := strings.Split(html.String(), "<tr>")
		if len(rows) != 3 { // before the table, the header row, one file
			t.Fatalf("%q: %d rows:\n%s", expr, len(rows)-1, html.String())
		}
		if cells := strings.Count(rows[2], "<td"); cells != 3 {
			t.Errorf("%q: %d cells, want 3:\n%s\n%s", expr, cells, f.Details, rows[2])
		}
		if shown := stdhtml.UnescapeString(rows[2]); !strings.Contains(shown, "<td>SPDX-License-Identifier: "+expr+" (header)") {
			t.Errorf("%q is shown otherwise:\n%s\n%s", expr, f.Details, shown)
		}
	}
}
