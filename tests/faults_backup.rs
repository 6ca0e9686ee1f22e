//! Faults during the backup a merge takes (issue 14): a kill at any moment leaves no file that
//! looks like a backup but is not one (every `*.backup-*.thematic` is a complete, verified copy
//! of the study before the merge; an interrupted one is a `.partial` the next start reports),
//! and a full disk names the backup file, says the merge was not done, and leaves nothing.

mod common;

use common::fingerprint;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;
use thematic::Study;
use thematic::exchange::merge::{MergeOptions, merge};
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
        .unwrap_or_else(|e| e.to_string())
}

/// A study with one big transcript, and a copy with one more code (so a merge changes
/// something and takes a backup).
fn pair(dir: &Path, study_dir: &Path, lines: usize) -> (PathBuf, PathBuf) {
    let built = dir.join("built.thematic");
    let mut study = Study::create(&built).unwrap();
    let alex = study.ensure_coder("alex").unwrap();
    let file = dir.join("big.txt");
    std::fs::write(&file, transcript(lines, "big")).unwrap();
    import_paths(&mut study, alex.id, &[file], None).unwrap();
    let other = dir.join("other.thematic");
    study.backup_to(&other).unwrap();
    let path = study_dir.join("study.thematic");
    study.backup_to(&path).unwrap();
    drop(study);
    let mut copy = Study::open(&other).unwrap();
    let sam = copy.ensure_coder("sam").unwrap();
    copy.change(Some(sam.id), "codes.add", "add code New", |rec| {
        thematic::codebook::edit::ensure_path(rec, "New")
    })
    .unwrap();
    (path, other)
}

fn backups(dir: &Path) -> (Vec<PathBuf>, Vec<PathBuf>) {
    let mut done = Vec::new();
    let mut partial = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        let n = p.file_name().unwrap().to_string_lossy().into_owned();
        if n.contains(".backup-") && n.ends_with(".thematic") {
            done.push(p);
        } else if n.contains(".backup-") {
            partial.push(p);
        }
    }
    (done, partial)
}

#[test]
fn a_kill_during_the_backup_leaves_no_fake_backup() {
    let dir = tempfile::tempdir().unwrap();
    let (study, other) = pair(dir.path(), dir.path(), 40_000);
    let mut before = fingerprint(&study);
    let bin = assert_cmd::cargo::cargo_bin("thematic");
    let mut killed_mid_backup = 0;
    for i in 0..12u64 {
        let mut child = Command::new(&bin)
            .env("THEMATIC_DATA_DIR", dir.path().join("data"))
            .env("THEMATIC_KEEP_BACKUPS", "0")
            // Steps of 1 MB with a pause between them: the kill can land mid-backup.
            .env("THEMATIC_BACKUP_PAUSE_MS", "60")
            .arg("--project")
            .arg(&study)
            .args(["--coder", "alex", "merge"])
            .arg(&other)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // A merge of this study takes a few seconds (debug build); the kills spread over them.
        std::thread::sleep(Duration::from_millis(250 + i * 300));
        let _ = child.kill();
        let status = child.wait().unwrap();
        let (done, partial) = backups(dir.path());
        if !partial.is_empty() {
            killed_mid_backup += 1;
        }
        // Every finished backup is a whole study as it was before the merge.
        for b in &done {
            assert_eq!(integrity(b), "ok", "{}", b.display());
            assert_eq!(fingerprint(b), before, "{} is not the study", b.display());
            std::fs::remove_file(b).unwrap();
        }
        assert_eq!(integrity(&study), "ok");
        if status.success() {
            // The merge completed before the kill: undo it for the next round.
            let out = thematic_cmd(&bin, dir.path(), &study, &["undo"]);
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            // The undo is history too: the next backup is of the study as it is now.
            before = fingerprint(&study);
        }
        // The next start reports an interrupted backup, and deleting it is safe.
        if !partial.is_empty() {
            let out = thematic_cmd(&bin, dir.path(), &study, &["summary"]);
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(err.contains("unfinished backup"), "{err}");
            for p in partial {
                std::fs::remove_file(p).unwrap();
            }
        }
    }
    eprintln!("killed during the backup {killed_mid_backup} time(s) of 12");
    assert!(killed_mid_backup > 0, "no kill landed during a backup");
}

fn thematic_cmd(bin: &Path, dir: &Path, study: &Path, args: &[&str]) -> std::process::Output {
    Command::new(bin)
        .env("THEMATIC_DATA_DIR", dir.join("data"))
        .arg("--project")
        .arg(study)
        .args(["--coder", "alex"])
        .args(args)
        .output()
        .unwrap()
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
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

#[test]
fn disk_full_during_the_backup_names_the_file_and_leaves_nothing() {
    let outer = tempfile::tempdir().unwrap();
    let mnt = outer.path().join("mnt");
    std::fs::create_dir(&mnt).unwrap();
    // The study fits on the disk; a second copy of it (the backup) does not.
    let (built, other) = pair(outer.path(), outer.path(), 20_000);
    let size = std::fs::metadata(&built).unwrap().len();
    let Some(_fs) = Tmpfs::mount(&mnt, &format!("{}k", size * 3 / 2 / 1024)) else {
        eprintln!("skipped: cannot mount a tmpfs here (not root)");
        return;
    };
    let path = mnt.join("study.thematic");
    Study::open(&built).unwrap().backup_to(&path).unwrap();
    let before = fingerprint(&path);
    let mut study = Study::open(&path).unwrap();
    let alex = study.coder_by_name("alex").unwrap().unwrap();
    let err = merge(
        &mut study,
        &other,
        alex.id,
        MergeOptions {
            backup: true,
            ..MergeOptions::default()
        },
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains(".backup-") && err.contains("not made") && err.contains("not done"),
        "{err}"
    );
    drop(study);
    assert_eq!(fingerprint(&path), before, "the merge was not done");
    assert_eq!(integrity(&path), "ok");
    let (done, partial) = backups(&mnt);
    assert!(
        done.is_empty() && partial.is_empty(),
        "{done:?} {partial:?}"
    );
    eprintln!("disk full during the backup: {err}");
}
