-- +goose Up
-- One review issue per repository, ever: the row is claimed before the
-- issue is created on GitHub, so two jobs cannot both create one.
CREATE TABLE review_issues (
    repository_id   INTEGER PRIMARY KEY,
    installation_id INTEGER NOT NULL,
    repository      TEXT NOT NULL,
    review_repo     TEXT NOT NULL,
    issue_number    INTEGER NOT NULL DEFAULT 0,
    notified        TEXT NOT NULL DEFAULT '',
    updated_at      TIMESTAMP NOT NULL
);
CREATE INDEX review_issues_issue ON review_issues (review_repo, issue_number);

-- Accepted deciding commands; a review's state is their replay.
CREATE TABLE review_decisions (
    comment_id    INTEGER NOT NULL,
    seq           INTEGER NOT NULL,
    repository_id INTEGER NOT NULL,
    actor         TEXT NOT NULL,
    verb          TEXT NOT NULL,
    rule          TEXT NOT NULL DEFAULT '',
    reason        TEXT NOT NULL DEFAULT '',
    url           TEXT NOT NULL DEFAULT '',
    failing       TEXT NOT NULL DEFAULT '',
    at            TIMESTAMP NOT NULL,
    PRIMARY KEY (comment_id, seq)
);
CREATE INDEX review_decisions_repository ON review_decisions (repository_id);

-- The latest result of each repository's check.
CREATE TABLE repository_checks (
    repository_id   INTEGER PRIMARY KEY,
    repository      TEXT NOT NULL,
    policy_version  TEXT NOT NULL,
    findings        TEXT NOT NULL,
    flagged         BOOLEAN NOT NULL,
    checked_at      TIMESTAMP NOT NULL
);

ALTER TABLE audit_log ADD COLUMN policy_version TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE audit_log DROP COLUMN policy_version;
DROP TABLE repository_checks;
DROP TABLE review_decisions;
DROP TABLE review_issues;
