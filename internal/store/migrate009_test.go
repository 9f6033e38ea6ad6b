package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/ospo-bot/ospo-bot/internal/store"
	"github.com/ospo-bot/ospo-bot/internal/store/storetest"
)

// Migration 009 moves the payloads already stored in deliveries into
// delivery_payloads (and the delivery of a processed one, payload NULL,
// keeps its row without one).
func TestMigration009MovesPayloads(t *testing.T) {
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			s, err := store.Open(ctx, storetest.URL(t, d))
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if err := s.MigrateOursUpTo(ctx, 8); err != nil {
				t.Fatal(err)
			}
			at := time.Now().UTC()
			if _, err := s.DB.ExecContext(ctx, `INSERT INTO deliveries (id, event, received_at, outcome, payload)
				VALUES ('queued', 'push', $1, 'queued', $2), ('processed', 'push', $1, 'processed', NULL)`, at, []byte(store.Pack([]byte(`{"a":1}`)))); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			q, err := s.Delivery(ctx, "queued")
			if err != nil {
				t.Fatal(err)
			}
			if b, err := q.Payload.Unpack(); err != nil || string(b) != `{"a":1}` {
				t.Errorf("moved payload = %q (%v)", b, err)
			}
			if pr, err := s.Delivery(ctx, "processed"); err != nil || pr.Payload != nil {
				t.Errorf("processed delivery = %+v (%v), want its row without a payload", pr, err)
			}
		})
	}
}
