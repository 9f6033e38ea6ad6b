package snapshot

import (
	"context"
	"fmt"
	"net/http"

	"github.com/google/go-github/v66/github"
	"github.com/rs/zerolog"

	"github.com/ospo-bot/ospo-bot/internal/rules"
)

// MaxUserLookups bounds the users Users looks up for one check.
const MaxUserLookups = 100

// Users looks up the accounts of logins (GET /users/{login}, 1 call
// each), for the old-style noreply addresses login@users.noreply.github.com
// that accounts made before 18 July 2017 commit with
// (https://docs.github.com/en/account-and-profile/setting-up-and-managing-your-personal-account-on-github/managing-email-preferences/setting-your-commit-email-address).
// The result is keyed by the login as asked. A login GitHub does not know
// (404), or that is an organization (which cannot author a commit), is
// left out; any other error is returned, so the job retries rather than
// calling a person unknown.
//
// The logins come from commit text anyone writes, so at most
// MaxUserLookups are looked up: thousands of made-up co-authors must not
// spend the installation's rate limit on every check. The rest are left
// out (unlinked), and the CLA fails closed for them.
func Users(ctx context.Context, client *github.Client, logins []string) (map[string]rules.Account, error) {
	out := map[string]rules.Account{}
	if len(logins) > MaxUserLookups {
		zerolog.Ctx(ctx).Warn().Int("logins", len(logins)).Int("looked_up", MaxUserLookups).
			Msg("more old-style noreply addresses than are looked up; the rest stay unlinked")
		logins = logins[:MaxUserLookups]
	}
	for _, login := range logins {
		u, _, err := client.Users.Get(ctx, login)
		switch {
		case status(err) == http.StatusNotFound:
			continue
		case err != nil:
			return nil, fmt.Errorf("look up user %s: %w", login, err)
		case u.GetID() <= 0 || u.GetType() == "Organization":
			continue
		}
		out[login] = account(u)
	}
	return out, nil
}
