package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"syscall"
)

// LockSQLite takes an exclusive lock beside the SQLite file, held until the
// returned function is called or the process dies. SQLite serves one
// process: a second `serve` on the same file fails here with a clear error
// instead of running the queue twice. On Postgres it does nothing: River
// coordinates replicas there.
func (s *Store) LockSQLite() (unlock func(), err error) {
	if s.Dialect != SQLite {
		return func() {}, nil
	}
	name := s.path + ".lock"
	f, err := os.OpenFile(name, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open lock file: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("SQLite database %s is in use by another ospo-bot process (lock %s): run one process per SQLite file, or use Postgres for several replicas", s.path, name)
		}
		return nil, fmt.Errorf("lock %s: %w", name, err)
	}
	return func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}

// ReleaseOrphanedJobs makes jobs left "running" by a process that died
// available again, and says how many there were. Only for SQLite under
// LockSQLite, where no other process can be running them; on Postgres
// River's rescuer does this once a job has run longer than its timeout.
func (s *Store) ReleaseOrphanedJobs(ctx context.Context) (int64, error) {
	if s.Dialect != SQLite {
		return 0, nil
	}
	return rowsAffected(s.DB.ExecContext(ctx, `UPDATE river_job SET state = 'available' WHERE state = 'running'`))
}
