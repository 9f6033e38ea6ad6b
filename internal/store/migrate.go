package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/database"
	"github.com/riverqueue/river/rivermigrate"
)

//go:embed migrations
var migrations embed.FS

func (s *Store) goose() (*goose.Provider, error) {
	dir, err := fs.Sub(migrations, "migrations/"+string(s.Dialect))
	if err != nil {
		return nil, err
	}
	dialect := database.DialectSQLite3
	if s.Dialect == Postgres {
		dialect = database.DialectPostgres
	}
	versions, err := database.NewStore(dialect, "ospo_schema_migrations")
	if err != nil {
		return nil, err
	}
	return goose.NewProvider("", s.DB, dir, goose.WithStore(versions), goose.WithDisableGlobalRegistry(true))
}

// Migrate applies River's migrations and ours, in that order, and puts a
// SQLite database in auto_vacuum=INCREMENTAL mode (a new one before its
// first table, an existing one once, by a VACUUM; see
// enableIncrementalVacuum). It is safe to
// run from several replicas at once on Postgres (both take a lock) and a
// no-op when everything is applied.
func (s *Store) Migrate(ctx context.Context) (applied []string, err error) {
	if s.Dialect == Postgres {
		// Serialise concurrent migrators across replicas.
		conn, err := s.DB.Conn(ctx)
		if err != nil {
			return nil, err
		}
		defer conn.Close()
		if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(7351208)`); err != nil {
			return nil, fmt.Errorf("take migration lock: %w", err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(7351208)`)
	}
	if _, err := s.enableIncrementalVacuum(ctx, true); err != nil {
		return nil, err
	}
	migrator, err := rivermigrate.New(s.river, nil)
	if err != nil {
		return nil, err
	}
	res, err := migrator.Migrate(ctx, rivermigrate.DirectionUp, nil)
	if err != nil {
		return nil, fmt.Errorf("river migrations: %w", err)
	}
	for _, v := range res.Versions {
		applied = append(applied, fmt.Sprintf("river %03d %s", v.Version, v.Name))
	}
	p, err := s.goose()
	if err != nil {
		return applied, err
	}
	results, err := p.Up(ctx)
	if err != nil {
		return applied, fmt.Errorf("ospo-bot migrations: %w", err)
	}
	for _, r := range results {
		applied = append(applied, "ospo-bot "+r.Source.Path)
	}
	converted, err := s.enableIncrementalVacuum(ctx, false)
	if err != nil {
		return applied, err
	}
	if converted {
		applied = append(applied, "sqlite auto_vacuum=INCREMENTAL (one-time VACUUM)")
	}
	return applied, nil
}

// ErrNotMigrated is returned by Ready when migrations are pending.
var ErrNotMigrated = errors.New("database is not migrated: run `ospo-bot migrate`")

// Ready reports whether the database answers and every migration is applied.
func (s *Store) Ready(ctx context.Context) error {
	if err := s.DB.PingContext(ctx); err != nil {
		return fmt.Errorf("database unreachable: %w", err)
	}
	migrator, err := rivermigrate.New(s.river, nil)
	if err != nil {
		return err
	}
	if res, err := migrator.Validate(ctx, nil); err != nil || !res.OK {
		return ErrNotMigrated
	}
	p, err := s.goose()
	if err != nil {
		return err
	}
	pending, err := p.HasPending(ctx)
	if err != nil || pending {
		return ErrNotMigrated
	}
	return nil
}

// rowsAffected returns how many rows a statement changed.
func rowsAffected(res sql.Result, err error) (int64, error) {
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
