package signin

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/google/go-github/v66/github"
	"github.com/rs/zerolog"

	"github.com/ospo-bot/ospo-bot/internal/store"
)

// state is what the state cookie keeps between /dashboard/login and the
// callback: the state sent to GitHub, where to return, and until when.
type state struct {
	State   string
	Return  string
	Expires int64 // Unix seconds, by the service's clock
}

// login starts GitHub's web flow: a fresh state, kept with the return path
// in a short-lived signed and encrypted cookie, and a redirect to GitHub's
// authorize page. It is a GET reached by a link: the CSP's form-action
// 'self' would stop a form's redirect to GitHub.
func (s *Service) login(w http.ResponseWriter, r *http.Request) {
	ret := "/dashboard/"
	if v := r.URL.Query().Get("return"); v != "" {
		p, ok := localPath(v)
		if !ok {
			writePage(w, r, http.StatusBadRequest, "Sign-in cannot return there", &link{"/dashboard/login", "Sign in with GitHub"},
				"return="+v+" is not a page of this dashboard: after signing in, ospo-bot only returns to a /dashboard/ page of its own.")
			return
		}
		ret = p
	}
	st := state{State: random(), Return: ret, Expires: s.now().Add(StateLifetime).Unix()}
	enc, err := s.state.Encode(StateCookie, st)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	setCookie(w, StateCookie, enc, StateLifetime)
	q := url.Values{"client_id": {s.o.ClientID}, "redirect_uri": {s.o.CallbackURL}, "state": {st.State}}
	http.Redirect(w, r, s.web.String()+"/login/oauth/authorize?"+q.Encode(), http.StatusFound)
}

// callback is where GitHub sends the browser back: the state is checked
// against the cookie, the code exchanged for a user token, the user read
// with it (who signed in comes from GitHub, never from the URL), the token
// revoked, and access asked of GitHub before a session is made.
func (s *Service) callback(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	log := zerolog.Ctx(ctx)
	q := r.URL.Query()
	again := &link{"/dashboard/login", "Sign in again"}
	var st state
	c, err := r.Cookie(StateCookie)
	haveState := err == nil && s.state.Decode(StateCookie, c.Value, &st) == nil && st.State != ""
	// The state is good once.
	clearCookie(w, StateCookie)
	if e := q.Get("error"); e != "" {
		s.githubRefused(w, r, e, q.Get("error_description"))
		return
	}
	switch {
	case !haveState:
		writePage(w, r, http.StatusBadRequest, "Sign-in could not be completed", again,
			"This sign-in was not started in this browser, or it was already completed. Sign in again from the dashboard.")
		return
	case s.now().Unix() >= st.Expires:
		writePage(w, r, http.StatusBadRequest, "Sign-in took too long", again,
			"The sign-in was started more than 10 minutes ago. Sign in again.")
		return
	case subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(st.State)) != 1:
		writePage(w, r, http.StatusBadRequest, "Sign-in could not be completed", again,
			"GitHub's answer does not belong to the sign-in this browser started (its state does not match). Sign in again.")
		return
	case q.Get("code") == "":
		writePage(w, r, http.StatusBadRequest, "Sign-in could not be completed", again, "GitHub's answer has no code. Sign in again.")
		return
	}
	token, err := s.exchange(ctx, q.Get("code"))
	var oe *oauthError
	if errors.As(err, &oe) {
		s.githubRefused(w, r, oe.Code, oe.Description)
		return
	}
	if err != nil {
		log.Warn().Err(err).Msg("dashboard sign-in: exchange the code")
		s.githubDown(w, r)
		return
	}
	user, err := s.user(ctx, token)
	s.revoke(ctx, token) // kept nowhere, used no more
	if err != nil {
		log.Warn().Err(err).Msg("dashboard sign-in: read the signed-in user")
		s.githubDown(w, r)
		return
	}
	login := user.GetLogin()
	orgs, err := s.o.Access.Orgs(ctx, login)
	if err != nil {
		log.Warn().Err(err).Str("login", login).Msg("dashboard sign-in: access could not be confirmed with GitHub")
		s.unconfirmed(w, r)
		return
	}
	if len(orgs) == 0 {
		log.Info().Str("login", login).Msg("dashboard sign-in refused: neither owner nor approver of any org")
		s.forbidden(w, r, login)
		return
	}
	now := s.now()
	// A new ID at every sign-in; a session this browser had ends.
	if old, prev, err := s.current(r); err == nil && prev != nil {
		if _, err := s.o.Store.DeleteSession(ctx, old); err != nil {
			log.Warn().Err(err).Msg("dashboard sign-in: end the previous session")
		}
	}
	if _, err := s.o.Store.DeleteExpiredSessions(ctx, now, now.Add(-IdleTimeout)); err != nil {
		log.Warn().Err(err).Msg("dashboard sign-in: forget expired sessions")
	}
	id := random()
	sess := store.Session{Login: login, UserID: user.GetID(), Orgs: orgs, CSRF: random(),
		CreatedAt: now, SeenAt: now, ConfirmedAt: now, ExpiresAt: now.Add(Lifetime)}
	if err := s.o.Store.CreateSession(ctx, id, sess); err != nil {
		s.fail(w, r, err)
		return
	}
	enc, err := s.session.Encode(SessionCookie, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	setCookie(w, SessionCookie, enc, Lifetime)
	log.Info().Str("login", login).Strs("orgs", orgs).Msg("dashboard: signed in")
	http.Redirect(w, r, st.Return, http.StatusFound)
}

// githubRefused shows an error GitHub answered (on the callback, or to the
// code's exchange) in words.
func (s *Service) githubRefused(w http.ResponseWriter, r *http.Request, code, description string) {
	again := &link{"/dashboard/login", "Sign in again"}
	zerolog.Ctx(r.Context()).Info().Str("error", code).Msg("dashboard sign-in: GitHub answered an error")
	said := "GitHub said: " + code
	if description != "" {
		said += " (" + description + ")"
	}
	switch code {
	case "access_denied":
		writePage(w, r, http.StatusForbidden, "Sign-in cancelled", again,
			"You did not authorize ospo-bot on GitHub, so you are not signed in.", said)
	case "bad_verification_code":
		writePage(w, r, http.StatusBadRequest, "Sign-in could not be completed", again,
			"GitHub's code for this sign-in was already used or has expired (codes are good once, for 10 minutes). Sign in again.", said)
	case "redirect_uri_mismatch":
		writePage(w, r, http.StatusBadGateway, "Sign-in is misconfigured", nil,
			"GitHub refused the callback URL "+s.o.CallbackURL+": an admin must register it as a callback URL on the GitHub App's settings page (or correct OSPO_PUBLIC_URL).", said)
	case "incorrect_client_credentials":
		writePage(w, r, http.StatusBadGateway, "Sign-in is misconfigured", nil,
			"GitHub refused ospo-bot's client ID or secret: an admin must check OSPO_GITHUB_CLIENT_ID and OSPO_GITHUB_CLIENT_SECRET against the GitHub App's settings page.", said)
	default:
		writePage(w, r, http.StatusBadGateway, "GitHub refused the sign-in", again, said)
	}
}

func (s *Service) githubDown(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Retry-After", "30")
	writePage(w, r, http.StatusServiceUnavailable, "GitHub did not answer", &link{"/dashboard/login", "Sign in again"},
		"GitHub could not be reached to complete the sign-in. Sign in again in a moment.")
}

// oauthError is an error GitHub answered to the code's exchange.
type oauthError struct{ Code, Description string }

func (e *oauthError) Error() string { return "github: " + e.Code + ": " + e.Description }

// exchange trades the callback's code for a user access token at
// {web}/login/oauth/access_token. GitHub answers its errors with a 200
// and an "error" field.
func (s *Service) exchange(ctx context.Context, code string) (string, error) {
	form := url.Values{"client_id": {s.o.ClientID}, "client_secret": {s.o.ClientSecret}, "code": {code}, "redirect_uri": {s.o.CallbackURL}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.web.String()+"/login/oauth/access_token", strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := s.o.HTTPClient.Do(req)
	if err != nil {
		return "", fmt.Errorf("POST /login/oauth/access_token: %w", redactErr(err))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return "", fmt.Errorf("POST /login/oauth/access_token: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("POST /login/oauth/access_token: HTTP %d", resp.StatusCode)
	}
	var out struct {
		AccessToken string `json:"access_token"`
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	if err := json.Unmarshal(body, &out); err != nil {
		return "", fmt.Errorf("POST /login/oauth/access_token: not JSON: %w", err)
	}
	if out.Error != "" {
		return "", &oauthError{Code: out.Error, Description: out.Description}
	}
	if out.AccessToken == "" {
		return "", errors.New("POST /login/oauth/access_token: no token in the answer")
	}
	return out.AccessToken, nil
}

// redactErr keeps a transport error's words but not the request's form.
func redactErr(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// user is GET /user with the user's token: who signed in.
func (s *Service) user(ctx context.Context, token string) (*github.User, error) {
	gh := github.NewClient(s.o.HTTPClient).WithAuthToken(token)
	gh.BaseURL = s.api
	u, _, err := gh.Users.Get(ctx, "")
	if err != nil {
		return nil, fmt.Errorf("GET /user: %w", err)
	}
	if u.GetLogin() == "" {
		return nil, errors.New("GET /user: no login in the answer")
	}
	return u, nil
}

// revoke deletes the user token at once (DELETE
// /applications/{client_id}/token): the session needs only the login, and
// later checks use the installation's token.
func (s *Service) revoke(ctx context.Context, token string) {
	body, _ := json.Marshal(map[string]string{"access_token": token})
	req, err := http.NewRequestWithContext(context.WithoutCancel(ctx), http.MethodDelete,
		s.api.String()+"applications/"+url.PathEscape(s.o.ClientID)+"/token", bytes.NewReader(body))
	if err != nil {
		return
	}
	req.SetBasicAuth(s.o.ClientID, s.o.ClientSecret)
	req.Header.Set("Accept", "application/vnd.github+json")
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.o.HTTPClient.Do(req)
	if err != nil {
		zerolog.Ctx(ctx).Warn().Err(redactErr(err)).Msg("dashboard sign-in: revoke the user token")
		return
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode != http.StatusNoContent {
		zerolog.Ctx(ctx).Warn().Int("status", resp.StatusCode).Msg("dashboard sign-in: revoke the user token")
	}
}
