-- PostgreSQL twin of migrations/sqlite/0005_publication.sql: INTEGER is BIGINT, BLOB is BYTEA,
-- triggers are PL/pgSQL; everything else is the same SQL.
-- The advisory draft of a case (PROCESS.md: public on publication, never before). One per
-- case; every save bumps `revision`, and a Coordinator's approval of the publication
-- preview names the revision it saw, so an edit after approval needs a new approval.
CREATE TABLE advisory_drafts (
    case_id           TEXT PRIMARY KEY REFERENCES cases (id),
    body              TEXT NOT NULL,
    revision          BIGINT NOT NULL CHECK (revision >= 1),
    updated_by        TEXT NOT NULL REFERENCES people (id),
    updated_at        BIGINT NOT NULL,
    approved_revision BIGINT,
    approved_by       TEXT REFERENCES people (id),
    approved_at       BIGINT
);

-- Published advisories: the frozen public documents, and the only table the public site,
-- the feeds, the exports and the query endpoint read. A case's row is written in the
-- transaction that publishes it; imported history has no case.
CREATE TABLE publications (
    id           TEXT PRIMARY KEY,
    case_id      TEXT UNIQUE REFERENCES cases (id),
    document     TEXT NOT NULL,
    published_at BIGINT NOT NULL,
    modified_at  BIGINT NOT NULL,
    source       TEXT NOT NULL CHECK (source IN ('case', 'import')),
    severity     TEXT,
    -- Lower-case id, aliases, title and package names, for the index's search box.
    search       TEXT NOT NULL
);
CREATE INDEX publications_by_date ON publications (published_at DESC, id);

-- The packages each publication names, so the query endpoint reads only candidates.
CREATE TABLE publication_packages (
    publication_id TEXT NOT NULL REFERENCES publications (id),
    purl_type      TEXT NOT NULL,
    name           TEXT NOT NULL,
    PRIMARY KEY (publication_id, purl_type, name)
);
CREATE INDEX publication_packages_by_name ON publication_packages (purl_type, name);

-- Per-year sequence of the installation's advisory ids (PREFIX-YYYY-NNNN).
CREATE TABLE advisory_counters (
    year BIGINT PRIMARY KEY,
    last BIGINT NOT NULL
);
