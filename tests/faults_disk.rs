//! The disk says no: full, read-only, or the study file deleted or replaced under an open study.
//! Each time the action fails with a clear message naming the study file, and nothing is written
//! half (the fingerprint of the study is unchanged and it passes `PRAGMA integrity_check`).
//!
//! Disk full and read-only use a small tmpfs when the tests run as root (`mount -t tmpfs`), and
//! otherwise SQLite's `max_page_count` and file permissions.

mod common;

use common::fingerprint;
use std::path::{Path, PathBuf};
use std::process::Command;
use thematic::Study;
use thematic::import::study::import_paths;

fn transcript(lines: usize, tag: &str) -> String {
    let mut t = String::new();
    for i in 0..lines {
        t.push_str(&format!(
            "Ana: {tag} sentence {i} about the portal, the nurse and the waiting room.\nBen: reply {i}.\n"
        ));
    }
    t
}

fn integrity(path: &Path) -> String {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap()
}

/// A study with one imported transcript and one coding, ready for more.
fn seeded(path: &Path, dir: &Path) -> (Study, i64) {
    let mut study = Study::create(path).unwrap();
    let alex = study.ensure_coder("alex").unwrap();
    let file = dir.join("first.txt");
    std::fs::write(&file, transcript(20, "first")).unwrap();
    import_paths(&mut study, alex.id, &[file], None).unwrap();
    std::fs::remove_file(dir.join("first.txt")).unwrap();
    code(&mut study, 0).unwrap();
    (study, alex.id)
}

fn code(study: &mut Study, i: i64) -> thematic::Result<i64> {
    let alex = study.coder_by_name("alex").unwrap().unwrap();
    let doc = thematic::study::documents::list(study.conn()).unwrap()[0].id;
    study.change(Some(alex.id), "code", "code", |rec| {
        let (code, _) = thematic::codebook::edit::ensure_path(rec, "Theme/Code")?;
        thematic::coding::add(rec, doc, code, alex.id, i, i + 5)
    })
}

struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(dir: &Path, size: &str) -> Option<Tmpfs> {
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir)
            .status()
            .is_ok_and(|s| s.success());
        ok.then(|| Tmpfs(dir.to_path_buf()))
    }

    fn remount_ro(&self) -> bool {
        Command::new("mount")
            .args(["-o", "remount,ro"])
            .arg(&self.0)
            .status()
            .is_ok_and(|s| s.success())
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

#[test]
fn disk_full_on_a_small_tmpfs_saves_nothing_half() {
    let outer = tempfile::tempdir().unwrap();
    let mnt = outer.path().join("mnt");
    std::fs::create_dir(&mnt).unwrap();
    let Some(_fs) = Tmpfs::mount(&mnt, "2m") else {
        eprintln!("skipped: cannot mount a tmpfs here (not root); see the max_page_count test");
        return;
    };
    let path = mnt.join("study.thematic");
    let (mut study, alex) = seeded(&path, outer.path());
    // A transcript bigger than the space left.
    let big = outer.path().join("big.txt");
    std::fs::write(&big, transcript(30_000, "big")).unwrap();
    let before = fingerprint(&path);
    let err = import_paths(&mut study, alex, std::slice::from_ref(&big), None)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("study.thematic") && err.contains("disk is full") && err.contains("not saved"),
        "{err}"
    );
    assert_eq!(fingerprint(&path), before, "nothing of the import was kept");
    assert_eq!(integrity(&path), "ok");
    // Small actions still work once space is there again, and the study goes on.
    for i in 1..20 {
        code(&mut study, i).unwrap();
    }
    drop(study);
    assert_eq!(integrity(&path), "ok");
    eprintln!("disk full: {err}");
}

#[test]
fn disk_full_via_max_page_count_saves_nothing_half() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("study.thematic");
    let (mut study, alex) = seeded(&path, dir.path());
    let pages: i64 = study
        .conn()
        .query_row("PRAGMA page_count", [], |r| r.get(0))
        .unwrap();
    study
        .conn()
        .execute_batch(&format!("PRAGMA max_page_count = {}", pages + 5))
        .unwrap();
    let big = dir.path().join("big.txt");
    std::fs::write(&big, transcript(5_000, "big")).unwrap();
    let before = fingerprint(&path);
    let err = import_paths(&mut study, alex, &[big], None)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("disk is full") && err.contains("study.thematic"),
        "{err}"
    );
    assert_eq!(fingerprint(&path), before);
    code(&mut study, 1).unwrap();
    drop(study);
    assert_eq!(integrity(&path), "ok");
}

#[test]
fn read_only_file_system_refuses_with_a_clear_message() {
    let outer = tempfile::tempdir().unwrap();
    let mnt = outer.path().join("mnt");
    std::fs::create_dir(&mnt).unwrap();
    let Some(fs) = Tmpfs::mount(&mnt, "8m") else {
        eprintln!("skipped: cannot mount a tmpfs here (not root); see the permissions test");
        return;
    };
    let path = mnt.join("study.thematic");
    drop(seeded(&path, outer.path()));
    let before = std::fs::read(&path).unwrap(); // byte for byte
    // (A file system with files open for writing cannot be remounted read-only.)
    assert!(fs.remount_ro(), "remount read-only");
    // Opening it on the read-only disk and trying to write names the file and says why.
    let err = match Study::open(&path) {
        Ok(mut s) => code(&mut s, 8).unwrap_err().to_string(),
        Err(e) => e.to_string(),
    };
    assert!(
        err.contains("study.thematic") && err.contains("read-only"),
        "{err}"
    );
    assert!(std::fs::read(&path).unwrap() == before, "file changed");
    eprintln!("read-only: {err}");
}

#[test]
fn read_only_permissions_refuse_with_a_clear_message() {
    if is_root() {
        eprintln!("skipped: root ignores file permissions (the tmpfs test covers read-only)");
        return;
    }
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("ro");
    std::fs::create_dir(&sub).unwrap();
    let path = sub.join("study.thematic");
    drop(seeded(&path, dir.path()));
    let before = fingerprint(&path);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o400)).unwrap();
    std::fs::set_permissions(&sub, std::fs::Permissions::from_mode(0o500)).unwrap();
    let err = match Study::open(&path) {
        Ok(mut s) => code(&mut s, 8).unwrap_err().to_string(),
        Err(e) => e.to_string(),
    };
    std::fs::set_permissions(&sub, std::fs::Permissions::from_mode(0o700)).unwrap();
    assert!(err.contains("study.thematic"), "{err}");
    assert_eq!(fingerprint(&path), before);
}

#[test]
fn study_deleted_while_open_is_written_back_and_the_action_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("study.thematic");
    let (mut study, _) = seeded(&path, dir.path());
    for i in 1..10 {
        code(&mut study, i).unwrap();
    }
    let before = {
        let conn = rusqlite::Connection::open(&path).unwrap();
        let n: i64 = conn
            .query_row("SELECT count(*) FROM codings", [], |r| r.get(0))
            .unwrap();
        n
    };
    std::fs::remove_file(&path).unwrap();
    let err = code(&mut study, 50).unwrap_err().to_string();
    assert!(
        err.contains("study.thematic")
            && err.contains("deleted while open")
            && err.contains("not saved"),
        "{err}"
    );
    // Everything committed before the deletion is back on disk, and the study carries on.
    assert!(path.exists());
    assert_eq!(integrity(&path), "ok");
    code(&mut study, 50).unwrap();
    drop(study);
    let conn = rusqlite::Connection::open(&path).unwrap();
    let n: i64 = conn
        .query_row("SELECT count(*) FROM codings", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, before + 1);
    eprintln!("deleted: {err}");
}

#[test]
fn study_replaced_while_open_is_not_written() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("study.thematic");
    let (mut study, _) = seeded(&path, dir.path());
    let other = dir.path().join("other.thematic");
    drop(Study::create(&other).unwrap());
    std::fs::rename(&other, &path).unwrap();
    let before = fingerprint(&path);
    // (Reads through the old connection are unreliable now; the write must be refused.)
    let err = study
        .change(None, "code", "code", |rec| {
            rec.insert(
                "coders",
                &[
                    ("name", "sam".to_string().into()),
                    ("guid", "g-sam".to_string().into()),
                    ("created_at", "t".to_string().into()),
                ],
            )
        })
        .unwrap_err()
        .to_string();
    assert!(err.contains("replaced or moved"), "{err}");
    drop(study);
    assert_eq!(fingerprint(&path), before);
}
