package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Installation states.
const (
	InstallationActive    = "active"
	InstallationSuspended = "suspended"
	InstallationDeleted   = "deleted"
)

// Installation is one org or user account the app is installed on.
type Installation struct {
	ID                  int64
	Account             string
	AccountType         string // Organization or User
	RepositorySelection string // all or selected
	State               string
	UpdatedAt           time.Time
}

// Repository is a repository the app can see, as last reported by GitHub.
type Repository struct {
	ID             int64
	InstallationID int64
	FullName       string
	Private        bool
	Archived       bool
	Fork           bool
	DefaultBranch  string
}

// UpsertInstallation records an installation and its state.
func (s *Store) UpsertInstallation(ctx context.Context, in Installation) error {
	_, err := s.DB.ExecContext(ctx, `
		INSERT INTO installations (id, account, account_type, repository_selection, state, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (id) DO UPDATE SET account = excluded.account, account_type = excluded.account_type,
			repository_selection = excluded.repository_selection, state = excluded.state, updated_at = excluded.updated_at`,
		in.ID, in.Account, in.AccountType, in.RepositorySelection, in.State, time.Now().UTC())
	if err != nil {
		return fmt.Errorf("record installation %d: %w", in.ID, err)
	}
	return nil
}

// Installation returns one installation, or sql.ErrNoRows.
func (s *Store) Installation(ctx context.Context, id int64) (Installation, error) {
	var in Installation
	err := s.DB.QueryRowContext(ctx, `
		SELECT id, account, account_type, repository_selection, state, updated_at FROM installations WHERE id = $1`, id).
		Scan(&in.ID, &in.Account, &in.AccountType, &in.RepositorySelection, &in.State, &in.UpdatedAt)
	return in, err
}

// ReplaceRepositories makes repos the complete list for an installation:
// rows not in repos are dropped.
func (s *Store) ReplaceRepositories(ctx context.Context, installationID int64, repos []Repository) error {
	return s.InTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM repositories WHERE installation_id = $1`, installationID); err != nil {
			return fmt.Errorf("clear repositories of installation %d: %w", installationID, err)
		}
		return upsertRepositories(ctx, tx, installationID, repos)
	})
}

// UpsertRepositories adds or refreshes repositories of an installation.
func (s *Store) UpsertRepositories(ctx context.Context, installationID int64, repos []Repository) error {
	return s.InTx(ctx, func(tx *sql.Tx) error { return upsertRepositories(ctx, tx, installationID, repos) })
}

func upsertRepositories(ctx context.Context, tx *sql.Tx, installationID int64, repos []Repository) error {
	now := time.Now().UTC()
	for _, r := range repos {
		_, err := tx.ExecContext(ctx, `
			INSERT INTO repositories (id, installation_id, full_name, private, archived, fork, default_branch, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
			ON CONFLICT (id) DO UPDATE SET installation_id = excluded.installation_id, full_name = excluded.full_name,
				private = excluded.private, archived = excluded.archived, fork = excluded.fork,
				default_branch = CASE WHEN excluded.default_branch = '' THEN repositories.default_branch ELSE excluded.default_branch END,
				updated_at = excluded.updated_at`,
			r.ID, installationID, r.FullName, r.Private, r.Archived, r.Fork, r.DefaultBranch, now)
		if err != nil {
			return fmt.Errorf("record repository %s: %w", r.FullName, err)
		}
	}
	return nil
}

// DeleteRepositories forgets repositories by ID.
func (s *Store) DeleteRepositories(ctx context.Context, ids ...int64) error {
	for _, id := range ids {
		if _, err := s.DB.ExecContext(ctx, `DELETE FROM repositories WHERE id = $1`, id); err != nil {
			return fmt.Errorf("forget repository %d: %w", id, err)
		}
	}
	return s.ForgetSnapshots(ctx, ids...)
}

// DeleteInstallationRepositories forgets every repository of an installation.
func (s *Store) DeleteInstallationRepositories(ctx context.Context, installationID int64) error {
	return s.InTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM repositories WHERE installation_id = $1`, installationID); err != nil {
			return err
		}
		return forgetInstallationSnapshots(ctx, tx, installationID)
	})
}

// Repositories lists an installation's repositories by name.
func (s *Store) Repositories(ctx context.Context, installationID int64) ([]Repository, error) {
	rows, err := s.DB.QueryContext(ctx, `
		SELECT id, installation_id, full_name, private, archived, fork, default_branch
		FROM repositories WHERE installation_id = $1 ORDER BY full_name`, installationID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Repository
	for rows.Next() {
		var r Repository
		if err := rows.Scan(&r.ID, &r.InstallationID, &r.FullName, &r.Private, &r.Archived, &r.Fork, &r.DefaultBranch); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// RepositoryByID returns a known repository, or sql.ErrNoRows.
func (s *Store) RepositoryByID(ctx context.Context, id int64) (Repository, error) {
	var r Repository
	err := s.DB.QueryRowContext(ctx, `
		SELECT id, installation_id, full_name, private, archived, fork, default_branch
		FROM repositories WHERE id = $1`, id).
		Scan(&r.ID, &r.InstallationID, &r.FullName, &r.Private, &r.Archived, &r.Fork, &r.DefaultBranch)
	return r, err
}

// ActiveInstallations lists the installations that are neither suspended
// nor deleted.
func (s *Store) ActiveInstallations(ctx context.Context) ([]Installation, error) {
	rows, err := s.DB.QueryContext(ctx, `
		SELECT id, account, account_type, repository_selection, state, updated_at FROM installations
		WHERE state = $1 ORDER BY id`, InstallationActive)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Installation
	for rows.Next() {
		var in Installation
		if err := rows.Scan(&in.ID, &in.Account, &in.AccountType, &in.RepositorySelection, &in.State, &in.UpdatedAt); err != nil {
			return nil, err
		}
		out = append(out, in)
	}
	return out, rows.Err()
}
