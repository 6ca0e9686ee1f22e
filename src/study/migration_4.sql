-- Schema version 4: agreement (issue 11): documents a coder marked done, ICR samples and rounds.
-- "Done" means: this coder has read and coded the document; no coding here means "found
-- nothing". Agreement compares coders over the documents they all marked done.
CREATE TABLE IF NOT EXISTS document_done (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    document_id INTEGER NOT NULL REFERENCES documents(id),
    coder_id    INTEGER NOT NULL REFERENCES coders(id),
    done_at     TEXT NOT NULL,
    UNIQUE (document_id, coder_id)
);
CREATE INDEX IF NOT EXISTS document_done_by_coder ON document_done(coder_id, document_id);
-- An inter-coder reliability round: the coders, the double-coded subset (documents, or turns of
-- documents), the codebook when the round started and the figures frozen when it ended.
CREATE TABLE IF NOT EXISTS icr_rounds (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    seq         INTEGER NOT NULL UNIQUE,
    coders      TEXT NOT NULL,
    sample_by   TEXT NOT NULL CHECK (sample_by IN ('document', 'turn')),
    share       REAL NOT NULL,
    seed        INTEGER NOT NULL,
    stratify    TEXT,
    started_at  TEXT NOT NULL,
    codebook    TEXT NOT NULL,
    ended_at    TEXT,
    figures     TEXT
);
-- The units drawn for a round: a whole document (turn_idx NULL) or one turn of it.
CREATE TABLE IF NOT EXISTS icr_sample (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    round_id    INTEGER NOT NULL REFERENCES icr_rounds(id),
    document_id INTEGER NOT NULL REFERENCES documents(id),
    turn_idx    INTEGER,
    UNIQUE (round_id, document_id, turn_idx)
);
CREATE INDEX IF NOT EXISTS icr_sample_by_document ON icr_sample(document_id);
