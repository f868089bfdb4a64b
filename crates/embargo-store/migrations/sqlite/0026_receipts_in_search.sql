-- A reporter's receipt is found through the full-text index instead of an index of its own.
--
-- Receipts are random digits (they must not tell how many reports arrive), so each case
-- filed put its receipt on a page of its own in `cases_by_receipt`: under a flood, a batch
-- of 30 reports wrote some 30 pages of that index, a fifth of the pages its commit wrote.
-- The full-text index takes a batch's words as one new segment, merged later in bulk.
-- The receipt is a fourth column of it, read from the case (the reports are written after
-- their cases, by intake and by a restored backup alike). A case made with a random id
-- (before migration 21) has its receipt at the start of its id, also found by the id.
DROP INDEX cases_by_receipt;
DROP TRIGGER reports_search_insert;
DROP TRIGGER reports_search_delete;
DROP TRIGGER reports_search_update;
DROP TABLE reports_search;

-- What the index holds for each report; only a rebuild reads it.
CREATE VIEW reports_search_texts AS
    SELECT r.rowid AS rowid, r.title, r.reporter_name, r.reporter_email, c.receipt
    FROM reports r JOIN cases c ON c.id = r.case_id;

CREATE VIRTUAL TABLE reports_search USING fts5(
    title, reporter_name, reporter_email, receipt,
    content = 'reports_search_texts', content_rowid = 'rowid', tokenize = 'unicode61'
);
INSERT INTO reports_search (reports_search) VALUES ('rebuild');
CREATE TRIGGER reports_search_insert AFTER INSERT ON reports BEGIN
    INSERT INTO reports_search (rowid, title, reporter_name, reporter_email, receipt)
        VALUES (new.rowid, new.title, new.reporter_name, new.reporter_email,
                (SELECT receipt FROM cases WHERE id = new.case_id));
END;
CREATE TRIGGER reports_search_delete AFTER DELETE ON reports BEGIN
    INSERT INTO reports_search (reports_search, rowid, title, reporter_name, reporter_email, receipt)
        VALUES ('delete', old.rowid, old.title, old.reporter_name, old.reporter_email,
                (SELECT receipt FROM cases WHERE id = old.case_id));
END;
CREATE TRIGGER reports_search_update AFTER UPDATE OF title, reporter_name, reporter_email ON reports BEGIN
    INSERT INTO reports_search (reports_search, rowid, title, reporter_name, reporter_email, receipt)
        VALUES ('delete', old.rowid, old.title, old.reporter_name, old.reporter_email,
                (SELECT receipt FROM cases WHERE id = old.case_id));
    INSERT INTO reports_search (rowid, title, reporter_name, reporter_email, receipt)
        VALUES (new.rowid, new.title, new.reporter_name, new.reporter_email,
                (SELECT receipt FROM cases WHERE id = new.case_id));
END;
