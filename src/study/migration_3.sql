-- Schema version 3: team merge lineage: study identity and stable change ids (issue 16).
-- A study's identity (`meta.study_id`) is shared by every copy of it; each recorded change gets
-- a stable `uid` that copies share, so a merge can find what both files have in common and
-- replay only the other side's changes since then. A change brought in by a merge keeps its
-- uid and points at that merge (`merged_by`); undoing the merge takes them all back.
ALTER TABLE changes ADD COLUMN uid TEXT;
ALTER TABLE changes ADD COLUMN merged_by INTEGER REFERENCES changes(id);
-- Older files: ids derived from what every copy of the file already holds (its creation time,
-- the change's number, time and summary), so two copies migrated apart still recognise the
-- history they share. A fresh file has no changes yet; its identity is random.
INSERT OR IGNORE INTO meta (key, value)
SELECT 'study_id', ifnull(
    (SELECT 'legacy-' || value FROM meta WHERE key = 'created_at'),
    lower(hex(randomblob(16))));
UPDATE changes SET uid = printf('legacy:%s:%d:%s:%s',
    (SELECT value FROM meta WHERE key = 'study_id'), id, at, summary)
 WHERE uid IS NULL;
CREATE UNIQUE INDEX changes_by_uid ON changes(uid);
CREATE INDEX changes_by_merge ON changes(merged_by) WHERE merged_by IS NOT NULL;
-- Every conflict a merge met (both sides changed the same thing): ours is kept unless the merge
-- ran with --theirs; theirs is recorded here and listed by `thematic history`.
CREATE TABLE merge_conflicts (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    change_id INTEGER NOT NULL REFERENCES changes(id),
    what      TEXT NOT NULL,
    kept      TEXT NOT NULL,
    other     TEXT NOT NULL
);
CREATE INDEX merge_conflicts_by_change ON merge_conflicts(change_id);
-- How a merge settled a conflict, for the other copies: when they replay this merge, a row
-- (by GUID) whose column still holds `before` is set to `after` (JSON values; a NULL column
-- means the whole row, `after` NULL meaning deleted). This makes copies converge on the
-- decision instead of each keeping its own side forever.
CREATE TABLE merge_resolutions (
    change_id   INTEGER NOT NULL REFERENCES changes(id),
    seq         INTEGER NOT NULL,
    table_name  TEXT NOT NULL,
    guid        TEXT NOT NULL,
    column_name TEXT,
    before      TEXT,
    after       TEXT,
    PRIMARY KEY (change_id, seq)
);
-- `thematic revise` replaces a document's text: its turns' search entries follow (undo too).
CREATE TRIGGER documents_text_update AFTER UPDATE OF text ON documents BEGIN
    DELETE FROM turns_fts WHERE rowid IN (SELECT id FROM turns WHERE document_id = new.id);
    INSERT INTO turns_fts (rowid, text)
    SELECT t.id, substr(new.text, t.start + 1, t."end" - t.start)
      FROM turns t WHERE t.document_id = new.id;
END;
-- Code merges, so that a copy merging this file later knows where a merged code's codings
-- belong (the codes' rows alone say so only when the merged code had codings to move).
CREATE TABLE code_merges (
    change_id INTEGER NOT NULL REFERENCES changes(id),
    from_guid TEXT NOT NULL,
    into_guid TEXT NOT NULL
);
CREATE INDEX code_merges_by_change ON code_merges(change_id);
