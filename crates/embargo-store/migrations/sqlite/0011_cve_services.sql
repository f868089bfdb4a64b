-- CVE Services: what the service knows of each pool id, so that a record is
-- published once, updated by revision, and rejected with its reason; the case page shows it.
ALTER TABLE cve_pool ADD COLUMN state TEXT NOT NULL DEFAULT 'reserved'
    CHECK (state IN ('reserved', 'published', 'rejected'));
-- The advisory revision whose container CVE Services holds, and that container (the
-- preview of a revision shows the difference against it).
ALTER TABLE cve_pool ADD COLUMN record_revision INTEGER;
ALTER TABLE cve_pool ADD COLUMN record_sent TEXT;
-- Set when a Coordinator confirms the rejection of the id; the job sends it.
ALTER TABLE cve_pool ADD COLUMN reject_reason TEXT;
-- When the state was last confirmed with CVE Services, and the last failure (a sentence).
ALTER TABLE cve_pool ADD COLUMN synced_at INTEGER;
ALTER TABLE cve_pool ADD COLUMN last_error TEXT;
ALTER TABLE cve_pool ADD COLUMN last_error_at INTEGER;
