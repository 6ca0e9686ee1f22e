//! Resource limits applied when reading untrusted `.qdpx` archives.

const MIB: u64 = 1024 * 1024;
const GIB: u64 = 1024 * MIB;

/// Entries over this size must also respect `max_ratio`.
pub(super) const RATIO_THRESHOLD: u64 = MIB;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Size of the `.qdpx` file itself.
    pub max_archive_bytes: u64,
    /// Uncompressed size of any one entry (declared and actual).
    pub max_entry_bytes: u64,
    /// Number of entries in the archive.
    pub max_entries: usize,
    /// Sum of uncompressed sizes (declared, and actually read).
    pub max_total_uncompressed: u64,
    /// Largest accepted uncompressed:compressed ratio for entries over 1 MiB.
    pub max_ratio: u64,
    /// The text of any one source or note (its `.txt` or `.docx` entry), uncompressed.
    pub max_text_bytes: u64,
}

/// Set by what a research project holds: a study of 1,000 transcripts is about 100 MB of text,
/// the longest transcript a few MB, and the project XML of 500,000 codings about 200 MB. Well
/// above that, an import is far more likely a damaged or hostile file than a study, and would
/// cost gigabytes; `Limits::large` (`--allow-large`) lifts the limits for the rare real case.
impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_archive_bytes: 2 * GIB,
            max_entry_bytes: 512 * MIB,
            max_entries: 100_000,
            max_total_uncompressed: GIB,
            max_ratio: 200,
            max_text_bytes: 64 * MIB,
        }
    }
}

impl Limits {
    /// For `--allow-large`: sizes a machine can still hold; the ratio check stays (no real
    /// text compresses 200:1).
    pub fn large() -> Self {
        Limits {
            max_archive_bytes: 64 * GIB,
            max_entry_bytes: 16 * GIB,
            max_entries: 10_000_000,
            max_total_uncompressed: 64 * GIB,
            max_ratio: 200,
            max_text_bytes: 16 * GIB,
        }
    }
}
