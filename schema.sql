-- Thematic study file, base schema version 2 (version-2 additions at the end).
-- Later versions live in src/study/migration_N.sql (N >= 3): they are applied after this file
-- on a fresh study and in order on an older one, so each change is written once.
-- Offsets everywhere are Unicode code points, half-open [start, end), into documents.text
-- (UTF-8, no BOM, LF line endings). Document text never changes after import.
-- Applied in one transaction on create; PRAGMA user_version records the version.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE coders (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    name         TEXT NOT NULL UNIQUE,
    guid         TEXT NOT NULL UNIQUE,
    is_consensus INTEGER NOT NULL DEFAULT 0 CHECK (is_consensus IN (0, 1)),
    created_at   TEXT NOT NULL
);

-- The text is the last column so that listing documents never reads its overflow pages.
CREATE TABLE documents (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    guid         TEXT NOT NULL UNIQUE,
    name         TEXT NOT NULL UNIQUE,
    source_name  TEXT NOT NULL,
    format       TEXT NOT NULL,
    content_hash TEXT NOT NULL UNIQUE,
    char_count   INTEGER NOT NULL,
    imported_at  TEXT NOT NULL,
    sort_order   INTEGER NOT NULL DEFAULT 0,
    text         TEXT NOT NULL
);

CREATE TABLE turns (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    document_id INTEGER NOT NULL REFERENCES documents(id),
    idx         INTEGER NOT NULL,
    speaker     TEXT,
    start       INTEGER NOT NULL,
    "end"       INTEGER NOT NULL,
    start_ms    INTEGER,
    end_ms      INTEGER,
    CHECK (start < "end"),
    UNIQUE (document_id, idx)
);
CREATE INDEX turns_by_position ON turns(document_id, start);

-- Typed attribute definitions, shared by every participant (scope 'participant') or document.
CREATE TABLE attributes (
    id    INTEGER PRIMARY KEY AUTOINCREMENT,
    scope TEXT NOT NULL CHECK (scope IN ('participant', 'document')),
    name  TEXT NOT NULL,
    kind  TEXT NOT NULL DEFAULT 'text' CHECK (kind IN ('text', 'integer', 'float', 'boolean', 'date')),
    guid  TEXT NOT NULL UNIQUE,
    UNIQUE (scope, name)
);

CREATE TABLE document_attributes (
    document_id  INTEGER NOT NULL REFERENCES documents(id),
    attribute_id INTEGER NOT NULL REFERENCES attributes(id),
    value        TEXT NOT NULL,
    PRIMARY KEY (document_id, attribute_id)
);

-- Moderators are participants with role 'moderator'.
CREATE TABLE participants (
    id   INTEGER PRIMARY KEY AUTOINCREMENT,
    pid  TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL DEFAULT 'participant',
    guid TEXT NOT NULL UNIQUE
);

CREATE TABLE participant_attributes (
    participant_id INTEGER NOT NULL REFERENCES participants(id),
    attribute_id   INTEGER NOT NULL REFERENCES attributes(id),
    value          TEXT NOT NULL,
    PRIMARY KEY (participant_id, attribute_id)
);

-- Which participant speaks under which label in which document.
CREATE TABLE speakers (
    document_id    INTEGER NOT NULL REFERENCES documents(id),
    label          TEXT NOT NULL,
    participant_id INTEGER REFERENCES participants(id),
    PRIMARY KEY (document_id, label)
);

CREATE TABLE codes (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    guid       TEXT NOT NULL UNIQUE,
    parent_id  INTEGER REFERENCES codes(id),
    name       TEXT NOT NULL CHECK (length(name) > 0 AND instr(name, '/') = 0),
    colour     TEXT NOT NULL DEFAULT '#888888',
    definition TEXT NOT NULL DEFAULT '',
    inclusion  TEXT NOT NULL DEFAULT '',
    exclusion  TEXT NOT NULL DEFAULT '',
    example    TEXT NOT NULL DEFAULT '',
    memo       TEXT NOT NULL DEFAULT '',
    sort_order INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);
-- Sibling names are unique; top-level codes have a NULL parent, hence ifnull.
CREATE UNIQUE INDEX codes_sibling_name ON codes(ifnull(parent_id, 0), name);

CREATE TABLE codings (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    guid        TEXT NOT NULL UNIQUE,
    document_id INTEGER NOT NULL REFERENCES documents(id),
    code_id     INTEGER NOT NULL REFERENCES codes(id),
    coder_id    INTEGER NOT NULL REFERENCES coders(id),
    start       INTEGER NOT NULL,
    "end"       INTEGER NOT NULL,
    created_at  TEXT NOT NULL,
    CHECK (0 <= start AND start < "end"),
    UNIQUE (coder_id, code_id, document_id, start, "end")
);
CREATE INDEX codings_by_position ON codings(document_id, start);
CREATE INDEX codings_by_code ON codings(code_id);

CREATE TABLE memos (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    guid        TEXT NOT NULL UNIQUE,
    target_kind TEXT NOT NULL CHECK (target_kind IN ('project', 'document', 'code', 'coding')),
    target_id   INTEGER,
    coder_id    INTEGER NOT NULL REFERENCES coders(id),
    title       TEXT NOT NULL DEFAULT '',
    body        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    CHECK ((target_kind = 'project') = (target_id IS NULL))
);
CREATE INDEX memos_by_target ON memos(target_kind, target_id);

-- The history: one row per user action, and the row images it wrote. Append-only, except the
-- `undone_by` mark, which undo/redo set so that the next undo finds the right action.
CREATE TABLE changes (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    at        TEXT NOT NULL,
    coder_id  INTEGER REFERENCES coders(id),
    kind      TEXT NOT NULL,
    summary   TEXT NOT NULL,
    target    INTEGER REFERENCES changes(id),
    undone_by INTEGER REFERENCES changes(id)
);
CREATE INDEX changes_by_coder ON changes(coder_id, id);

CREATE TABLE change_rows (
    change_id  INTEGER NOT NULL REFERENCES changes(id),
    seq        INTEGER NOT NULL,
    table_name TEXT NOT NULL,
    row_key    TEXT NOT NULL,
    before     TEXT,
    after      TEXT,
    PRIMARY KEY (change_id, seq)
);

-- Consensus review: a reviewer's decision on one disagreement (a unit where coders differ on a
-- code). The resulting codings are written under the consensus coder; this row records why.
CREATE TABLE reviews (
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

-- Named codebook versions (snapshots), as JSON of the code tree at the time.
CREATE TABLE codebook_versions (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    change_id  INTEGER REFERENCES changes(id),
    codebook   TEXT NOT NULL
);

-- Version 2 (see src/study/migration_2.sql, applied to version-1 files on open).
-- Schema version 2: full-text search over speaker turns, and an index for analysis queries.
-- The FTS table keeps its own copy of each turn's text (so snippets and highlights use the
-- same tokenizer as the search); triggers keep it in step with `turns`, including undo/redo.
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
