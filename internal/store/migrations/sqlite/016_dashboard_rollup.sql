-- +goose Up
-- The dashboard's overview reads these rollups instead of the history of
-- migration 011 (a million pull requests are too many to read for a page).
-- web.Refresh writes them in the background, recomputing only the days
-- and weeks that can have changed; every value is computed by
-- internal/kpi with the report's definitions.

-- One row per org, UTC day and metric: a state at the day's end
-- (compliance, a rule's compliance, licence coverage, OSI share) or a
-- count of the day's events (pull requests opened, closed, ...). num of
-- den for a share; num alone for a count.
CREATE TABLE dashboard_days (
    org     TEXT NOT NULL,
    day     BIGINT NOT NULL, -- the UTC day's midnight, Unix seconds
    metric  TEXT NOT NULL,
    num     BIGINT NOT NULL DEFAULT 0,
    den     BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (org, day, metric)
);

-- One row per org, week (Monday 00:00 UTC) and duration KPI over that
-- week: n values, their nearest-rank p50 and p90 in seconds.
CREATE TABLE dashboard_weeks (
    org     TEXT NOT NULL,
    week    BIGINT NOT NULL,
    metric  TEXT NOT NULL,
    n       BIGINT NOT NULL DEFAULT 0,
    p50     BIGINT NOT NULL DEFAULT 0,
    p90     BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (org, week, metric)
);

-- Each opening of a review issue until its close (kpi.ReviewCycles over
-- the org's review_events): opened, first response, first approve or
-- reject, close (0: not yet), rewritten where they changed.
CREATE TABLE dashboard_review_cycles (
    org            TEXT NOT NULL,
    repository_id  BIGINT NOT NULL,
    opened         BIGINT NOT NULL,
    first_response BIGINT NOT NULL DEFAULT 0,
    decided        BIGINT NOT NULL DEFAULT 0,
    closed         BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (org, repository_id, opened)
);

-- When each org's rollup was last brought up to date (refreshed_at, the
-- refresh's clock), the days it covers (first_day to last_day), and the
-- mark the next refresh starts from: history before mark_day is taken as
-- unchanged when its row counts (mark_counts) are.
CREATE TABLE dashboard_rollups (
    org          TEXT PRIMARY KEY,
    refreshed_at BIGINT NOT NULL,
    first_day    BIGINT NOT NULL,
    last_day     BIGINT NOT NULL,
    mark_day     BIGINT NOT NULL,
    mark_counts  TEXT NOT NULL DEFAULT ''
);

-- The refresh finds reopened pull requests (whose earlier close leaves
-- an old day) by the time of their last change, and pull requests the
-- CLA blocked from a day on.
CREATE INDEX pull_request_facts_org_updated ON pull_request_facts (org, updated_at);
CREATE INDEX pull_request_facts_org_blocked ON pull_request_facts (org, cla_blocked_at);
-- It finds each repository's state before the first day it recomputes
-- by its latest day, through this index (a subquery per row reads every
-- day of every repository).
CREATE INDEX repository_days_org_repository_day ON repository_days (org, repository_id, day);

-- The Reviews page counts the period's decisions by approver from this
-- index alone.
CREATE INDEX review_events_org_kind_at ON review_events (org, kind, at, actor, verb);

-- +goose Down
DROP INDEX review_events_org_kind_at;
DROP INDEX repository_days_org_repository_day;
DROP INDEX pull_request_facts_org_blocked;
DROP INDEX pull_request_facts_org_updated;
DROP TABLE dashboard_rollups;
DROP TABLE dashboard_review_cycles;
DROP TABLE dashboard_weeks;
DROP TABLE dashboard_days;
