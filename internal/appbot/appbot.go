// Package appbot finds, from GitHub, the app's own bot user: the one author whose review issues and sticky comments ospo-bot recognises.
package appbot

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/google/go-github/v66/github"
)

// Identity is the app and the bot user it writes as.
type Identity struct {
	AppID  int64
	Slug   string
	UserID int64  // the bot user's numeric ID
	Login  string // "<slug>[bot]"
}

// Wrote reports whether u is the app's bot user, by numeric ID (a login
// can be imitated by nobody, but a "[bot]" suffix is every app's).
func (id Identity) Wrote(u *github.User) bool {
	return id.UserID != 0 && u.GetID() == id.UserID
}

// Resolver asks GitHub once per process who the app's bot user is: GET
// /app with the app's JWT gives the slug, and GET /users/{slug}[bot] with
// an installation token gives the bot user's ID
// (https://docs.github.com/rest/apps/apps#get-the-authenticated-app,
// https://docs.github.com/rest/users/users#get-a-user). A failure is
// returned, never remembered: the next call asks again.
type Resolver struct {
	app AppClient

	sem chan struct{} // one lookup at a time; waiting respects ctx
	id  Identity      // set once found
}

// AppClient makes the app's client, which authenticates with the app's
// JWT (githubapp.ClientCreator is one).
type AppClient interface {
	NewAppClient() (*github.Client, error)
}

// New returns a Resolver that reads the app through app's client.
func New(app AppClient) *Resolver {
	return &Resolver{app: app, sem: make(chan struct{}, 1)}
}

// Fixed returns a Resolver that knows id already, for tests.
func Fixed(id Identity) *Resolver {
	return &Resolver{sem: make(chan struct{}, 1), id: id}
}

// ErrNone: there is no resolver to ask (a nil *Resolver). Nothing is then
// recognised as the app's.
var ErrNone = errors.New("the app's bot user is unknown: no resolver")

// Resolve returns the app's identity, asking GitHub through the app's
// client and the installation client inst the first time, and after a
// failure.
func (r *Resolver) Resolve(ctx context.Context, inst *github.Client) (Identity, error) {
	if r == nil {
		return Identity{}, ErrNone
	}
	select {
	case r.sem <- struct{}{}:
	case <-ctx.Done():
		return Identity{}, ctx.Err()
	}
	defer func() { <-r.sem }()
	if r.id.UserID != 0 {
		return r.id, nil
	}
	if r.app == nil {
		return Identity{}, ErrNone
	}
	client, err := r.app.NewAppClient()
	if err != nil {
		return Identity{}, fmt.Errorf("the app's client: %w", err)
	}
	app, _, err := client.Apps.Get(ctx, "")
	if err != nil {
		return Identity{}, fmt.Errorf("read the app (GET /app): %w", err)
	}
	if app.GetSlug() == "" || app.GetID() == 0 {
		return Identity{}, fmt.Errorf("GET /app named no slug or ID: %+v", app)
	}
	login := app.GetSlug() + "[bot]"
	// go-github puts the login into the path as it is; escape the brackets.
	u, _, err := inst.Users.Get(ctx, url.PathEscape(login))
	if err != nil {
		return Identity{}, fmt.Errorf("read the app's bot user %s: %w", login, err)
	}
	if u.GetID() == 0 || u.GetType() != "Bot" || !strings.EqualFold(u.GetLogin(), login) {
		return Identity{}, fmt.Errorf("GitHub's user %s is not the app's bot: %s %q #%d", login, u.GetType(), u.GetLogin(), u.GetID())
	}
	r.id = Identity{AppID: app.GetID(), Slug: app.GetSlug(), UserID: u.GetID(), Login: login}
	return r.id, nil
}
