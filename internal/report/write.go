package report

import (
	"fmt"
	"io"
	"slices"
)

func write(w io.Writer, r *Report, format string) error {
	switch format {
	case "markdown", "md":
		return writeMarkdown(w, r)
	case "csv":
		return writeCSV(w, r)
	case "json":
		return writeJSON(w, r)
	}
	return fmt.Errorf("report: unknown format %q: use one of %v", format, Formats)
}

// ValidFormat reports whether Write accepts format.
func ValidFormat(format string) bool { return slices.Contains(Formats, format) || format == "md" }
