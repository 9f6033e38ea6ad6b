-- +goose Up
-- The last snapshot of each repository (what its check gathered), so that
-- the policy plan re-evaluates the org under a new policy with no API
-- call. snapshot is zstd-compressed JSON in which every file text (LICENSE,
-- CODEOWNERS, SECURITY.md, the policy files) is replaced by the SHA-256 of
-- its text; the texts are in snapshot_blobs, once each however many
-- repositories share them (a LICENSE text, the org's ospo.yml).
CREATE TABLE repository_snapshots (
    repository_id   BIGINT PRIMARY KEY,
    installation_id BIGINT NOT NULL,
    org             TEXT NOT NULL,
    repository      TEXT NOT NULL,
    snapshot        BYTEA NOT NULL,
    checked_at      BIGINT NOT NULL -- Unix seconds (UTC)
);
CREATE INDEX repository_snapshots_org ON repository_snapshots (org, repository);
CREATE INDEX repository_snapshots_installation ON repository_snapshots (installation_id);

-- A file text, zstd-compressed, by the hex SHA-256 of the text.
CREATE TABLE snapshot_blobs (
    hash    TEXT PRIMARY KEY,
    content BYTEA NOT NULL
);

-- Which snapshot uses which text: a text no snapshot uses is deleted.
CREATE TABLE snapshot_blob_refs (
    repository_id BIGINT NOT NULL REFERENCES repository_snapshots (repository_id) ON DELETE CASCADE,
    hash          TEXT NOT NULL REFERENCES snapshot_blobs (hash),
    PRIMARY KEY (repository_id, hash)
);
CREATE INDEX snapshot_blob_refs_hash ON snapshot_blob_refs (hash);

-- +goose Down
DROP TABLE snapshot_blob_refs;
DROP TABLE snapshot_blobs;
DROP TABLE repository_snapshots;
