package review

import (
	"strings"
	"testing"
)

// `/ospo allow` decides nothing on a review issue: it is answered with
// where it works, and the other commands of the comment still run.
func TestAllowOnAReviewIssue(t *testing.T) {
	cmds, errs := reviewCommands("/ospo allow pkg:npm/left-pad vetted\n/ospo approve")
	if len(cmds) != 1 || cmds[0].Verb != Approve {
		t.Errorf("commands %+v: want the approval alone", cmds)
	}
	if len(errs) != 1 || errs[0].Line != 1 || errs[0].Text != "/ospo allow pkg:npm/left-pad vetted" ||
		!strings.Contains(errs[0].Problem, "works on the pull request that adds the package") || !strings.Contains(errs[0].Problem, "exceptions") {
		t.Errorf("errors %+v", errs)
	}
}
