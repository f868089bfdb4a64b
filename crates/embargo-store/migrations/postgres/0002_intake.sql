-- PostgreSQL twin of migrations/sqlite/0002_intake.sql: INTEGER is BIGINT, BLOB is BYTEA,
-- triggers are PL/pgSQL; everything else is the same SQL.
-- Intake: attachments, e-mail reply tokens, forge references, portal links that can be
-- revoked (rotated).

-- Files sent with a report or a message, stored in the database so that a report and its
-- files commit together (nothing partial) and backups carry them.
CREATE TABLE attachments (
    id           TEXT PRIMARY KEY,
    case_id      TEXT NOT NULL REFERENCES cases (id),
    message_id   TEXT REFERENCES messages (id),
    author_kind  TEXT NOT NULL CHECK (author_kind IN ('reporter', 'user', 'system')),
    author_user  TEXT REFERENCES people (id),
    filename     TEXT NOT NULL CHECK (length(filename) BETWEEN 1 AND 255),
    content_type TEXT NOT NULL,
    size         BIGINT NOT NULL CHECK (size >= 0),
    sha256       TEXT NOT NULL,
    data         BYTEA NOT NULL,
    created_at   BIGINT NOT NULL
);
CREATE INDEX attachments_by_case ON attachments (case_id, created_at);

-- The token a reporter's e-mail replies carry (security+TOKEN@... or [embargo:TOKEN]).
-- Unlike the portal link it only lets mail be filed on the case, so it is stored as is.
ALTER TABLE reports ADD COLUMN reply_token TEXT;
CREATE UNIQUE INDEX reports_reply_token ON reports (reply_token);

-- Where an imported report came from (e.g. a GitHub advisory GHSA id), so that a webhook
-- delivered twice files one case.
ALTER TABLE reports ADD COLUMN external_ref TEXT;
CREATE UNIQUE INDEX reports_external_ref ON reports (external_ref);

-- When the reporter's current portal link was issued (older links stop working: only the
-- current link's hash is kept).
ALTER TABLE reports ADD COLUMN portal_issued_at BIGINT;

-- The repositories of each project (owner/name, one per line), so that a forge's report
-- about a repository is filed under its project.
ALTER TABLE projects ADD COLUMN repositories TEXT NOT NULL DEFAULT '';
