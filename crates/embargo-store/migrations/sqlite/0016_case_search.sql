-- The dashboard's search by words: each report's title, reporter name and address in a
-- full-text index (FTS5 with external content: the text itself stays in `reports`), kept
-- by triggers. A backup copies `reports`; restoring it fills the index again through them.
CREATE VIRTUAL TABLE reports_search USING fts5(
    title, reporter_name, reporter_email,
    content = 'reports', content_rowid = 'rowid', tokenize = 'unicode61'
);
INSERT INTO reports_search (reports_search) VALUES ('rebuild');
CREATE TRIGGER reports_search_insert AFTER INSERT ON reports BEGIN
    INSERT INTO reports_search (rowid, title, reporter_name, reporter_email)
        VALUES (new.rowid, new.title, new.reporter_name, new.reporter_email);
END;
CREATE TRIGGER reports_search_delete AFTER DELETE ON reports BEGIN
    INSERT INTO reports_search (reports_search, rowid, title, reporter_name, reporter_email)
        VALUES ('delete', old.rowid, old.title, old.reporter_name, old.reporter_email);
END;
CREATE TRIGGER reports_search_update AFTER UPDATE OF title, reporter_name, reporter_email ON reports BEGIN
    INSERT INTO reports_search (reports_search, rowid, title, reporter_name, reporter_email)
        VALUES ('delete', old.rowid, old.title, old.reporter_name, old.reporter_email);
    INSERT INTO reports_search (rowid, title, reporter_name, reporter_email)
        VALUES (new.rowid, new.title, new.reporter_name, new.reporter_email);
END;
