package plan

import (
	"fmt"
	"strings"
	"time"

	"github.com/ospo-bot/ospo-bot/internal/fit"
	"github.com/ospo-bot/ospo-bot/internal/inert"
)

// Title is one line for a check run's title: how many repositories would
// newly be flagged.
func (p *Plan) Title() string {
	t := fmt.Sprintf("%s newly flagged, %s no longer flagged", count(len(p.NewlyFlagged), "repository", "repositories"), fmt.Sprint(len(p.NoLongerFlagged)))
	if len(p.MaybeFlagged) > 0 {
		t += fmt.Sprintf(", %d unknown", len(p.MaybeFlagged))
	}
	return t
}

// markdownList is how many repositories a Markdown list names before
// "… and N more": the plain text (`ospo-bot policy plan`) names them all.
const markdownList = 25

// Markdown writes the plan as GitHub Markdown within max bytes (a check
// run's output.summary: fit.CheckOutput), every name through inert, each
// list cut at markdownList repositories and whole sections left out at the
// end when the plan is longer still; more says where to read all of it.
func (p *Plan) Markdown(max int, more string) string {
	var head strings.Builder
	fmt.Fprintf(&head, "Evaluated the last check of **%s** of %s under the org policy each was checked with and under %s (no API call",
		count(p.Repositories, "repository", "repositories"), inert.Text(p.Org), inert.Code(p.New))
	if p.Repositories > 0 {
		fmt.Fprintf(&head, "; checks from %s to %s", day(p.Oldest), day(p.Newest))
	}
	head.WriteString(").\n\n")
	fmt.Fprintf(&head, "**Flagged for OSPO review:** %d newly, %d no longer", len(p.NewlyFlagged), len(p.NoLongerFlagged))
	if len(p.MaybeFlagged) > 0 {
		fmt.Fprintf(&head, ", %d unknown (a rule's needs were not gathered)", len(p.MaybeFlagged))
	}
	head.WriteString(".\n\n| rule | newly failing | newly passing | mode changes | unknown: not gathered |\n|---|---|---|---|---|\n")
	for _, c := range p.Rules {
		fmt.Fprintf(&head, "| `%s` | %d | %d | %s | %d |\n", c.Rule, len(c.NewlyFailing), len(c.NewlyPassing), modeCounts(c.ModeChanges), len(c.Unknown))
	}
	var sections []string
	flagged := func(title string, es []Entry) {
		if len(es) > 0 {
			sections = append(sections, fmt.Sprintf("\n### %s (%d)\n\n%s", title, len(es), mdList(es, true)))
		}
	}
	flagged("Newly flagged", p.NewlyFlagged)
	flagged("No longer flagged", p.NoLongerFlagged)
	flagged("Unknown: flagged if a rule not gathered fails", p.MaybeFlagged)
	for _, c := range p.Rules {
		if !c.Changed() {
			continue
		}
		var b strings.Builder
		fmt.Fprintf(&b, "\n### `%s`\n\n", c.Rule)
		if len(c.NewlyFailing) > 0 {
			fmt.Fprintf(&b, "**Newly failing (%d):** %s\n\n", len(c.NewlyFailing), mdInline(c.NewlyFailing))
		}
		if len(c.NewlyPassing) > 0 {
			fmt.Fprintf(&b, "**Newly passing (%d):** %s\n\n", len(c.NewlyPassing), mdInline(c.NewlyPassing))
		}
		for _, m := range c.ModeChanges {
			fmt.Fprintf(&b, "**Mode %s → %s (%s", m.From, m.To, count(len(m.Repositories), "repository", "repositories"))
			if len(m.Failing) > 0 {
				fmt.Fprintf(&b, "; failing under the new policy: %d):** %s\n\n", len(m.Failing), mdInline(m.Failing))
			} else {
				b.WriteString(", none found failing)**\n\n")
			}
		}
		if len(c.Unknown) > 0 {
			fmt.Fprintf(&b, "**Unknown: not gathered (%d):** %s — their last check did not read what `%s` needs under the new policy; their next check will.\n\n",
				len(c.Unknown), mdInline(c.Unknown), c.Rule)
		}
		sections = append(sections, b.String())
	}
	return inert.CapWithin(max, fit.CheckOutput.Len, func(max int) string {
		return fit.Limit{Max: max, Bytes: fit.CheckOutput.Bytes}.List(head.String(), sections, "", more)
	})
}

func mdName(e Entry) string {
	if e.URL == "" || !strings.HasPrefix(e.URL, "https://") && !strings.HasPrefix(e.URL, "http://") {
		return inert.Text(e.Repository)
	}
	return "[" + inert.Text(e.Repository) + "](" + strings.NewReplacer("(", "%28", ")", "%29", " ", "%20").Replace(e.URL) + ")"
}

func mdList(es []Entry, why bool) string {
	var b strings.Builder
	for i, e := range es {
		if i == markdownList {
			fmt.Fprintf(&b, "- … and %d more\n", len(es)-i)
			break
		}
		b.WriteString("- " + mdName(e))
		if why && e.Why != "" {
			b.WriteString(": " + e.Why) // review.Assess wrote it inert
		}
		b.WriteString("\n")
	}
	return b.String()
}

func mdInline(es []Entry) string {
	names := make([]string, 0, min(len(es), markdownList))
	for i, e := range es {
		if i == markdownList {
			names = append(names, fmt.Sprintf("… and %d more", len(es)-i))
			break
		}
		names = append(names, mdName(e))
	}
	return strings.Join(names, ", ")
}

func modeCounts(ms []ModeChange) string {
	if len(ms) == 0 {
		return "0"
	}
	var parts []string
	for _, m := range ms {
		parts = append(parts, fmt.Sprintf("%s → %s: %d", m.From, m.To, len(m.Repositories)))
	}
	return strings.Join(parts, "; ")
}

// Text writes the whole plan as plain text, for a terminal: every
// repository named.
func (p *Plan) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Policy plan for %s: %s evaluated under the org policy each was last checked with and under %s",
		p.Org, count(p.Repositories, "repository", "repositories"), p.New)
	if p.Repositories > 0 {
		fmt.Fprintf(&b, " (checks from %s to %s)", day(p.Oldest), day(p.Newest))
	}
	b.WriteString(".\n\n")
	fmt.Fprintf(&b, "Flagged for OSPO review: %d newly, %d no longer, %d unknown\n", len(p.NewlyFlagged), len(p.NoLongerFlagged), len(p.MaybeFlagged))
	for _, l := range []struct {
		title string
		es    []Entry
	}{{"newly flagged", p.NewlyFlagged}, {"no longer flagged", p.NoLongerFlagged}, {"unknown (flagged if a rule not gathered fails)", p.MaybeFlagged}} {
		if len(l.es) == 0 {
			continue
		}
		fmt.Fprintf(&b, "  %s (%d):\n", l.title, len(l.es))
		for _, e := range l.es {
			fmt.Fprintf(&b, "    %s: %s\n", e.Repository, e.Why)
		}
	}
	b.WriteString("\nrule             newly failing  newly passing  mode changes  unknown: not gathered\n")
	for _, c := range p.Rules {
		fmt.Fprintf(&b, "%-16s %13d  %13d  %12d  %21d\n", c.Rule, len(c.NewlyFailing), len(c.NewlyPassing), modeTotal(c.ModeChanges), len(c.Unknown))
	}
	for _, c := range p.Rules {
		if !c.Changed() {
			continue
		}
		fmt.Fprintf(&b, "\n%s\n", c.Rule)
		textList(&b, "newly failing", c.NewlyFailing)
		textList(&b, "newly passing", c.NewlyPassing)
		for _, m := range c.ModeChanges {
			fmt.Fprintf(&b, "  mode %s -> %s: %s\n", m.From, m.To, count(len(m.Repositories), "repository", "repositories"))
			textList(&b, "  failing under the new policy", m.Failing)
		}
		textList(&b, "unknown: not gathered (the last check did not read what the rule needs)", c.Unknown)
	}
	return b.String()
}

func textList(b *strings.Builder, title string, es []Entry) {
	if len(es) == 0 {
		return
	}
	fmt.Fprintf(b, "  %s (%d):\n", title, len(es))
	for _, e := range es {
		fmt.Fprintf(b, "    %s (%s, %s)\n", e.Repository, e.Mode, e.Result)
	}
}

func modeTotal(ms []ModeChange) int {
	n := 0
	for _, m := range ms {
		n += len(m.Repositories)
	}
	return n
}

func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func day(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }
