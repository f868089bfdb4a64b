-- PostgreSQL twin of migrations/sqlite/0025_job_claims_by_kind.sql, which gives SQLite's
-- claims one seek per kind. Here a claim's scan past the jobs of kinds nobody handles
-- costs CPU but holds no lock every writer waits for (claims skip locked rows), and each
-- index slows the intake's batches: nothing changes here.
SELECT 1;
