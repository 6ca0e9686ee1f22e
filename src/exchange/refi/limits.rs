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
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_archive_bytes: 2 * GIB,
            max_entry_bytes: 512 * MIB,
            max_entries: 100_000,
            max_total_uncompressed: 4 * GIB,
            max_ratio: 200,
        }
    }
}
