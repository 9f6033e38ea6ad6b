-- +goose Up
-- The conclusion of each pull request's latest check and the head commit it
-- was for: a check_run or check_suite event about a fork's head commit
-- names no pull request (GitHub leaves pull_requests empty), and a merge
-- group passes when every pull request in it passed at its queued head.
CREATE TABLE pull_request_results (
    installation_id BIGINT NOT NULL,
    repository      TEXT NOT NULL,
    number          BIGINT NOT NULL,
    head_sha        TEXT NOT NULL,
    conclusion      TEXT NOT NULL,
    checked_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (repository, number)
);
CREATE INDEX pull_request_results_head ON pull_request_results (repository, head_sha);

-- +goose Down
DROP TABLE pull_request_results;
