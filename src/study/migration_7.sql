-- Schema version 7: code suggestions (issue 15).
-- Idempotent (IF NOT EXISTS): `suggest::ensure_schema` runs it again on files that were
-- created while this version number was still reserved and empty.
-- A trained model per coder and unit kind: derived data (like an index), so outside the
-- history; `info` is a JSON summary (coder, quality per code), `model` the binary weights.
CREATE TABLE IF NOT EXISTS suggestion_models (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    coder_id   INTEGER NOT NULL,
    unit       TEXT NOT NULL CHECK (unit IN ('turn', 'sentence')),
    trained_at TEXT NOT NULL,
    info       TEXT NOT NULL,
    model      BLOB NOT NULL,
    UNIQUE (coder_id, unit)
);
-- A suggestion a coder rejected, not suggested to them again. A user action (in the history,
-- undoable). Suggestions themselves are never stored as codings until accepted. No foreign
-- keys: deleting or merging a code or a document must not be blocked by an old rejection.
CREATE TABLE IF NOT EXISTS suggestion_rejections (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    document_id INTEGER NOT NULL,
    code_id     INTEGER NOT NULL,
    coder_id    INTEGER NOT NULL,
    start       INTEGER NOT NULL,
    "end"       INTEGER NOT NULL,
    rejected_at TEXT NOT NULL,
    UNIQUE (coder_id, code_id, document_id, start, "end")
);
CREATE INDEX IF NOT EXISTS suggestion_rejections_by_document ON suggestion_rejections(document_id, coder_id);
