package jobs

import (
	"context"

	"github.com/google/go-github/v66/github"

	"github.com/ospo-bot/ospo-bot/internal/store"
)

// repositoryHandler keeps a repository's record current through renames,
// transfers, visibility changes, archiving and deletion.
type repositoryHandler struct{ deps Deps }

func (h *repositoryHandler) handle(ctx context.Context, d *DeliveryArgs) error {
	ev, err := decode[github.RepositoryEvent](d)
	if err != nil {
		return err
	}
	repo := ev.GetRepo()
	if repo.GetID() == 0 {
		return permanent("repository payload has no repository")
	}
	if ev.GetAction() == "deleted" {
		if err := recordRepositoriesGone(ctx, h.deps.Store, ev.GetInstallation().GetID(), []*github.Repository{repo}); err != nil {
			return err
		}
		return h.deps.Store.DeleteRepositories(ctx, repo.GetID())
	}
	installationID := ev.GetInstallation().GetID()
	if installationID == 0 {
		// Not sent to an installation (an org-level hook): nothing of ours to update.
		return nil
	}
	if err := h.deps.Store.UpsertRepositories(ctx, installationID, []store.Repository{repositoryRecord(repo)}); err != nil {
		return err
	}
	switch ev.GetAction() {
	case "created", "publicized", "privatized", "transferred", "unarchived", "renamed", "edited":
		return insertCheck(ctx, CheckRepositoryArgs{InstallationID: installationID, RepositoryID: repo.GetID(),
			Repository: repo.GetFullName(), Reason: "repository " + ev.GetAction(), Publicized: madePublic(ev)})
	}
	return nil
}

// madePublic reports whether the event is the one that made the repository
// public: "publicized", or "created" as a public repository. Only then may
// review.private_until_approved make it private; never on an installation,
// a sweep, a re-check, an edit or a push.
func madePublic(ev *github.RepositoryEvent) bool {
	repo := ev.GetRepo()
	switch ev.GetAction() {
	case "publicized":
		return true
	case "created":
		return !repo.GetPrivate() && (repo.GetVisibility() == "" || repo.GetVisibility() == "public")
	}
	return false
}
