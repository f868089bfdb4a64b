-- Publications imported from other databases say so in their document ("imported": true),
-- so that pages and exports make no claim about this organization's disclosure for them.
UPDATE publications SET document = json_set(document, '$.imported', json('true'))
    WHERE source = 'import';
