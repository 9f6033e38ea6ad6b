-- +goose Up
-- The base branch a pull request's result was checked against: its commits
-- are its head's commits not on that branch, so a merge group into another
-- branch (which holds more of them) cannot rely on the result. Rows from
-- before have none, and count for no merge group.
ALTER TABLE pull_request_results ADD COLUMN base_ref TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE pull_request_results DROP COLUMN base_ref;
