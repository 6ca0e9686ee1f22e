-- Schema version 6: hostile input (issue 14).
-- Thematic's own file marker, "Thmt" (see src/study/identity.rs): a study is recognised by it
-- before anything is written, so another program's database is refused untouched.
-- Studies already past version 6 when this was written (the number was reserved) get it on
-- open: `identity::ensure_marker` runs this file again, so every statement is idempotent.
PRAGMA application_id = 1416129908;

-- Caps on names and labels, enforced for every writer (CLI, TUI, imports, merge) in one place.
-- The message starts with "limit:" so that the CLI can show it as it is (see explain() in
-- src/study/mod.rs). A name is a line in a list, not a document: a 100 MB code name made
-- `codes list` print gigabytes and the idle TUI spin.
CREATE TRIGGER IF NOT EXISTS limit_coders_insert BEFORE INSERT ON coders BEGIN
    SELECT RAISE(ABORT, 'limit: a coder name is at most 64 characters') WHERE length(NEW.name) > 64;
END;
CREATE TRIGGER IF NOT EXISTS limit_coders_update BEFORE UPDATE OF name ON coders BEGIN
    SELECT RAISE(ABORT, 'limit: a coder name is at most 64 characters') WHERE length(NEW.name) > 64;
END;

CREATE TRIGGER IF NOT EXISTS limit_documents_insert BEFORE INSERT ON documents BEGIN
    SELECT RAISE(ABORT, 'limit: a document name is at most 255 characters') WHERE length(NEW.name) > 255;
    SELECT RAISE(ABORT, 'limit: a document source name is at most 4096 characters') WHERE length(NEW.source_name) > 4096;
END;
CREATE TRIGGER IF NOT EXISTS limit_documents_update BEFORE UPDATE OF name, source_name ON documents BEGIN
    SELECT RAISE(ABORT, 'limit: a document name is at most 255 characters') WHERE length(NEW.name) > 255;
    SELECT RAISE(ABORT, 'limit: a document source name is at most 4096 characters') WHERE length(NEW.source_name) > 4096;
END;

CREATE TRIGGER IF NOT EXISTS limit_attributes_insert BEFORE INSERT ON attributes BEGIN
    SELECT RAISE(ABORT, 'limit: an attribute name is at most 100 characters') WHERE length(NEW.name) > 100;
END;
CREATE TRIGGER IF NOT EXISTS limit_attributes_update BEFORE UPDATE OF name ON attributes BEGIN
    SELECT RAISE(ABORT, 'limit: an attribute name is at most 100 characters') WHERE length(NEW.name) > 100;
END;
CREATE TRIGGER IF NOT EXISTS limit_document_attributes_insert BEFORE INSERT ON document_attributes BEGIN
    SELECT RAISE(ABORT, 'limit: an attribute value is at most 1000 characters') WHERE length(NEW.value) > 1000;
END;
CREATE TRIGGER IF NOT EXISTS limit_document_attributes_update BEFORE UPDATE OF value ON document_attributes BEGIN
    SELECT RAISE(ABORT, 'limit: an attribute value is at most 1000 characters') WHERE length(NEW.value) > 1000;
END;
CREATE TRIGGER IF NOT EXISTS limit_participant_attributes_insert BEFORE INSERT ON participant_attributes BEGIN
    SELECT RAISE(ABORT, 'limit: an attribute value is at most 1000 characters') WHERE length(NEW.value) > 1000;
END;
CREATE TRIGGER IF NOT EXISTS limit_participant_attributes_update BEFORE UPDATE OF value ON participant_attributes BEGIN
    SELECT RAISE(ABORT, 'limit: an attribute value is at most 1000 characters') WHERE length(NEW.value) > 1000;
END;

CREATE TRIGGER IF NOT EXISTS limit_participants_insert BEFORE INSERT ON participants BEGIN
    SELECT RAISE(ABORT, 'limit: a participant ID is at most 100 characters') WHERE length(NEW.pid) > 100;
    SELECT RAISE(ABORT, 'limit: a participant role is at most 100 characters') WHERE length(NEW.role) > 100;
END;
CREATE TRIGGER IF NOT EXISTS limit_participants_update BEFORE UPDATE OF pid, role ON participants BEGIN
    SELECT RAISE(ABORT, 'limit: a participant ID is at most 100 characters') WHERE length(NEW.pid) > 100;
    SELECT RAISE(ABORT, 'limit: a participant role is at most 100 characters') WHERE length(NEW.role) > 100;
END;

CREATE TRIGGER IF NOT EXISTS limit_codes_insert BEFORE INSERT ON codes BEGIN
    SELECT RAISE(ABORT, 'limit: a code name is at most 200 characters') WHERE length(NEW.name) > 200;
    SELECT RAISE(ABORT, 'limit: a code colour is at most 32 characters') WHERE length(NEW.colour) > 32;
    SELECT RAISE(ABORT, 'limit: a code definition, inclusion, exclusion or example is at most 20000 characters each')
        WHERE max(length(NEW.definition), length(NEW.inclusion), length(NEW.exclusion), length(NEW.example)) > 20000;
    SELECT RAISE(ABORT, 'limit: a code memo is at most 1000000 characters') WHERE length(NEW.memo) > 1000000;
END;
CREATE TRIGGER IF NOT EXISTS limit_codes_update BEFORE UPDATE OF name, colour, definition, inclusion, exclusion, example, memo ON codes BEGIN
    SELECT RAISE(ABORT, 'limit: a code name is at most 200 characters') WHERE length(NEW.name) > 200;
    SELECT RAISE(ABORT, 'limit: a code colour is at most 32 characters') WHERE length(NEW.colour) > 32;
    SELECT RAISE(ABORT, 'limit: a code definition, inclusion, exclusion or example is at most 20000 characters each')
        WHERE max(length(NEW.definition), length(NEW.inclusion), length(NEW.exclusion), length(NEW.example)) > 20000;
    SELECT RAISE(ABORT, 'limit: a code memo is at most 1000000 characters') WHERE length(NEW.memo) > 1000000;
END;

CREATE TRIGGER IF NOT EXISTS limit_memos_insert BEFORE INSERT ON memos BEGIN
    SELECT RAISE(ABORT, 'limit: a memo title is at most 200 characters') WHERE length(NEW.title) > 200;
    SELECT RAISE(ABORT, 'limit: a memo is at most 1000000 characters') WHERE length(NEW.body) > 1000000;
END;
CREATE TRIGGER IF NOT EXISTS limit_memos_update BEFORE UPDATE OF title, body ON memos BEGIN
    SELECT RAISE(ABORT, 'limit: a memo title is at most 200 characters') WHERE length(NEW.title) > 200;
    SELECT RAISE(ABORT, 'limit: a memo is at most 1000000 characters') WHERE length(NEW.body) > 1000000;
END;


-- The sort order that puts a new code last among its siblings is max(sort_order) over them:
-- without this index every new code scanned its siblings, so importing N codes was quadratic
-- (20,000 codes from a codebook CSV took minutes).
CREATE INDEX IF NOT EXISTS codes_sibling_order ON codes(ifnull(parent_id, 0), sort_order);
