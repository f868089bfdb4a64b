-- Human references for cases, sequential per year of receipt (EMB-2026-0042): what the team
-- reads and types (pages, mails to the team, CLI, API), beside the UUID. Reporters keep
-- quoting their receipt (the UUID's first block): sequential numbers would tell any
-- outsider how many reports the organization receives.
CREATE TABLE case_counters (
    year INTEGER PRIMARY KEY,
    last INTEGER NOT NULL
);
ALTER TABLE cases ADD COLUMN reference TEXT;
-- Existing cases are numbered in the order they were received.
UPDATE cases SET reference = (
    SELECT 'EMB-' || r.y || '-' || printf('%04d', r.n)
    FROM (
        SELECT id,
               strftime('%Y', received_at / 1000000, 'unixepoch') AS y,
               ROW_NUMBER() OVER (
                   PARTITION BY strftime('%Y', received_at / 1000000, 'unixepoch')
                   ORDER BY received_at, id) AS n
        FROM cases
    ) r
    WHERE r.id = cases.id
);
INSERT INTO case_counters (year, last)
    SELECT CAST(strftime('%Y', received_at / 1000000, 'unixepoch') AS INTEGER), COUNT(*)
    FROM cases GROUP BY 1;
CREATE UNIQUE INDEX cases_by_reference ON cases (reference);

-- When the case's next promise falls due (`Case::due`), kept on every save so that the
-- dashboard filters overdue cases and sorts by due date with an index. Scheduled cases
-- (due at their announcement, a local time in a zone) are filled in by the store when it
-- opens, which can read time zones.
ALTER TABLE cases ADD COLUMN due_at INTEGER;
UPDATE cases SET due_at = CASE
    WHEN state = 'received' THEN acknowledge_by
    WHEN state IN ('published', 'closed', 'scheduled') THEN NULL
    ELSE disclose_by END;
CREATE INDEX cases_by_due ON cases (due_at, id);
