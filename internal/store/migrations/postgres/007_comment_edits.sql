-- +goose Up
-- One comment may hold several approvals of protected paths, each by
-- whoever wrote its line (the author, or someone who edited it in): seq
-- tells them apart. Rows from before are the comment's first, seq 0.
ALTER TABLE path_approvals ADD COLUMN seq BIGINT NOT NULL DEFAULT 0;
ALTER TABLE path_approvals DROP CONSTRAINT path_approvals_pkey;
ALTER TABLE path_approvals ADD PRIMARY KEY (repository, number, comment_id, seq);

-- The edits of comments whose changes were applied: each edit (the
-- comment, when it was edited, and its text before and after) changes the
-- decisions it touches once, however often its event is delivered or its
-- job retried.
CREATE TABLE comment_edits (
    comment_id  BIGINT NOT NULL,
    edit_key    TEXT NOT NULL,
    at          TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (comment_id, edit_key)
);

-- +goose Down
DROP TABLE comment_edits;
DELETE FROM path_approvals WHERE seq <> 0;
ALTER TABLE path_approvals DROP CONSTRAINT path_approvals_pkey;
ALTER TABLE path_approvals ADD PRIMARY KEY (repository, number, comment_id);
ALTER TABLE path_approvals DROP COLUMN seq;
