package store

import "context"

// MigrateOursUpTo applies our migrations up to version v only (tests of a
// migration on data an older version wrote).
func (s *Store) MigrateOursUpTo(ctx context.Context, v int64) error {
	p, err := s.goose()
	if err != nil {
		return err
	}
	_, err = p.UpTo(ctx, v)
	return err
}

// MigrateOursDownTo rolls our migrations back to version v (tests of a
// migration's Down).
func (s *Store) MigrateOursDownTo(ctx context.Context, v int64) error {
	p, err := s.goose()
	if err != nil {
		return err
	}
	_, err = p.DownTo(ctx, v)
	return err
}
