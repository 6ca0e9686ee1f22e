//! The demo study: the five sample focus groups in `sample_transcripts/`, with participants,
//! the seed codebook and two coders' codings. The files are built into the binary, so the demo
//! works from any directory and on a machine without the source tree.

use crate::error::Result;
use crate::import::parse_transcript;
use crate::study::Study;
use std::path::{Path, PathBuf};

pub struct SampleFile {
    pub name: &'static str,
    pub bytes: &'static [u8],
}

macro_rules! sample {
    ($name:literal) => {
        SampleFile {
            name: $name,
            bytes: include_bytes!(concat!("../sample_transcripts/", $name)),
        }
    };
}

pub const TRANSCRIPTS: &[SampleFile] = &[
    sample!("FG1.txt"),
    sample!("FG2.vtt"),
    sample!("FG3.srt"),
    sample!("FG4.docx"),
    sample!("FG5.txt"),
];
pub const DOCUMENTS_CSV: SampleFile = sample!("documents.csv");
pub const PARTICIPANTS_CSV: SampleFile = sample!("participants.csv");
pub const CODEBOOK_CSV: SampleFile = sample!("codebook.csv");
pub const CODINGS_CSV: SampleFile = sample!("codings.csv");

/// Builds the demo study at `path` (which must not exist). It is written to a temporary file
/// beside it and renamed into place, so an interrupted build never leaves half a demo.
pub fn build(path: &Path) -> Result<()> {
    let tmp = path.with_extension("building");
    let _ = std::fs::remove_file(&tmp);
    let result = populate(&tmp);
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    std::fs::rename(&tmp, path)?;
    Ok(())
}

fn populate(path: &Path) -> Result<()> {
    let mut study = Study::create(path)?;
    let mut parsed = Vec::new();
    for file in TRANSCRIPTS {
        parsed.push((file, parse_transcript(file.name, file.bytes, None)?));
    }
    study.change(None, "import", "import the sample transcripts", |rec| {
        for (file, transcript) in &parsed {
            let stem = file.name.split('.').next().unwrap_or(file.name);
            if let Err(reason) =
                crate::import::study::insert_transcript(rec, stem, file.name, transcript)?
            {
                return Err(crate::invalid!("{}: {reason}", file.name));
            }
        }
        Ok(())
    })?;
    study.change(None, "attributes", "import sample attributes", |rec| {
        crate::import::attributes::import_csv(rec, DOCUMENTS_CSV.name, DOCUMENTS_CSV.bytes)?;
        crate::import::attributes::import_csv(rec, PARTICIPANTS_CSV.name, PARTICIPANTS_CSV.bytes)?;
        Ok(())
    })?;
    study.change(None, "codebook", "import the seed codebook", |rec| {
        crate::codebook::table::import_csv(rec, CODEBOOK_CSV.name, CODEBOOK_CSV.bytes)
    })?;
    study.change(None, "codings", "import alex's and sam's codings", |rec| {
        crate::coding::table::import_csv(rec, CODINGS_CSV.name, CODINGS_CSV.bytes)
    })?;
    Ok(())
}

/// The demo study's path, building it first when it does not exist yet. Returns (path, built).
pub fn ensure(path: Option<PathBuf>) -> Result<(PathBuf, bool)> {
    let path = path.unwrap_or_else(crate::config::demo_study_path);
    if path.exists() {
        return Ok((path, false));
    }
    build(&path)?;
    Ok((path, true))
}
