package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ospo-bot/ospo-bot/internal/store"
)

// TestSessionsCommand: `ospo-bot sessions list` shows who is signed in to
// the dashboard, `revoke --login` ends one user's sessions (any case) and
// `revoke --all` everyone's; a revoke says what it ended and refuses to
// guess what to end.
func TestSessionsCommand(t *testing.T) {
	dir := t.TempDir()
	db := "sqlite://" + filepath.Join(dir, "bot.db")
	t.Setenv("OSPO_DATABASE_URL", db)
	ctx := context.Background()
	st, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	for i, login := range []string{"lead", "Lead", "boss"} {
		if err := st.CreateSession(ctx, "id-"+login+string(rune('0'+i)), store.Session{Login: login, UserID: 1, Orgs: []string{"acme"}, CSRF: "x",
			CreatedAt: now, SeenAt: now, ConfirmedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()
	cmd := func(args ...string) (int, string, string) {
		var stdout, stderr bytes.Buffer
		code := run(append([]string{"sessions"}, args...), &stdout, &stderr)
		return code, stdout.String(), stderr.String()
	}
	code, out, errOut := cmd("list")
	if code != 0 || strings.Count(out, "acme") != 3 || !strings.Contains(out, "boss") || !strings.Contains(out, "LOGIN") {
		t.Fatalf("list: %d\n%s%s", code, out, errOut)
	}
	for _, bad := range [][]string{{"revoke"}, {"revoke", "--login", "x", "--all"}, {"frobnicate"}, {}} {
		if code, _, errOut := cmd(bad...); code == 0 || errOut == "" {
			t.Errorf("sessions %q: exit %d, %q", bad, code, errOut)
		}
	}
	if code, out, errOut := cmd("revoke", "--login", "LEAD"); code != 0 || !strings.Contains(out, "2 sessions of LEAD") {
		t.Fatalf("revoke --login: %d %q %q", code, out, errOut)
	}
	if code, out, _ := cmd("list"); code != 0 || strings.Contains(strings.ToLower(out), "lead") || !strings.Contains(out, "boss") {
		t.Fatalf("after revoking lead: %q", out)
	}
	if code, out, _ := cmd("revoke", "--all"); code != 0 || !strings.Contains(out, "1 session") {
		t.Fatalf("revoke --all: %d %q", code, out)
	}
	if code, out, _ := cmd("list"); code != 0 || !strings.Contains(out, "No one is signed in") {
		t.Fatalf("after revoking all: %q", out)
	}
}
