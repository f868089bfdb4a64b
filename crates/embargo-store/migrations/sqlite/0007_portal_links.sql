-- More links to a reporter's portal, mailed on request ("I lost my link"). Asking for one
-- adds a link instead of replacing the reporter's: whoever knows their address must not
-- be able to log them out. Only SHA-256 hashes are stored. Replacing a leaked link from
-- the portal removes them all.
CREATE TABLE portal_links (
    token_hash TEXT PRIMARY KEY,
    case_id    TEXT NOT NULL REFERENCES cases (id),
    issued_at  INTEGER NOT NULL
);
CREATE INDEX portal_links_by_case ON portal_links (case_id, issued_at);
