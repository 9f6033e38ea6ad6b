-- +goose Up
-- The dashboard's Contributors & CLA page reads these rollups instead of
-- scanning pull_request_facts (a million rows in a big org); web.Refresh
-- brings them up to date in the background.
--
-- What changed is found by triggers (here one a statement, reading its
-- transition tables), not by updated_at: updated_at is the
-- time of the latest close or reopen (GitHub's, so a late delivery carries
-- an old one), and a trigger sees the row before the change too, so a
-- reopen un-counts the merge it cancels. Each trigger marks the keys whose
-- rollup rows must be computed again: the opening day, the author, the
-- repository. gen grows at each mark, so a refresh that read gen 1 and
-- computed the key does not clear a mark made while it ran. cla_events
-- and cla_signatures mark the user whose signatures changed.
CREATE TABLE dashboard_contributors_dirty (
    org   TEXT NOT NULL,
    kind  TEXT NOT NULL, -- day, blocked (Unix seconds of a UTC midnight) | author | repository | cla_user
    key   TEXT NOT NULL,
    gen   BIGINT NOT NULL DEFAULT 1,
    PRIMARY KEY (org, kind, key)
);

-- Pull requests opened a UTC day, bots apart (kpi.IsBot), members
-- (kpi.IsMember on author_association) and external authors.
CREATE TABLE dashboard_contributor_days (
    org       TEXT NOT NULL,
    day       BIGINT NOT NULL,
    members   BIGINT NOT NULL,
    externals BIGINT NOT NULL,
    bots      BIGINT NOT NULL,
    PRIMARY KEY (org, day)
);

-- Each author's first pull request in the org; bot is kpi.IsBot's answer.
CREATE TABLE dashboard_first_pull_requests (
    org          TEXT NOT NULL,
    author       TEXT NOT NULL,
    first_opened BIGINT NOT NULL,
    bot          BOOLEAN NOT NULL,
    PRIMARY KEY (org, author)
);
CREATE INDEX dashboard_first_pull_requests_first ON dashboard_first_pull_requests (org, first_opened, bot);
-- How many authors, bots apart, opened their first pull request a UTC day.
CREATE TABLE dashboard_first_days (
    org          TEXT NOT NULL,
    day          BIGINT NOT NULL,
    first_timers BIGINT NOT NULL,
    PRIMARY KEY (org, day)
);

-- The Contributor Absence Factor of each repository over the window of
-- kpi.AbsenceWindow before until_at, for the untils a page asked for
-- (wanted_at) and the default period's; computed_at 0: not yet.
CREATE TABLE dashboard_absence_untils (
    org         TEXT NOT NULL,
    until_at    BIGINT NOT NULL,
    wanted_at   BIGINT NOT NULL,
    computed_at BIGINT NOT NULL DEFAULT 0,
    repositories BIGINT NOT NULL DEFAULT 0, -- its rows in dashboard_absence
    PRIMARY KEY (org, until_at)
);
CREATE TABLE dashboard_absence (
    org          TEXT NOT NULL,
    until_at     BIGINT NOT NULL,
    repository   TEXT COLLATE "C" NOT NULL, -- sorted as Go and SQLite sort it
    factor       BIGINT NOT NULL,
    contributors BIGINT NOT NULL,
    merged       BIGINT NOT NULL,
    PRIMARY KEY (org, until_at, repository)
);
CREATE INDEX dashboard_absence_factor ON dashboard_absence (org, until_at, factor, repository);
CREATE INDEX dashboard_absence_contributors ON dashboard_absence (org, until_at, contributors, repository);
CREATE INDEX dashboard_absence_merged ON dashboard_absence (org, until_at, merged, repository);

-- CLA signers by day: new (people whose first signature was that day) and
-- the change over the day of the signers in force; each user's own part is
-- kept (dashboard_cla_user_days) so that a refresh of one user replaces it.
CREATE TABLE dashboard_cla_user_days (
    org          TEXT NOT NULL,
    user_id      BIGINT NOT NULL,
    day          BIGINT NOT NULL,
    new_signers  BIGINT NOT NULL,
    in_force     BIGINT NOT NULL, -- +1 signed, -1 revoked over the day
    PRIMARY KEY (org, user_id, day)
);
CREATE INDEX dashboard_cla_user_days_day ON dashboard_cla_user_days (org, day);
CREATE TABLE dashboard_cla_days (
    org          TEXT NOT NULL,
    day          BIGINT NOT NULL,
    new_signers  BIGINT NOT NULL,
    in_force     BIGINT NOT NULL,
    PRIMARY KEY (org, day)
);

-- Pull requests, bots apart, whose CLA block began a UTC day: how many,
-- and for each one unblocked its time to unblock and when it was
-- unblocked (seconds, and seconds after the day's start: pairs of varints,
-- encoding/binary's), so that the page's percentiles are exact and hold
-- for any period's end.
CREATE TABLE dashboard_cla_blocked_days (
    org      TEXT NOT NULL,
    day      BIGINT NOT NULL,
    blocked  BIGINT NOT NULL,
    unblocks BYTEA NOT NULL,
    PRIMARY KEY (org, day)
);

-- When the org's rollups were last brought up to date.
CREATE TABLE dashboard_contributors_state (
    org          TEXT PRIMARY KEY,
    refreshed_at BIGINT NOT NULL
);

-- The refresh reads a user's CLA events by this index.
CREATE INDEX cla_events_org_user ON cla_events (org, user_id);

-- The refresh reads the pull requests blocked by the CLA a day from this
-- index alone (a few per cent of the rows).
CREATE INDEX pull_request_facts_org_cla ON pull_request_facts (org, cla_blocked_at, cla_unblocked_at, author, author_bot);

-- +goose StatementBegin
CREATE FUNCTION pull_request_facts_dashboard_mark() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO dashboard_contributors_dirty (org, kind, key)
        SELECT org, 'day', (opened_at - opened_at % 86400)::text FROM new_rows
        UNION SELECT org, 'blocked', (cla_blocked_at - cla_blocked_at % 86400)::text FROM new_rows
        UNION SELECT org, 'author', author FROM new_rows
        UNION SELECT org, 'repository', repository FROM new_rows
        ON CONFLICT (org, kind, key) DO UPDATE SET gen = dashboard_contributors_dirty.gen + 1;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO dashboard_contributors_dirty (org, kind, key)
        SELECT org, 'day', (opened_at - opened_at % 86400)::text FROM old_rows
        UNION SELECT org, 'blocked', (cla_blocked_at - cla_blocked_at % 86400)::text FROM old_rows
        UNION SELECT org, 'author', author FROM old_rows
        UNION SELECT org, 'repository', repository FROM old_rows
        ON CONFLICT (org, kind, key) DO UPDATE SET gen = dashboard_contributors_dirty.gen + 1;
    ELSE
        WITH changed AS (
            SELECT o.org AS old_org, o.opened_at AS old_opened, o.author AS old_author, o.repository AS old_repository,
                o.cla_blocked_at AS old_blocked, n.org, n.opened_at, n.author, n.repository, n.cla_blocked_at AS blocked,
                (o.org <> n.org OR o.author <> n.author OR o.author_association <> n.author_association
                    OR o.author_bot <> n.author_bot OR o.opened_at <> n.opened_at) AS opening,
                (o.closed_at <> n.closed_at OR o.merged <> n.merged) AS closing,
                (o.cla_blocked_at <> n.cla_blocked_at OR o.cla_unblocked_at <> n.cla_unblocked_at) AS cla
            FROM old_rows o JOIN new_rows n ON n.repository = o.repository AND n.number = o.number)
        INSERT INTO dashboard_contributors_dirty (org, kind, key)
        SELECT old_org, 'day', (old_opened - old_opened % 86400)::text FROM changed WHERE opening
        UNION SELECT org, 'day', (opened_at - opened_at % 86400)::text FROM changed WHERE opening
        UNION SELECT old_org, 'author', old_author FROM changed WHERE opening
        UNION SELECT org, 'author', author FROM changed WHERE opening
        UNION SELECT old_org, 'repository', old_repository FROM changed WHERE opening
        UNION SELECT org, 'repository', repository FROM changed WHERE opening OR closing
        UNION SELECT old_org, 'blocked', (old_blocked - old_blocked % 86400)::text FROM changed WHERE opening OR cla
        UNION SELECT org, 'blocked', (blocked - blocked % 86400)::text FROM changed WHERE opening OR cla
        ON CONFLICT (org, kind, key) DO UPDATE SET gen = dashboard_contributors_dirty.gen + 1;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER pull_request_facts_dashboard_insert AFTER INSERT ON pull_request_facts
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION pull_request_facts_dashboard_mark();
CREATE TRIGGER pull_request_facts_dashboard_update AFTER UPDATE ON pull_request_facts
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION pull_request_facts_dashboard_mark();
CREATE TRIGGER pull_request_facts_dashboard_delete AFTER DELETE ON pull_request_facts
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION pull_request_facts_dashboard_mark();

-- cla_events and cla_signatures: the users whose signatures changed.
-- +goose StatementBegin
CREATE FUNCTION cla_dashboard_mark() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO dashboard_contributors_dirty (org, kind, key)
        SELECT DISTINCT org, 'cla_user', user_id::text FROM new_rows
        ON CONFLICT (org, kind, key) DO UPDATE SET gen = dashboard_contributors_dirty.gen + 1;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO dashboard_contributors_dirty (org, kind, key)
        SELECT DISTINCT org, 'cla_user', user_id::text FROM old_rows
        ON CONFLICT (org, kind, key) DO UPDATE SET gen = dashboard_contributors_dirty.gen + 1;
    ELSE
        INSERT INTO dashboard_contributors_dirty (org, kind, key)
        SELECT org, 'cla_user', user_id::text FROM old_rows UNION SELECT org, 'cla_user', user_id::text FROM new_rows
        ON CONFLICT (org, kind, key) DO UPDATE SET gen = dashboard_contributors_dirty.gen + 1;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER cla_events_dashboard_insert AFTER INSERT ON cla_events
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cla_dashboard_mark();
CREATE TRIGGER cla_events_dashboard_update AFTER UPDATE ON cla_events
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cla_dashboard_mark();
CREATE TRIGGER cla_events_dashboard_delete AFTER DELETE ON cla_events
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION cla_dashboard_mark();
CREATE TRIGGER cla_signatures_dashboard_insert AFTER INSERT ON cla_signatures
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cla_dashboard_mark();
CREATE TRIGGER cla_signatures_dashboard_update AFTER UPDATE ON cla_signatures
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cla_dashboard_mark();
CREATE TRIGGER cla_signatures_dashboard_delete AFTER DELETE ON cla_signatures
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION cla_dashboard_mark();

-- +goose Down
DROP TRIGGER cla_events_dashboard_delete ON cla_events;
DROP TRIGGER cla_events_dashboard_update ON cla_events;
DROP TRIGGER cla_events_dashboard_insert ON cla_events;
DROP TRIGGER cla_signatures_dashboard_delete ON cla_signatures;
DROP TRIGGER cla_signatures_dashboard_update ON cla_signatures;
DROP TRIGGER cla_signatures_dashboard_insert ON cla_signatures;
DROP FUNCTION cla_dashboard_mark();
DROP TRIGGER pull_request_facts_dashboard_delete ON pull_request_facts;
DROP TRIGGER pull_request_facts_dashboard_update ON pull_request_facts;
DROP TRIGGER pull_request_facts_dashboard_insert ON pull_request_facts;
DROP FUNCTION pull_request_facts_dashboard_mark();
DROP INDEX pull_request_facts_org_cla;
DROP INDEX cla_events_org_user;
DROP TABLE dashboard_contributors_state;
DROP TABLE dashboard_cla_blocked_days;
DROP TABLE dashboard_cla_days;
DROP TABLE dashboard_cla_user_days;
DROP TABLE dashboard_absence;
DROP TABLE dashboard_absence_untils;
DROP TABLE dashboard_first_days;
DROP TABLE dashboard_first_pull_requests;
DROP TABLE dashboard_contributor_days;
DROP TABLE dashboard_contributors_dirty;
