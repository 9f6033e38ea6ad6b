package rules

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ospo-bot/ospo-bot/internal/inert"
	"github.com/ospo-bot/ospo-bot/internal/policy"
)

// PRLabels checks the pull request's labels: at least one label of each
// one_of set (names compared ignoring case, as GitHub does) and, for each
// pattern, at least one label matching it (a regular expression anchored
// at both ends).
func PRLabels(pr *PullRequest, r policy.PRLabelsRule) Finding {
	if !active(r.Mode) {
		return skipped(RulePRLabels, r.Mode)
	}
	pr = orEmptyPR(pr)
	var sets [][]string
	for _, set := range r.OneOf {
		if set = nonBlank(set); len(set) > 0 {
			sets = append(sets, set)
		}
	}
	patterns := nonBlank(r.Patterns)
	if len(sets) == 0 && len(patterns) == 0 {
		return passed(RulePRLabels, r.Mode, "the policy requires no pull request labels")
	}

	var found, missing, add []string
	for _, set := range sets {
		if l, ok := labelIn(pr.Labels, set); ok {
			found = append(found, l)
			continue
		}
		if len(set) == 1 {
			missing = append(missing, fmt.Sprintf("the label %s", inert.Code(set[0])))
			add = append(add, inert.Code(set[0]))
		} else {
			missing = append(missing, fmt.Sprintf("one of %s", strings.Join(codes(set), ", ")))
			add = append(add, "one of "+listOr(codes(set)))
		}
	}
	for _, p := range patterns {
		re, err := policy.CompileLabelPattern(p)
		if err != nil {
			return failed(RulePRLabels, r.Mode, fmt.Sprintf("the policy's label pattern %s is not a regular expression: %s", inert.Code(p), inert.Text(err.Error())),
				"fix pull_request.labels.patterns in ospo.yml (`ospo-bot policy validate` shows the problem)")
		}
		if i := slices.IndexFunc(pr.Labels, re.MatchString); i >= 0 {
			found = append(found, pr.Labels[i])
			continue
		}
		missing = append(missing, fmt.Sprintf("a label matching %s", inert.Code(p)))
		add = append(add, "a label matching "+inert.Code(p))
	}
	if len(missing) == 0 {
		return passed(RulePRLabels, r.Mode, "has the labels "+listAnd(codes(dedupe(found))))
	}
	have := "it has no labels"
	if len(pr.Labels) > 0 {
		have = "its labels: " + strings.Join(codes(pr.Labels), ", ")
	}
	return failed(RulePRLabels, r.Mode,
		fmt.Sprintf("missing labels: %s (%s)", strings.Join(missing, "; "), have),
		fmt.Sprintf("add %s to the pull request (Labels, in its sidebar)", strings.Join(add, ", and ")))
}

// labelIn returns the first of labels that is in set, ignoring case.
func labelIn(labels, set []string) (string, bool) {
	for _, l := range labels {
		if slices.ContainsFunc(set, func(s string) bool { return strings.EqualFold(strings.TrimSpace(s), strings.TrimSpace(l)) }) {
			return l, true
		}
	}
	return "", false
}

func nonBlank(items []string) []string {
	var out []string
	for _, s := range items {
		if strings.TrimSpace(s) != "" {
			out = append(out, s)
		}
	}
	return out
}

func dedupe(items []string) []string {
	var out []string
	for _, s := range items {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// codes writes each of anyone's texts (label names, patterns) as code.
func codes(items []string) []string {
	out := make([]string, len(items))
	for i, s := range items {
		out[i] = inert.Code(s)
	}
	return out
}

var prLabelsEntry = Rule{
	ID: RulePRLabels, Scope: PullRequestScope, Section: "pull_request.labels",
	Anchor:  "pull_requestlabels--labels-on-pull-requests",
	Summary: "the labels the policy requires on the pull request",
	Mode:    func(p *policy.Policy) policy.Mode { return p.PullRequest.Labels.Mode },
	Check:   func(in Input) Finding { return PRLabels(in.PR, in.Policy.PullRequest.Labels) },
}
