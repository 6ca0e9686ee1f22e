//! Moving studies to and from other tools: REFI-QDA (`.qdc` codebooks, `.qdpx` projects), tidy
//! exports for people and programs (codebook, excerpts, code × attribute matrix),
//! pseudonymisation, and merging coders' study files.

pub mod backups;
pub mod codebook_export;
pub mod excerpts;
pub mod from_refi;
pub mod matrix;
pub mod merge;
pub mod participant_counts;
pub mod pseudonymize;
pub mod refi;
pub mod revise;
pub mod to_refi;

pub use pseudonymize::{Pseudonymizer, pseudonymize_text};

use crate::error::Result;
use crate::study::Study;
use std::path::{Path, PathBuf};

/// A GUID derived from `seed` (SHA-256, formatted 8-4-4-4-12, upper case), so that things with
/// no GUID column of their own (a coding's REFI `<Coding>`, a document set) keep the same GUID
/// across exports.
pub fn derived_guid(seed: &str) -> String {
    use sha2::{Digest, Sha256};
    let d = Sha256::digest(seed.as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&d[..16]);
    b[6] = (b[6] & 0x0f) | 0x50; // version 5-like
    b[8] = (b[8] & 0x3f) | 0x80; // RFC 4122 variant
    uuid::Uuid::from_bytes(b)
        .hyphenated()
        .to_string()
        .to_ascii_uppercase()
}

/// Whether `table` already holds `guid`, in any letter case. The GUID columns are indexed and
/// hold lower- or upper-case GUIDs, so this asks for those exact forms: a `lower(guid) = …`
/// comparison cannot use the index and made importing N codings cost N² row reads.
pub(crate) fn guid_taken(
    rec: &crate::study::history::Recorder,
    table: &str,
    guid: &str,
) -> Result<bool> {
    use rusqlite::OptionalExtension;
    let sql = format!("SELECT 1 FROM {table} WHERE guid IN (?1, lower(?1), upper(?1))");
    Ok(rec
        .tx
        .prepare_cached(&sql)?
        .query_row([guid], |_| Ok(()))
        .optional()?
        .is_some())
}

/// A study GUID as REFI-QDA writes it (upper case).
pub fn refi_guid(study_guid: &str) -> String {
    study_guid.trim().to_ascii_uppercase()
}

/// Where the backup before an import or merge goes: beside the study, as
/// `NAME.backup-YYYYMMDD-HHMMSS.thematic` (with `-2`, `-3`… when taken twice in a second).
pub fn backup_path(study: &Path) -> PathBuf {
    let stem = study
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "study".into());
    let stamp = chrono::Local::now().format("%Y%m%d-%H%M%S").to_string();
    let dir = study.parent().unwrap_or(Path::new("."));
    let mut candidate = dir.join(format!("{stem}.backup-{stamp}.thematic"));
    let mut n = 2;
    while candidate.exists() {
        candidate = dir.join(format!("{stem}.backup-{stamp}-{n}.thematic"));
        n += 1;
    }
    candidate
}

/// Backs the study up (verified, owner-only, written under a temporary name; see
/// [`backups`]) and returns where.
pub fn backup(study: &Study) -> Result<PathBuf> {
    backups::backup_file(study.path())
}

/// Writes an export atomically (temporary file beside it, then rename), readable by the owner
/// only: exports of a confidential study are confidential until someone decides otherwise.
pub fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    // `-` or /dev/stdout: print (a temp file + rename there would replace the device entry).
    if crate::terminal::is_stdout_path(path) {
        return Ok(crate::terminal::write_data(bytes)?);
    }
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "export".into());
    let tmp = dir.join(format!(".{name}.{}.tmp", &refi::new_guid()[..8]));
    let result = (|| -> std::io::Result<()> {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut f = options.open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(crate::invalid!("{}: cannot write: {e}", path.display()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn derived_guids_are_stable_and_valid() {
        let a = super::derived_guid("x");
        assert_eq!(a, super::derived_guid("x"));
        assert_ne!(a, super::derived_guid("y"));
        assert_eq!(a.len(), 36);
        assert!(uuid::Uuid::parse_str(&a).is_ok());
    }
}
