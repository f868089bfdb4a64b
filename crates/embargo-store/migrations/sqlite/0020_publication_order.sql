-- The public index pages by (published_at, id), newest first: an index in exactly that
-- order (read backwards) lets a page stop after its rows. The one it replaces ordered ids
-- the other way, so advisories published at the same instant (an import) were all read and
-- sorted for every page.
DROP INDEX publications_by_date;
CREATE INDEX publications_by_date ON publications (published_at, id);

-- The index's search box: each publication's search text in a full-text index (FTS5 with
-- external content: the text stays in `publications`), kept by triggers. Terms match the
-- start of words, through an index, instead of a substring scan of every advisory.
CREATE VIRTUAL TABLE publications_search USING fts5(
    search, content = 'publications', content_rowid = 'rowid', tokenize = 'unicode61'
);
INSERT INTO publications_search (publications_search) VALUES ('rebuild');
CREATE TRIGGER publications_search_insert AFTER INSERT ON publications BEGIN
    INSERT INTO publications_search (rowid, search) VALUES (new.rowid, new.search);
END;
CREATE TRIGGER publications_search_delete AFTER DELETE ON publications BEGIN
    INSERT INTO publications_search (publications_search, rowid, search)
        VALUES ('delete', old.rowid, old.search);
END;
CREATE TRIGGER publications_search_update AFTER UPDATE OF search ON publications BEGIN
    INSERT INTO publications_search (publications_search, rowid, search)
        VALUES ('delete', old.rowid, old.search);
    INSERT INTO publications_search (rowid, search) VALUES (new.rowid, new.search);
END;

-- What the OSV query needs of each publication naming a package (withdrawn, affected
-- packages; JSON, see package_matchers.rs), beside the package so that a query reads these
-- small rows and the documents of its answer only. Filled when a publication is stored or
-- revised, and for older ones when the database opens.
ALTER TABLE publication_packages ADD COLUMN matcher TEXT;
