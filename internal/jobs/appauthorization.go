package jobs

import (
	"context"

	"github.com/google/go-github/v66/github"
	"github.com/rs/zerolog"
)

// handleAppAuthorization ends the dashboard sessions of a user who revoked
// their authorization of the App on GitHub (github_app_authorization,
// action revoked; GitHub sends it to every App). The sender is who
// revoked: GitHub's word, signed with the webhook secret.
func (h *appAuthorizationHandler) handle(ctx context.Context, d *DeliveryArgs) error {
	ev, err := decode[github.GitHubAppAuthorizationEvent](d)
	if err != nil {
		return err
	}
	login := ev.GetSender().GetLogin()
	if ev.GetAction() != "revoked" || login == "" {
		return nil
	}
	n, err := h.deps.Store.DeleteSessionsOf(ctx, login)
	if err != nil {
		return err
	}
	zerolog.Ctx(ctx).Info().Str("login", login).Int64("sessions", n).Msg("the user revoked the App's authorization: dashboard sessions ended")
	return nil
}

type appAuthorizationHandler struct{ deps Deps }
