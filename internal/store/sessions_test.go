package store_test

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/ospo-bot/ospo-bot/internal/store"
	"github.com/ospo-bot/ospo-bot/internal/store/storetest"
)

// Sessions are kept by the hash of their ID, confirmed, touched, listed
// and ended one by one, by login (any case) or all at once; the cookie
// keys are made once and then read back by everyone.
func TestSessions(t *testing.T) {
	ctx := context.Background()
	t0 := time.Unix(1_800_000_000, 0).UTC()
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			s := storetest.Open(t, d)
			mk := func(id, login string, orgs ...string) {
				t.Helper()
				if err := s.CreateSession(ctx, id, store.Session{Login: login, UserID: 7, Orgs: orgs, CSRF: "c-" + id,
					CreatedAt: t0, SeenAt: t0, ConfirmedAt: t0, ExpiresAt: t0.Add(12 * time.Hour)}); err != nil {
					t.Fatal(err)
				}
			}
			mk("id-1", "Lead", "acme", "globex")
			mk("id-2", "lead")
			mk("id-3", "owner", "acme")
			got, err := s.Session(ctx, "id-1")
			if err != nil || got.Login != "Lead" || !slices.Equal(got.Orgs, []string{"acme", "globex"}) || got.CSRF != "c-id-1" ||
				!got.ExpiresAt.Equal(t0.Add(12*time.Hour)) || got.Hash != store.SessionHash("id-1") {
				t.Fatalf("Session = %+v, %v", got, err)
			}
			if _, err := s.Session(ctx, store.SessionHash("id-1")); !errors.Is(err, sql.ErrNoRows) {
				t.Fatalf("the kept hash opened a session: %v", err)
			}
			var raw int
			if err := s.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM dashboard_sessions WHERE id_hash = 'id-1'`).Scan(&raw); err != nil || raw != 0 {
				t.Fatalf("the ID is stored as it is: %d, %v", raw, err)
			}
			if err := s.TouchSession(ctx, "id-1", t0.Add(time.Minute)); err != nil {
				t.Fatal(err)
			}
			if ok, err := s.ConfirmSession(ctx, "id-1", []string{"acme"}, t0.Add(20*time.Minute)); err != nil || !ok {
				t.Fatalf("ConfirmSession = %v, %v", ok, err)
			}
			got, _ = s.Session(ctx, "id-1")
			if !slices.Equal(got.Orgs, []string{"acme"}) || !got.ConfirmedAt.Equal(t0.Add(20*time.Minute)) || !got.SeenAt.Equal(t0.Add(20*time.Minute)) {
				t.Fatalf("after the re-check: %+v", got)
			}
			if ok, err := s.ConfirmSession(ctx, "gone", []string{"acme"}, t0); err != nil || ok {
				t.Fatalf("ConfirmSession of no session = %v, %v", ok, err)
			}
			if err := s.CreateSession(ctx, "bad", store.Session{Login: "x", Orgs: []string{"a,b"}}); err == nil {
				t.Fatal("an org with a comma was kept")
			}
			list, err := s.Sessions(ctx)
			if err != nil || len(list) != 3 {
				t.Fatalf("Sessions = %d, %v", len(list), err)
			}
			if n, err := s.DeleteSessionsOf(ctx, "LEAD"); err != nil || n != 2 {
				t.Fatalf("DeleteSessionsOf = %d, %v; want both of lead's", n, err)
			}
			if _, err := s.Session(ctx, "id-3"); err != nil {
				t.Fatalf("owner's session went too: %v", err)
			}
			if ok, err := s.DeleteSession(ctx, "id-3"); err != nil || !ok {
				t.Fatalf("DeleteSession = %v, %v", ok, err)
			}
			if ok, _ := s.DeleteSession(ctx, "id-3"); ok {
				t.Fatal("a session was deleted twice")
			}
			mk("old", "a")
			mk("idle", "b")
			mk("fresh", "c")
			s.TouchSession(ctx, "fresh", t0.Add(2*time.Hour))
			s.TouchSession(ctx, "old", t0.Add(2*time.Hour))
			if n, err := s.DeleteExpiredSessions(ctx, t0.Add(3*time.Hour), t0.Add(time.Hour)); err != nil || n != 1 {
				t.Fatalf("DeleteExpiredSessions (idle) = %d, %v", n, err)
			}
			if n, err := s.DeleteExpiredSessions(ctx, t0.Add(12*time.Hour), t0); err != nil || n != 2 {
				t.Fatalf("DeleteExpiredSessions (lifetime) = %d, %v", n, err)
			}
			mk("x", "x")
			if n, err := s.DeleteAllSessions(ctx); err != nil || n != 1 {
				t.Fatalf("DeleteAllSessions = %d, %v", n, err)
			}

			calls := 0
			gen := func(h, b byte) func() ([]byte, []byte, error) {
				return func() ([]byte, []byte, error) {
					calls++
					return []byte{h, h}, []byte{b, b}, nil
				}
			}
			h1, b1, err := s.CookieKeys(ctx, "session", gen(1, 2))
			if err != nil || !slices.Equal(h1, []byte{1, 1}) || !slices.Equal(b1, []byte{2, 2}) {
				t.Fatalf("CookieKeys = %v %v %v", h1, b1, err)
			}
			h2, b2, err := s.CookieKeys(ctx, "session", gen(3, 4))
			if err != nil || !slices.Equal(h2, h1) || !slices.Equal(b2, b1) || calls != 1 {
				t.Fatalf("second CookieKeys = %v %v %v (%d made); want the first's", h2, b2, err, calls)
			}
		})
	}
}
