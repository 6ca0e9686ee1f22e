-- Schema version 2: full-text search over speaker turns, and an index for analysis queries.
-- The FTS table keeps its own copy of each turn's text (so snippets and highlights use the
-- same tokenizer as the search); triggers remove deleted turns, including on undo.
CREATE VIRTUAL TABLE turns_fts USING fts5(text, tokenize = 'unicode61 remove_diacritics 2');
-- Inserted turns are indexed by `study::search_index::index_document`, one pass per document
-- (a per-turn trigger would re-read the whole document for every turn).
CREATE TRIGGER turns_fts_delete AFTER DELETE ON turns BEGIN
    DELETE FROM turns_fts WHERE rowid = old.id;
END;
CREATE TRIGGER turns_fts_update AFTER UPDATE OF document_id, start, "end" ON turns BEGIN
    DELETE FROM turns_fts WHERE rowid = old.id;
    INSERT INTO turns_fts (rowid, text)
    SELECT new.id, substr(d.text, new.start + 1, new."end" - new.start)
      FROM documents d WHERE d.id = new.document_id;
END;
INSERT INTO turns_fts (rowid, text)
SELECT t.id, substr(d.text, t.start + 1, t."end" - t.start)
  FROM turns t JOIN documents d ON d.id = t.document_id;
-- Frequencies, matrices, co-occurrence and saturation read codings document by document
-- from this index alone, never touching the table rows.
CREATE INDEX codings_analysis ON codings(document_id, code_id, coder_id, start, "end");
-- Consensus reviews arrived during version 1's development; files made before them get the
-- table here (a no-op for every other file).
CREATE TABLE IF NOT EXISTS reviews (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    document_id INTEGER NOT NULL REFERENCES documents(id),
    code_id     INTEGER NOT NULL REFERENCES codes(id),
    start       INTEGER NOT NULL,
    "end"       INTEGER NOT NULL,
    decision    TEXT NOT NULL CHECK (decision IN ('accept', 'both', 'neither')),
    chosen      TEXT,
    reviewer_id INTEGER NOT NULL REFERENCES coders(id),
    decided_at  TEXT NOT NULL,
    UNIQUE (document_id, code_id, start, "end")
);
