package jobs

import (
	"context"
	"fmt"

	"github.com/google/go-github/v66/github"
	"github.com/rs/zerolog"

	"github.com/ospo-bot/ospo-bot/internal/ghclient"
	"github.com/ospo-bot/ospo-bot/internal/store"
)

// installationHandler keeps the record of where the app is installed and
// which repositories it covers.
type installationHandler struct{ deps Deps }

func (h *installationHandler) handle(ctx context.Context, d *DeliveryArgs) error {
	ev, err := decode[github.InstallationEvent](d)
	if err != nil {
		return err
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
		client, err := h.deps.GitHub.NewInstallationClient(rec.ID)
		if err != nil {
			return fmt.Errorf("GitHub client for installation %d: %w", rec.ID, err)
		}
		repos, err := h.syncRepositories(ctx, client, rec.ID)
		if err != nil {
			return err
		}
		return enqueueChecks(ctx, rec.ID, repos, "installation "+ev.GetAction())
	}
}

// syncRepositories replaces the stored repository list of an installation
// with the one GitHub reports, page by page.
func (h *installationHandler) syncRepositories(ctx context.Context, client *github.Client, installationID int64) ([]*github.Repository, error) {
	repos, err := ghclient.All(&github.ListOptions{PerPage: 100}, func(opts *github.ListOptions) ([]*github.Repository, *github.Response, error) {
		page, resp, err := client.Apps.ListRepos(ctx, opts)
		if err != nil {
			return nil, resp, err
		}
		return page.Repositories, resp, nil
	})
	if err != nil {
		return nil, fmt.Errorf("list repositories of installation %d: %w", installationID, err)
	}
	records := make([]store.Repository, len(repos))
	for i, r := range repos {
		records[i] = repositoryRecord(r)
	}
	if err := h.deps.Store.ReplaceRepositories(ctx, installationID, records); err != nil {
		return nil, err
	}
	zerolog.Ctx(ctx).Info().Int("repositories", len(repos)).Msg("installation's repositories recorded")
	return repos, nil
}

func (h *installationHandler) handleRepositories(ctx context.Context, d *DeliveryArgs) error {
	ev, err := decode[github.InstallationRepositoriesEvent](d)
	if err != nil {
		return err
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
	if err := recordRepositoriesGone(ctx, h.deps.Store, id, ev.RepositoriesRemoved); err != nil {
		return err
	}
	if err := h.deps.Store.DeleteRepositories(ctx, removed...); err != nil {
		return err
	}
	if len(ev.RepositoriesAdded) == 0 {
		return nil
	}
	return enqueueChecks(ctx, id, ev.RepositoriesAdded, "repositories added to the installation")
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
