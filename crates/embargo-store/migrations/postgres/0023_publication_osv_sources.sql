-- An imported OSV advisory is served exactly as its database published it. That text is
-- inside the publication's document, as one escaped string: an OSV query that was not
-- kept in memory read the whole document, parsed it and unescaped the source, for every
-- advisory of its answer. Kept here too, as sent, in narrow rows: a query reads only the
-- bytes it sends (written with the publication, see `Tx::insert_publication`).
CREATE TABLE publication_osv_sources (
    publication_id TEXT PRIMARY KEY REFERENCES publications (id),
    source TEXT NOT NULL
);
-- Only a JSON object is a source (as `embargo_formats::osv::document` decides). Every
-- source stored so far was written by an import from a parsed document, so the cast
-- cannot fail; the first character is checked all the same (in a CASE, evaluated first).
INSERT INTO publication_osv_sources (publication_id, source)
SELECT id, source FROM (SELECT id, document::json ->> 'osv_source' AS source FROM publications) s
WHERE CASE WHEN ltrim(source) LIKE '{%' THEN json_typeof(source::json) END = 'object';
