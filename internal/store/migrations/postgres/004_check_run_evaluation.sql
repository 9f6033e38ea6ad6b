-- +goose Up
-- The evaluation (the job) that created the head's check run: a retry of
-- that job finds its run instead of creating a second one, while any other
-- evaluation creates a new run.
ALTER TABLE pull_request_state ADD COLUMN check_run_evaluation TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE pull_request_state DROP COLUMN check_run_evaluation;
