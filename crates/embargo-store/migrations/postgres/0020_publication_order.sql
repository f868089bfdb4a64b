-- The public index pages by (published_at, id), newest first: an index in exactly that
-- order (read backwards) lets a page stop after its rows. The one it replaces ordered ids
-- the other way, so advisories published at the same instant (an import) were all read and
-- sorted for every page.
DROP INDEX publications_by_date;
CREATE INDEX publications_by_date ON publications (published_at, id);

-- The index's search box: the words of each publication's search text in a GIN index.
-- Terms match the start of words, through the index, instead of a substring scan of every
-- advisory. The query repeats this expression word for word (public_search.rs).
CREATE INDEX publications_search ON publications
    USING GIN (to_tsvector('simple', regexp_replace(search, '[^[:alnum:]]+', ' ', 'g')));

-- What the OSV query needs of each publication naming a package (withdrawn, affected
-- packages; JSON, see package_matchers.rs), beside the package so that a query reads these
-- small rows and the documents of its answer only. Filled when a publication is stored or
-- revised, and for older ones when the database opens.
ALTER TABLE publication_packages ADD COLUMN matcher TEXT;
