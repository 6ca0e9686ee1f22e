//! The files around the study (issue 14): SQLite's side files after a read-only spell, the
//! mode of every file Thematic creates, and the cost of importing many codes.

mod common;

use common::TempStudy;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::Command;

fn binary() -> std::path::PathBuf {
    assert_cmd::cargo::cargo_bin("thematic")
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// How to run the binary as an ordinary user: directly when the tests are not root, through
/// `setpriv` as `nobody` when they are. None when neither works.
fn as_user(dir: &Path) -> Option<Box<dyn Fn() -> Command>> {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return Some(Box::new(|| Command::new(binary())));
    }
    let ok = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", "true"])
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        return None;
    }
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o777)).unwrap();
    Some(Box::new(|| {
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(binary());
        c
    }))
}

/// A write refused on a read-only study left a 0400 `-shm`; after `chmod u+w` every write still
/// failed. Now the stale side file is repaired when the study is opened.
#[test]
fn writes_work_again_after_a_read_only_spell() {
    let dir = tempfile::tempdir().unwrap();
    let Some(user) = as_user(dir.path()) else {
        eprintln!(
            "SKIP writes_work_again_after_a_read_only_spell: no way to run as a non-root user (setpriv)"
        );
        return;
    };
    let study = dir.path().join("s.thematic");
    let run = |args: &[&str]| {
        let mut c = user();
        c.env("THEMATIC_DATA_DIR", dir.path().join("data"))
            .env("THEMATIC_CODER", "alex")
            .arg("--project")
            .arg(&study)
            .args(args);
        c.output().unwrap()
    };
    let mut init = user();
    assert!(
        init.arg("init")
            .arg(&study)
            .output()
            .unwrap()
            .status
            .success()
    );
    assert!(run(&["codes", "add", "A"]).status.success());
    // A study from before the marker: it is still readable while read-only.
    rusqlite::Connection::open(&study)
        .unwrap()
        .pragma_update(None, "application_id", 0)
        .unwrap();
    std::fs::set_permissions(&study, std::fs::Permissions::from_mode(0o400)).unwrap();
    let refused = run(&["codes", "add", "B"]);
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("s.thematic") && stderr.contains("not saved"),
        "{stderr}"
    );
    assert!(
        run(&["codes", "list"]).status.success(),
        "reading still works"
    );
    std::fs::set_permissions(&study, std::fs::Permissions::from_mode(0o600)).unwrap();
    let again = run(&["codes", "add", "C"]);
    assert!(
        again.status.success(),
        "write after the study is writable again: {}",
        String::from_utf8_lossy(&again.stderr)
    );
    let conn = rusqlite::Connection::open(&study).unwrap();
    let names: Vec<String> = conn
        .prepare("SELECT name FROM codes ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    assert_eq!(names, ["A", "C"]);
}

/// Every file Thematic creates is private from the start, whatever the umask: the study and its
/// side files, exports, the report, the demo study and its folder, an overwritten export.
#[test]
fn every_created_file_is_private_whatever_the_umask() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let inputs = tempfile::tempdir().unwrap();
    let fg = inputs.path().join("fg.txt");
    std::fs::write(&fg, common::FOCUS_GROUP).unwrap();
    let study = dir.path().join("sub/s.thematic");
    let run = |args: &[&str]| {
        let mut c = Command::new(binary());
        c.env("THEMATIC_DATA_DIR", &data)
            .env("THEMATIC_CODER", "alex")
            .env_remove("THEMATIC_PROJECT")
            .args(args);
        // SAFETY: umask is async-signal-safe; it runs in the child before exec.
        unsafe {
            c.pre_exec(|| {
                libc::umask(0);
                Ok(())
            });
        }
        let out = c.output().unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let p = study.display().to_string();
    let d = |name: &str| dir.path().join(name).display().to_string();
    run(&["init", &p]);
    run(&["--project", &p, "import", &fg.display().to_string()]);
    run(&["--project", &p, "codes", "add", "Theme/Code"]);
    run(&["--project", &p, "code", "fg", "Theme/Code", "--turn", "2"]);
    // An older export readable by everyone is replaced by a private one.
    std::fs::write(d("x.csv"), "old").unwrap();
    std::fs::set_permissions(d("x.csv"), std::fs::Permissions::from_mode(0o644)).unwrap();
    run(&["--project", &p, "export", "excerpts", &d("x.csv")]);
    run(&["--project", &p, "export", "excerpts", &d("x.json")]);
    run(&["--project", &p, "export", "codebook", &d("c.md")]);
    run(&["--project", &p, "export", "codebook", &d("c.qdc")]);
    let attrs = inputs.path().join("documents.csv");
    std::fs::write(&attrs, "document,composition\nfg,mixed\n").unwrap();
    run(&[
        "--project",
        &p,
        "import-attributes",
        &attrs.display().to_string(),
    ]);
    let m = d("m.csv");
    run(&[
        "--project",
        &p,
        "export",
        "matrix",
        &m,
        "--attribute",
        "composition",
    ]);
    std::fs::write(d("r.html"), "old").unwrap();
    std::fs::set_permissions(d("r.html"), std::fs::Permissions::from_mode(0o644)).unwrap();
    run(&["--project", &p, "report", &d("r.html")]);
    run(&["demo"]);
    let mut seen = 0;
    let mut stack = vec![dir.path().to_path_buf()];
    while let Some(folder) = stack.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            let meta = std::fs::symlink_metadata(&path).unwrap();
            if meta.is_dir() {
                assert_eq!(mode(&path), 0o700, "{}", path.display());
                stack.push(path);
            } else {
                assert_eq!(mode(&path), 0o600, "{}", path.display());
                seen += 1;
            }
        }
    }
    assert!(seen >= 8, "{seen} files checked");
}

/// Importing codes is linear: 4x the codes must not take anywhere near 16x the time (5k / 10k
/// / 20k codes took 1.6 / 6.1 / 25.6 s before).
#[test]
fn importing_many_codes_is_linear() {
    let time = |n: usize| {
        let s = TempStudy::new();
        let mut csv = String::from("code,definition\n");
        for i in 0..n {
            csv.push_str(&format!("Theme {}/Code {i},definition {i}\n", i % 3));
        }
        let f = s.write("book.csv", csv);
        let start = std::time::Instant::now();
        s.cmd().arg("import-codebook").arg(&f).assert().success();
        start.elapsed().as_secs_f64()
    };
    // The fastest of three runs each: a neighbour test's load only ever adds time, so the
    // minimum is the ratio least disturbed by it (a quadratic import shows ×16).
    let fastest = |n: usize| (0..3).map(|_| time(n)).fold(f64::INFINITY, f64::min);
    let small = fastest(1500);
    let big = fastest(6000);
    eprintln!(
        "1,500 codes: {small:.2} s; 6,000 codes: {big:.2} s (x{:.1})",
        big / small
    );
    assert!(big / small < 9.0, "x{:.1} for 4x the codes", big / small);
}
