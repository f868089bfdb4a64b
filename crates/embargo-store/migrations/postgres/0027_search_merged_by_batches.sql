-- PostgreSQL twin of migrations/sqlite/0027_search_merged_by_batches.sql, which turns off
-- the automatic merging of SQLite's full-text index. PostgreSQL's expression index has
-- nothing like it.
SELECT 1;
