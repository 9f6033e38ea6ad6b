// Package store keeps ospo-bot's state in SQLite or Postgres through one database/sql code path, and migrates both.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// Dialect names the SQL engine behind a Store.
type Dialect string

const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// Store is the database: ours and River's tables live side by side so that a
// webhook's delivery row and its job commit in one transaction.
type Store struct {
	DB      *sql.DB
	Dialect Dialect
	river   riverdriver.Driver[*sql.Tx]
	path    string        // the SQLite file
	listen  *pgxpool.Pool // Postgres: River's LISTEN connection

	contentLimits atomic.Pointer[ContentLimits] // nil: DefaultContentLimits (budget.go)
}

// Open connects to the database named by rawURL:
//
//	sqlite://data/ospo-bot.db      a file relative to the working directory
//	sqlite:///var/lib/ospo/bot.db  an absolute path
//	postgres://user@host:5432/db   Postgres (postgresql:// too)
//
// It does not migrate; call Migrate.
func Open(ctx context.Context, rawURL string) (*Store, error) {
	dialect, path, dsn, err := parseURL(rawURL)
	if err != nil {
		return nil, err
	}
	var db *sql.DB
	switch dialect {
	case SQLite:
		db, err = sql.Open("sqlite", dsn)
		if err != nil {
			return nil, fmt.Errorf("open sqlite database: %w", err)
		}
		// SQLite has one writer. River's SQLite driver asks for a single
		// connection so its goroutines queue instead of failing with
		// SQLITE_BUSY; our group commit makes that cheap.
		db.SetMaxOpenConns(1)
	case Postgres:
		db, err = sql.Open("pgx", dsn)
		if err != nil {
			return nil, fmt.Errorf("open postgres database: %w", err)
		}
		db.SetMaxOpenConns(20)
	}
	s := &Store{DB: db, Dialect: dialect, path: path}
	if dialect == SQLite {
		s.river = riversqlite.New(db)
	} else {
		// River works through database/sql, and LISTENs on a pgx
		// connection of its own: a job committed by any replica wakes
		// every replica's fetcher at once instead of at its next poll.
		cfg, err := pgxpool.ParseConfig(dsn)
		if err != nil {
			db.Close()
			return nil, fmt.Errorf("postgres database %s: %w", Redact(rawURL), err)
		}
		cfg.MinConns, cfg.MaxConns = 0, 1 // connected when River listens
		if s.listen, err = pgxpool.NewWithConfig(ctx, cfg); err != nil {
			db.Close()
			return nil, fmt.Errorf("postgres database %s: %w", Redact(rawURL), err)
		}
		s.river = riverdatabasesql.NewWithPgxListener(db, s.listen)
	}
	if err := db.PingContext(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("connect to %s database %s: %w", dialect, Redact(rawURL), err)
	}
	return s, nil
}

// RiverDriver is the River driver bound to this database.
func (s *Store) RiverDriver() riverdriver.Driver[*sql.Tx] { return s.river }

// Close closes the database.
func (s *Store) Close() error {
	if s.listen != nil {
		s.listen.Close()
	}
	return s.DB.Close()
}

// SQLitePath is the database file of a SQLite store ("" on Postgres).
func (s *Store) SQLitePath() string { return s.path }

// parseURL returns the dialect, the SQLite file (if any) and the DSN.
func parseURL(raw string) (Dialect, string, string, error) {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok || !validScheme(scheme) {
		return "", "", "", fmt.Errorf("database URL %s has no scheme: use sqlite://PATH or postgres://USER@HOST/DB", Redact(raw))
	}
	switch scheme {
	case "sqlite", "sqlite3", "file":
		path, query, _ := strings.Cut(rest, "?")
		if path == "" {
			return "", "", "", fmt.Errorf("database URL %s names no file: use sqlite://data/ospo-bot.db", Redact(raw))
		}
		if dir := filepath.Dir(path); dir != "." {
			if err := os.MkdirAll(dir, 0o750); err != nil {
				return "", "", "", fmt.Errorf("create directory for sqlite database: %w", err)
			}
		}
		// WAL lets readers run beside the writer; synchronous=FULL makes a
		// commit survive power loss, not only a process crash, because a
		// 2xx to GitHub promises the job is durable.
		pragmas := []string{
			"_pragma=journal_mode(WAL)",
			"_pragma=synchronous(FULL)",
			"_pragma=busy_timeout(10000)",
			"_pragma=foreign_keys(1)",
			"_txlock=immediate",
		}
		if query != "" {
			pragmas = append(pragmas, query)
		}
		return SQLite, path, "file:" + path + "?" + strings.Join(pragmas, "&"), nil
	case "postgres", "postgresql":
		// Parse it here, as pgx will: url.Parse and pgx quote (parts of)
		// the URL in their errors, the password included, so neither
		// error is passed on.
		if _, err := url.Parse(raw); err != nil {
			return "", "", "", errUnparsable(raw)
		}
		if _, err := pgconn.ParseConfig(raw); err != nil {
			return "", "", "", errUnparsable(raw)
		}
		return Postgres, "", raw, nil
	default:
		return "", "", "", fmt.Errorf("database URL scheme %q is not supported: use sqlite:// or postgres://", scheme)
	}
}

// errUnparsable refuses a database URL, naming only its scheme.
func errUnparsable(raw string) error {
	scheme, _, _ := strings.Cut(raw, "://")
	return fmt.Errorf("database URL %s://[redacted] does not parse: give the port as digits, "+
		"percent-encode @ : / ? # %% and spaces in the user name and password, and check the query parameters", scheme)
}

// Redact makes a database URL fit for logs and errors: a URL that parses
// keeps everything but its password; of one that does not, only the scheme
// is shown (postgres://[redacted]), and nothing of one without a scheme.
func Redact(raw string) string {
	scheme, _, ok := strings.Cut(raw, "://")
	if !ok || !validScheme(scheme) {
		return "[redacted]"
	}
	u, err := url.Parse(raw)
	if err != nil {
		return scheme + "://[redacted]"
	}
	if u.User == nil {
		return raw
	}
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// validScheme reports whether s is a URL scheme (RFC 3986: a letter, then
// letters, digits, +, - or .), so that a URL without one shows nothing.
func validScheme(s string) bool {
	for i, c := range s {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		case i > 0 && ('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.'):
		default:
			return false
		}
	}
	return s != ""
}

// InTx runs fn in a transaction, committing when fn returns nil.
func (s *Store) InTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.DB.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	if err := fn(tx); err != nil {
		return errors.Join(err, ignoreDone(tx.Rollback()))
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

func ignoreDone(err error) error {
	if errors.Is(err, sql.ErrTxDone) {
		return nil
	}
	return err
}
