-- +goose Up
-- GitHub's secondary limit on content creation (80 content-generating
-- requests a minute, 500 an hour) is per installation, whichever replica
-- sends them: each request the bot is about to send takes a slot here
-- first (store/budget.go), and a request finding no free slot in the last
-- minute or hour waits. Rows older than the hour are pruned with the
-- deliveries.
CREATE TABLE content_slots (
    installation_id BIGINT NOT NULL,
    at              BIGINT NOT NULL -- Unix nanoseconds
);
CREATE INDEX content_slots_installation_at ON content_slots (installation_id, at);

-- +goose Down
DROP TABLE content_slots;
