//! Thematic: a terminal workbench for coding focus-group transcripts.
//!
//! The library is the whole product minus the terminal: the study file (`study`), transcript
//! and table import (`import`), the codebook (`codebook`), codings (`coding`), memos (`memo`)
//! and the demo study (`demo`). The binary's `cli` and `tui` are thin shells over it.

pub mod agreement;
pub mod analysis;
pub mod cli;
pub mod codebook;
pub mod coding;
pub mod config;
pub mod demo;
pub mod error;
pub mod exchange;
pub mod import;
pub mod memo;
pub mod spreadsheet;
pub mod study;
pub mod suggest;
pub mod terminal;
pub mod text;
pub mod tui;
// scale (issue 13): code-point offsets without walking texts from the start.
pub mod char_offsets;

pub use error::{Error, Result};
pub use study::Study;
