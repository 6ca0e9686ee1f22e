//! The command line, declared with clap. Subcommands are named after what researchers do.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "thematic",
    version,
    about = "A terminal workbench for coding focus-group transcripts",
    long_about = "Thematic opens the coding workbench when run without a command. Every command \
                  works on one study file (--project; the demo study by default) as one coder \
                  (--coder; your login name by default). Nothing leaves the machine unless you export it."
)]
pub struct Cli {
    /// The study file (default: the demo study, built from the sample transcripts on first use)
    #[arg(long, global = true, env = "THEMATIC_PROJECT")]
    pub project: Option<PathBuf>,
    /// Who is coding (default: $THEMATIC_CODER, else your login name)
    #[arg(long, global = true)]
    pub coder: Option<String>,
    /// Write CSV cells as they are; by default a cell starting with = + - @ (or tab, CR) gets a
    /// leading ' so that a spreadsheet shows it instead of running it as a formula
    #[arg(long, global = true)]
    pub raw_cells: bool,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Output {
    Table,
    Json,
    Csv,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a new, empty study file
    Init { path: PathBuf },
    /// Import transcripts (.txt, .vtt, .srt, .docx, Whisper/WhisperX .json; files or folders), or a REFI-QDA codebook (.qdc) or project (.qdpx)
    Import {
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Force a format instead of detecting it: text, vtt, srt, otter, rev, docx, json
        #[arg(long = "format")]
        format: Option<String>,
        #[command(flatten)]
        refi: super::refi_args::RefiImportArgs,
        /// Show the speakers, turn counts and first turns that would be imported; write nothing
        #[arg(long = "dry-run")]
        dry_run: bool,
        /// Take exactly these speaker labels (comma-separated, e.g. "F,27,28"), each followed by ':'
        #[arg(long = "speakers", conflicts_with = "label_pattern")]
        speakers: Option<String>,
        /// Take speaker labels by a regular expression matched at the start of each line: group
        /// `speaker` (or group 1) is the speaker, optional group `time` the time; speech follows the match
        #[arg(long = "label-pattern")]
        label_pattern: Option<String>,
    },
    /// Set participant or document attributes from a CSV table
    ImportAttributes { file: PathBuf },
    /// Add codes and their definitions from a codebook CSV (code,colour,definition,inclusion,exclusion,example)
    ImportCodebook { file: PathBuf },
    /// Import codings from a CSV (document,coder,code,start,end — or document,coder,code,match)
    ImportCodings {
        file: PathBuf,
        /// Mark each document a coder has rows for as done by that coder (for agreement)
        #[arg(long)]
        done: bool,
    },
    /// List the documents
    Docs {
        #[arg(long, value_enum, default_value_t = Output::Table)]
        format: Output,
    },
    /// Show a document's turns and codings
    Show {
        document: String,
        #[arg(long, value_enum, default_value_t = Output::Table)]
        format: Output,
    },
    /// List participants with their attributes and where they speak
    Participants {
        #[arg(long, value_enum, default_value_t = Output::Table)]
        format: Output,
    },
    /// Work on the codebook
    Codes {
        #[command(subcommand)]
        action: CodesCommand,
    },
    /// Apply a code to a turn, a range or the text that matches
    Code(CodeArgs),
    /// Remove your codings of a code that overlap a turn, a range or matching text
    Uncode(CodeArgs),
    /// Every excerpt coded with a code (and its subcodes)
    Excerpts {
        code: String,
        /// Only this coder's codings
        #[arg(long = "by")]
        by: Option<String>,
        #[arg(long, value_enum, default_value_t = Output::Table)]
        format: Output,
    },
    /// Inter-coder agreement per code and, for a code set, overall
    #[command(after_help = crate::cli::agreement_cmds::AGREEMENT_HELP)]
    Agreement(AgreementArgs),
    /// Units where coders differ on a code, side by side, worst-agreeing codes first
    Disagreements {
        #[command(flatten)]
        scope: CompareArgs,
        /// Only this code
        #[arg(long)]
        code: Option<String>,
        #[arg(long, value_enum, default_value_t = Output::Table)]
        format: Output,
    },
    /// Settle a disagreement: the chosen version is written under the consensus coder
    Resolve {
        document: String,
        /// The code disagreed on
        #[arg(long)]
        code: String,
        /// The unit, START:END, as `disagreements` lists it
        #[arg(long)]
        range: String,
        /// A coder's name (keep their version), `both`, or `neither`
        #[arg(long)]
        accept: String,
        /// The unit kind the range is (a range inside one turn or sentence snaps to it, and says so)
        #[arg(long, value_enum, default_value_t = crate::agreement::units::UnitKind::Turn)]
        unit: crate::agreement::units::UnitKind,
        /// The coders whose agreed units the consensus carries (default: as `agreement`)
        #[arg(long, value_delimiter = ',')]
        coders: Vec<String>,
    },
    /// Write or list memos on the study, a document, a code or a coding
    Memo {
        #[command(subcommand)]
        action: MemoCommand,
    },
    /// Undo your last action
    Undo,
    /// Redo the action you last undid
    Redo,
    /// The history of changes (who, when, what)
    History {
        #[arg(long, default_value_t = 30)]
        limit: usize,
        #[arg(long, value_enum, default_value_t = Output::Table)]
        format: Output,
    },
    /// Build the demo study (again, with --reset) and print its path
    Demo {
        #[arg(long)]
        reset: bool,
    },
    /// Print a summary of the study
    Summary,
    /// Export the codebook, the whole project (REFI-QDA .qdpx), coded excerpts or a code × attribute matrix
    Export {
        #[command(subcommand)]
        what: super::exchange_cmds::ExportCommand,
    },
    /// Bring another copy of this study (or another coder's study file) into this one: their
    /// changes since the copy are replayed, conflicts keep ours and are listed (a backup is
    /// taken when the merge changes something)
    Merge {
        /// The other study file
        other: PathBuf,
        /// Take their side of every conflict in this merge
        #[arg(long)]
        theirs: bool,
        /// For a file that shares no history with this study: match coders by name and
        /// participants by ID (otherwise theirs come in as new people, "alex (other study)")
        #[arg(long)]
        match_names: bool,
        /// Treat an incoming document with one of our names and nearly our text as a revised
        /// transcript of ours (see `revise`) instead of adding a second document
        #[arg(long)]
        revisions: bool,
        #[arg(long, value_enum, default_value_t = Output::Table)]
        format: Output,
    },
    /// Replace a document's text with a corrected version (a typo fixed, a name anonymised),
    /// carrying every coding over through a character diff; codings that touched changed text
    /// are listed for review (`thematic undo` restores the old text)
    Revise {
        /// The document (name, as `docs` lists it)
        document: String,
        /// The corrected text (UTF-8), the whole document as `show` prints it
        file: PathBuf,
    },
    /// Codings, documents and participants per code (themes include their subcodes), for the
    /// whole study or by document, speaker or attribute (a code × group matrix). The global
    /// --coder counts one coder's codings; without it, all coders' codings are pooled
    Frequencies(FrequencyArgs),
    /// Codes applied together — to overlapping text or in the same turn — or, with --pair,
    /// the excerpts behind one cell
    Cooccurrence(CooccurrenceArgs),
    /// Full-text search over all transcripts, with speaker and attribute filters
    Search(SearchArgs),
    /// Apply a code to every search hit, every turn of a speaker, or every regex match, as one
    /// action (one `thematic undo` takes it all back)
    Autocode(AutocodeArgs),
    /// New codes per successive transcript: the saturation curve
    Saturation {
        /// Document order, e.g. FG3,FG1,FG2 (default: import order; only listed documents count)
        #[arg(long, value_delimiter = ',')]
        order: Option<Vec<String>>,
        #[arg(long, value_enum, default_value_t = Output::Table)]
        format: Output,
    },
    /// Codebook versions: take a snapshot, list them, compare two (or one with now)
    Codebook {
        #[command(subcommand)]
        action: CodebookCommand,
    },
    /// Write a self-contained HTML report (no external files; opens offline)
    Report {
        out: PathBuf,
        /// Coders compared in the agreement section (default: as `thematic agreement`)
        #[arg(long, value_delimiter = ',')]
        coders: Vec<String>,
        /// Group theme frequencies by this attribute (default: composition, else the first
        /// document attribute, else the first participant attribute)
        #[arg(long)]
        by: Option<String>,
    },
    /// Write a synthetic study for benchmarks and stress tests (deterministic for a seed)
    GenStudy(GenStudyArgs),
    // Agreement workflow (issue 11): done marks, ICR rounds, the consensus dataset.
    /// Mark a document done as the current coder: coded, and no coding means nothing found
    Done {
        document: String,
        /// Remove the mark instead
        #[arg(long)]
        undo: bool,
    },
    /// Inter-coder reliability rounds: draw a double-coding sample, end a round, list rounds
    Icr {
        #[command(subcommand)]
        action: IcrCommand,
    },
    /// Carry the units the coders agreed on into the consensus coder (the final dataset)
    Consensus {
        #[command(flatten)]
        scope: CompareArgs,
        #[arg(long, value_enum, default_value_t = Output::Table)]
        format: Output,
    },
    /// Code suggestions learned from the team's own codings: `suggest train`, `suggest
    /// evaluate`, then `suggest` lists them; `suggest accept|reject` (all offline)
    Suggest(super::suggest_cmds::SuggestArgs),
}

#[derive(Debug, Subcommand)]
pub enum IcrCommand {
    /// Draw and record the double-coding subset and start a round (snapshots the codebook)
    Sample {
        /// Share of the study to double-code, e.g. 0.2
        #[arg(long)]
        share: f64,
        #[arg(long, value_delimiter = ',', required = true)]
        coders: Vec<String>,
        #[arg(long, value_enum, default_value_t = crate::agreement::icr::SampleBy::Document)]
        by: crate::agreement::icr::SampleBy,
        /// A document attribute to stratify by (e.g. composition), or `document`
        #[arg(long)]
        stratify: Option<String>,
        #[arg(long)]
        seed: u64,
    },
    /// End the open round: its agreement figures are frozen
    End {
        #[arg(long, value_enum, default_value_t = Output::Table)]
        format: Output,
    },
    /// Every round: coders, units, share, coefficients with CIs, codebook changes since the last
    Rounds {
        #[arg(long, value_enum, default_value_t = Output::Table)]
        format: Output,
    },
    /// What the current coder is assigned in the open round
    Assigned,
}

#[derive(Debug, Args)]
pub struct CompareArgs {
    /// Coders to compare (default: the independent coders sharing the most done, else coded,
    /// documents; never the consensus coder)
    #[arg(long, value_delimiter = ',')]
    pub coders: Vec<String>,
    /// Only these documents
    #[arg(long, value_delimiter = ',')]
    pub docs: Vec<String>,
    /// The unit of analysis
    #[arg(long, value_enum, default_value_t = crate::agreement::units::UnitKind::Turn)]
    pub unit: crate::agreement::units::UnitKind,
}

#[derive(Debug, Args)]
pub struct AgreementArgs {
    #[command(flatten)]
    pub scope: CompareArgs,
    /// A code set treated as mutually exclusive categories: A,B,C or one parent code
    #[arg(long, value_delimiter = ',')]
    pub codes: Vec<String>,
    /// Whether a unit a coder left without any code counts as "none" or as not judged
    #[arg(long, value_enum, default_value_t = crate::agreement::report::Uncoded::Absent)]
    pub uncoded: crate::agreement::report::Uncoded,
    /// Bootstrap 95% confidence intervals for kappa and alpha
    #[arg(long)]
    pub ci: bool,
    /// Bootstrap resamples
    #[arg(long, default_value_t = 1000)]
    pub iterations: usize,
    /// Bootstrap seed
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Alpha thresholds marking a code as tentative / unreliable (Krippendorff: 0.800, 0.667)
    #[arg(long, value_delimiter = ',', default_values_t = [0.667, 0.8])]
    pub thresholds: Vec<f64>,
    #[arg(long, value_enum, default_value_t = Output::Table)]
    pub format: Output,
    /// Print a paragraph for a manuscript's methods section instead of the table
    #[arg(long)]
    pub methods_text: bool,
}

#[derive(Debug, Args)]
pub struct CodeArgs {
    pub document: String,
    pub code: String,
    /// Turn number (as `thematic show` lists them, from 1)
    #[arg(long, group = "target")]
    pub turn: Option<usize>,
    /// START:END in characters (Unicode code points, END exclusive)
    #[arg(long, group = "target")]
    pub range: Option<String>,
    /// Exact text to find in the document
    #[arg(long = "match", group = "target")]
    pub matching: Option<String>,
    /// Which occurrence of --match (from 1) when it occurs several times
    #[arg(long, requires = "matching")]
    pub occurrence: Option<usize>,
}

#[derive(Debug, Subcommand)]
pub enum CodesCommand {
    /// Add a code (parents are created as needed): Theme/Code
    Add {
        path: String,
        #[command(flatten)]
        fields: FieldArgs,
    },
    /// The codebook as a tree with counts
    List {
        #[arg(long, value_enum, default_value_t = Output::Table)]
        format: Output,
    },
    /// Rename a code (its codings follow)
    Rename { path: String, new_name: String },
    /// Move a code under another, or to the top level with --top
    Move {
        path: String,
        #[arg(long, conflicts_with = "top")]
        to: Option<String>,
        #[arg(long)]
        top: bool,
    },
    /// Merge a code into another; its codings, subcodes and memos move
    Merge { from: String, into: String },
    /// Delete a code (--force when it has codings or subcodes)
    Delete {
        path: String,
        #[arg(long)]
        force: bool,
    },
    /// Show a code's definition, or set its codebook fields
    Describe {
        path: String,
        #[command(flatten)]
        fields: FieldArgs,
    },
}

#[derive(Debug, Args, Default)]
pub struct FieldArgs {
    #[arg(long)]
    pub definition: Option<String>,
    #[arg(long)]
    pub inclusion: Option<String>,
    #[arg(long)]
    pub exclusion: Option<String>,
    #[arg(long)]
    pub example: Option<String>,
    #[arg(long)]
    pub memo: Option<String>,
    /// #RRGGBB
    #[arg(long, alias = "color")]
    pub colour: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum MemoCommand {
    /// Write a memo (on the study unless --document, --code or --coding is given)
    Add {
        text: String,
        #[arg(long, group = "on")]
        document: Option<String>,
        #[arg(long, group = "on")]
        code: Option<String>,
        #[arg(long, group = "on")]
        coding: Option<i64>,
        #[arg(long, default_value = "")]
        title: String,
    },
    /// List memos
    List {
        #[arg(long, value_enum, default_value_t = Output::Table)]
        format: Output,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MeasureArg {
    Codings,
    Documents,
    Participants,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CoScopeArg {
    Overlap,
    Turn,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SpanArg {
    Hit,
    Turn,
}

#[derive(Debug, Args)]
pub struct FrequencyArgs {
    /// Columns: document, speaker, or an attribute (gender, composition; document:NAME or
    /// participant:NAME when both kinds share a name)
    #[arg(long)]
    pub by: Option<String>,
    /// Percentages: of the group's participants/documents, or of its codings
    #[arg(long)]
    pub percent: bool,
    /// What a cell counts (default: participants when grouping by attribute, else codings)
    #[arg(long, value_enum)]
    pub measure: Option<MeasureArg>,
    /// Count moderators as participants
    #[arg(long)]
    pub include_moderators: bool,
    #[arg(long, value_enum, default_value_t = Output::Table)]
    pub format: Output,
}

#[derive(Debug, Args)]
pub struct CooccurrenceArgs {
    /// overlap: codings over overlapping text; turn: codes within the same speaker turn
    #[arg(long, value_enum, default_value_t = CoScopeArg::Overlap)]
    pub scope: CoScopeArg,
    /// Count top-level themes (each code stands for its theme)
    #[arg(long)]
    pub themes: bool,
    /// List the excerpts behind the cell of codes A and B
    #[arg(long, num_args = 2, value_names = ["A", "B"])]
    pub pair: Option<Vec<String>>,
    #[arg(long, value_enum, default_value_t = Output::Table)]
    pub format: Output,
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// Words that must all occur; "a phrase"; word* for a prefix; OR between alternatives
    pub query: String,
    /// Only this speaker (label in the transcript, or participant id)
    #[arg(long)]
    pub speaker: Option<String>,
    /// Only this document
    #[arg(long)]
    pub document: Option<String>,
    /// Only turns whose speaker or document has ATTRIBUTE=VALUE (repeatable)
    #[arg(long = "where", value_name = "ATTRIBUTE=VALUE")]
    pub conditions: Vec<String>,
    /// At most this many hits (0: all)
    #[arg(long, default_value_t = 50)]
    pub limit: usize,
    /// Pass the query to SQLite FTS5 as written
    #[arg(long)]
    pub raw: bool,
    #[arg(long, value_enum, default_value_t = Output::Table)]
    pub format: Output,
}

#[derive(Debug, Args)]
pub struct AutocodeArgs {
    /// The code to apply (created when missing)
    pub code: String,
    /// Code the turns matching this search
    #[arg(long, group = "source")]
    pub search: Option<String>,
    /// Code the matches of this regular expression (within turns; (?i) for any case)
    #[arg(long, group = "source")]
    pub regex: Option<String>,
    /// Only this speaker's turns; alone, code every turn of the speaker
    #[arg(long)]
    pub speaker: Option<String>,
    /// Only this document
    #[arg(long)]
    pub document: Option<String>,
    /// Only turns whose speaker or document has ATTRIBUTE=VALUE (repeatable)
    #[arg(long = "where", value_name = "ATTRIBUTE=VALUE")]
    pub conditions: Vec<String>,
    /// Code just the matched words (hit; default for --search/--regex) or whole turns
    #[arg(long, value_enum)]
    pub span: Option<SpanArg>,
    /// Pass --search to SQLite FTS5 as written
    #[arg(long)]
    pub raw: bool,
    /// List what would be coded without coding it
    #[arg(long)]
    pub dry_run: bool,
    #[arg(long, value_enum, default_value_t = Output::Table)]
    pub format: Output,
}

#[derive(Debug, Subcommand)]
pub enum CodebookCommand {
    /// Record the codebook as it stands under a name
    Snapshot { name: String },
    /// List the recorded versions
    Versions {
        #[arg(long, value_enum, default_value_t = Output::Table)]
        format: Output,
    },
    /// What changed from version A to version B (B may be `now`)
    Diff {
        a: String,
        #[arg(default_value = "now")]
        b: String,
        #[arg(long, value_enum, default_value_t = Output::Table)]
        format: Output,
    },
}

#[derive(Debug, Args)]
pub struct GenStudyArgs {
    /// The study file to write (must not exist)
    pub out: PathBuf,
    #[arg(long, default_value_t = 10)]
    pub docs: usize,
    #[arg(long = "turns-per-doc", default_value_t = 100)]
    pub turns_per_doc: usize,
    #[arg(long, default_value_t = 3)]
    pub coders: usize,
    #[arg(long, default_value_t = 1000)]
    pub codings: usize,
    /// Leaf codes in the codebook (themes of up to five codes each)
    #[arg(long, default_value_t = 30)]
    pub codes: usize,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Instead: one coder whose codes depend on planted cue words (for `suggest evaluate`);
    /// uses --docs, --turns-per-doc, --codes and --seed
    #[arg(long = "planted-words")]
    pub planted_words: bool,
}

impl GenStudyArgs {
    pub fn run(&self) -> crate::Result<()> {
        if self.planted_words {
            return crate::suggest::planted::run(
                self.out.as_path(),
                self.docs,
                self.turns_per_doc,
                self.codes,
                self.seed,
            );
        }
        use crate::study::generate::{GenOptions, generate};
        let started = std::time::Instant::now();
        let r = generate(
            &self.out,
            &GenOptions {
                docs: self.docs,
                turns_per_doc: self.turns_per_doc,
                coders: self.coders,
                codings: self.codings,
                codes: self.codes,
                seed: self.seed,
            },
        )?;
        println!(
            "wrote {}: {} documents, {} turns, {} characters, {} participants, {} codes, {} coders, {} codings in {:.2} s",
            self.out.display(),
            r.documents,
            r.turns,
            r.characters,
            r.participants,
            r.codes,
            r.coders,
            r.codings,
            started.elapsed().as_secs_f64()
        );
        Ok(())
    }
}
