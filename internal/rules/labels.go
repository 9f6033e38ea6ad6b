package rules

import (
	"fmt"
	"strings"

	"github.com/ospo-bot/ospo-bot/internal/inert"
	"github.com/ospo-bot/ospo-bot/internal/policy"
)

// Labels checks that every required issue label exists (names compared
// case-insensitively, as GitHub does) with the required colour.
func Labels(s *Snapshot, r policy.LabelsRule) Finding {
	if !active(r.Mode) {
		return skipped(RuleLabels, r.Mode)
	}
	s = orEmpty(s)
	if s.Labels == nil {
		return failed(RuleLabels, r.Mode, "labels were not read, so the required labels could not be checked",
			"re-run the check; if it persists, report it to the OSPO")
	}
	create, update := MissingLabels(s, r)
	if len(create) == 0 && len(update) == 0 {
		n := len(requiredLabels(r.Required))
		if n == 0 {
			return passed(RuleLabels, r.Mode, "the policy requires no labels")
		}
		return passed(RuleLabels, r.Mode, fmt.Sprintf("all %s exist", plural(n, "required label")))
	}
	var problems, fixes []string
	if len(create) > 0 {
		problems = append(problems, "missing "+labelList(create, false))
		fixes = append(fixes, "create "+labelList(create, true))
	}
	if len(update) > 0 {
		problems = append(problems, "wrong colour "+wrongColours(s.Labels, update))
		fixes = append(fixes, "recolour "+labelList(update, true))
	}
	fix := strings.Join(fixes, "; ") + " in Issues → Labels"
	if !r.Fix {
		fix += " (or set repository.labels.fix: true to let the bot do it)"
	}
	return failed(RuleLabels, r.Mode, "labels: "+strings.Join(problems, "; "), fix)
}

// MissingLabels returns the required labels to create and those to update:
// an update carries the label's name as it is in the repository, the
// required colour and (when the policy sets one) description. Nothing is
// returned when the labels were not read.
func MissingLabels(s *Snapshot, r policy.LabelsRule) (create []policy.Label, update []policy.Label) {
	if s == nil || s.Labels == nil {
		return nil, nil
	}
	for _, want := range requiredLabels(r.Required) {
		have, ok := findLabel(s.Labels, want.Name)
		switch {
		case !ok:
			create = append(create, want)
		case want.Color != "" && normColor(want.Color) != normColor(have.Color):
			fixed := policy.Label{Name: have.Name, Color: normColor(want.Color), Description: have.Description}
			if want.Description != "" {
				fixed.Description = want.Description
			}
			update = append(update, fixed)
		}
	}
	return create, update
}

// requiredLabels drops unnamed and repeated labels (first one wins).
func requiredLabels(required []policy.Label) []policy.Label {
	var out []policy.Label
	for _, l := range required {
		l.Name = strings.TrimSpace(l.Name)
		if l.Name == "" {
			continue
		}
		if _, dup := findLabel(out, l.Name); !dup {
			l.Color = normColor(l.Color)
			out = append(out, l)
		}
	}
	return out
}

func findLabel(labels []policy.Label, name string) (policy.Label, bool) {
	for _, l := range labels {
		if strings.EqualFold(strings.TrimSpace(l.Name), strings.TrimSpace(name)) {
			return l, true
		}
	}
	return policy.Label{}, false
}

func normColor(c string) string {
	return strings.ToLower(strings.TrimPrefix(strings.TrimSpace(c), "#"))
}

// labelList quotes label names, with their colours when asked.
func labelList(labels []policy.Label, withColor bool) string {
	parts := make([]string, len(labels))
	for i, l := range labels {
		parts[i] = inert.Code(l.Name)
		if withColor && l.Color != "" {
			parts[i] += " " + inert.Code("#"+l.Color)
		}
	}
	return strings.Join(parts, ", ")
}

// wrongColours lists each label to update with its current and wanted colour.
func wrongColours(have, update []policy.Label) string {
	parts := make([]string, len(update))
	for i, u := range update {
		cur, _ := findLabel(have, u.Name)
		parts[i] = fmt.Sprintf("%s is %s, not %s", inert.Code(u.Name), inert.Code("#"+normColor(cur.Color)), inert.Code("#"+u.Color))
	}
	return strings.Join(parts, ", ")
}

var labelsEntry = Rule{
	ID: RuleLabels, Scope: RepositoryScope, Section: "repository.labels",
	Anchor:  "repositorylabels--the-orgs-standard-issue-labels",
	Summary: "the org's standard issue labels, with their colours",
	Mode:    func(p *policy.Policy) policy.Mode { return p.Repository.Labels.Mode },
	Needs:   Needs{Labels: true},
	Check:   func(in Input) Finding { return Labels(in.Repo, in.Policy.Repository.Labels) },
}
