package config

import (
	"strings"
	"testing"
)

// TestRedactedHidesTheDatabasePassword: the settings listing shows the
// database URL's scheme, never what follows it (the password, parsable or
// not).
func TestRedactedHidesTheDatabasePassword(t *testing.T) {
	for _, raw := range []string{"postgres://ospo:hunter2@db:5432/ospo", "postgres://ospo:hunter2@db:54x2/ospo", "ospo:hunter2@db/ospo"} {
		c := Default()
		c.DatabaseURL = raw
		got := c.Redacted()["OSPO_DATABASE_URL"]
		if strings.Contains(got, "hunter2") {
			t.Errorf("%s listed as %q", raw, got)
		}
	}
	c := Default()
	if got := c.Redacted()["OSPO_DATABASE_URL"]; !strings.HasPrefix(got, "sqlite://") {
		t.Errorf("the default is listed as %q, want its scheme", got)
	}
}
