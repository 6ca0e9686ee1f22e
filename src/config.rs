//! Where things live and who is coding: the demo study's path, the default coder.

use std::path::PathBuf;

/// The folder for the demo study and logs: `$THEMATIC_DATA_DIR`, else the user's data dir.
pub fn data_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("THEMATIC_DATA_DIR") {
        return PathBuf::from(dir);
    }
    directories::ProjectDirs::from("org", "Thematic", "thematic")
        .map(|d| d.data_dir().to_path_buf())
        .unwrap_or_else(|| PathBuf::from(".thematic"))
}

pub fn demo_study_path() -> PathBuf {
    data_dir().join("demo.thematic")
}

/// The coder when `--coder` is not given: `$THEMATIC_CODER`, else the login name.
pub fn default_coder() -> String {
    ["THEMATIC_CODER", "USER", "LOGNAME", "USERNAME"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .map(|v| v.trim().to_string())
        .find(|v| !v.is_empty())
        .unwrap_or_else(|| "coder".to_string())
}
