package review

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ospo-bot/ospo-bot/internal/inert"
	"github.com/ospo-bot/ospo-bot/internal/rules"
)

// ApplyExemptions marks the findings of rules exempted at now as exempt,
// naming who exempted them, through which day when the exemption
// expires, and why. An expired exemption changes nothing.
func ApplyExemptions(fs []rules.Finding, st State, now time.Time) []rules.Finding {
	out := slices.Clone(fs)
	for i, f := range out {
		if d, ok := st.Exemptions[f.Rule]; ok && !d.Expired(now) && f.Result != rules.Skip {
			through := ""
			if !d.Expires.IsZero() {
				through = " through " + Through(d.Expires)
			}
			out[i].Result = rules.Exempt
			out[i].Message = fmt.Sprintf("exempt by %s on %s%s: %s", inert.Mention(d.Actor), d.At.UTC().Format("2006-01-02"), through, inert.Text(d.Reason))
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
