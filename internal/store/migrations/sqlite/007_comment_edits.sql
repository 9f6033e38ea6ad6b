-- +goose Up
-- One comment may hold several approvals of protected paths, each by
-- whoever wrote its line (the author, or someone who edited it in): seq
-- tells them apart. Rows from before are the comment's first, seq 0.
CREATE TABLE path_approvals_007 (
    repository  TEXT NOT NULL,
    number      INTEGER NOT NULL,
    comment_id  INTEGER NOT NULL,
    seq         INTEGER NOT NULL DEFAULT 0,
    login       TEXT NOT NULL,
    head_sha    TEXT NOT NULL,
    url         TEXT NOT NULL DEFAULT '',
    at          TIMESTAMP NOT NULL,
    PRIMARY KEY (repository, number, comment_id, seq)
);
INSERT INTO path_approvals_007 (repository, number, comment_id, seq, login, head_sha, url, at)
    SELECT repository, number, comment_id, 0, login, head_sha, url, at FROM path_approvals;
DROP TABLE path_approvals;
ALTER TABLE path_approvals_007 RENAME TO path_approvals;

-- The edits of comments whose changes were applied: each edit (the
-- comment, when it was edited, and its text before and after) changes the
-- decisions it touches once, however often its event is delivered or its
-- job retried.
CREATE TABLE comment_edits (
    comment_id  INTEGER NOT NULL,
    edit_key    TEXT NOT NULL,
    at          TIMESTAMP NOT NULL,
    PRIMARY KEY (comment_id, edit_key)
);

-- +goose Down
DROP TABLE comment_edits;
CREATE TABLE path_approvals_006 (
    repository  TEXT NOT NULL,
    number      INTEGER NOT NULL,
    comment_id  INTEGER NOT NULL,
    login       TEXT NOT NULL,
    head_sha    TEXT NOT NULL,
    url         TEXT NOT NULL DEFAULT '',
    at          TIMESTAMP NOT NULL,
    PRIMARY KEY (repository, number, comment_id)
);
INSERT INTO path_approvals_006 (repository, number, comment_id, login, head_sha, url, at)
    SELECT repository, number, comment_id, login, head_sha, url, at FROM path_approvals WHERE seq = 0;
DROP TABLE path_approvals;
ALTER TABLE path_approvals_006 RENAME TO path_approvals;
