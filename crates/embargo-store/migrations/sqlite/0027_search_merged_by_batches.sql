-- The reports' full-text index is merged a little by every intake batch
-- (`Tx::merge_search_index`) instead of automatically.
--
-- FTS5's automatic merging works in bursts: every 64 leaf pages written it merges 64 pages
-- per level of the index at once, inside whichever statement flushes the index next. Under
-- a flood that was one batch in a few dozen taking 5 to 20 ms more, and the slowest answers
-- were those waiting behind it. Writes outside intake (edits, a restored backup) leave
-- their segments to the next batches, and to FTS5's crisis merge (16 segments on a level)
-- when no batch comes.
INSERT INTO reports_search (reports_search, rank) VALUES ('automerge', 0);
