-- How many cases each project has in each state, kept by a trigger in the transaction that
-- changes a case: the dashboard's per-queue counts for a Coordinator read these few rows
-- instead of counting every case. Backups leave it out; restoring the cases refills it.
CREATE TABLE case_state_counts (
    project TEXT NOT NULL,
    state   TEXT NOT NULL,
    n       BIGINT NOT NULL,
    PRIMARY KEY (project, state)
);
INSERT INTO case_state_counts (project, state, n)
    SELECT project, state, COUNT(*) FROM cases GROUP BY project, state;
CREATE FUNCTION case_state_counts_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE case_state_counts SET n = n - 1 WHERE project = OLD.project AND state = OLD.state;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO case_state_counts (project, state, n) VALUES (NEW.project, NEW.state, 1)
            ON CONFLICT (project, state) DO UPDATE SET n = case_state_counts.n + 1;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER case_state_counts_insert_delete AFTER INSERT OR DELETE ON cases
    FOR EACH ROW EXECUTE FUNCTION case_state_counts_keep();
CREATE TRIGGER case_state_counts_update AFTER UPDATE OF project, state ON cases
    FOR EACH ROW WHEN (OLD.project IS DISTINCT FROM NEW.project OR OLD.state IS DISTINCT FROM NEW.state)
    EXECUTE FUNCTION case_state_counts_keep();

-- The cases a Coordinator reported, left out of the counts they see.
CREATE INDEX cases_by_reporter ON cases (reporter_user);
