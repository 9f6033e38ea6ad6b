package jobs

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/google/go-github/v66/github"
	"github.com/rs/zerolog"

	"github.com/ospo-bot/ospo-bot/internal/store"
)

// installationHandler keeps the record of where the app is installed and
// which repositories it covers.
type installationHandler struct{ deps Deps }

func (h *installationHandler) handle(ctx context.Context, d *DeliveryArgs) error {
	var ev github.InstallationEvent
	if err := json.Unmarshal(d.Payload, &ev); err != nil {
		return permanent("read installation payload: %v", err)
	}
	in := ev.GetInstallation()
	if in.GetID() == 0 {
		return permanent("installation payload has no installation id")
	}
	rec := store.Installation{
		ID:                  in.GetID(),
		Account:             in.GetAccount().GetLogin(),
		AccountType:         in.GetAccount().GetType(),
		RepositorySelection: in.GetRepositorySelection(),
		State:               store.InstallationActive,
	}
	switch ev.GetAction() {
	case "deleted":
		rec.State = store.InstallationDeleted
		if err := h.deps.Store.UpsertInstallation(ctx, rec); err != nil {
			return err
		}
		return h.deps.Store.DeleteInstallationRepositories(ctx, rec.ID)
	case "suspend":
		rec.State = store.InstallationSuspended
		return h.deps.Store.UpsertInstallation(ctx, rec)
	default: // created, unsuspend, new_permissions_accepted
		if err := h.deps.Store.UpsertInstallation(ctx, rec); err != nil {
			return err
		}
		return h.syncRepositories(ctx, rec.ID)
	}
}

// syncRepositories replaces the stored repository list of an installation
// with the one GitHub reports, page by page.
func (h *installationHandler) syncRepositories(ctx context.Context, installationID int64) error {
	client, err := h.deps.GitHub.NewInstallationClient(installationID)
	if err != nil {
		return fmt.Errorf("GitHub client for installation %d: %w", installationID, err)
	}
	var repos []store.Repository
	opts := &github.ListOptions{PerPage: 100}
	for {
		page, resp, err := client.Apps.ListRepos(ctx, opts)
		if err != nil {
			return fmt.Errorf("list repositories of installation %d: %w", installationID, err)
		}
		for _, r := range page.Repositories {
			repos = append(repos, repositoryRecord(r))
		}
		if resp.NextPage == 0 {
			break
		}
		opts.Page = resp.NextPage
	}
	if err := h.deps.Store.ReplaceRepositories(ctx, installationID, repos); err != nil {
		return err
	}
	zerolog.Ctx(ctx).Info().Int("repositories", len(repos)).Msg("installation's repositories recorded")
	return nil
}

func (h *installationHandler) handleRepositories(ctx context.Context, d *DeliveryArgs) error {
	var ev github.InstallationRepositoriesEvent
	if err := json.Unmarshal(d.Payload, &ev); err != nil {
		return permanent("read installation_repositories payload: %v", err)
	}
	id := ev.GetInstallation().GetID()
	if id == 0 {
		return permanent("installation_repositories payload has no installation id")
	}
	var added []store.Repository
	for _, r := range ev.RepositoriesAdded {
		added = append(added, repositoryRecord(r))
	}
	if err := h.deps.Store.UpsertRepositories(ctx, id, added); err != nil {
		return err
	}
	var removed []int64
	for _, r := range ev.RepositoriesRemoved {
		removed = append(removed, r.GetID())
	}
	return h.deps.Store.DeleteRepositories(ctx, removed...)
}

func repositoryRecord(r *github.Repository) store.Repository {
	return store.Repository{
		ID:            r.GetID(),
		FullName:      r.GetFullName(),
		Private:       r.GetPrivate(),
		Archived:      r.GetArchived(),
		Fork:          r.GetFork(),
		DefaultBranch: r.GetDefaultBranch(),
	}
}
