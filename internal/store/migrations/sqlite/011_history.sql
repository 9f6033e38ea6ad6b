-- +goose Up
-- History for the OSPO's KPIs, its report and its dashboard, written as
-- events arrive (no backfill storm). Times are Unix seconds (UTC); 0 means
-- "not yet". Every row a retry could write twice has a natural key.

-- A repository's check, one row a day: the day's last check wins. in_scope
-- is false when the policy leaves the repository out (fork, archived) or
-- GitHub no longer has it. failing lists the enforce rules failing (sorted,
-- comma-separated); results maps every rule to "mode/result", as JSON
-- ({"repository.license":"enforce/pass"}); license is the SPDX identifier
-- of the licence found ("" none, "NOASSERTION" unrecognised).
CREATE TABLE repository_days (
    repository_id   BIGINT NOT NULL,
    day             BIGINT NOT NULL, -- the UTC day's midnight
    installation_id BIGINT NOT NULL,
    org             TEXT NOT NULL,
    repository      TEXT NOT NULL,
    private         BOOLEAN NOT NULL DEFAULT FALSE,
    in_scope        BOOLEAN NOT NULL DEFAULT TRUE,
    flagged         BOOLEAN NOT NULL DEFAULT FALSE,
    failing         TEXT NOT NULL DEFAULT '',
    results         TEXT NOT NULL DEFAULT '',
    license         TEXT NOT NULL DEFAULT '',
    policy_version  TEXT NOT NULL DEFAULT '',
    checked_at      BIGINT NOT NULL,
    PRIMARY KEY (repository_id, day)
);
CREATE INDEX repository_days_org_day ON repository_days (org, day);

-- A review issue's life: opened, reopened, responded (the first comment of
-- someone other than the bot), decided (each accepted deciding command:
-- verb approve, reject, exempt or unexempt, with its rule), closed.
CREATE TABLE review_events (
    event_key       TEXT PRIMARY KEY,
    repository_id   BIGINT NOT NULL,
    installation_id BIGINT NOT NULL,
    org             TEXT NOT NULL,
    repository      TEXT NOT NULL,
    kind            TEXT NOT NULL,
    actor           TEXT NOT NULL DEFAULT '',
    verb            TEXT NOT NULL DEFAULT '',
    rule            TEXT NOT NULL DEFAULT '',
    at              BIGINT NOT NULL
);
CREATE INDEX review_events_org_at ON review_events (org, at);
CREATE INDEX review_events_repository_at ON review_events (repository_id, at);

-- CLA signatures and revocations (cla_signatures holds only the ones in
-- force).
CREATE TABLE cla_events (
    event_key  TEXT PRIMARY KEY,
    org        TEXT NOT NULL,
    user_id    BIGINT NOT NULL,
    login      TEXT NOT NULL,
    kind       TEXT NOT NULL, -- signed | revoked
    version    TEXT NOT NULL DEFAULT '',
    at         BIGINT NOT NULL
);
CREATE INDEX cla_events_org_at ON cla_events (org, at);

-- A pull request's facts, from its webhooks: who opened it and as what
-- (GitHub's author_association), the first response by someone other than
-- its author or a bot, its close (merged or not; a reopen clears closed_at
-- and counts), and how long the CLA blocked it.
CREATE TABLE pull_request_facts (
    repository          TEXT NOT NULL,
    number              BIGINT NOT NULL,
    installation_id     BIGINT NOT NULL,
    org                 TEXT NOT NULL,
    repository_id       BIGINT NOT NULL DEFAULT 0,
    author              TEXT NOT NULL,
    author_id           BIGINT NOT NULL DEFAULT 0,
    author_association  TEXT NOT NULL DEFAULT '',
    author_bot          BOOLEAN NOT NULL DEFAULT FALSE,
    opened_at           BIGINT NOT NULL,
    first_response_at   BIGINT NOT NULL DEFAULT 0,
    first_responder     TEXT NOT NULL DEFAULT '',
    closed_at           BIGINT NOT NULL DEFAULT 0,
    merged              BOOLEAN NOT NULL DEFAULT FALSE,
    reopened            BIGINT NOT NULL DEFAULT 0,
    cla_blocked_at      BIGINT NOT NULL DEFAULT 0,
    cla_unblocked_at    BIGINT NOT NULL DEFAULT 0,
    updated_at          BIGINT NOT NULL,
    PRIMARY KEY (repository, number)
);
CREATE INDEX pull_request_facts_org_opened ON pull_request_facts (org, opened_at);
CREATE INDEX pull_request_facts_org_closed ON pull_request_facts (org, closed_at);

-- +goose Down
DROP TABLE pull_request_facts;
DROP TABLE cla_events;
DROP TABLE review_events;
DROP TABLE repository_days;
