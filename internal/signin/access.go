package signin

import (
	"context"
	"errors"
	"fmt"

	"github.com/palantir/go-githubapp/githubapp"
	"github.com/rs/zerolog"

	"github.com/ospo-bot/ospo-bot/internal/authz"
	"github.com/ospo-bot/ospo-bot/internal/ghclient"
	"github.com/ospo-bot/ospo-bot/internal/policy"
	"github.com/ospo-bot/ospo-bot/internal/store"
)

// Access says which orgs' dashboards a GitHub user may see: for each org
// the app is installed on (and active), its owners and its review
// approvers, asked of GitHub with the installation's client.
type Access struct {
	Store  *store.Store
	GitHub githubapp.ClientCreator
}

// Orgs returns the orgs login may see, as GitHub spells them. Any answer of
// GitHub's but "not a member" (a 5xx, a rate limit, a missing permission)
// is an error, never a no: the caller says access could not be confirmed.
func (a *Access) Orgs(ctx context.Context, login string) ([]string, error) {
	insts, err := a.Store.ActiveInstallations(ctx)
	if err != nil {
		return nil, err
	}
	var orgs []string
	for _, in := range insts {
		if in.AccountType != "Organization" {
			continue
		}
		ok, err := a.maySee(ctx, in, login)
		if err != nil {
			return nil, err
		}
		if ok {
			orgs = append(orgs, in.Account)
		}
	}
	return orgs, nil
}

// maySee: an active owner of the org, or whoever authz says may decide
// its reviews.
func (a *Access) maySee(ctx context.Context, in store.Installation, login string) (bool, error) {
	client, err := a.GitHub.NewInstallationClient(in.ID)
	if err != nil {
		return false, fmt.Errorf("client of installation %d (%s): %w", in.ID, in.Account, err)
	}
	m, _, err := client.Organizations.GetOrgMembership(ctx, login, in.Account)
	switch {
	case ghclient.NotFound(err):
	case err != nil:
		return false, fmt.Errorf("org membership of %s in %s: %w", login, in.Account, err)
	case m.GetState() == "active" && m.GetRole() == "admin":
		return true, nil
	}
	auth, err := authz.OfOrg(ctx, client, in.Account)
	var invalid *policy.InvalidError
	if errors.As(err, &invalid) {
		// A broken ospo.yml names no approver anyone can rely on: its
		// owners still see the dashboard (and the policy's failing check).
		zerolog.Ctx(ctx).Warn().Str("org", in.Account).Msg("dashboard access: the org's policy is invalid, so only its owners may see the dashboard")
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("review approvers of %s: %w", in.Account, err)
	}
	if len(auth.Approvers) == 0 {
		return false, nil // the owners decide, and login is not one
	}
	return authz.MayDecide(ctx, client, auth, login)
}
