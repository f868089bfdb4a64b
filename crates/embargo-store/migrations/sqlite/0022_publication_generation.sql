-- The OSV query keeps what it reads of the publications in memory (each package's
-- matchers, versions parsed; the documents as sent). This count, raised by triggers on
-- every change to a publication or to the packages it names, tells every process serving
-- queries when to read them again. One row; not backed up (restoring raises it anyway).
CREATE TABLE publication_generation (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    generation INTEGER NOT NULL
);
INSERT INTO publication_generation (id, generation) VALUES (1, 0);

CREATE TRIGGER publication_generation_insert AFTER INSERT ON publications BEGIN
    UPDATE publication_generation SET generation = generation + 1;
END;
CREATE TRIGGER publication_generation_update AFTER UPDATE ON publications BEGIN
    UPDATE publication_generation SET generation = generation + 1;
END;
CREATE TRIGGER publication_generation_delete AFTER DELETE ON publications BEGIN
    UPDATE publication_generation SET generation = generation + 1;
END;
CREATE TRIGGER publication_generation_package_insert AFTER INSERT ON publication_packages BEGIN
    UPDATE publication_generation SET generation = generation + 1;
END;
CREATE TRIGGER publication_generation_package_update AFTER UPDATE ON publication_packages BEGIN
    UPDATE publication_generation SET generation = generation + 1;
END;
CREATE TRIGGER publication_generation_package_delete AFTER DELETE ON publication_packages BEGIN
    UPDATE publication_generation SET generation = generation + 1;
END;
