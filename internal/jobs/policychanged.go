package jobs

import (
	"context"

	"github.com/google/go-github/v66/github"

	"github.com/ospo-bot/ospo-bot/internal/store"
)

// policyChanged checks a changed org policy (check.OrgPolicy reports or
// clears its problems) and, when it is valid, re-checks every repository
// of the installation.
func (c *checker) policyChanged(ctx context.Context, installationID int64, org string) error {
	client, err := c.deps.GitHub.NewInstallationClient(installationID)
	if err != nil {
		return err
	}
	valid, err := c.check.OrgPolicy(ctx, client, org)
	if err != nil || !valid {
		return err
	}
	known, err := c.deps.Store.Repositories(ctx, installationID)
	if err != nil {
		return err
	}
	repos := make([]*github.Repository, 0, len(known))
	for _, r := range known {
		repos = append(repos, repositoryOf(r))
	}
	return enqueueChecks(ctx, installationID, repos, "org policy changed")
}

func repositoryOf(r store.Repository) *github.Repository {
	return &github.Repository{ID: github.Int64(r.ID), FullName: github.String(r.FullName)}
}
