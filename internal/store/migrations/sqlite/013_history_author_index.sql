-- +goose Up
-- The org report counts first-time contributors: each author's first pull
-- request in the org. Grouping a million pull_request_facts rows by author
-- reads this index alone (it covers the query) instead of every row.
CREATE INDEX pull_request_facts_org_author ON pull_request_facts (org, author, opened_at, author_bot);

-- +goose Down
DROP INDEX pull_request_facts_org_author;
