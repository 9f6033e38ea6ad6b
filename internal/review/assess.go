package review

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ospo-bot/ospo-bot/internal/inert"
	"github.com/ospo-bot/ospo-bot/internal/rules"
)

// ApplyExemptions marks the findings of exempted rules as exempt, naming
// who exempted them and why.
func ApplyExemptions(fs []rules.Finding, st State) []rules.Finding {
	out := slices.Clone(fs)
	for i, f := range out {
		if d, ok := st.Exemptions[f.Rule]; ok && f.Result != rules.Skip {
			out[i].Result = rules.Exempt
			out[i].Message = fmt.Sprintf("exempt by %s on %s: %s", inert.Mention(d.Actor), d.At.UTC().Format("2006-01-02"), inert.Text(d.Reason))
			out[i].Remediation = ""
		}
	}
	return out
}

// Assess decides whether a repository needs a review, and says why: it is
// public without an approval, it was rejected, or an enforce rule fails
// that did not fail when it was approved.
func Assess(s *rules.Snapshot, fs []rules.Finding, st State) (flagged bool, reasons []string) {
	failing := FailingEnforce(fs)
	switch st.Status {
	case Rejected:
		reasons = append(reasons, inert.Mention(st.Decided.Actor)+" rejected it")
	case Approved:
		var anew []string
		for _, r := range failing {
			if !slices.Contains(st.Decided.Failing, r) {
				anew = append(anew, r)
			}
		}
		if len(anew) > 0 {
			reasons = append(reasons, fmt.Sprintf("%s failed after %s approved it", strings.Join(anew, ", "), inert.Mention(st.Decided.Actor)))
		}
	default:
		if !s.Private {
			reasons = append(reasons, "it is public and not approved")
		}
		if len(failing) > 0 {
			reasons = append(reasons, "enforce rules fail: "+strings.Join(failing, ", "))
		}
	}
	return len(reasons) > 0, reasons
}
