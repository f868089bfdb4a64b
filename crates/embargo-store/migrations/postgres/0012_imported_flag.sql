-- PostgreSQL twin of migrations/sqlite/0012_imported_flag.sql.
-- Publications imported from other databases say so in their document ("imported": true),
-- so that pages and exports make no claim about this organization's disclosure for them.
UPDATE publications SET document = jsonb_set(document::jsonb, '{imported}', 'true'::jsonb)::text
    WHERE source = 'import';
