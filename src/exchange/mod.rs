//! Moving studies to and from other tools: REFI-QDA (`.qdc` codebooks, `.qdpx` projects).

pub mod refi;
