-- Schema version 5: workbench: editor drafts, pinned codes (issue 12). IF NOT EXISTS: a file
-- whose version was set back (as a test of the migration path does) can run this again.

-- The text of an open editor (memo or code editor), written every few seconds while it is open
-- and removed when it is saved or closed, so that a session killed without warning (SIGKILL, a
-- power cut) loses seconds of typing, not a memo. `editor` names what is edited ("memo:coding:12",
-- "code:7"); `body` is the editor's content as JSON. Not part of the history: a draft is not a
-- change to the study, and undo never touches it.
CREATE TABLE IF NOT EXISTS drafts (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    coder_id   INTEGER NOT NULL REFERENCES coders(id) ON DELETE CASCADE,
    editor     TEXT NOT NULL,
    title      TEXT NOT NULL,
    body       TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (coder_id, editor)
);

-- A coder's pinned codes: the code the digit key `slot` (1–9) codes with in the workbench.
-- Pinning is recorded in the history like any other action (so `u` undoes it).
CREATE TABLE IF NOT EXISTS pinned_codes (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    coder_id INTEGER NOT NULL REFERENCES coders(id) ON DELETE CASCADE,
    slot     INTEGER NOT NULL CHECK (slot BETWEEN 1 AND 9),
    code_id  INTEGER NOT NULL REFERENCES codes(id) ON DELETE CASCADE,
    UNIQUE (coder_id, slot)
);
CREATE INDEX IF NOT EXISTS pinned_codes_code ON pinned_codes(code_id);
