package rules

import (
	"fmt"

	"github.com/ospo-bot/ospo-bot/internal/policy"
)

// Evaluate runs every repository rule on the snapshot, in a stable order:
// license, codeowners, files, topics, labels. Forks and archived
// repositories get only skipped findings unless the policy includes them.
func Evaluate(s *Snapshot, p policy.RepositoryRules) []Finding {
	s = orEmpty(s)
	steps := []struct {
		rule string
		mode policy.Mode
		run  func() Finding
	}{
		{RuleLicense, p.License.Mode, func() Finding { return License(s, p.License) }},
		{RuleCodeowners, p.Codeowners.Mode, func() Finding { return Codeowners(s, p.Codeowners) }},
		{RuleFiles, p.Files.Mode, func() Finding { return Files(s, p.Files) }},
		{RuleTopics, p.Topics.Mode, func() Finding { return Topics(s, p.Topics) }},
		{RuleLabels, p.Labels.Mode, func() Finding { return Labels(s, p.Labels) }},
	}
	why := excluded(s, p)
	out := make([]Finding, 0, len(steps))
	for _, st := range steps {
		if why != "" {
			out = append(out, Finding{Rule: st.rule, Mode: st.mode, Result: Skip, Message: oneLine(why)})
			continue
		}
		out = append(out, st.run())
	}
	return out
}

// excluded says why the repository is not checked at all, or "".
func excluded(s *Snapshot, p policy.RepositoryRules) string {
	switch {
	case s.Fork && !p.IncludeForks:
		return fmt.Sprintf("not checked: %s is a fork and repository.include_forks is false", repoName(s))
	case s.Archived && !p.IncludeArchived:
		return fmt.Sprintf("not checked: %s is archived and repository.include_archived is false", repoName(s))
	}
	return ""
}

func repoName(s *Snapshot) string {
	if s.Owner == "" && s.Name == "" {
		return "the repository"
	}
	return s.Owner + "/" + s.Name
}
