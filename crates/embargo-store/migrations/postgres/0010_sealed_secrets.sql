-- Reply tokens are stored sealed (see src/sealed.rs), which a lookup by value cannot use:
-- mail finds its case by the token's SHA-256 instead. The hashes (and the sealing of the
-- tokens and second-factor secrets already stored) are filled in by the binary when it
-- first opens the database with its secrets key.
ALTER TABLE reports ADD COLUMN reply_token_hash TEXT;
CREATE UNIQUE INDEX reports_reply_token_hash ON reports (reply_token_hash);
