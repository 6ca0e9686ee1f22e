-- Schema version 12: the other copies' edits a team merge could not apply here, kept so that they
-- travel on (issue 16).
--
-- A merge replays the other copy's changes; an edit or deletion of a row this copy no longer has
-- (it deleted the code, or merged it away) changes nothing here, so the change's history entry
-- here holds no rows — and a third copy that learns the change from this file would never see
-- the edit. `relayed_rows` keeps such a row as the other copy recorded it, with every row id
-- written as the GUID of the row it refers to (`{"guid": …}`), under this copy's entry for the
-- change. A merge reading this file replays these rows too. They change nothing here: undo and
-- redo ignore them.
CREATE TABLE IF NOT EXISTS relayed_rows (
    change_id  INTEGER NOT NULL REFERENCES changes(id),
    seq        INTEGER NOT NULL,
    table_name TEXT NOT NULL,
    before     TEXT,
    after      TEXT,
    PRIMARY KEY (change_id, seq)
);
