package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// PackageLicense is what deps.dev said of one package version's licences
// (internal/depsdev), kept until ExpiresAt.
type PackageLicense struct {
	System, Name, Version string
	// Found is false when deps.dev does not know the version: kept too,
	// for a shorter time.
	Found bool
	// Licenses are deps.dev's SPDX expressions for the version (none:
	// deps.dev knows the version but not its licence).
	Licenses  []string
	FetchedAt time.Time
	ExpiresAt time.Time
}

// PackageLicense returns the kept answer for a package version that has
// not expired at now; ok is false when there is none.
func (s *Store) PackageLicense(ctx context.Context, system, name, version string, now time.Time) (PackageLicense, bool, error) {
	p := PackageLicense{System: system, Name: name, Version: version}
	var found int
	var licenses string
	var fetched, expires int64
	err := s.DB.QueryRowContext(ctx, `SELECT found, licenses, fetched_at, expires_at FROM package_licenses
		WHERE system = $1 AND name = $2 AND version = $3 AND expires_at > $4`,
		system, name, version, now.Unix()).Scan(&found, &licenses, &fetched, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return p, false, nil
	}
	if err != nil {
		return p, false, fmt.Errorf("read the kept licence of %s %s@%s: %w", system, name, version, err)
	}
	p.Found = found != 0
	if licenses != "" {
		p.Licenses = strings.Split(licenses, "\n")
	}
	p.FetchedAt, p.ExpiresAt = time.Unix(fetched, 0).UTC(), time.Unix(expires, 0).UTC()
	return p, true, nil
}

// PutPackageLicense keeps (or replaces) the answer for a package version.
func (s *Store) PutPackageLicense(ctx context.Context, p PackageLicense) error {
	for _, l := range p.Licenses {
		if l == "" || strings.ContainsAny(l, "\r\n") {
			return fmt.Errorf("licence %q of %s %s@%s cannot be kept: empty or several lines", l, p.System, p.Name, p.Version)
		}
	}
	found := 0
	if p.Found {
		found = 1
	}
	_, err := s.DB.ExecContext(ctx, `INSERT INTO package_licenses (system, name, version, found, licenses, fetched_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (system, name, version) DO UPDATE SET found = excluded.found, licenses = excluded.licenses,
			fetched_at = excluded.fetched_at, expires_at = excluded.expires_at`,
		p.System, p.Name, p.Version, found, strings.Join(p.Licenses, "\n"), p.FetchedAt.Unix(), p.ExpiresAt.Unix())
	if err != nil {
		return fmt.Errorf("keep the licence of %s %s@%s: %w", p.System, p.Name, p.Version, err)
	}
	return nil
}

// DeleteExpiredPackageLicenses drops the answers expired at now and says
// how many.
func (s *Store) DeleteExpiredPackageLicenses(ctx context.Context, now time.Time) (int64, error) {
	res, err := s.DB.ExecContext(ctx, `DELETE FROM package_licenses WHERE expires_at <= $1`, now.Unix())
	if err != nil {
		return 0, fmt.Errorf("drop expired package licences: %w", err)
	}
	return res.RowsAffected()
}
