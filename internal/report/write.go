package report

import (
	"fmt"
	"io"
)

func write(w io.Writer, r *Report, format string) error {
	return fmt.Errorf("report: format %q is being written (contract commit)", format)
}
