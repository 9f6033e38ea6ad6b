-- +goose Up
CREATE TABLE deliveries (
    id              TEXT PRIMARY KEY,
    event           TEXT NOT NULL,
    action          TEXT NOT NULL DEFAULT '',
    installation_id BIGINT NOT NULL DEFAULT 0,
    repository      TEXT NOT NULL DEFAULT '',
    received_at     TIMESTAMPTZ NOT NULL,
    outcome         TEXT NOT NULL,
    detail          TEXT NOT NULL DEFAULT '',
    payload         BYTEA,
    finished_at     TIMESTAMPTZ
);
CREATE INDEX deliveries_received_at ON deliveries (received_at);

CREATE TABLE audit_log (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at              TIMESTAMPTZ NOT NULL,
    installation_id BIGINT NOT NULL DEFAULT 0,
    actor           TEXT NOT NULL,
    action          TEXT NOT NULL,
    subject         TEXT NOT NULL,
    reason          TEXT NOT NULL DEFAULT '',
    url             TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_subject ON audit_log (subject, at);

CREATE TABLE installations (
    id                   BIGINT PRIMARY KEY,
    account              TEXT NOT NULL,
    account_type         TEXT NOT NULL,
    repository_selection TEXT NOT NULL DEFAULT '',
    state                TEXT NOT NULL,
    updated_at           TIMESTAMPTZ NOT NULL
);

CREATE TABLE repositories (
    id              BIGINT PRIMARY KEY,
    installation_id BIGINT NOT NULL,
    full_name       TEXT NOT NULL,
    private         BOOLEAN NOT NULL DEFAULT FALSE,
    archived        BOOLEAN NOT NULL DEFAULT FALSE,
    fork            BOOLEAN NOT NULL DEFAULT FALSE,
    default_branch  TEXT NOT NULL DEFAULT '',
    updated_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX repositories_installation ON repositories (installation_id);

-- +goose Down
DROP TABLE repositories;
DROP TABLE installations;
DROP TABLE audit_log;
DROP TABLE deliveries;
