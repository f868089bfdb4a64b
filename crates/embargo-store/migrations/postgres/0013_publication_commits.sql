-- PostgreSQL twin of migrations/sqlite/0013_publication_commits.sql.
-- The commits each publication's GIT ranges affect, worked out from a clone of the
-- repository (`embargo osv index-commits`), so that OSV commit queries are one lookup, as
-- osv.dev answers them from its own index of affected commits.
CREATE TABLE publication_commits (
    publication_id TEXT NOT NULL REFERENCES publications (id),
    repo           TEXT NOT NULL,
    commit_hash    TEXT NOT NULL,
    PRIMARY KEY (publication_id, repo, commit_hash)
);
CREATE INDEX publication_commits_by_hash ON publication_commits (commit_hash);
