package jobs

import (
	"context"
	"database/sql"
	"errors"

	"github.com/riverqueue/river/riverdriver"
)

// wakingDriver lets this process's River client hear its own inserts at
// once on SQLite. River's SQLite driver (v0.40+) emulates LISTEN/NOTIFY: an
// insert, in its transaction, appends to river_notification, and the
// listener polls that table every 50 ms, which was most of a check's
// latency. Only one process uses a SQLite file (store.LockSQLite), so every
// insert that matters is our own: after each commit that inserted jobs the
// queue calls wake, and the listener reads the table right away instead of
// at its next poll. The table stays the source of truth; a wake that finds
// nothing costs one indexed read. On Postgres, LISTEN/NOTIFY is real
// (store's driver has a pgx listener) and this wrapper is not used.
type wakingDriver struct {
	riverdriver.Driver[*sql.Tx]
	wakeup chan struct{}
}

func newWakingDriver(d riverdriver.Driver[*sql.Tx]) *wakingDriver {
	return &wakingDriver{Driver: d, wakeup: make(chan struct{}, 1)}
}

// wake asks the listener to look for notifications now. It never blocks:
// one pending wake covers any number of commits.
func (d *wakingDriver) wake() {
	select {
	case d.wakeup <- struct{}{}:
	default:
	}
}

func (d *wakingDriver) GetListener(params *riverdriver.GetListenenerParams) riverdriver.Listener {
	return &wakingListener{Listener: d.Driver.GetListener(params), wakeup: d.wakeup}
}

type wakingListener struct {
	riverdriver.Listener
	wakeup chan struct{}
}

// WaitForNotification waits in the driver's listener, which reads the
// notification table and then every 50 ms; a wake interrupts its wait and
// starts it again, so the table is read at once. Interrupting is safe: the
// listener only advances its cursor after a read that succeeded.
func (l *wakingListener) WaitForNotification(ctx context.Context) (*riverdriver.Notification, error) {
	for {
		inner, cancel := context.WithCancel(ctx)
		woken, watched := make(chan struct{}), make(chan struct{})
		go func() {
			defer close(watched)
			select {
			case <-l.wakeup:
				close(woken)
				cancel()
			case <-inner.Done():
			}
		}()
		n, err := l.Listener.WaitForNotification(inner)
		cancel()
		<-watched
		wasWoken := false
		select {
		case <-woken:
			wasWoken = true
		default:
		}
		if wasWoken && err != nil && errors.Is(err, context.Canceled) && ctx.Err() == nil {
			continue // read the table again now
		}
		if wasWoken {
			// the wake came as the wait ended for another reason: keep
			// it for the next wait
			select {
			case l.wakeup <- struct{}{}:
			default:
			}
		}
		return n, err
	}
}
