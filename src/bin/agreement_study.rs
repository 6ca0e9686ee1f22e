//! Writes the peer-comparison data of BENCHMARKS.md (issue 13 §2) twice, identically: as a
//! Thematic study (one turn per unit, codes c0…c9, each coder's judgement a coding of the whole
//! turn) and as a little-endian u32 matrix (units × coders, row-major) for
//! `scripts/bench_agreement_peer.py`, which times `krippendorff.alpha` on the same values.
//!
//! Usage: `agreement_study OUT.thematic OUT.u32 [--units 200000] [--coders 3] [--categories 10]`
//! Every coder judges every unit (no missing values), so `thematic agreement --unit turn
//! --codes c0,…,c9` (uncoded = absent never arises) and the peer see exactly the same matrix.

use rusqlite::params;
use std::path::Path;
use thematic::agreement::SplitMix64;
use thematic::study::Study;

const SEED: u64 = 20240601;
const TURNS_PER_DOC: usize = 2000;

fn arg(args: &[String], name: &str, default: usize) -> usize {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map(|v| v.parse().expect("a number"))
        .unwrap_or(default)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (study_path, raw_path) = match (args.get(1), args.get(2)) {
        (Some(a), Some(b)) if !a.starts_with("--") && !b.starts_with("--") => (a, b),
        _ => {
            eprintln!(
                "usage: agreement_study OUT.thematic OUT.u32 [--units N] [--coders C] [--categories K]"
            );
            std::process::exit(2);
        }
    };
    let units = arg(&args, "--units", 200_000);
    let coders = arg(&args, "--coders", 3);
    let categories = arg(&args, "--categories", 10) as u64;
    // The judgements: a true category per unit, each coder agreeing with it 70% of the time.
    let mut g = SplitMix64::new(SEED);
    let mut values: Vec<u32> = Vec::with_capacity(units * coders);
    for _ in 0..units {
        let truth = g.below(categories) as u32;
        for _ in 0..coders {
            values.push(if g.below(100) < 70 {
                truth
            } else {
                g.below(categories) as u32
            });
        }
    }
    let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
    std::fs::write(raw_path, bytes).expect("write the u32 matrix");

    let study = Study::create(Path::new(study_path)).expect("create the study");
    let now = study.now();
    let conn = study.conn();
    conn.execute_batch("BEGIN").unwrap();
    for k in 0..categories {
        conn.execute(
            "INSERT INTO codes (guid, name, created_at, sort_order) VALUES (?1, ?2, ?3, ?4)",
            params![format!("code-{k}"), format!("c{k}"), now, k as i64],
        )
        .unwrap();
    }
    for c in 0..coders {
        conn.execute(
            "INSERT INTO coders (name, guid, created_at) VALUES (?1, ?2, ?3)",
            params![format!("coder{c}"), format!("coder-{c}"), now],
        )
        .unwrap();
    }
    let turn = "P1: u\n";
    let turn_len = turn.chars().count() as i64;
    let docs = units.div_ceil(TURNS_PER_DOC);
    let mut coding = 0u64;
    for d in 0..docs {
        let first = d * TURNS_PER_DOC;
        let n = TURNS_PER_DOC.min(units - first);
        let text = turn.repeat(n);
        conn.execute(
            "INSERT INTO documents (guid, name, source_name, format, content_hash, char_count, imported_at, sort_order, text)
             VALUES (?1, ?2, ?3, 'text', ?4, ?5, ?6, ?7, ?8)",
            params![format!("doc-{d}"), format!("D{d:04}"), format!("D{d:04}.txt"), format!("hash-{d}"), n as i64 * turn_len, now, d as i64, text],
        )
        .unwrap();
        let doc_id = conn.last_insert_rowid();
        let mut ins_turn = conn
            .prepare_cached("INSERT INTO turns (document_id, idx, speaker, start, \"end\") VALUES (?1, ?2, 'P1', ?3, ?4)")
            .unwrap();
        let mut ins_coding = conn
            .prepare_cached("INSERT INTO codings (guid, document_id, code_id, coder_id, start, \"end\", created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")
            .unwrap();
        for t in 0..n {
            let start = t as i64 * turn_len;
            // The turn's text without its newline: "P1: u".
            let end = start + turn_len - 1;
            ins_turn
                .execute(params![doc_id, t as i64 + 1, start, end])
                .unwrap();
            for c in 0..coders {
                let k = values[(first + t) * coders + c];
                coding += 1;
                ins_coding
                    .execute(params![
                        format!("g{coding}"),
                        doc_id,
                        k as i64 + 1,
                        c as i64 + 1,
                        start,
                        end,
                        now
                    ])
                    .unwrap();
            }
        }
    }
    conn.execute_batch("COMMIT").unwrap();
    eprintln!(
        "wrote {study_path} ({units} turns in {docs} documents, {coders} coders, {categories} codes, {coding} codings) and {raw_path}"
    );
}
