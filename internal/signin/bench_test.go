package signin

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/ospo-bot/ospo-bot/internal/store"
	"github.com/ospo-bot/ospo-bot/internal/store/storetest"
)

type fixedAccess []string

func (f fixedAccess) Orgs(context.Context, string) ([]string, error) { return f, nil }

// BenchmarkSignedInRequest is what sign-in adds to each dashboard request:
// the cookie's check and the session's read, among 10,000 sessions.
func BenchmarkSignedInRequest(b *testing.B) {
	ctx := context.Background()
	for _, d := range storetest.Dialects(b) {
		b.Run(string(d), func(b *testing.B) {
			st := storetest.Open(b, d)
			now := time.Now().UTC()
			s, err := New(ctx, Options{ClientID: "c", ClientSecret: "s", CallbackURL: "http://127.0.0.1/dashboard/auth/callback",
				WebURL: "http://127.0.0.1", APIURL: "http://127.0.0.1/", Store: st, Access: fixedAccess{"acme"}, Now: func() time.Time { return now }})
			if err != nil {
				b.Fatal(err)
			}
			for i := range 10_000 {
				if err := st.CreateSession(ctx, "id-"+string(rune('a'+i%26))+time.Duration(i).String(), store.Session{Login: "u", Orgs: []string{"acme"}, CSRF: "x",
					CreatedAt: now, SeenAt: now, ConfirmedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
					b.Fatal(err)
				}
			}
			if err := st.CreateSession(ctx, "mine", store.Session{Login: "lead", Orgs: []string{"acme"}, CSRF: "x",
				CreatedAt: now, SeenAt: now, ConfirmedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
				b.Fatal(err)
			}
			enc, err := s.session.Encode(SessionCookie, "mine")
			if err != nil {
				b.Fatal(err)
			}
			h := s.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if v, ok := ViewerFrom(r.Context()); !ok || v.Login != "lead" {
					b.Fatal("no viewer")
				}
			}))
			req := httptest.NewRequest("GET", "/dashboard/acme/", nil)
			req.AddCookie(&http.Cookie{Name: SessionCookie, Value: enc})
			b.ResetTimer()
			for b.Loop() {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("%d", rec.Code)
				}
			}
		})
	}
}
