package check

import (
	"slices"
	"strings"
	"time"

	"github.com/ospo-bot/ospo-bot/internal/review"
	"github.com/ospo-bot/ospo-bot/internal/rules"
	"github.com/ospo-bot/ospo-bot/internal/store"
)

// repositoryDay is the history row of a repository check run at at: its
// rules' results, the enforce rules failing, whether it is flagged, and
// its license; out of scope (no results) when the policy leaves it out or
// GitHub no longer has it. ok is false when there is nothing to record:
// the org policy is invalid (nothing was checked), or the repository is
// unknown.
func repositoryDay(r Repository, in *repositoryInput, out repositoryOutcome, at time.Time) (d store.RepositoryDay, ok bool) {
	if in.orgInvalid != nil || in.eff == nil {
		return d, false
	}
	d = store.RepositoryDay{RepositoryID: r.ID, InstallationID: r.InstallationID, Org: r.Owner,
		Repository: r.Owner + "/" + r.Name, PolicyVersion: in.eff.Version, At: at}
	s := in.snap
	if out.snap != nil {
		s = out.snap
	}
	if s != nil {
		d.RepositoryID, d.Org, d.Repository, d.Private = s.ID, s.Owner, s.Owner+"/"+s.Name, s.Private
		d.License = rules.LicenseID(s)
		d.Topics, d.Classification, d.HasTopics = s.Topics, classification(s.Topics, in.eff.Policy.Repository.Topics.OneOf), true
	}
	if d.RepositoryID == 0 {
		return d, false
	}
	if in.gone || out.skip {
		return d, true // in_scope false
	}
	d.InScope, d.Flagged = true, out.report.Flagged
	d.Failing = review.FailingEnforce(out.findings)
	d.Results = make(map[string]string, len(out.findings))
	for _, f := range out.findings {
		d.Results[f.Rule] = string(f.Mode) + "/" + string(f.Result)
	}
	return d, true
}

// classification is the first of the policy's topics (repository.topics.
// one_of: its classes, such as ospo-public or inner-source) that the
// repository has, compared as the topics rule compares them; "" none.
func classification(topics, classes []string) string {
	for _, c := range classes {
		if slices.ContainsFunc(topics, func(t string) bool { return strings.EqualFold(strings.TrimSpace(t), strings.TrimSpace(c)) }) {
			return strings.TrimSpace(c)
		}
	}
	return ""
}
