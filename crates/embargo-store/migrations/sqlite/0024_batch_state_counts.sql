-- PostgreSQL counts a batch's new cases once per statement from this version on. SQLite
-- triggers run row by row only, and its per-row count is cheap (an update in place):
-- nothing changes here.
SELECT 1;
