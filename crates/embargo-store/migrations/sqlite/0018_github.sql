-- GitHub (policy steps 4, 5, 7, 9, 15): the case's repository security advisories. A row
-- is written ('opening') before the call that creates the draft on GitHub, so a crash or a
-- retry finds it and adopts the draft GitHub already made instead of opening a second one;
-- the GHSA id is stored the moment GitHub answers.
CREATE TABLE github_advisories (
    case_id          TEXT NOT NULL REFERENCES cases (id),
    repository       TEXT NOT NULL,                 -- owner/name
    ghsa_id          TEXT UNIQUE,
    html_url         TEXT,
    state            TEXT NOT NULL DEFAULT 'opening'
                     CHECK (state IN ('opening', 'triage', 'draft', 'published', 'closed', 'withdrawn')),
    -- The advisory draft revision whose public fields GitHub holds, and the logins it
    -- holds as collaborators (one per line): what is sent again when either changes.
    synced_revision  INTEGER,
    collaborators    TEXT NOT NULL DEFAULT '',
    cve_requested_at INTEGER,
    cve_id           TEXT,
    private_fork     TEXT,                          -- owner/name; private forever
    -- The fork's pull requests as last read (JSON: number, title, url, state, merged_at):
    -- step 12 shows whether the fix was merged.
    pull_requests    TEXT NOT NULL DEFAULT '[]',
    -- The last failure, a sentence for the case page; cleared by the next success.
    last_error       TEXT,
    last_error_at    INTEGER,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    PRIMARY KEY (case_id, repository)
);

-- The case's issue in the organization's private tracking repository (policy steps 2 and
-- 18), kept up to date and closed with the case. Claimed (number NULL) before GitHub is
-- asked to open it; a retry finds an issue titled with the case's reference instead.
CREATE TABLE github_issues (
    case_id          TEXT PRIMARY KEY REFERENCES cases (id),
    repository       TEXT NOT NULL,
    number           INTEGER,
    html_url         TEXT,
    -- What the issue says now (its title and body), to send only changes.
    synced_digest    TEXT,
    closed           INTEGER NOT NULL DEFAULT 0 CHECK (closed IN (0, 1)),
    last_error       TEXT,
    last_error_at    INTEGER,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
);

-- The private CI mirror (policy step 8): a fork's branch copied to a private repository of
-- the organization where Actions run, the runs of that commit as last read, and when the
-- mirror branch was deleted (after publication).
CREATE TABLE github_ci_mirrors (
    case_id          TEXT NOT NULL REFERENCES cases (id),
    fork             TEXT NOT NULL,                 -- owner/name; private forever
    branch           TEXT NOT NULL,
    mirror_branch    TEXT NOT NULL,
    sha              TEXT,
    runs             TEXT NOT NULL DEFAULT '[]',    -- JSON: name, status, conclusion, url
    pushed_at        INTEGER,
    deleted_at       INTEGER,
    last_error       TEXT,
    last_error_at    INTEGER,
    updated_at       INTEGER NOT NULL,
    PRIMARY KEY (case_id, fork, branch)
);

-- Team members record their GitHub login (account page): it makes them collaborators on
-- the case's drafts (step 5).
ALTER TABLE people ADD COLUMN github_login TEXT;
