-- +goose Up
-- CLA signatures, by GitHub user ID (logins change).
CREATE TABLE cla_signatures (
    user_id    INTEGER NOT NULL,
    org        TEXT NOT NULL,
    login      TEXT NOT NULL,
    version    TEXT NOT NULL,
    signed_at  TIMESTAMP NOT NULL,
    url        TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (org, user_id)
);

-- Who blocks which open pull request on the CLA, from its latest check, so
-- a signature re-checks every pull request it unblocks.
CREATE TABLE cla_blockers (
    installation_id INTEGER NOT NULL,
    repository      TEXT NOT NULL,
    number          INTEGER NOT NULL,
    user_id         INTEGER NOT NULL,
    PRIMARY KEY (repository, number, user_id)
);
CREATE INDEX cla_blockers_user ON cla_blockers (user_id);

-- The check run of each head commit, and the pull request's sticky comment.
CREATE TABLE pull_request_state (
    repository      TEXT NOT NULL,
    number          INTEGER NOT NULL,
    head_sha        TEXT NOT NULL DEFAULT '',
    check_run_id    INTEGER NOT NULL DEFAULT 0,
    comment_id      INTEGER NOT NULL DEFAULT 0,
    comment_digest  TEXT NOT NULL DEFAULT '',
    updated_at      TIMESTAMP NOT NULL,
    PRIMARY KEY (repository, number)
);

-- OSPO approvals of protected-path changes given by `/ospo approve` on a
-- pull request, with the head commit they approved.
CREATE TABLE path_approvals (
    repository  TEXT NOT NULL,
    number      INTEGER NOT NULL,
    comment_id  INTEGER NOT NULL,
    login       TEXT NOT NULL,
    head_sha    TEXT NOT NULL,
    url         TEXT NOT NULL DEFAULT '',
    at          TIMESTAMP NOT NULL,
    PRIMARY KEY (repository, number, comment_id)
);

-- +goose Down
DROP TABLE path_approvals;
DROP TABLE pull_request_state;
DROP TABLE cla_blockers;
DROP TABLE cla_signatures;
