//! The CLI shell: parses arguments, opens the study, runs one command, maps errors to exit codes
//! (0 ok, 1 failure, 2 usage — clap exits with 2 itself).

pub(crate) mod agreement_cmds;
mod analysis_cmds;
pub mod args;
mod codebook_cmds;
mod coding_cmds;
pub mod exchange_cmds;
mod merge_cmds;
pub mod output;
pub mod refi_args;
mod study_cmds;
pub mod suggest_cmds;

use crate::error::Result;
use crate::study::{Coder, Study};
use args::{Cli, Command};
use clap::Parser;
use std::path::PathBuf;

/// What every command works with: the open study and the acting coder.
pub struct Context {
    pub study: Study,
    pub coder_name: String,
}

impl Context {
    /// The acting coder, created on their first action.
    pub fn coder(&mut self) -> Result<Coder> {
        self.study.ensure_coder(&self.coder_name)
    }
}

/// Resolves `--project`: the given file, or the demo study (built on first use).
pub fn study_path(project: Option<PathBuf>) -> Result<PathBuf> {
    match project {
        Some(p) => Ok(p),
        None => {
            let (path, built) = crate::demo::ensure(None)?;
            if built {
                eprintln!(
                    "Built the demo study from the sample transcripts: {}",
                    path.display()
                );
            }
            Ok(path)
        }
    }
}

pub fn main() -> i32 {
    // Not `Cli::parse()`: it exits the process, and printed text would be left in the filter.
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return e.exit_code();
        }
    };
    match run(cli) {
        Ok(()) => 0,
        Err(e) => {
            // Sanitised here too: after the TUI has run, the filter is no longer in place.
            eprintln!("error: {}", crate::text::sanitize(&e.to_string(), true));
            1
        }
    }
}

pub fn run(cli: Cli) -> Result<()> {
    let coder_name = cli
        .coder
        .clone()
        .unwrap_or_else(crate::config::default_coder);
    crate::spreadsheet::set_raw_cells(cli.raw_cells);
    let command = match cli.command {
        None => {
            let path = study_path(cli.project)?;
            // The TUI draws with escape sequences and sanitises what it draws itself.
            crate::terminal::restore();
            // The workbench asks for a name on first start instead of guessing "coder".
            let coder_name = match cli.coder {
                Some(c) => c,
                None => crate::tui::first_run::coder_name()?,
            };
            return crate::tui::run(&path, &coder_name);
        }
        Some(Command::Init { path }) => return study_cmds::init(&path),
        Some(Command::Demo { reset }) => return study_cmds::demo(cli.project, reset),
        Some(Command::GenStudy(a)) => return a.run(),
        Some(c) => c,
    };
    let path = study_path(cli.project)?;
    // A backup interrupted by a kill leaves a `.partial` file: say so, it is not a backup.
    if let Some(warning) = crate::exchange::backups::stale_warning(&path) {
        eprintln!("{warning}");
    }
    let mut ctx = Context {
        study: Study::open(&path)?,
        coder_name,
    };
    match command {
        Command::Init { .. } | Command::Demo { .. } | Command::GenStudy(_) => {
            unreachable!("handled above")
        }
        Command::Import {
            paths,
            format,
            refi,
            dry_run,
            speakers,
            label_pattern,
        } => {
            if exchange_cmds::is_refi_import(&paths)? {
                exchange_cmds::import_refi_with(&mut ctx, &paths, &refi)
            } else {
                let labels = study_cmds::ImportLabels {
                    speakers,
                    label_pattern,
                    dry_run,
                };
                study_cmds::import(&mut ctx, &paths, format.as_deref(), &labels)
            }
        }
        Command::ImportAttributes { file } => study_cmds::import_attributes(&mut ctx, &file),
        Command::ImportCodebook { file } => codebook_cmds::import(&mut ctx, &file),
        Command::ImportCodings { file, done } => coding_cmds::import(&mut ctx, &file, done),
        Command::Docs { format } => study_cmds::docs(&ctx, format),
        Command::Show { document, format } => study_cmds::show(&ctx, &document, format),
        Command::Participants { format } => study_cmds::participants(&ctx, format),
        Command::Codes { action } => codebook_cmds::run(&mut ctx, action),
        Command::Code(a) => coding_cmds::code(&mut ctx, &a, false),
        Command::Uncode(a) => coding_cmds::code(&mut ctx, &a, true),
        Command::Excerpts { code, by, format } => {
            coding_cmds::excerpts(&ctx, &code, by.as_deref(), format)
        }
        Command::Agreement(a) => agreement_cmds::agreement(&ctx, &a),
        Command::Disagreements {
            scope,
            code,
            format,
        } => agreement_cmds::disagreements(&ctx, &scope, code.as_deref(), format),
        Command::Resolve {
            document,
            code,
            range,
            accept,
            unit,
            coders,
        } => agreement_cmds::resolve(&mut ctx, &document, &code, &range, &accept, unit, &coders),
        Command::Memo { action } => coding_cmds::memo(&mut ctx, action),
        Command::Undo => study_cmds::undo(&mut ctx, false),
        Command::Redo => study_cmds::undo(&mut ctx, true),
        Command::History { limit, format } => study_cmds::history(&ctx, limit, format),
        Command::Summary => study_cmds::summary(&ctx),
        Command::Export { what } => exchange_cmds::export(&mut ctx, what, cli.coder.as_deref()),
        // Agreement workflow (issue 11).
        Command::Done { document, undo } => agreement_cmds::done(&mut ctx, &document, undo),
        Command::Icr { action } => agreement_cmds::icr(&mut ctx, action),
        Command::Consensus { scope, format } => agreement_cmds::consensus(&mut ctx, &scope, format),
        Command::Suggest(a) => suggest_cmds::run(&mut ctx, cli.coder.as_deref(), &a),
        Command::Merge {
            other,
            theirs,
            match_names,
            revisions,
            format,
        } => merge_cmds::merge(
            &mut ctx,
            &other,
            crate::exchange::merge::MergeOptions {
                theirs,
                match_names,
                revisions,
                backup: true,
            },
            format,
        ),
        Command::Revise { document, file } => merge_cmds::revise(&mut ctx, &document, &file),
        c @ (Command::Frequencies(_)
        | Command::Cooccurrence(_)
        | Command::Search(_)
        | Command::Autocode(_)
        | Command::Saturation { .. }
        | Command::Codebook { .. }
        | Command::Report { .. }) => analysis_cmds::run(&mut ctx, cli.coder.as_deref(), c),
    }
}
