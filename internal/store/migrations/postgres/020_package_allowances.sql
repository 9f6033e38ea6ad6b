-- +goose Up
-- `/ospo allow <purl> <reason>` on a pull request: an OSPO approver
-- allows a package whatever its licence (the dependencies rule). One row
-- per comment and package, so that a redelivered comment or a retried job
-- writes it once; a deleted comment, or an edit removing the line,
-- withdraws it.
CREATE TABLE package_allowances (
    repository  TEXT NOT NULL,
    number      BIGINT NOT NULL,
    comment_id  BIGINT NOT NULL,
    package     TEXT NOT NULL, -- the purl or pattern, as written
    login       TEXT NOT NULL,
    reason      TEXT NOT NULL,
    url         TEXT NOT NULL DEFAULT '',
    at          TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (repository, number, comment_id, package)
);

-- +goose Down
DROP TABLE package_allowances;
