-- PostgreSQL twin of migrations/sqlite/0026_receipts_in_search.sql, which finds SQLite's
-- receipts through its full-text index instead of `cases_by_receipt`. PostgreSQL's
-- full-text search is an expression index over the report alone; the receipt keeps its
-- own index here.
SELECT 1;
