-- Duplicate hints read the project's recent cases and the reporter's earlier reports:
-- both by index, so that the case page stays fast on a large installation.
CREATE INDEX cases_by_project_received ON cases (project, received_at);
CREATE INDEX reports_by_reporter_email ON reports (LOWER(reporter_email));

-- Each person's choices: the time zone their pages show times in (NULL: UTC), and the
-- team events that also mail them personally (the team's address gets every one).
ALTER TABLE people ADD COLUMN time_zone TEXT;
CREATE TABLE mail_preferences (
    user_id TEXT NOT NULL REFERENCES people (id),
    event   TEXT NOT NULL,
    PRIMARY KEY (user_id, event)
);

-- The dashboard's per-state counts for a Coordinator, read from this index alone; and the
-- cases published recently, by date.
CREATE INDEX cases_counted ON cases (state, project, reporter_user, published_at, due_at);
CREATE INDEX cases_by_published ON cases (published_at);
-- "Mine": the cases a Coordinator coordinates.
CREATE INDEX cases_by_coordinator ON cases (coordinator);
