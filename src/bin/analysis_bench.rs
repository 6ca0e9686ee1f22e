//! Benchmarks the analysis queries on a generated study of realistic size.
//!
//!     cargo run --release --bin analysis_bench -- [--path FILE] [--docs 1000] [--codings 500000] [--runs 9]
//!
//! The study is generated once (kept at --path, default $TMPDIR/thematic-bench.thematic, and
//! reused when it exists with the same size) with bulk SQL inserts in one transaction — it is
//! a fixture. What is timed are the real `thematic::analysis` functions, on a fresh
//! connection; the first (cold) run is shown next to the median of the warm runs.

use rusqlite::{Connection, params};
use std::path::PathBuf;
use std::time::{Duration, Instant};
use thematic::analysis::matrix::{Grouping, MatrixOptions, matrix};
use thematic::analysis::search::{SearchOptions, TurnFilter, search};
use thematic::analysis::{cooccurrence, frequencies, report, saturation};

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

const COMMON: &[&str] = &[
    "the",
    "and",
    "i",
    "to",
    "a",
    "it",
    "was",
    "you",
    "that",
    "of",
    "in",
    "my",
    "we",
    "they",
    "is",
    "but",
    "so",
    "just",
    "like",
    "really",
    "know",
    "think",
    "because",
    "have",
    "with",
    "for",
    "not",
    "be",
    "what",
    "there",
    "when",
    "about",
    "doctor",
    "clinic",
    "time",
    "go",
    "get",
    "money",
    "feel",
    "family",
    "work",
    "help",
    "nurse",
    "appointment",
    "waiting",
    "bus",
    "car",
    "children",
    "pain",
    "worry",
    "trust",
    "listen",
    "told",
    "said",
    "people",
];

fn vocabulary(rng: &mut Rng) -> Vec<String> {
    let syllables = [
        "ka", "lo", "mi", "ren", "sa", "to", "vel", "an", "or", "ith", "um", "pre", "con", "dis",
        "ment", "ing", "er", "al", "ous", "tion",
    ];
    let mut words: Vec<String> = COMMON.iter().map(|s| s.to_string()).collect();
    while words.len() < 6000 {
        let n = 2 + rng.below(3);
        let w: String = (0..n)
            .map(|_| syllables[rng.below(syllables.len() as u64) as usize])
            .collect();
        words.push(w);
    }
    // Rare marker words for the search benchmark.
    words.push("insulin".into());
    words.push("pharmacist".into());
    words
}

fn sentence(rng: &mut Rng, vocab: &[String], out: &mut String, target: usize) {
    let start = out.len();
    let mut first = true;
    while out.len() - start < target {
        // Zipf-like: low indexes far more often.
        let r = rng.below(1_000_000) as f64 / 1_000_000.0;
        let idx = ((vocab.len() - 2) as f64 * r.powi(4)) as usize;
        let word = if rng.below(4000) == 0 {
            &vocab[vocab.len() - 2 + rng.below(2) as usize]
        } else {
            &vocab[idx]
        };
        if !first {
            out.push(' ');
        }
        if first {
            let mut cs = word.chars();
            if let Some(c) = cs.next() {
                out.extend(c.to_uppercase());
                out.push_str(cs.as_str());
            }
        } else {
            out.push_str(word);
        }
        first = false;
        if rng.below(14) == 0 {
            out.push_str(". ");
            first = true;
            out.pop();
        }
    }
    out.push('.');
}

fn generate(path: &PathBuf, docs: usize, codings: usize) -> rusqlite::Result<()> {
    let t0 = Instant::now();
    let _ = std::fs::remove_file(path);
    drop(thematic::Study::create(path).expect("create study"));
    let mut conn = Connection::open(path)?;
    conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF;")?;
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let vocab = vocabulary(&mut rng);
    let tx = conn.transaction()?;
    // Bulk load without the per-turn FTS trigger (it re-reads the document for each turn);
    // the FTS rows are written directly below and the triggers put back afterwards.
    let triggers: Vec<(String, String)> = tx
        .prepare(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'turns'",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (name, _) in &triggers {
        tx.execute_batch(&format!("DROP TRIGGER {name}"))?;
    }
    let now = "2026-01-01T00:00:00.000Z";
    tx.execute(
        "INSERT INTO coders (name, guid, created_at) VALUES ('alex', 'g-alex', ?1), ('sam', 'g-sam', ?1)",
        [now],
    )?;
    tx.execute_batch(
        "INSERT INTO attributes (scope, name, kind, guid) VALUES
           ('participant', 'gender', 'text', 'a1'), ('participant', 'age_group', 'text', 'a2'),
           ('document', 'composition', 'text', 'a3'), ('document', 'site', 'text', 'a4');",
    )?;
    // Codebook: 6 themes × 8 codes.
    let mut leaf_ids = Vec::new();
    let mut theme_ids = Vec::new();
    for t in 0..6 {
        tx.execute(
            "INSERT INTO codes (guid, parent_id, name, sort_order, created_at) VALUES (?1, NULL, ?2, ?3, ?4)",
            params![format!("t{t}"), format!("Theme {t}"), t, now],
        )?;
        let tid = tx.last_insert_rowid();
        theme_ids.push(tid);
        for c in 0..8 {
            tx.execute(
                "INSERT INTO codes (guid, parent_id, name, sort_order, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![format!("c{t}-{c}"), tid, format!("Code {t}.{c}"), c, now],
            )?;
            leaf_ids.push(tx.last_insert_rowid());
        }
    }
    // Moderators shared across groups.
    let mut moderators = Vec::new();
    for m in 0..5 {
        tx.execute(
            "INSERT INTO participants (pid, role, guid) VALUES (?1, 'moderator', ?2)",
            params![format!("MOD{m}"), format!("pm{m}")],
        )?;
        moderators.push(tx.last_insert_rowid());
    }
    let per_doc = codings / docs.max(1);
    let mut total_chars = 0usize;
    let mut total_turns = 0usize;
    {
        let mut ins_doc = tx.prepare(
            "INSERT INTO documents (guid, name, source_name, format, content_hash, char_count, imported_at, sort_order, text)
             VALUES (?1, ?2, ?3, 'text', ?4, ?5, ?6, ?7, ?8)",
        )?;
        let mut ins_turn = tx.prepare(
            "INSERT INTO turns (document_id, idx, speaker, start, \"end\") VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        let mut ins_fts = tx.prepare("INSERT INTO turns_fts (rowid, text) VALUES (?1, ?2)")?;
        let mut ins_part = tx
            .prepare("INSERT INTO participants (pid, role, guid) VALUES (?1, 'participant', ?2)")?;
        let mut ins_pattr = tx.prepare(
            "INSERT INTO participant_attributes (participant_id, attribute_id, value) VALUES (?1, ?2, ?3)",
        )?;
        let mut ins_dattr = tx.prepare(
            "INSERT INTO document_attributes (document_id, attribute_id, value) VALUES (?1, ?2, ?3)",
        )?;
        let mut ins_speaker = tx.prepare(
            "INSERT INTO speakers (document_id, label, participant_id) VALUES (?1, ?2, ?3)",
        )?;
        let mut ins_coding = tx.prepare(
            "INSERT OR IGNORE INTO codings (guid, document_id, code_id, coder_id, start, \"end\", created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
        let mut coding_n = 0u64;
        for d in 0..docs {
            let composition = ["all-female", "all-male", "mixed"][d % 3];
            // Text: ~400 turns of ~250 characters, moderator every fifth turn.
            let mut text = String::with_capacity(110_000);
            let mut turns: Vec<(String, usize, usize)> = Vec::new();
            let mut chars = 0usize;
            while chars < 100_000 {
                let speaker = if turns.len().is_multiple_of(5) {
                    "Moderator".to_string()
                } else {
                    format!("S{}", 1 + rng.below(8))
                };
                let before = text.len();
                let target = 60 + rng.below(380) as usize;
                sentence(&mut rng, &vocab, &mut text, target);
                let len = text.len() - before; // ASCII: bytes = characters
                turns.push((speaker, chars, chars + len));
                text.push('\n');
                chars += len + 1;
            }
            total_chars += chars;
            total_turns += turns.len();
            ins_doc.execute(params![
                format!("doc-{d}"),
                format!("FG{:04}", d + 1),
                format!("FG{:04}.txt", d + 1),
                format!("hash-{d}"),
                chars as i64,
                now,
                d as i64,
                text
            ])?;
            let doc = tx.last_insert_rowid();
            ins_dattr.execute(params![doc, 3, composition])?;
            ins_dattr.execute(params![doc, 4, format!("site {}", d % 7)])?;
            let moderator = moderators[d % moderators.len()];
            ins_speaker.execute(params![doc, "Moderator", moderator])?;
            for s in 1..=8 {
                ins_part.execute(params![format!("D{d}-S{s}"), format!("p{d}-{s}")])?;
                let p = tx.last_insert_rowid();
                let gender = match composition {
                    "all-female" => "female",
                    "all-male" => "male",
                    _ => ["female", "male"][s % 2],
                };
                ins_pattr.execute(params![p, 1, gender])?;
                ins_pattr.execute(params![
                    p,
                    2,
                    ["18-29", "30-49", "50-69", "70+"][(s + d) % 4]
                ])?;
                ins_speaker.execute(params![doc, format!("S{s}"), p])?;
            }
            for (i, (speaker, s, e)) in turns.iter().enumerate() {
                ins_turn.execute(params![doc, i as i64, speaker, *s as i64, *e as i64])?;
                let tid = tx.last_insert_rowid();
                ins_fts.execute(params![tid, &text[*s..*e]])?;
            }
            for _ in 0..per_doc {
                let t = rng.below(turns.len() as u64) as usize;
                let (_, ts, te) = &turns[t];
                let start = ts + rng.below((te - ts) as u64 / 2) as usize;
                let mut end = (start + 30 + rng.below(220) as usize).min(*te);
                if rng.below(10) == 0 && t + 1 < turns.len() {
                    end = turns[t + 1].1 + (turns[t + 1].2 - turns[t + 1].1) / 2;
                }
                let code = if rng.below(20) == 0 {
                    theme_ids[rng.below(theme_ids.len() as u64) as usize]
                } else {
                    let r = rng.below(1000) as f64 / 1000.0;
                    leaf_ids[((leaf_ids.len() as f64) * r * r) as usize]
                };
                coding_n += 1;
                ins_coding.execute(params![
                    format!("k{coding_n}"),
                    doc,
                    code,
                    1 + rng.below(2) as i64,
                    start as i64,
                    end.max(start + 1) as i64,
                    now
                ])?;
            }
            if (d + 1) % 100 == 0 {
                eprintln!("  generated {} documents ({:.0?})", d + 1, t0.elapsed());
            }
        }
    }
    for (_, sql) in &triggers {
        tx.execute_batch(sql)?;
    }
    tx.execute(
        "INSERT OR REPLACE INTO meta (key, value) VALUES ('bench', ?1)",
        [format!("{docs}/{codings}")],
    )?;
    tx.commit()?;
    conn.execute_batch("ANALYZE; PRAGMA wal_checkpoint(TRUNCATE);")?;
    eprintln!(
        "generated {docs} documents, {:.1} MB of text, {total_turns} turns, ~{codings} codings in {:.1?}",
        total_chars as f64 / 1e6,
        t0.elapsed()
    );
    Ok(())
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// CPU time of the whole process (all threads), from /proc; the machine may be shared, so
/// CPU time is printed beside wall time.
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks: u64 = fields
        .get(11..13)
        .map(|f| f.iter().filter_map(|v| v.parse::<u64>().ok()).sum())
        .unwrap_or(0);
    Duration::from_millis(ticks * 10)
}

fn time<T>(name: &str, runs: usize, mut f: impl FnMut() -> T) {
    let mut times = Vec::new();
    let mut first = Duration::ZERO;
    let cpu0 = cpu_time();
    for i in 0..runs.max(2) {
        let t = Instant::now();
        std::hint::black_box(f());
        let e = t.elapsed();
        if i == 0 {
            first = e;
        } else {
            times.push(e);
        }
    }
    let cpu = (cpu_time() - cpu0) / runs.max(2) as u32;
    println!(
        "{name:<44} median {:>8.1} ms wall  (first {:>7.1} ms; CPU {:>6.0} ms/run; {} runs)",
        median(times).as_secs_f64() * 1e3,
        first.as_secs_f64() * 1e3,
        cpu.as_secs_f64() * 1e3,
        runs.max(2)
    );
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mut path = std::env::temp_dir().join("thematic-bench.thematic");
    let mut docs = 1000usize;
    let mut codings = 500_000usize;
    let mut runs = 9usize;
    while let Some(a) = args.next() {
        let mut val = || args.next().expect("a value after the option");
        match a.as_str() {
            "--path" => path = PathBuf::from(val()),
            "--docs" => docs = val().parse().expect("--docs N"),
            "--codings" => codings = val().parse().expect("--codings N"),
            "--runs" => runs = val().parse().expect("--runs N"),
            _ => {
                eprintln!(
                    "usage: analysis_bench [--path FILE] [--docs N] [--codings N] [--runs N]"
                );
                std::process::exit(2);
            }
        }
    }
    let wanted = format!("{docs}/{codings}");
    let existing = Connection::open(&path).ok().and_then(|c| {
        c.query_row("SELECT value FROM meta WHERE key = 'bench'", [], |r| {
            r.get::<_, String>(0)
        })
        .ok()
    });
    if existing.as_deref() != Some(wanted.as_str()) {
        eprintln!("generating {} …", path.display());
        generate(&path, docs, codings).expect("generate the bench study");
    } else {
        eprintln!("reusing {}", path.display());
    }
    let study = thematic::Study::open(&path).expect("open");
    let conn = study.conn();
    let (n_codings, n_turns, mb): (i64, i64, f64) = conn
        .query_row(
            "SELECT (SELECT count(*) FROM codings), (SELECT count(*) FROM turns), (SELECT sum(char_count) FROM documents) / 1e6",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    println!(
        "study: {docs} documents, {mb:.1} MB text, {n_turns} turns, {n_codings} codings ({})",
        path.display()
    );
    time("raw scan: turns (5 columns)", runs, || {
        let mut stmt = conn
            .prepare_cached("SELECT document_id, start, \"end\", speaker, id FROM turns")
            .unwrap();
        let mut rows = stmt.query([]).unwrap();
        let mut n = 0i64;
        while let Some(r) = rows.next().unwrap() {
            n += r.get_ref(1).unwrap().as_i64().unwrap();
        }
        n
    });
    time("raw scan: codings (covering index)", runs, || {
        let mut stmt = conn
            .prepare_cached("SELECT document_id, code_id, start, \"end\" FROM codings INDEXED BY codings_analysis ORDER BY document_id")
            .unwrap();
        let mut rows = stmt.query([]).unwrap();
        let mut n = 0i64;
        while let Some(r) = rows.next().unwrap() {
            n += r.get_ref(2).unwrap().as_i64().unwrap();
        }
        n
    });
    time("frequencies (all coders)", runs, || {
        frequencies::frequencies(conn, None, false).unwrap()
    });
    time("frequencies --coder alex", runs, || {
        frequencies::frequencies(conn, Some(1), false).unwrap()
    });
    for by in ["gender", "composition", "age_group", "document"] {
        let grouping = Grouping::parse(conn, by).unwrap();
        time(&format!("matrix --by {by}"), runs, || {
            matrix(
                conn,
                &MatrixOptions {
                    by: grouping.clone(),
                    ..Default::default()
                },
            )
            .unwrap()
        });
    }
    let mut search_medians = Vec::new();
    for (q, filter) in [
        ("insulin", TurnFilter::default()),
        ("pharmacist", TurnFilter::default()),
        ("\"bus fare\"", TurnFilter::default()),
        ("nurse appointment", TurnFilter::default()),
        (
            "insulin",
            TurnFilter {
                conditions: vec!["gender=female".into()],
                ..Default::default()
            },
        ),
        (
            "doctor",
            TurnFilter {
                conditions: vec!["composition=all-male".into()],
                ..Default::default()
            },
        ),
        ("doctor", TurnFilter::default()),
    ] {
        let opts = SearchOptions {
            query: q.into(),
            filter: filter.clone(),
            limit: 50,
            ..Default::default()
        };
        let total = search(conn, &opts).unwrap().total;
        let mut times = Vec::new();
        for _ in 0..runs {
            let t = Instant::now();
            std::hint::black_box(search(conn, &opts).unwrap());
            times.push(t.elapsed());
        }
        let m = median(times);
        search_medians.push(m);
        println!(
            "{:<44} median {:>8.1} ms wall  ({total} matching turns)",
            format!(
                "search {q}{}",
                if filter.conditions.is_empty() {
                    String::new()
                } else {
                    format!(" --where {}", filter.conditions.join(" "))
                }
            ),
            m.as_secs_f64() * 1e3
        );
    }
    println!(
        "{:<44} median {:>8.1} ms wall",
        "search (median over the queries above)",
        median(search_medians).as_secs_f64() * 1e3
    );
    time("co-occurrence --scope overlap", 3, || {
        cooccurrence::cooccurrence(conn, &Default::default()).unwrap()
    });
    time("co-occurrence --scope turn", 3, || {
        cooccurrence::cooccurrence(
            conn,
            &cooccurrence::CooccurrenceOptions {
                scope: cooccurrence::CoScope::Turn,
                ..Default::default()
            },
        )
        .unwrap()
    });
    time("saturation", 3, || {
        saturation::saturation(conn, None, None).unwrap()
    });
    time("report (render HTML)", 3, || {
        report::html::render(conn, &Default::default()).unwrap()
    });
}
