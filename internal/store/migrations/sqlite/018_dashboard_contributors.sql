-- +goose Up
-- The dashboard's Contributors & CLA page reads these rollups instead of
-- scanning pull_request_facts (a million rows in a big org); web.Refresh
-- brings them up to date in the background.
--
-- What changed is found by triggers, not by updated_at: updated_at is the
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
    repository   TEXT NOT NULL,
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
    unblocks BLOB NOT NULL,
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
CREATE TRIGGER pull_request_facts_dashboard_insert AFTER INSERT ON pull_request_facts BEGIN
    INSERT INTO dashboard_contributors_dirty (org, kind, key) VALUES
        (NEW.org, 'day', CAST(NEW.opened_at - NEW.opened_at % 86400 AS TEXT)),
        (NEW.org, 'blocked', CAST(NEW.cla_blocked_at - NEW.cla_blocked_at % 86400 AS TEXT)),
        (NEW.org, 'author', NEW.author),
        (NEW.org, 'repository', NEW.repository)
    ON CONFLICT (org, kind, key) DO UPDATE SET gen = gen + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER pull_request_facts_dashboard_opening AFTER UPDATE ON pull_request_facts
WHEN OLD.org IS NOT NEW.org OR OLD.author IS NOT NEW.author OR OLD.author_association IS NOT NEW.author_association
    OR OLD.author_bot IS NOT NEW.author_bot OR OLD.opened_at IS NOT NEW.opened_at BEGIN
    INSERT INTO dashboard_contributors_dirty (org, kind, key) VALUES
        (OLD.org, 'day', CAST(OLD.opened_at - OLD.opened_at % 86400 AS TEXT)),
        (NEW.org, 'day', CAST(NEW.opened_at - NEW.opened_at % 86400 AS TEXT)),
        (OLD.org, 'blocked', CAST(OLD.cla_blocked_at - OLD.cla_blocked_at % 86400 AS TEXT)),
        (NEW.org, 'blocked', CAST(NEW.cla_blocked_at - NEW.cla_blocked_at % 86400 AS TEXT)),
        (OLD.org, 'author', OLD.author),
        (NEW.org, 'author', NEW.author),
        (OLD.org, 'repository', OLD.repository),
        (NEW.org, 'repository', NEW.repository)
    ON CONFLICT (org, kind, key) DO UPDATE SET gen = gen + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER pull_request_facts_dashboard_close AFTER UPDATE ON pull_request_facts
WHEN OLD.closed_at IS NOT NEW.closed_at OR OLD.merged IS NOT NEW.merged BEGIN
    INSERT INTO dashboard_contributors_dirty (org, kind, key) VALUES (NEW.org, 'repository', NEW.repository)
    ON CONFLICT (org, kind, key) DO UPDATE SET gen = gen + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER pull_request_facts_dashboard_cla AFTER UPDATE ON pull_request_facts
WHEN OLD.cla_blocked_at IS NOT NEW.cla_blocked_at OR OLD.cla_unblocked_at IS NOT NEW.cla_unblocked_at BEGIN
    INSERT INTO dashboard_contributors_dirty (org, kind, key) VALUES
        (OLD.org, 'blocked', CAST(OLD.cla_blocked_at - OLD.cla_blocked_at % 86400 AS TEXT)),
        (NEW.org, 'blocked', CAST(NEW.cla_blocked_at - NEW.cla_blocked_at % 86400 AS TEXT))
    ON CONFLICT (org, kind, key) DO UPDATE SET gen = gen + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER pull_request_facts_dashboard_delete AFTER DELETE ON pull_request_facts BEGIN
    INSERT INTO dashboard_contributors_dirty (org, kind, key) VALUES
        (OLD.org, 'day', CAST(OLD.opened_at - OLD.opened_at % 86400 AS TEXT)),
        (OLD.org, 'blocked', CAST(OLD.cla_blocked_at - OLD.cla_blocked_at % 86400 AS TEXT)),
        (OLD.org, 'author', OLD.author),
        (OLD.org, 'repository', OLD.repository)
    ON CONFLICT (org, kind, key) DO UPDATE SET gen = gen + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER cla_events_dashboard_insert AFTER INSERT ON cla_events BEGIN
    INSERT INTO dashboard_contributors_dirty (org, kind, key) VALUES
        (NEW.org, 'cla_user', CAST(NEW.user_id AS TEXT))
    ON CONFLICT (org, kind, key) DO UPDATE SET gen = gen + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER cla_events_dashboard_update AFTER UPDATE ON cla_events BEGIN
    INSERT INTO dashboard_contributors_dirty (org, kind, key) VALUES
        (OLD.org, 'cla_user', CAST(OLD.user_id AS TEXT)),
        (NEW.org, 'cla_user', CAST(NEW.user_id AS TEXT))
    ON CONFLICT (org, kind, key) DO UPDATE SET gen = gen + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER cla_events_dashboard_delete AFTER DELETE ON cla_events BEGIN
    INSERT INTO dashboard_contributors_dirty (org, kind, key) VALUES
        (OLD.org, 'cla_user', CAST(OLD.user_id AS TEXT))
    ON CONFLICT (org, kind, key) DO UPDATE SET gen = gen + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER cla_signatures_dashboard_insert AFTER INSERT ON cla_signatures BEGIN
    INSERT INTO dashboard_contributors_dirty (org, kind, key) VALUES
        (NEW.org, 'cla_user', CAST(NEW.user_id AS TEXT))
    ON CONFLICT (org, kind, key) DO UPDATE SET gen = gen + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER cla_signatures_dashboard_update AFTER UPDATE ON cla_signatures BEGIN
    INSERT INTO dashboard_contributors_dirty (org, kind, key) VALUES
        (OLD.org, 'cla_user', CAST(OLD.user_id AS TEXT)),
        (NEW.org, 'cla_user', CAST(NEW.user_id AS TEXT))
    ON CONFLICT (org, kind, key) DO UPDATE SET gen = gen + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER cla_signatures_dashboard_delete AFTER DELETE ON cla_signatures BEGIN
    INSERT INTO dashboard_contributors_dirty (org, kind, key) VALUES
        (OLD.org, 'cla_user', CAST(OLD.user_id AS TEXT))
    ON CONFLICT (org, kind, key) DO UPDATE SET gen = gen + 1;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER cla_signatures_dashboard_delete;
DROP TRIGGER cla_signatures_dashboard_update;
DROP TRIGGER cla_signatures_dashboard_insert;
DROP TRIGGER cla_events_dashboard_delete;
DROP TRIGGER cla_events_dashboard_update;
DROP TRIGGER cla_events_dashboard_insert;
DROP TRIGGER pull_request_facts_dashboard_cla;
DROP TRIGGER pull_request_facts_dashboard_delete;
DROP TRIGGER pull_request_facts_dashboard_close;
DROP TRIGGER pull_request_facts_dashboard_opening;
DROP TRIGGER pull_request_facts_dashboard_insert;
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
