-- +goose Up
-- An exemption may be given "until" a day: expires is when it stops
-- applying (the start, UTC, of the day after); NULL, as every decision
-- before this column, never expires.
ALTER TABLE review_decisions ADD COLUMN expires TIMESTAMPTZ;

-- +goose Down
ALTER TABLE review_decisions DROP COLUMN expires;
