package jobs

import (
	"context"
	"testing"

	"github.com/riverqueue/river/riverdriver"
)

// pollingListener stands for River's SQLite listener: its first wait
// finds nothing and waits for its next poll (until cancelled); the next
// read finds the notification.
type pollingListener struct {
	riverdriver.Listener
	reads   int
	waiting chan struct{}
}

func (l *pollingListener) WaitForNotification(ctx context.Context) (*riverdriver.Notification, error) {
	l.reads++
	if l.reads > 1 {
		return &riverdriver.Notification{Topic: "river_insert", Payload: `{"queue":"default"}`}, nil
	}
	close(l.waiting)
	<-ctx.Done()
	return nil, ctx.Err()
}

// TestWakeReadsNotificationsAtOnce: a wake interrupts the listener's wait
// for its next poll and reads the table again, instead of 50 ms later.
func TestWakeReadsNotificationsAtOnce(t *testing.T) {
	inner := &pollingListener{waiting: make(chan struct{})}
	d := &wakingDriver{wakeup: make(chan struct{}, 1)}
	l := &wakingListener{Listener: inner, wakeup: d.wakeup}
	go func() {
		<-inner.waiting
		d.wake()
	}()
	n, err := l.WaitForNotification(context.Background())
	if err != nil || n == nil || n.Topic != "river_insert" || inner.reads != 2 {
		t.Fatalf("got %+v, %v after %d reads; want the insert notification on the second read", n, err, inner.reads)
	}
}

// TestWaitEndsWithItsContext: without a wake, the wait ends with its
// context, as the listener's does (the notifier cancels it to listen to
// another topic or to ping).
func TestWaitEndsWithItsContext(t *testing.T) {
	inner := &pollingListener{waiting: make(chan struct{})}
	l := &wakingListener{Listener: inner, wakeup: make(chan struct{}, 1)}
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-inner.waiting
		cancel()
	}()
	if _, err := l.WaitForNotification(ctx); err != context.Canceled || inner.reads != 1 {
		t.Fatalf("err %v after %d reads, want context.Canceled after 1", err, inner.reads)
	}
}
