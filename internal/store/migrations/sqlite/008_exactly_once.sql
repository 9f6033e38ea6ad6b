-- +goose Up
-- Exactly once (DESIGN.md, principle 10). An audit row with a natural key
-- (the comment and the command's index in it, or another
-- delivery-independent key) is written once, however often its event is
-- delivered or its job retried; rows without one (NULL) are as before.
ALTER TABLE audit_log ADD COLUMN natural_key TEXT;
CREATE UNIQUE INDEX audit_log_natural_key ON audit_log (natural_key);

-- A short lease on a subject (a repository, a pull request, a head
-- commit): one job at a time checks it, across replicas. A job that finds
-- it held snoozes; an expired lease (its holder died) may be taken.
CREATE TABLE subject_leases (
    subject     TEXT PRIMARY KEY,
    holder      TEXT NOT NULL,
    expires_at  INTEGER NOT NULL -- Unix nanoseconds
);

-- Side effects on GitHub about to be made, recorded before the request so
-- that a retry after a lost response looks for what the request made
-- instead of making it again (a reply by its marker), or completes what
-- it left undone (the audit row of a repository made private).
CREATE TABLE side_effects (
    effect_key  TEXT PRIMARY KEY,
    github_id   INTEGER NOT NULL DEFAULT 0,
    done        BOOLEAN NOT NULL DEFAULT FALSE,
    at          TIMESTAMP NOT NULL
);

-- +goose Down
DROP TABLE side_effects;
DROP TABLE subject_leases;
DROP INDEX audit_log_natural_key;
ALTER TABLE audit_log DROP COLUMN natural_key;
