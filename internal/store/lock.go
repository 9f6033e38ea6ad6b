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

// ReleaseOrphanedJobs makes the jobs a previous process of this one left
// "running" when it died available again, and says how many there were.
// On SQLite under LockSQLite that is every running job: no other process
// can be running one. On Postgres, where other replicas run jobs, it is
// the jobs whose running attempt River gave to replicaID (a name unique
// among live replicas and kept across restarts, River's client ID), and
// none without one: River's rescuer runs those once they have been running
// longer than the job timeout.
func (s *Store) ReleaseOrphanedJobs(ctx context.Context, replicaID string) (int64, error) {
	switch {
	case s.Dialect == SQLite:
		return rowsAffected(s.DB.ExecContext(ctx, `UPDATE river_job SET state = 'available' WHERE state = 'running'`))
	case replicaID == "":
		return 0, nil
	}
	return rowsAffected(s.DB.ExecContext(ctx, `UPDATE river_job SET state = 'available', scheduled_at = now()
		WHERE state = 'running' AND attempted_by[array_length(attempted_by, 1)] = $1`, replicaID))
}
