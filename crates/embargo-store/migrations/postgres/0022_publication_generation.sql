-- The OSV query keeps what it reads of the publications in memory (each package's
-- matchers, versions parsed; the documents as sent). This count, raised by triggers on
-- every change to a publication or to the packages it names, tells every process serving
-- queries when to read them again. One row; not backed up (restoring raises it anyway).
-- Statement triggers: an import raises it once per statement, not once per row.
CREATE TABLE publication_generation (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    generation BIGINT NOT NULL
);
INSERT INTO publication_generation (id, generation) VALUES (1, 0);

CREATE FUNCTION raise_publication_generation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE publication_generation SET generation = generation + 1;
    RETURN NULL;
END
$$;
CREATE TRIGGER publication_generation AFTER INSERT OR UPDATE OR DELETE ON publications
    FOR EACH STATEMENT EXECUTE FUNCTION raise_publication_generation();
CREATE TRIGGER publication_generation AFTER INSERT OR UPDATE OR DELETE ON publication_packages
    FOR EACH STATEMENT EXECUTE FUNCTION raise_publication_generation();
