//! Helpers shared by the CLI integration tests: a temporary study and a fingerprint of its
//! contents, so a test can assert that a failed command changed nothing.
#![allow(dead_code)]

use assert_cmd::Command;
use std::path::{Path, PathBuf};

pub struct TempStudy {
    pub dir: tempfile::TempDir,
    pub path: PathBuf,
}

impl TempStudy {
    /// An empty study file created with `thematic init`.
    pub fn new() -> TempStudy {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("study.thematic");
        thematic(&dir, &path)
            .args(["init"])
            .arg(&path)
            .assert()
            .success();
        TempStudy { dir, path }
    }

    /// A command on this study as coder `alex`.
    pub fn cmd(&self) -> Command {
        self.cmd_as("alex")
    }

    pub fn cmd_as(&self, coder: &str) -> Command {
        let mut cmd = thematic(&self.dir, &self.path);
        cmd.args(["--project"])
            .arg(&self.path)
            .args(["--coder", coder]);
        cmd
    }

    pub fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, contents).unwrap();
        p
    }

    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        let out = self.cmd().args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }

    /// Counts of every table and the newest change: equal fingerprints mean nothing changed.
    pub fn fingerprint(&self) -> String {
        fingerprint(&self.path)
    }
}

pub fn fingerprint(path: &Path) -> String {
    let conn = rusqlite::Connection::open(path).unwrap();
    let tables = [
        "coders",
        "documents",
        "turns",
        "speakers",
        "participants",
        "participant_attributes",
        "document_attributes",
        "codes",
        "codings",
        "memos",
        "changes",
        "change_rows",
    ];
    tables
        .iter()
        .map(|t| {
            let n: i64 = conn
                .query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get(0))
                .unwrap();
            format!("{t}={n}")
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The binary with its data dir pointed into the test's temp dir (never the user's).
pub fn thematic(dir: &tempfile::TempDir, _study: &Path) -> Command {
    let mut cmd = Command::cargo_bin("thematic").unwrap();
    cmd.env("THEMATIC_DATA_DIR", dir.path().join("data"))
        .env_remove("THEMATIC_PROJECT")
        .env_remove("THEMATIC_CODER");
    cmd
}

pub const FOCUS_GROUP: &str = "[00:00:05] Moderator: Welcome, everyone. How do you use the portal?\n\
[00:00:12] Ana: I message my nurse about refills. It's just normal now.\n\
It saves me a phone call.\n\
[00:00:30] Bea: Same here 👍. But the replies can be very short.\n\
[00:00:41] Moderator: What makes a reply feel good?\n\
[00:00:47] Ana: When they say my name and explain the next step.\n";
