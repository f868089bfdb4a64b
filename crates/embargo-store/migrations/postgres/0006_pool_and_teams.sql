-- PostgreSQL twin of migrations/sqlite/0006_pool_and_teams.sql: INTEGER is BIGINT, BLOB is BYTEA,
-- triggers are PL/pgSQL; everything else is the same SQL.
-- CVE ids the organization reserved as a CNA (policy step 9), handed to cases one at a
-- time. An id is private until its advisory is published.
CREATE TABLE cve_pool (
    cve_id      TEXT PRIMARY KEY,
    added_at    BIGINT NOT NULL,
    case_id     TEXT UNIQUE REFERENCES cases (id),
    assigned_at BIGINT
);

-- Teams: named groups of people, possibly from several organizations (PROCESS.md: team
-- membership must work across organizations), added to a case's Developers at once.
CREATE TABLE teams (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);

CREATE TABLE team_members (
    team_id TEXT NOT NULL REFERENCES teams (id),
    user_id TEXT NOT NULL REFERENCES people (id),
    PRIMARY KEY (team_id, user_id)
);
