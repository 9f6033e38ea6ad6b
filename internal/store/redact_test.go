package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/ospo-bot/ospo-bot/internal/store"
)

// TestUnparsableURLsAreNeverPrinted: a database URL that does not parse
// (a bad port, an unescaped character in the password, no scheme) is
// refused without echoing anything after its scheme, even through the
// errors of url.Parse and pgx, which quote their input.
func TestUnparsableURLsAreNeverPrinted(t *testing.T) {
	const password = "hunter2"
	for _, tc := range []struct{ raw, want string }{
		{"postgres://ospo:hunter2@db:54x2/ospo", "postgres://[redacted]"}, // bad port
		{"postgresql://ospo:hunter2@db/%zz", "postgresql://[redacted]"},   // bad escape
		{"postgres://ospo:pa/hunter2@db/ospo", "postgres://[redacted]"},   // unescaped / in the password
		{"postgres://ospo:hun ter2@db/ospo", "postgres://[redacted]"},     // space in the password
		{"postgres://ospo:hunter2@db/ospo?connect_timeout=soon", "postgres://[redacted]"},
		{"ospo:hunter2@db/ospo", "[redacted]"}, // no scheme at all
	} {
		t.Run(tc.raw, func(t *testing.T) {
			_, err := store.Open(context.Background(), tc.raw)
			if err == nil {
				t.Fatal("Open succeeded")
			}
			if msg := err.Error(); strings.Contains(msg, password) || strings.Contains(msg, "hun ter2") || !strings.Contains(msg, tc.want) {
				t.Errorf("Open error = %q: want it to name %s and never the password", msg, tc.want)
			}
			if got := store.Redact(tc.raw); strings.Contains(got, password) || strings.Contains(got, "hun ter2") {
				t.Errorf("Redact = %q", got)
			}
		})
	}
	// A URL that parses keeps its user, host and database, not its password.
	if got := store.Redact("postgres://ospo:hunter2@db:5432/ospo"); got != "postgres://ospo:xxxxx@db:5432/ospo" {
		t.Errorf("Redact = %q", got)
	}
}
