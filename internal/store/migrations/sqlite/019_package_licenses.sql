-- +goose Up
-- Licences of packages as deps.dev gave them (internal/depsdev), by
-- system (NPM, GO, PYPI, CARGO, MAVEN), name and version, so that a
-- package seen again costs no request. licenses holds deps.dev's list,
-- one SPDX expression a line; found = 0 records deps.dev's "not found",
-- kept for a shorter time. Times are Unix seconds (UTC); a row past
-- expires_at is asked again.
CREATE TABLE package_licenses (
    system     TEXT NOT NULL,
    name       TEXT NOT NULL,
    version    TEXT NOT NULL,
    found      INTEGER NOT NULL,
    licenses   TEXT NOT NULL,
    fetched_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (system, name, version)
);
CREATE INDEX package_licenses_expires ON package_licenses (expires_at);

-- +goose Down
DROP TABLE package_licenses;
