-- +goose Up
-- Bounded storage. A delivery's payload (zstd, about 5 KB for GitHub's
-- 28 KB pull_request event) lives in its own table, so that it can be
-- deleted once its delivery is processed and older than the payload
-- retention, while the small delivery row stays for the longer delivery
-- retention: it is what makes a redelivered X-GitHub-Delivery a no-op.
-- received_at is repeated here so that pruning walks this table's own
-- index (the rows that still have a payload) instead of every delivery
-- row older than the cutoff.
CREATE TABLE delivery_payloads (
    delivery_id TEXT PRIMARY KEY REFERENCES deliveries (id) ON DELETE CASCADE,
    received_at TIMESTAMPTZ NOT NULL,
    payload     BYTEA NOT NULL
);
CREATE INDEX delivery_payloads_received_at ON delivery_payloads (received_at);
INSERT INTO delivery_payloads (delivery_id, received_at, payload)
    SELECT id, received_at, payload FROM deliveries WHERE payload IS NOT NULL;
ALTER TABLE deliveries DROP COLUMN payload;

-- +goose Down
ALTER TABLE deliveries ADD COLUMN payload BYTEA;
UPDATE deliveries SET payload = (SELECT p.payload FROM delivery_payloads p WHERE p.delivery_id = deliveries.id);
DROP TABLE delivery_payloads;
