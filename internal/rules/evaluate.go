package rules

import (
	"fmt"

	"github.com/ospo-bot/ospo-bot/internal/policy"
)

// Evaluate runs every repository rule on the snapshot, in registry
// order (IDs). Forks and archived repositories get only skipped findings
// unless the policy includes them.
func Evaluate(s *Snapshot, p policy.RepositoryRules) []Finding {
	s = orEmpty(s)
	pol := &policy.Policy{Repository: p}
	if why := excluded(s, p); why != "" {
		var out []Finding
		for _, r := range Registry {
			if r.Scope == RepositoryScope {
				out = append(out, Finding{Rule: r.ID, Mode: r.Mode(pol), Result: Skip, Message: oneLine(why)})
			}
		}
		return out
	}
	return evaluate(RepositoryScope, Input{Repo: s, Policy: pol})
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
