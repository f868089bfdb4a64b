-- How many cases each project has in each state, kept by triggers in the transaction that
-- changes a case: the dashboard's per-queue counts for a Coordinator read these few rows
-- instead of counting every case. Backups leave it out; restoring the cases refills it.
CREATE TABLE case_state_counts (
    project TEXT NOT NULL,
    state   TEXT NOT NULL,
    n       INTEGER NOT NULL,
    PRIMARY KEY (project, state)
);
INSERT INTO case_state_counts (project, state, n)
    SELECT project, state, COUNT(*) FROM cases GROUP BY project, state;
CREATE TRIGGER case_state_counts_insert AFTER INSERT ON cases BEGIN
    INSERT INTO case_state_counts (project, state, n) VALUES (new.project, new.state, 1)
        ON CONFLICT (project, state) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER case_state_counts_update AFTER UPDATE OF project, state ON cases
    WHEN old.project <> new.project OR old.state <> new.state BEGIN
    UPDATE case_state_counts SET n = n - 1 WHERE project = old.project AND state = old.state;
    INSERT INTO case_state_counts (project, state, n) VALUES (new.project, new.state, 1)
        ON CONFLICT (project, state) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER case_state_counts_delete AFTER DELETE ON cases BEGIN
    UPDATE case_state_counts SET n = n - 1 WHERE project = old.project AND state = old.state;
END;

-- The cases a Coordinator reported, left out of the counts they see.
CREATE INDEX cases_by_reporter ON cases (reporter_user);
