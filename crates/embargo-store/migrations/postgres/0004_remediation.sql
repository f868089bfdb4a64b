-- PostgreSQL twin of migrations/sqlite/0004_remediation.sql: INTEGER is BIGINT, BLOB is BYTEA,
-- triggers are PL/pgSQL; everything else is the same SQL.
-- Texts the team drafts while the case is private (policy step 14: the blog post and the
-- announcement texts). Private until published, and the drafts themselves forever.
CREATE TABLE case_texts (
    case_id    TEXT NOT NULL REFERENCES cases (id),
    kind       TEXT NOT NULL CHECK (kind IN ('blog_post', 'announcement')),
    body       TEXT NOT NULL,
    updated_by TEXT NOT NULL REFERENCES people (id),
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (case_id, kind)
);

-- One-time links that let an invited collaborator set a password. Only the SHA-256 is
-- stored; a link works once and expires.
CREATE TABLE invitations (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES people (id),
    case_id    TEXT REFERENCES cases (id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT
);
