-- +goose Up
-- Sign-in to the dashboard. A session's cookie carries only a random ID,
-- signed and encrypted; its row is here, so that every replica sees it and
-- revoking it (logout, `ospo-bot sessions revoke`, the re-check every 15
-- minutes) takes effect everywhere. The row is keyed by the SHA-256 of the
-- ID, so the table alone opens no session. Times are Unix seconds (UTC).
-- orgs lists the orgs whose dashboard the user may see, comma-separated,
-- as GitHub confirmed at confirmed_at.
CREATE TABLE dashboard_sessions (
    id_hash      TEXT PRIMARY KEY,
    login        TEXT NOT NULL,
    user_id      BIGINT NOT NULL,
    orgs         TEXT NOT NULL,
    csrf         TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    seen_at      BIGINT NOT NULL,
    confirmed_at BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL
);
CREATE INDEX dashboard_sessions_login ON dashboard_sessions (lower(login));
CREATE INDEX dashboard_sessions_expires ON dashboard_sessions (expires_at);

-- The keys that sign and encrypt the dashboard's cookies (hex), made once
-- by the first replica that needs them and shared by all.
CREATE TABLE dashboard_keys (
    name       TEXT PRIMARY KEY,
    hash_key   TEXT NOT NULL,
    block_key  TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- +goose Down
DROP TABLE dashboard_keys;
DROP TABLE dashboard_sessions;
