package review

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/ospo-bot/ospo-bot/internal/fit"
	"github.com/ospo-bot/ospo-bot/internal/inert"
	"github.com/ospo-bot/ospo-bot/internal/rules"
)

// Marker is the hidden line that ties an issue to a repository by ID, so
// renames and transfers keep the same issue.
func Marker(repositoryID int64) string {
	return fmt.Sprintf("<!-- ospo-bot:review repository_id=%d -->", repositoryID)
}

var markerRE = regexp.MustCompile(`<!-- ospo-bot:review repository_id=(\d+) -->`)

// MarkedRepository returns the repository ID in an issue body's marker.
func MarkedRepository(body string) (int64, bool) {
	m := markerRE.FindStringSubmatch(body)
	if m == nil {
		return 0, false
	}
	id, err := strconv.ParseInt(m[1], 10, 64)
	return id, err == nil
}

// Title is a review issue's title.
func Title(fullName string) string { return "OSPO review: " + fullName }

// Report is what a review issue shows.
type Report struct {
	Snapshot      *rules.Snapshot
	Findings      []rules.Finding // exemptions applied
	State         State
	Approvers     []string
	PolicyVersion string
	// Flagged and why, in a few words each.
	Flagged bool
	Reasons []string
	// MadePrivate says the bot turned the repository private this time.
	MadePrivate bool
	// NotMadePrivate says why the bot could not make the repository
	// private this time, as the policy asked (GitHub refused it).
	NotMadePrivate string
	// PrivateUntilApproved: the policy keeps it private until approved.
	PrivateUntilApproved bool
	// PolicyProblem is set when the policy could not be read.
	PolicyProblem string
	// PolicyNotices are the policy's notices (an override field the org
	// locks, no org policy found), each "file:line:col: message".
	PolicyNotices []string
}

// Body renders a review issue's body. It depends only on the report, so an
// unchanged result renders the same text and the issue is not edited.
func Body(r Report) string {
	s := r.Snapshot
	var b strings.Builder
	b.WriteString(Marker(s.ID) + "\n")
	fmt.Fprintf(&b, "### OSPO review: [%s/%s](%s)\n\n", s.Owner, s.Name, s.HTMLURL)
	visibility := "Public"
	if s.Private {
		visibility = "Private"
	}
	fmt.Fprintf(&b, "**%s** repository · default branch %s · policy %s\n\n", visibility, inert.Code(s.DefaultBranch), inert.Code(r.PolicyVersion))
	if r.PolicyProblem != "" {
		fmt.Fprintf(&b, "> [!WARNING]\n> The policy could not be read, so the results below are on hold: %s\n\n", inert.Text(r.PolicyProblem))
	}
	if r.MadePrivate || (r.PrivateUntilApproved && s.Private && r.State.Status != Approved) {
		b.WriteString("> [!IMPORTANT]\n> The policy keeps this repository private until an approver approves it (`review.private_until_approved`).\n\n")
	}
	if r.NotMadePrivate != "" {
		fmt.Fprintf(&b, "> [!WARNING]\n> %s\n\n", NotMadePrivateNote(r.NotMadePrivate))
	}
	head := b.String()
	b.Reset()
	var items []string
	for _, f := range r.Findings {
		if f.Result == rules.Skip {
			continue
		}
		items = append(items, findingLine(f))
	}
	if len(r.PolicyNotices) > 0 {
		b.WriteString("\n<details><summary>Policy notes</summary>\n\n")
		for _, n := range r.PolicyNotices {
			fmt.Fprintf(&b, "- %s\n", inert.Text(n))
		}
		b.WriteString("\n</details>\n")
	}
	b.WriteString("\n" + decisionLine(r) + "\n")
	if len(r.Reasons) > 0 && r.Flagged {
		fmt.Fprintf(&b, "\nFlagged because %s.\n", strings.Join(r.Reasons, "; "))
	}
	b.WriteString("\n<sub>This text updates itself when the repository or the policy changes. `/ospo help` lists the commands.</sub>\n")
	return inert.CapWithin(fit.Body.Max, fit.Body.Len, func(max int) string {
		return fit.Limit{Max: max}.List(head, items, b.String(), fmt.Sprintf("see [the repository](%s)", s.HTMLURL))
	})
}

// maxFindingLine bounds one finding's line, so one overlong rule result
// cannot push the others out of the body.
const maxFindingLine = 6000

// findingLine is one checklist line of the review issue, with what to do.
func findingLine(f rules.Finding) string {
	box, icon := "x", "✅"
	switch f.Result {
	case rules.Fail:
		box, icon = " ", "❌"
		if f.Mode != "enforce" {
			icon = "⚠️"
		}
	case rules.Exempt:
		icon = "➖"
	}
	line := fmt.Sprintf("- [%s] %s **%s** (%s): %s\n", box, icon, f.Rule, f.Mode, fit.Body.Cut(oneLine(f.Message), maxFindingLine))
	if f.Result == rules.Fail && f.Remediation != "" {
		line += "  ↳ " + fit.Body.Cut(oneLine(f.Remediation), maxFindingLine)
		if f.PolicyURL != "" {
			line += fmt.Sprintf(" ([policy](%s))", f.PolicyURL)
		}
		line += "\n"
	}
	return line
}

// NotMadePrivateNote says that the repository could not be made private,
// and why.
func NotMadePrivateNote(why string) string {
	return "This repository was made public without an approval. The policy asks to make it private until an approver approves it " +
		"(`review.private_until_approved`), but it could not be made private: " + inert.Text(why) + "."
}

func decisionLine(r Report) string {
	who := "the org's owners"
	if len(r.Approvers) > 0 {
		var names []string
		for _, a := range r.Approvers {
			names = append(names, inert.Mention(a))
		}
		who = strings.Join(names, ", ")
	}
	switch d := r.State.Decided; r.State.Status {
	case Approved:
		line := fmt.Sprintf("**Decision:** approved by %s on %s", inert.Mention(d.Actor), d.At.UTC().Format("2006-01-02"))
		if d.Reason != "" {
			line += ": " + inert.Text(d.Reason)
		}
		return line + "."
	case Rejected:
		return fmt.Sprintf("**Decision:** rejected by %s on %s: %s. %s may approve once it is resolved.", inert.Mention(d.Actor), d.At.UTC().Format("2006-01-02"), inert.Text(d.Reason), who)
	default:
		return fmt.Sprintf("**Decision:** pending. %s decide with `/ospo approve [note]`, `/ospo reject <reason>` or `/ospo exempt <rule> <reason>`.", capitalize(who))
	}
}

// FailingEnforce lists the enforce rules that fail, sorted.
func FailingEnforce(fs []rules.Finding) []string {
	var out []string
	for _, f := range fs {
		if f.Failing() {
			out = append(out, f.Rule)
		}
	}
	sort.Strings(out)
	return out
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
