//! Options of `thematic import` that only REFI-QDA projects use.

use crate::exchange::refi::{Limits, PositionMode};
use clap::Args;

fn parse_positions(s: &str) -> Result<PositionMode, String> {
    PositionMode::parse(s)
        .ok_or_else(|| format!("'{s}' is not a counting; use auto, utf16 or code-points"))
}

#[derive(Debug, Clone, Default, Args)]
pub struct RefiImportArgs {
    /// .qdpx: how selection positions count — auto (detected per source and reported),
    /// utf16 (NVivo), or code-points (the REFI-QDA spec)
    #[arg(long, value_name = "auto|utf16|code-points", value_parser = parse_positions, default_value = "auto")]
    pub positions: PositionMode,
    /// .qdpx/.qdc: accept files beyond the size limits set by what a research study holds
    #[arg(long)]
    pub allow_large: bool,
}

impl RefiImportArgs {
    pub fn limits(&self) -> Limits {
        if self.allow_large {
            Limits::large()
        } else {
            Limits::default()
        }
    }
}
