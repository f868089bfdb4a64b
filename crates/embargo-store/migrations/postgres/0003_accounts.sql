-- PostgreSQL twin of migrations/sqlite/0003_accounts.sql: INTEGER is BIGINT, BLOB is BYTEA,
-- triggers are PL/pgSQL; everything else is the same SQL.
-- Accounts: sign-in sessions, failed-login throttling, API tokens.

-- A signed-in browser. Only the SHA-256 of the cookie's token is stored.
CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES people (id),
    csrf_token   TEXT NOT NULL,                       -- echoed in every form of the session
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_id);

-- Failed sign-ins per e-mail address (whether or not an account has it: the answer must
-- not tell), with the lock they earned.
CREATE TABLE login_throttle (
    email_key    TEXT PRIMARY KEY,
    failures     BIGINT NOT NULL,
    locked_until BIGINT
);

-- Tokens for the JSON API and the CLI. Only the SHA-256 is stored.
CREATE TABLE api_tokens (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES people (id),
    name         TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at   BIGINT
);
CREATE INDEX api_tokens_by_user ON api_tokens (user_id);

-- Optional second factor (TOTP, RFC 6238): the confirmed secret, one being set up, and the
-- last time step used (a code works once).
ALTER TABLE people ADD COLUMN totp_secret TEXT;
ALTER TABLE people ADD COLUMN totp_pending TEXT;
ALTER TABLE people ADD COLUMN totp_last_step BIGINT;

-- Installation settings changed by administrators (e.g. the policy's clock lengths).
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL                                 -- JSON
);
