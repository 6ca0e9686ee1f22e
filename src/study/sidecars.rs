//! SQLite's `-wal` and `-shm` files beside the study. SQLite creates them with the study's
//! permissions: opened while the study was read-only (mode 0400), they stay 0400 after the
//! study is made writable again, and every later write fails ("attempt to write a readonly
//! database") although the study itself is writable. Before opening, such a stale read-only
//! sidecar of a writable study is given the study's permissions again.

use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

fn sidecar(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

#[cfg(unix)]
fn writable(path: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let Ok(c) = std::ffi::CString::new(path.as_os_str().as_bytes()) else {
        return false;
    };
    // SAFETY: access() reads a NUL-terminated path.
    unsafe { libc::access(c.as_ptr(), libc::W_OK) == 0 }
}

/// Makes a stale read-only `-wal`/`-shm` of a writable study writable again, or says why it
/// cannot be. Leaves everything alone when the study itself is read-only (then writes are
/// refused anyway, with a message that says so).
#[cfg(unix)]
pub fn repair(path: &Path) -> Result<()> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let Ok(study) = std::fs::metadata(path) else {
        return Ok(());
    };
    if !writable(path) {
        return Ok(());
    }
    for suffix in ["-wal", "-shm"] {
        let file = sidecar(path, suffix);
        let Ok(m) = std::fs::symlink_metadata(&file) else {
            continue;
        };
        // SAFETY: geteuid has no preconditions.
        let me = unsafe { libc::geteuid() };
        // Our own file without the owner's write bit (root could write it anyway, but the
        // owner, later, could not), or someone else's file we cannot write.
        let stale = if m.uid() == me {
            m.mode() & 0o200 == 0
        } else {
            !writable(&file)
        };
        if !m.is_file() || !stale {
            continue;
        }
        let mode = (study.mode() & 0o666) | 0o600;
        if m.uid() != me
            || std::fs::set_permissions(&file, std::fs::Permissions::from_mode(mode)).is_err()
        {
            return Err(Error::Study {
                path: path.display().to_string(),
                message: format!(
                    "is writable but its SQLite side file {} is read-only (left from a time the study was read-only, or owned by another user), so no change could be saved. Close every Thematic using this study, then delete {} (it holds nothing once they are closed) or make it writable",
                    file.display(),
                    file.display()
                ),
            });
        }
    }
    Ok(())
}

#[cfg(not(unix))]
pub fn repair(_path: &Path) -> Result<()> {
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn a_stale_read_only_shm_of_a_writable_study_is_repaired() {
        let dir = tempfile::tempdir().unwrap();
        let study = dir.path().join("s.thematic");
        let shm = sidecar(&study, "-shm");
        std::fs::write(&study, b"x").unwrap();
        std::fs::write(&shm, b"x").unwrap();
        std::fs::set_permissions(&study, std::fs::Permissions::from_mode(0o600)).unwrap();
        std::fs::set_permissions(&shm, std::fs::Permissions::from_mode(0o400)).unwrap();
        repair(&study).unwrap();
        let mode = std::fs::metadata(&shm).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
}
