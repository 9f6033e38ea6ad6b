-- +goose Up
-- The dashboard's Repositories page (issue 14).
--
-- A check records the repository's topics (sorted, comma-separated; GitHub
-- allows only a-z, 0-9 and '-' in a topic) and its classification (the
-- first of the policy's repository.topics.one_of it has; '' none). NULL:
-- recorded before this migration, unknown until the repository's next
-- check.
ALTER TABLE repository_days ADD COLUMN topics TEXT;
ALTER TABLE repository_days ADD COLUMN classification TEXT;
-- The dashboard's refresher reads the days written since its last run.
CREATE INDEX repository_days_org_checked ON repository_days (org, checked_at);

-- One row a repository: its latest recorded day and its review's state,
-- written by the dashboard's refresher (internal/web/repositories.go) so
-- that the Repositories page filters, counts and pages 10,000 rows of one
-- org instead of the latest of 10,000 × N days. status: compliant,
-- failing, flagged, out_of_scope; status_rank orders them. review_state:
-- none, open, closed, exempted, approved, rejected ('' not yet derived).
CREATE TABLE dashboard_repositories (
    repository_id   BIGINT PRIMARY KEY,
    org             TEXT NOT NULL,
    repository      TEXT NOT NULL,
    name_key        TEXT NOT NULL, -- LOWER(repository)
    installation_id BIGINT NOT NULL,
    private         BOOLEAN NOT NULL,
    in_scope        BOOLEAN NOT NULL,
    flagged         BOOLEAN NOT NULL,
    failing         TEXT NOT NULL,
    failing_count   INTEGER NOT NULL,
    status          TEXT NOT NULL,
    status_rank     INTEGER NOT NULL,
    license         TEXT NOT NULL,
    topics          TEXT,
    classification  TEXT,
    day             BIGINT NOT NULL,
    checked_at      BIGINT NOT NULL,
    review_state    TEXT NOT NULL DEFAULT '',
    review_repo     TEXT NOT NULL DEFAULT '',
    issue_number    BIGINT NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX dashboard_repositories_org_name ON dashboard_repositories (org, name_key);
CREATE INDEX dashboard_repositories_org_checked ON dashboard_repositories (org, checked_at);
CREATE INDEX dashboard_repositories_org_classification ON dashboard_repositories (org, classification);

-- The audit log's org (lowercase login), so that the dashboard's Audit log
-- reads one org's entries by index and exactly ("acme" is not
-- "acme-other"): the owner in the subject ("org/repo", "org/repo#12"),
-- else the login of the entry's installation ("-", which no login is,
-- when it is unknown; '' is "not yet derived", see store.FillAuditOrgs).
-- repo is the repository an entry is about ("org/repo", lowercase, without
-- a pull request's "#12"; '' none), read by index on a repository's page.
ALTER TABLE audit_log ADD COLUMN org TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN repo TEXT NOT NULL DEFAULT '';
UPDATE audit_log SET org = LOWER(SPLIT_PART(subject, '/', 1)), repo = LOWER(SPLIT_PART(subject, '#', 1))
    WHERE STRPOS(subject, '/') > 1;
UPDATE audit_log SET org = COALESCE((SELECT LOWER(account) FROM installations i WHERE i.id = audit_log.installation_id), '-')
    WHERE org = '';
-- The audit log page's searches, newest first: all, by action, by actor
-- (case-insensitive; each of these two also holds the other, for both),
-- by repository.
CREATE INDEX audit_log_org_at ON audit_log (org, at, id);
CREATE INDEX audit_log_org_action ON audit_log (org, action, at, id, LOWER(actor));
CREATE INDEX audit_log_org_actor ON audit_log (org, LOWER(actor), at, id, action);
CREATE INDEX audit_log_repo_at ON audit_log (repo, org, at, id);

-- +goose Down
DROP INDEX audit_log_repo_at;
DROP INDEX audit_log_org_actor;
DROP INDEX audit_log_org_action;
DROP INDEX audit_log_org_at;
ALTER TABLE audit_log DROP COLUMN repo;
ALTER TABLE audit_log DROP COLUMN org;
DROP TABLE dashboard_repositories;
DROP INDEX repository_days_org_checked;
ALTER TABLE repository_days DROP COLUMN classification;
ALTER TABLE repository_days DROP COLUMN topics;
