// Package storetest opens migrated throwaway databases for tests: SQLite always, Postgres when it answers.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ospo-bot/ospo-bot/internal/store"
)

// PostgresURL is the server tests use, overridable with OSPO_TEST_POSTGRES_URL.
func PostgresURL() string {
	if u := os.Getenv("OSPO_TEST_POSTGRES_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
}

// Dialects returns the dialects to test: SQLite, and Postgres when it
// answers. On CI (CI=true) a Postgres that does not answer fails the test
// instead of being skipped.
func Dialects(t testing.TB) []store.Dialect {
	t.Helper()
	if err := pingPostgres(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI requires Postgres at %s: %v", PostgresURL(), err)
		}
		t.Logf("Postgres at %s does not answer (%v): testing SQLite only", PostgresURL(), err)
		return []store.Dialect{store.SQLite}
	}
	return []store.Dialect{store.SQLite, store.Postgres}
}

func pingPostgres() error {
	db, err := sql.Open("pgx", PostgresURL())
	if err != nil {
		return err
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	return db.PingContext(ctx)
}

// URL creates an empty database of the dialect for this test, dropped when
// the test ends, and returns its URL.
func URL(t testing.TB, d store.Dialect) string {
	t.Helper()
	if d == store.SQLite {
		return "sqlite://" + filepath.Join(t.TempDir(), "ospo-bot.db")
	}
	admin, err := sql.Open("pgx", PostgresURL())
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	name := "ospo_test_" + hex.EncodeToString(b)
	if _, err := admin.Exec(`CREATE DATABASE ` + name); err != nil {
		admin.Close()
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		defer admin.Close()
		if _, err := admin.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`); err != nil {
			t.Logf("drop test database %s: %v", name, err)
		}
	})
	u, err := url.Parse(PostgresURL())
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

// Open returns a migrated store of the dialect, closed when the test ends.
func Open(t testing.TB, d store.Dialect) *store.Store {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, URL(t, d))
	if err != nil {
		t.Fatal(err)
	}
	// Registered after the database cleanup, so it runs first.
	t.Cleanup(func() { s.Close() })
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return s
}
