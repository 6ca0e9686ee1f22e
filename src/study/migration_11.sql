-- Schema version 11: compact codings and turns for the agreement figures (issue 13).
--
-- `document_packs` holds each document's codings as one blob of little-endian u32 quadruples
-- (code id, coder id, start, end) in the order of the `codings_analysis` index, and its turns as
-- u32 pairs (start, end) in text order, so that reading every coding and turn of a study is a
-- few blob reads instead of a row each. It is a cache: the triggers drop a document's pack
-- whenever one of its codings or turns is added, removed or changed, and a reader rebuilds
-- missing packs from `codings` and `turns` (see src/coding/packs.rs). Nothing else reads it, the
-- history never records it, and deleting every row only makes the next read slower.
CREATE TABLE IF NOT EXISTS document_packs (
    document_id INTEGER PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
    codings     BLOB NOT NULL,
    turns       BLOB NOT NULL
);

CREATE TRIGGER IF NOT EXISTS document_packs_on_coding_insert AFTER INSERT ON codings BEGIN
    DELETE FROM document_packs WHERE document_id = NEW.document_id;
END;

CREATE TRIGGER IF NOT EXISTS document_packs_on_coding_delete AFTER DELETE ON codings BEGIN
    DELETE FROM document_packs WHERE document_id = OLD.document_id;
END;

CREATE TRIGGER IF NOT EXISTS document_packs_on_coding_update
AFTER UPDATE OF document_id, code_id, coder_id, start, "end" ON codings BEGIN
    DELETE FROM document_packs WHERE document_id IN (OLD.document_id, NEW.document_id);
END;

CREATE TRIGGER IF NOT EXISTS document_packs_on_turn_insert AFTER INSERT ON turns BEGIN
    DELETE FROM document_packs WHERE document_id = NEW.document_id;
END;

CREATE TRIGGER IF NOT EXISTS document_packs_on_turn_delete AFTER DELETE ON turns BEGIN
    DELETE FROM document_packs WHERE document_id = OLD.document_id;
END;

CREATE TRIGGER IF NOT EXISTS document_packs_on_turn_update
AFTER UPDATE OF document_id, start, "end" ON turns BEGIN
    DELETE FROM document_packs WHERE document_id IN (OLD.document_id, NEW.document_id);
END;

-- The units of analysis are read as (start, end) per document in text order: a covering index
-- makes a pack's rebuild one index scan instead of a table lookup per turn. It replaces the index on
-- (document_id, start), of which it is an extension.
CREATE INDEX IF NOT EXISTS turns_span ON turns(document_id, start, "end");
DROP INDEX IF EXISTS turns_by_position;
