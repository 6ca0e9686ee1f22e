//! The growth section (issue 13 §1): every CLI command at N and 4N, for the two sizes that grow
//! independently — the study (documents, at a fixed length) and one document (turns, in a
//! one-document study) — printing the ratio and flagging any command above ×6 (a linear
//! command costs about ×4; n log n a little more; process start-up pulls small ones toward ×1).
//!
//! A benchmark, not a timed test: it prints a table (`thematic_bench --growth`, also part of the
//! full run). Each command runs as a child process on its own copy of the generated study when
//! it writes, best wall time of up to three runs (one when a run takes over 2 s), CPU beside it;
//! a command is flagged when both its wall-clock and its CPU growth exceed ×6.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::Bench;
use crate::util::{mb, ms, run_child, run_child_limit};

/// A command is flagged when 4× the data costs more than this.
const FLAG: f64 = 6.0;
/// A run is killed after this many seconds (and shown as "> limit").
const LIMIT: f64 = 120.0;

/// One command of the audit. `args` may hold `{S}` (the study), `{W}` (a scratch folder for
/// this size) and `{OTHER}` (a second copy of the study, for merge).
struct Case {
    label: &'static str,
    args: Vec<String>,
    /// Runs on its own copy of the study (it writes).
    writes: bool,
    /// Runs on a fresh empty study (`init`) instead of a copy (imports).
    fresh: bool,
    /// Untimed commands run first, on the same study.
    prep: Vec<Vec<String>>,
}

fn case(label: &'static str, args: &str) -> Case {
    Case {
        label,
        args: args.split_whitespace().map(String::from).collect(),
        writes: false,
        fresh: false,
        prep: Vec::new(),
    }
}

impl Case {
    fn writes(mut self) -> Case {
        self.writes = true;
        self
    }
    fn fresh(mut self) -> Case {
        self.writes = true;
        self.fresh = true;
        self
    }
    fn after(mut self, prep: &str) -> Case {
        self.prep
            .push(prep.split_whitespace().map(String::from).collect());
        self
    }
}

/// Every command `thematic --help` lists, with arguments that exercise its real work on a
/// generated study (gen-study is the setup row of each size). `demo` and `init` are fixed-size.
fn cases() -> Vec<Case> {
    vec![
        case("docs", "docs"),
        case("show (table)", "show FG001"),
        case("show --format json", "show FG001 --format json"),
        case("participants", "participants"),
        case("summary", "summary"),
        case("codes list", "codes list"),
        case("codes describe", "codes describe Access"),
        case("excerpts (table)", "excerpts Access"),
        case("excerpts --format json", "excerpts Access --format json"),
        case("agreement --unit turn", "agreement --unit turn"),
        case("agreement --unit sentence", "agreement --unit sentence"),
        case("agreement --unit char", "agreement --unit char"),
        case("agreement --unit span", "agreement --unit span"),
        case("disagreements", "disagreements"),
        case("history", "history --limit 1000"),
        case("memo list", "memo list"),
        case("frequencies", "frequencies"),
        case("frequencies --by speaker", "frequencies --by speaker"),
        case("frequencies --by document", "frequencies --by document"),
        case("frequencies --by gender", "frequencies --by gender"),
        case("cooccurrence (overlap)", "cooccurrence"),
        case("cooccurrence --scope turn", "cooccurrence --scope turn"),
        case(
            "cooccurrence --pair",
            "cooccurrence --pair Access/barriers Access/tone",
        ),
        case("search", "search oncologist --limit 0"),
        case("saturation", "saturation"),
        case("codebook versions", "codebook versions"),
        case("codebook diff", "codebook diff v1 now")
            .writes()
            .after("codebook snapshot v1"),
        case("codebook snapshot", "codebook snapshot v2").writes(),
        case("export codebook (md)", "export codebook {W}/cb.md").writes(),
        case("export qdpx", "export qdpx {W}/p.qdpx").writes(),
        case(
            "export qdpx --for nvivo",
            "export qdpx {W}/n.qdpx --for nvivo",
        )
        .writes(),
        case(
            "export qdpx --pseudonymize",
            "export qdpx {W}/ps.qdpx --pseudonymize",
        )
        .writes(),
        case("export excerpts (csv)", "export excerpts {W}/ex.csv").writes(),
        case(
            "export excerpts --pseudonymize",
            "export excerpts {W}/exp.csv --pseudonymize",
        )
        .writes(),
        case(
            "export matrix",
            "export matrix {W}/m.csv --attribute gender",
        )
        .writes(),
        case("report", "report {W}/r.html").writes(),
        case("code --turn", "code FG001 Access/barriers --turn 3").writes(),
        case(
            "code --match",
            "code FG001 Access/barriers --match oncologist --occurrence 1",
        )
        .writes(),
        case("uncode --turn", "uncode FG001 Access/barriers --turn 3")
            .writes()
            .after("code FG001 Access/barriers --turn 3"),
        case(
            "autocode --search",
            "autocode Auto/hits --search oncologist",
        )
        .writes(),
        case("autocode --regex", "autocode Auto/rx --regex (?i)referral").writes(),
        case("undo (an autocode)", "undo")
            .writes()
            .after("autocode Auto/hits --search oncologist"),
        case("redo (an autocode)", "redo")
            .writes()
            .after("autocode Auto/hits --search oncologist")
            .after("undo"),
        case("memo add", "memo add note --document FG001").writes(),
        case("codes add", "codes add New/code").writes(),
        case("codes rename", "codes rename Access/tone voice").writes(),
        case("codes move", "codes move Access/tone --top").writes(),
        case("codes merge", "codes merge Access/tone Access/timing").writes(),
        case("codes delete --force", "codes delete Access/tone --force").writes(),
        case("merge (an identical copy)", "merge {OTHER}").writes(),
        case("import (transcripts)", "import {W}/texts").fresh(),
        case("import .qdpx", "import {W}/src.qdpx").fresh(),
        case("import-codebook", "import-codebook {W}/codebook.csv").fresh(),
        case("import-attributes", "import-attributes {W}/attributes.csv").writes(),
        case("import-codings", "import-codings {W}/codings.csv")
            .fresh()
            .after("import {W}/texts"),
    ]
}

/// One measured size: the study and its scratch folder.
struct Size {
    label: String,
    study: PathBuf,
    work: PathBuf,
}

/// Best wall, its CPU, peak RSS, and whether every run finished.
#[derive(Clone, Copy)]
struct Timing {
    wall: f64,
    cpu: f64,
    rss: u64,
    finished: bool,
}

fn copy_study(from: &Path, to: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let dst = PathBuf::from(format!("{}{suffix}", to.display()));
        let _ = std::fs::remove_file(&dst);
        let src = PathBuf::from(format!("{}{suffix}", from.display()));
        if src.exists() {
            std::fs::copy(&src, &dst).expect("copy study");
        }
    }
}

fn fill(args: &[String], study: &Path, work: &Path, other: &Path) -> Vec<String> {
    args.iter()
        .map(|a| {
            a.replace("{S}", &study.display().to_string())
                .replace("{W}", &work.display().to_string())
                .replace("{OTHER}", &other.display().to_string())
        })
        .collect()
}

impl Bench {
    /// `thematic --project STUDY --coder coder1`: a coder the generated study has (read
    /// commands given a coder count that coder's codings — a third of them — at both sizes).
    fn growth_cmd(&self, study: &Path) -> Command {
        let mut c = Command::new(&self.thematic);
        c.arg("--project")
            .arg(study)
            .args(["--coder", "coder1"])
            .env("THEMATIC_DATA_DIR", self.work.join("data"));
        c
    }

    /// Inputs the import commands read, written from the generated study: its texts as .txt
    /// files, a .qdpx of it, its codebook, participant attributes and codings as CSV.
    fn growth_inputs(&self, size: &Size) {
        let texts = size.work.join("texts");
        std::fs::create_dir_all(&texts).expect("texts dir");
        let conn = rusqlite::Connection::open(&size.study).expect("open study");
        let mut stmt = conn
            .prepare("SELECT name, text FROM documents ORDER BY id")
            .expect("docs");
        let docs = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
            .expect("docs")
            .collect::<Result<Vec<_>, _>>()
            .expect("docs");
        // Turns as "LABEL: text" lines, as a plain transcript carries them.
        let mut turn_stmt = conn
            .prepare("SELECT speaker, start, \"end\" FROM turns WHERE document_id = (SELECT id FROM documents WHERE name = ?1) ORDER BY idx")
            .expect("turns");
        for (name, text) in &docs {
            let offsets = thematic::char_offsets::CharOffsets::new(text);
            let turns = turn_stmt
                .query_map([name], |r| {
                    Ok((
                        r.get::<_, Option<String>>(0)?,
                        r.get::<_, i64>(1)?,
                        r.get::<_, i64>(2)?,
                    ))
                })
                .expect("turns")
                .collect::<Result<Vec<_>, _>>()
                .expect("turns");
            let mut out = String::new();
            for (speaker, s, e) in turns {
                let body = offsets.slice_i64(s, e).replace('\n', " ");
                let _ = writeln!(out, "{}: {body}\n", speaker.as_deref().unwrap_or("Unknown"));
            }
            std::fs::write(texts.join(format!("{name}.txt")), out).expect("write text");
        }
        let csv = |sql: &str, header: &str, file: &str| {
            let mut stmt = conn.prepare(sql).expect("csv query");
            let n = stmt.column_count();
            let mut out = format!("{header}\n");
            let mut rows = stmt.query([]).expect("csv rows");
            while let Some(r) = rows.next().expect("row") {
                let cells: Vec<String> = (0..n)
                    .map(|i| {
                        let v: rusqlite::types::Value = r.get(i).expect("cell");
                        match v {
                            rusqlite::types::Value::Integer(i) => i.to_string(),
                            rusqlite::types::Value::Text(t) => {
                                format!("\"{}\"", t.replace('"', "\"\""))
                            }
                            _ => String::new(),
                        }
                    })
                    .collect();
                out.push_str(&cells.join(","));
                out.push('\n');
            }
            std::fs::write(size.work.join(file), out).expect("write csv");
        };
        csv(
            "SELECT p.pid, d.name, s.label, p.role, 'north' FROM speakers s JOIN participants p ON p.id = s.participant_id JOIN documents d ON d.id = s.document_id ORDER BY d.id, s.label",
            "participant,document,speaker,role,region",
            "attributes.csv",
        );
        csv(
            "SELECT d.name, k.name, c.path, x.start, x.\"end\" FROM codings x JOIN documents d ON d.id = x.document_id JOIN coders k ON k.id = x.coder_id JOIN (WITH RECURSIVE p(id, path) AS (SELECT id, name FROM codes WHERE parent_id IS NULL UNION ALL SELECT c.id, p.path || '/' || c.name FROM codes c JOIN p ON c.parent_id = p.id) SELECT * FROM p) c ON c.id = x.code_id ORDER BY x.id",
            "document,coder,code,start,end",
            "codings.csv",
        );
        drop(turn_stmt);
        drop(stmt);
        drop(conn);
        let mut c = self.growth_cmd(&size.study);
        c.args(["export", "codebook"])
            .arg(size.work.join("codebook.csv"));
        run_child(&mut c, &self.out());
        let mut c = self.growth_cmd(&size.study);
        c.args(["export", "qdpx"]).arg(size.work.join("src.qdpx"));
        run_child(&mut c, &self.out());
    }

    fn growth_run(&self, size: &Size, c: &Case) -> Timing {
        let scratch = size.work.join("scratch.thematic");
        let other = size.work.join("other.thematic");
        let mut best: Option<Timing> = None;
        for round in 0..3 {
            let study = if c.writes {
                if c.fresh {
                    for suffix in ["", "-wal", "-shm"] {
                        let _ = std::fs::remove_file(format!("{}{suffix}", scratch.display()));
                    }
                    let mut init = Command::new(&self.thematic);
                    init.arg("init").arg(&scratch);
                    run_child(&mut init, &self.out());
                } else {
                    copy_study(&size.study, &scratch);
                }
                copy_study(&size.study, &other);
                &scratch
            } else {
                &size.study
            };
            for prep in &c.prep {
                let mut cmd = self.growth_cmd(study);
                cmd.args(fill(prep, study, &size.work, &other));
                run_child(&mut cmd, &self.out());
            }
            let mut cmd = self.growth_cmd(study);
            cmd.args(fill(&c.args, study, &size.work, &other));
            let (wall, rss, cpu, finished) = run_child_limit(&mut cmd, &self.out(), LIMIT);
            let t = Timing {
                wall,
                cpu,
                rss,
                finished,
            };
            if best.is_none_or(|b| t.wall < b.wall) {
                best = Some(t);
            }
            if !finished || wall > 2.0 || round == 2 {
                break;
            }
        }
        best.expect("one run")
    }

    fn growth_size(&self, label: String, name: &str, args: &[&str]) -> Size {
        let work = self.work.join(format!("growth-{name}"));
        let _ = std::fs::remove_dir_all(&work);
        std::fs::create_dir_all(&work).expect("growth dir");
        let (study, wall, _, _) = self.gen_study(&format!("growth-{name}/study.thematic"), args);
        eprintln!("  ({label}: generated in {})", ms(wall));
        let size = Size { label, study, work };
        self.growth_inputs(&size);
        size
    }

    /// The growth table for both dimensions, as Markdown.
    pub(crate) fn growth(&mut self) -> String {
        let (docs, turns_per_doc, one_doc) = if self.quick {
            (5, 150, 500)
        } else {
            (20, 300, 1500)
        };
        let n = |x: usize| x.to_string();
        let mut out = String::new();
        let dims = [
            (
                "study size (documents)",
                [docs, docs * 4].map(|d| {
                    (
                        format!(
                            "{d} docs × {turns_per_doc} turns, {} codings",
                            d * turns_per_doc
                        ),
                        format!("docs{d}"),
                        vec![
                            "--docs".into(),
                            n(d),
                            "--turns-per-doc".into(),
                            n(turns_per_doc),
                            "--codings".into(),
                            n(d * turns_per_doc),
                            "--seed".into(),
                            "5".into(),
                        ],
                    )
                }),
            ),
            (
                "one-document size (turns)",
                [one_doc, one_doc * 4].map(|t| {
                    (
                        format!("1 doc × {t} turns, {t} codings"),
                        format!("turns{t}"),
                        vec![
                            "--docs".into(),
                            "1".into(),
                            "--turns-per-doc".into(),
                            n(t),
                            "--codings".into(),
                            n(t),
                            "--seed".into(),
                            "5".into(),
                        ],
                    )
                }),
            ),
        ];
        let mut flagged = Vec::new();
        for (dim, sizes) in dims {
            eprintln!("growth: {dim}…");
            let sizes: Vec<Size> = sizes
                .iter()
                .map(|(label, name, args)| {
                    let args: Vec<&str> = args.iter().map(String::as_str).collect();
                    self.growth_size(label.clone(), name, &args)
                })
                .collect();
            let _ = writeln!(
                out,
                "\n**{dim}**: N = {}, 4N = {}\n\n| command | N | 4N | growth (wall) | growth (CPU) | peak RSS at 4N | |\n|---|---|---|---|---|---|---|",
                sizes[0].label, sizes[1].label
            );
            for c in cases() {
                // A command that fails is reported, not allowed to stop the whole run.
                let attempt = |size: &Size| {
                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        self.growth_run(size, &c)
                    }))
                    .ok()
                };
                let (Some(a), Some(b)) = (attempt(&sizes[0]), attempt(&sizes[1])) else {
                    eprintln!("  {:<32} FAILED", c.label);
                    let _ = writeln!(
                        out,
                        "| `{}` | failed | failed | — | — | — | **failed** |",
                        c.label
                    );
                    flagged.push(format!("`{}` ({dim}: failed)", c.label));
                    continue;
                };
                let wall_ratio = b.wall / a.wall.max(1e-6);
                let cpu_ratio = b.cpu / a.cpu.max(1e-6);
                let show = |t: Timing| {
                    if t.finished {
                        ms(t.wall)
                    } else {
                        format!("> {} (killed)", ms(t.wall))
                    }
                };
                // Both clocks must agree: on a shared machine the wall clock alone carries other
                // processes' load and disk waits, and CPU alone misses time spent waiting.
                let flag = if (wall_ratio > FLAG && cpu_ratio > FLAG) || !b.finished {
                    flagged.push(format!("`{}` ({dim}: ×{wall_ratio:.1})", c.label));
                    "**above ×6**"
                } else {
                    ""
                };
                eprintln!(
                    "  {:<32} {:>10} {:>10}  ×{wall_ratio:.1} {flag}",
                    c.label,
                    show(a),
                    show(b)
                );
                let _ = writeln!(
                    out,
                    "| `{}` | {} | {} | ×{wall_ratio:.1} | ×{cpu_ratio:.1} | {} | {flag} |",
                    c.label,
                    show(a),
                    show(b),
                    mb(b.rss)
                );
            }
        }
        let _ = writeln!(
            out,
            "\nFlagged (4× the data costs more than ×{FLAG} in wall-clock and CPU time): {}.",
            if flagged.is_empty() {
                "none".to_string()
            } else {
                flagged.join(", ")
            }
        );
        out
    }
}
