-- The dashboard's search by words: each report's title, reporter name and address as
-- words (any run of letters and digits), in a GIN index the search expression matches.
CREATE INDEX reports_search ON reports USING gin (
    to_tsvector('simple', regexp_replace(lower(title || ' ' || reporter_name || ' ' || COALESCE(reporter_email, '')), '[^[:alnum:]]+', ' ', 'g'))
);
