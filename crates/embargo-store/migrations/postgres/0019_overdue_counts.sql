-- The cases not due yet, by state: the dashboard counts the overdue ones as the cases kept
-- by state less these (one range of this index per state), instead of reading every
-- overdue case. Covering, with the project filter and the viewer's own reports.
CREATE INDEX cases_due_by_state ON cases (state, due_at, project, reporter_user);
