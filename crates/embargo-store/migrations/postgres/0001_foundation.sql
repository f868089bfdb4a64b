-- PostgreSQL twin of migrations/sqlite/0001_foundation.sql: INTEGER is BIGINT, BLOB is BYTEA,
-- triggers are PL/pgSQL; everything else is the same SQL.
-- embargo: the foundation schema.
--
-- Conventions (kept so that migrations/postgres is a mechanical twin):
--   * ids are UUID text; instants are BIGINT microseconds since the Unix epoch, UTC;
--     civil dates and times (an announcement in its time zone) are ISO 8601 text;
--   * booleans are BIGINT 0/1 with a CHECK; enumerations are TEXT with a CHECK;
--   * no backend-specific functions in DEFAULTs or CHECKs.
-- Landed migrations are never edited: add a new file.

CREATE TABLE people (
    id              TEXT PRIMARY KEY,
    email           TEXT NOT NULL,
    email_key       TEXT NOT NULL UNIQUE,           -- lower-cased e-mail, for lookups
    display_name    TEXT NOT NULL,
    is_coordinator  BIGINT NOT NULL DEFAULT 0 CHECK (is_coordinator IN (0, 1)),
    is_admin        BIGINT NOT NULL DEFAULT 0 CHECK (is_admin IN (0, 1)),
    password_hash   TEXT,                           -- argon2id PHC string
    created_at      BIGINT NOT NULL,
    disabled_at     BIGINT
);

-- The installation's scope: the projects the policy covers.
CREATE TABLE projects (
    slug        TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL
);

CREATE TABLE cases (
    id              TEXT PRIMARY KEY,
    project         TEXT NOT NULL REFERENCES projects (slug),
    state           TEXT NOT NULL CHECK (state IN ('received', 'acknowledged', 'triage',
                        'awaiting_reporter', 'accepted', 'fixing', 'scheduled', 'published', 'closed')),
    resolution      TEXT CHECK (resolution IN ('rejected', 'spam', 'withdrawn', 'published')),
    reject_reason   TEXT CHECK (reject_reason IN ('not_a_vulnerability', 'out_of_scope',
                        'duplicate', 'cannot_reproduce')),
    duplicate_of    TEXT,
    received_at     BIGINT NOT NULL,
    acknowledge_by  BIGINT NOT NULL,
    disclose_by     BIGINT NOT NULL,
    reporter_user   TEXT REFERENCES people (id),
    coordinator     TEXT REFERENCES people (id),
    release_on      TEXT,
    announce_at     TEXT,
    announce_zone   TEXT,
    acknowledged_at BIGINT,
    published_at    BIGINT,
    fix_available   BIGINT CHECK (fix_available IN (0, 1)),
    version         BIGINT NOT NULL,
    CHECK ((state = 'closed') = (resolution IS NOT NULL)),
    CHECK ((resolution = 'rejected') = (reject_reason IS NOT NULL)),
    CHECK ((reject_reason = 'duplicate') = (duplicate_of IS NOT NULL)),
    CHECK ((announce_at IS NULL) = (announce_zone IS NULL)),
    CHECK (state NOT IN ('accepted', 'fixing', 'scheduled', 'published') OR coordinator IS NOT NULL)
);
CREATE INDEX cases_by_state ON cases (state, received_at);

-- People on a case besides its Coordinator (cases.coordinator).
CREATE TABLE case_members (
    case_id  TEXT NOT NULL REFERENCES cases (id),
    user_id  TEXT NOT NULL REFERENCES people (id),
    role     TEXT NOT NULL CHECK (role IN ('developer')),   -- when and by whom: the audit log
    PRIMARY KEY (case_id, user_id, role)
);
CREATE INDEX case_members_by_user ON case_members (user_id);

-- Sign-offs of the 18 policy steps. A joint step (10, 14) has one row per role.
CREATE TABLE checklist_signoffs (
    case_id   TEXT NOT NULL REFERENCES cases (id),
    step      BIGINT NOT NULL CHECK (step BETWEEN 1 AND 18),
    role      TEXT NOT NULL CHECK (role IN ('coordinator', 'developer', 'system')),
    signed_by TEXT REFERENCES people (id),
    signed_at BIGINT NOT NULL,
    note      TEXT,
    PRIMARY KEY (case_id, step, role)
);

CREATE TABLE forks (
    id          TEXT PRIMARY KEY,
    case_id     TEXT NOT NULL REFERENCES cases (id),
    position    BIGINT NOT NULL,
    name        TEXT NOT NULL,                      -- private forever
    tested_by   TEXT REFERENCES people (id),
    tested_at   BIGINT,
    test_note   TEXT,
    UNIQUE (case_id, position)
);

CREATE TABLE disclosure_extensions (
    case_id     TEXT NOT NULL REFERENCES cases (id),
    position    BIGINT NOT NULL,
    from_at     BIGINT NOT NULL,
    to_at       BIGINT NOT NULL CHECK (to_at > from_at),
    reason      TEXT NOT NULL CHECK (length(reason) > 0),
    extended_by TEXT NOT NULL REFERENCES people (id),
    extended_at BIGINT NOT NULL,
    PRIMARY KEY (case_id, position)
);

-- What the reporter sent: private forever (unless credited: only the credit is public).
CREATE TABLE reports (
    case_id           TEXT PRIMARY KEY REFERENCES cases (id),
    channel           TEXT NOT NULL CHECK (channel IN ('web', 'api', 'email', 'forge', 'cli')),
    title             TEXT NOT NULL,
    description       TEXT NOT NULL,
    affected_versions TEXT NOT NULL DEFAULT '',
    reproduction      TEXT NOT NULL DEFAULT '',
    impact            TEXT NOT NULL DEFAULT '',
    already_public    BIGINT NOT NULL DEFAULT 0 CHECK (already_public IN (0, 1)),
    exploited         BIGINT NOT NULL DEFAULT 0 CHECK (exploited IN (0, 1)),
    reporter_name     TEXT NOT NULL DEFAULT '',
    reporter_email    TEXT,
    credit_kind       TEXT NOT NULL CHECK (credit_kind IN ('name', 'handle', 'link', 'anonymous')),
    credit_value      TEXT NOT NULL DEFAULT '',
    openpgp_key       TEXT,
    portal_token_hash TEXT NOT NULL UNIQUE,         -- SHA-256 of the reporter's secret link
    received_at       BIGINT NOT NULL
);

-- The thread with the reporter and the team's internal comments.
CREATE TABLE messages (
    id          TEXT PRIMARY KEY,
    case_id     TEXT NOT NULL REFERENCES cases (id),
    seq         BIGINT NOT NULL,                   -- order within the case (clocks tie)
    author_kind TEXT NOT NULL CHECK (author_kind IN ('reporter', 'user', 'system')),
    author_user TEXT REFERENCES people (id),
    visibility  TEXT NOT NULL CHECK (visibility IN ('reporter', 'internal')),
    notice      TEXT,                               -- why the team wrote (acknowledged, rejected, ...)
    body        TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    CHECK ((author_kind = 'user') = (author_user IS NOT NULL)),
    UNIQUE (case_id, seq)
);

-- Append-only, hash-chained: each entry's hash covers the previous entry's hash.
CREATE TABLE audit_log (
    seq       BIGINT PRIMARY KEY,
    at        BIGINT NOT NULL,
    actor     TEXT NOT NULL,
    case_id   TEXT,
    action    TEXT NOT NULL,
    detail    TEXT NOT NULL,                        -- JSON
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);
CREATE INDEX audit_log_by_case ON audit_log (case_id, seq);
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END;
$$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();

-- The chain's head, updated with every append: deleting the newest entries is detected too.
CREATE TABLE audit_head (
    id   BIGINT PRIMARY KEY CHECK (id = 1),
    seq  BIGINT NOT NULL,
    hash TEXT NOT NULL
);

-- The outbox: side effects written in the same transaction as the change that causes them.
CREATE TABLE jobs (
    id           TEXT PRIMARY KEY,
    kind         TEXT NOT NULL,
    case_id      TEXT REFERENCES cases (id),
    payload      TEXT NOT NULL,                     -- JSON
    status       TEXT NOT NULL CHECK (status IN ('pending', 'running', 'done', 'dead')),
    run_at       BIGINT NOT NULL,
    attempts     BIGINT NOT NULL DEFAULT 0,
    last_error   TEXT,
    locked_until BIGINT,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX jobs_due ON jobs (status, run_at);
