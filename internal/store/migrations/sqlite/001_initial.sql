-- +goose Up
CREATE TABLE deliveries (
    id              TEXT PRIMARY KEY,
    event           TEXT NOT NULL,
    action          TEXT NOT NULL DEFAULT '',
    installation_id INTEGER NOT NULL DEFAULT 0,
    repository      TEXT NOT NULL DEFAULT '',
    received_at     TIMESTAMP NOT NULL,
    outcome         TEXT NOT NULL,
    detail          TEXT NOT NULL DEFAULT '',
    payload         BLOB,
    finished_at     TIMESTAMP
);
CREATE INDEX deliveries_received_at ON deliveries (received_at);

CREATE TABLE audit_log (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    at              TIMESTAMP NOT NULL,
    installation_id INTEGER NOT NULL DEFAULT 0,
    actor           TEXT NOT NULL,
    action          TEXT NOT NULL,
    subject         TEXT NOT NULL,
    reason          TEXT NOT NULL DEFAULT '',
    url             TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_subject ON audit_log (subject, at);

CREATE TABLE installations (
    id                   INTEGER PRIMARY KEY,
    account              TEXT NOT NULL,
    account_type         TEXT NOT NULL,
    repository_selection TEXT NOT NULL DEFAULT '',
    state                TEXT NOT NULL,
    updated_at           TIMESTAMP NOT NULL
);

CREATE TABLE repositories (
    id              INTEGER PRIMARY KEY,
    installation_id INTEGER NOT NULL,
    full_name       TEXT NOT NULL,
    private         BOOLEAN NOT NULL DEFAULT FALSE,
    archived        BOOLEAN NOT NULL DEFAULT FALSE,
    fork            BOOLEAN NOT NULL DEFAULT FALSE,
    default_branch  TEXT NOT NULL DEFAULT '',
    updated_at      TIMESTAMP NOT NULL
);
CREATE INDEX repositories_installation ON repositories (installation_id);

-- +goose Down
DROP TABLE repositories;
DROP TABLE installations;
DROP TABLE audit_log;
DROP TABLE deliveries;
