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

use super::refi::{
    Adjustments, Limits, PositionMode, ProjectSink, RefiCase, RefiNote, RefiProject, RefiSource,
    VariableType, stream_qdpx,
};

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

/// A note reference waiting for the notes, which come after the sources in a project file.
enum Pending {
    /// A note on a document.
    Document { note: String, doc: i64 },
    /// The `index`-th memo of a selection, on each of its codings (or its document).
    Selection {
        note: String,
        index: usize,
        targets: Vec<(&'static str, i64)>,
    },
}

/// What every entity's import needs: who the file's users are here, its codes, variables and
/// sources, and the report. Owns everything, so a streamed project can be dropped as it goes.
struct Ctx {
    file: String,
    users: HashMap<String, i64>,
    fallback_coder: i64,
    report: ProjectReport,
    code_map: HashMap<String, i64>,
    /// The file's variables by GUID.
    variables: HashMap<String, (String, VariableType)>,
    /// Cases wait for the sources they refer to.
    cases: Vec<RefiCase>,
    /// The file's sources (by GUID) → our documents.
    source_doc: HashMap<String, i64>,
    /// (document, attribute) pairs set from variables; sets do not override them.
    doc_values_from_variables: HashSet<(i64, String)>,
    /// The file's notes by GUID (known at the tail), and which of them something refers to.
    notes: HashMap<String, RefiNote>,
    referenced: HashSet<String>,
    pending: Vec<Pending>,
    unknown_users: std::cell::Cell<usize>,
    /// Codings of codes the codebook does not have: how many, and one of those codes.
    unknown_code_codings: usize,
    unknown_code_example: Option<String>,
}

impl Ctx {
    fn new(file: &str, fallback_coder: i64) -> Ctx {
        Ctx {
            file: file.to_string(),
            users: HashMap::new(),
            fallback_coder,
            report: ProjectReport::default(),
            code_map: HashMap::new(),
            variables: HashMap::new(),
            cases: Vec::new(),
            source_doc: HashMap::new(),
            doc_values_from_variables: HashSet::new(),
            notes: HashMap::new(),
            referenced: HashSet::new(),
            pending: Vec::new(),
            unknown_users: std::cell::Cell::new(0),
            unknown_code_codings: 0,
            unknown_code_example: None,
        }
    }

    /// Our coder for a file's user reference; the fallback coder (counted) when unknown.
    fn coder(&self, user: Option<&String>) -> i64 {
        match user {
            None => self.fallback_coder,
            Some(u) => match self.users.get(&key(u)) {
                Some(&id) => id,
                None => {
                    self.unknown_users.set(self.unknown_users.get() + 1);
                    self.fallback_coder
                }
            },
        }
    }

    fn head(&mut self, rec: &mut Recorder, head: &RefiProject) -> Result<()> {
        self.users = coders::import_users(rec, &head.users, &mut self.report)?;
        self.code_map = import_codes(
            rec,
            &head.codes,
            &mut self.report.codes,
            &self.file,
            self.fallback_coder,
        )?;
        self.variables = head
            .variables
            .iter()
            .map(|v| (key(&v.guid), (v.name.clone(), v.kind)))
            .collect();
        self.cases = head.cases.clone();
        Ok(())
    }

    fn source(&mut self, rec: &mut Recorder, source: &RefiSource) -> Result<()> {
        documents::import_source(rec, self, source)
    }

    fn tail(&mut self, rec: &mut Recorder, tail: &RefiProject) -> Result<()> {
        let cases = std::mem::take(&mut self.cases);
        participants::import_cases(rec, self, &cases)?;
        documents::import_sets(rec, self, &tail.sets)?;
        self.notes = tail
            .notes
            .iter()
            .map(|n| (key(&n.guid), n.clone()))
            .collect();
        memos::resolve_pending(rec, self)?;
        memos::import_project_notes(rec, self, tail)?;
        if self.unknown_code_codings > 0 {
            self.report.notes.push(format!(
                "{} coding(s) refer to codes the file's codebook does not have (e.g. {}); skipped",
                self.unknown_code_codings,
                self.unknown_code_example.as_deref().unwrap_or("?")
            ));
        }
        let unknown = self.unknown_users.get();
        if unknown > 0 {
            self.report.notes.push(format!(
                "{unknown} coding(s) or memo(s) name a user the file does not list; they are under the importing coder"
            ));
        }
        Ok(())
    }
}

/// Imports a whole project held in memory. `file` names the archive in document source names
/// and messages; `fallback_coder` gets codings and memos that name no known user (and the
/// memos recording their version of a code where it differs from ours).
pub fn import_project(
    rec: &mut Recorder,
    project: &RefiProject,
    file: &str,
    fallback_coder: i64,
) -> Result<ProjectReport> {
    let mut ctx = Ctx::new(file, fallback_coder);
    ctx.head(rec, project)?;
    for s in &project.sources {
        ctx.source(rec, s)?;
    }
    ctx.tail(rec, project)?;
    Ok(ctx.report)
}

/// Streams a `.qdpx` into the study (see `refi::stream_qdpx`): each source's document,
/// codings and memos are written as soon as it is read, inside the caller's one recorded
/// action, so a project of any size costs the memory of its largest source. Returns the
/// report and the reader's adjustments.
pub fn stream_project(
    rec: &mut Recorder,
    path: &std::path::Path,
    limits: &Limits,
    mode: PositionMode,
    fallback_coder: i64,
) -> Result<(ProjectReport, Adjustments)> {
    let file = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let mut sink = Sink {
        rec,
        ctx: Ctx::new(&file, fallback_coder),
    };
    let adj = stream_qdpx(path, limits, mode, &mut sink).map_err(|e| e.0)?;
    Ok((sink.ctx.report, adj))
}

/// A study error, or a file error (which names the file) as one.
struct SinkError(crate::error::Error);

impl From<super::refi::RefiError> for SinkError {
    fn from(e: super::refi::RefiError) -> Self {
        SinkError(crate::error::Error::Invalid(e.to_string()))
    }
}

impl From<crate::error::Error> for SinkError {
    fn from(e: crate::error::Error) -> Self {
        SinkError(e)
    }
}

struct Sink<'a, 't> {
    rec: &'a mut Recorder<'t>,
    ctx: Ctx,
}

impl ProjectSink for Sink<'_, '_> {
    type Error = SinkError;

    fn head(&mut self, head: &RefiProject) -> std::result::Result<(), SinkError> {
        Ok(self.ctx.head(self.rec, head)?)
    }

    fn source(&mut self, source: RefiSource) -> std::result::Result<(), SinkError> {
        Ok(self.ctx.source(self.rec, &source)?)
    }

    fn tail(&mut self, tail: RefiProject) -> std::result::Result<(), SinkError> {
        Ok(self.ctx.tail(self.rec, &tail)?)
    }
}
