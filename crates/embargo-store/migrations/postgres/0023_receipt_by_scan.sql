-- SQLite dropped its index of receipts (intake there is bound by the pages each report
-- writes). PostgreSQL keeps it: its intake waits on round trips, not pages, and its
-- search by receipt stays an index lookup. Nothing changes here; the version keeps the
-- two migration lists twins.
SELECT 1;
