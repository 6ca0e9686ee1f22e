//! REFI-QDA model → study, inside one recorded action (the caller's `Study::change`), so an
//! import is one undoable step and a failure leaves nothing behind. One file per entity:
//! `coders` (Users), `codes` (the codebook), `documents` (Sources, their attributes and Sets),
//! `codings` (selections), `participants` (Cases), `memos` (Notes).
//!
//! Importing into a study that already has a codebook follows the rules of a merge without
//! shared history: our codebook is never silently overwritten. Codes are matched by GUID, then
//! by path; a matched code keeps our name, place, colour and fields — theirs, where they differ,
//! are kept as a memo on the code and reported per code; only fields we left empty are filled
//! in. Missing codes are created with the file's GUID and fields. Documents are matched by
//! content; Users become coders (by GUID, then name; `consensus` is reserved, see `coders`);
//! Cases become participants (by name), Variables typed attributes, Notes memos.

mod coders;
mod codes;
mod codings;
mod documents;
mod memos;
mod participants;

pub use codes::{import_codes, refi_fields};
pub use documents::derive_turns;

use crate::error::Result;
use crate::study::history::Recorder;
use crate::study::new_guid;
use serde::Serialize;
use std::collections::{HashMap, HashSet};

use super::refi::{RefiNote, RefiProject, VariableType};

/// How the codes of a file were matched to the study's codebook.
#[derive(Debug, Default, Clone, Serialize, PartialEq)]
pub struct CodesReport {
    pub matched_by_guid: Vec<String>,
    pub matched_by_path: Vec<String>,
    pub created: Vec<String>,
    /// Matched codes whose empty fields were filled in from the file.
    pub updated: Vec<String>,
    /// Matched codes where the file differs from ours: ours kept, theirs kept as a memo on the
    /// code ("PATH: what differs").
    pub kept_ours: Vec<String>,
    pub notes: Vec<String>,
}

impl CodesReport {
    pub fn total(&self) -> usize {
        self.matched_by_guid.len() + self.matched_by_path.len() + self.created.len()
    }
}

#[derive(Debug, Default, Clone, Serialize, PartialEq)]
pub struct ProjectReport {
    pub codes: CodesReport,
    pub coders_created: Vec<String>,
    pub coders_matched: Vec<String>,
    pub documents_created: Vec<String>,
    pub documents_matched: Vec<String>,
    pub sources_skipped: Vec<String>,
    pub selections: usize,
    pub codings_added: usize,
    pub codings_already_present: usize,
    pub codings_skipped: usize,
    pub memos_added: usize,
    pub memos_already_present: usize,
    pub participants_created: Vec<String>,
    pub participants_matched: Vec<String>,
    pub attribute_values_set: usize,
    pub notes: Vec<String>,
}

/// The file's GUID (lower case, as Thematic writes them) when free in `table`, else a new one.
fn keep_guid(rec: &Recorder, table: &str, guid: &str) -> Result<String> {
    let g = guid.trim().trim_matches(['{', '}']).to_ascii_lowercase();
    if uuid::Uuid::parse_str(&g).is_ok() && !super::guid_taken(rec, table, &g)? {
        Ok(g)
    } else {
        Ok(new_guid())
    }
}

/// The key a file's GUID is looked up by (upper case, trimmed).
fn key(guid: &str) -> String {
    guid.trim().to_ascii_uppercase()
}

/// What every entity's import needs: who the file's users are here, and the report.
struct Ctx<'r> {
    users: HashMap<String, i64>,
    fallback_coder: i64,
    report: &'r mut ProjectReport,
    /// The file's notes by GUID, and which of them something refers to.
    notes: HashMap<String, &'r RefiNote>,
    referenced: HashSet<String>,
    /// The file's variables by GUID.
    variables: HashMap<String, (&'r str, VariableType)>,
    /// The file's sources (by GUID) → our documents.
    source_doc: HashMap<String, i64>,
    /// (document, attribute) pairs set from variables; sets do not override them.
    doc_values_from_variables: HashSet<(i64, String)>,
}

impl Ctx<'_> {
    fn coder(&self, user: Option<&String>) -> i64 {
        user.and_then(|u| self.users.get(&key(u)))
            .copied()
            .unwrap_or(self.fallback_coder)
    }
}

/// Imports a whole project. `file` names the archive in document source names and messages;
/// `fallback_coder` gets codings and memos that name no known user (and the memos recording
/// their version of a code where it differs from ours).
pub fn import_project(
    rec: &mut Recorder,
    project: &RefiProject,
    file: &str,
    fallback_coder: i64,
) -> Result<ProjectReport> {
    let mut report = ProjectReport::default();
    let users = coders::import_users(rec, &project.users, &mut report)?;
    let code_map = import_codes(rec, &project.codes, &mut report.codes, file, fallback_coder)?;
    let mut ctx = Ctx {
        users,
        fallback_coder,
        report: &mut report,
        notes: project.notes.iter().map(|n| (key(&n.guid), n)).collect(),
        referenced: HashSet::new(),
        variables: project
            .variables
            .iter()
            .map(|v| (key(&v.guid), (v.name.as_str(), v.kind)))
            .collect(),
        source_doc: HashMap::new(),
        doc_values_from_variables: HashSet::new(),
    };
    for s in &project.sources {
        documents::import_source(rec, &mut ctx, s, file, &code_map)?;
    }
    participants::import_cases(rec, &mut ctx, &project.cases)?;
    documents::import_sets(rec, &mut ctx, &project.sets)?;
    memos::import_project_notes(rec, &mut ctx, project, file)?;
    Ok(report)
}
