//! A synthetic study whose codes depend on planted words (`thematic gen-study --planted-words`):
//! each code has three cue words; a turn "about" a code carries one or two of them and the
//! coder codes it — except for planted noise (cue words in turns nobody coded, codings of
//! turns without cues, turns about a code left uncoded), so no model can be perfect. It
//! measures whether the suggester finds codes that words really predict (BENCHMARKS.md).
//! Deterministic for a seed; written in one transaction like `gen-study`.

use crate::agreement::SplitMix64;
use crate::error::{Error, Result};
use crate::study::Study;
use crate::study::documents::content_hash;
use rusqlite::params;
use std::path::Path;

#[derive(Debug, Clone, Copy)]
pub struct PlantedOptions {
    pub docs: usize,
    pub turns_per_doc: usize,
    pub codes: usize,
    pub seed: u64,
}

const CONSONANTS: &[&str] = &[
    "b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z",
];
const VOWELS: &[&str] = &["a", "e", "i", "o", "u"];

/// The i-th pseudo-word: two or three syllables, unique per i.
fn word(i: usize) -> String {
    let syll = CONSONANTS.len() * VOWELS.len();
    let mut n = i;
    let mut out = String::new();
    for _ in 0..3 {
        let s = n % syll;
        out.push_str(CONSONANTS[s / VOWELS.len()]);
        out.push_str(VOWELS[s % VOWELS.len()]);
        n /= syll;
        if n == 0 && out.len() >= 4 {
            break;
        }
    }
    out
}

const FILLER: usize = 400;

/// One sentence of filler words, the frequent ones much more often (roughly Zipf).
fn filler(g: &mut SplitMix64, words: usize, out: &mut Vec<String>) {
    for _ in 0..words {
        let u = g.below(1_000_000) as f64 / 1_000_000.0;
        out.push(word((FILLER as f64 * u * u * u) as usize));
    }
}

pub fn generate(path: &Path, opts: &PlantedOptions) -> Result<usize> {
    if opts.docs == 0 || opts.turns_per_doc == 0 || opts.codes == 0 {
        return Err(Error::Invalid(
            "--planted-words needs at least one document, turn and code".into(),
        ));
    }
    let now = {
        let study = Study::create(path)?;
        study.now()
    };
    let mut g = SplitMix64::new(opts.seed);
    let mut conn = rusqlite::Connection::open(path)?;
    let tx = conn.transaction()?;
    tx.execute(
        "INSERT INTO changes (at, coder_id, kind, summary) VALUES (?1, NULL, 'generate', ?2)",
        params![
            now,
            format!(
                "generated study with planted words: {} documents × {} turns, {} codes, seed {}",
                opts.docs, opts.turns_per_doc, opts.codes, opts.seed
            )
        ],
    )?;
    tx.execute(
        "INSERT INTO coders (name, guid, is_consensus, created_at) VALUES ('planted', ?1, 0, ?2)",
        params![crate::study::new_guid(), now],
    )?;
    let coder = tx.last_insert_rowid();
    let mut code_ids = Vec::new();
    for k in 0..opts.codes {
        let cues: Vec<String> = (0..3).map(|c| word(FILLER + 3 * k + c)).collect();
        tx.execute(
            "INSERT INTO codes (guid, parent_id, name, colour, definition, sort_order, created_at) VALUES (?1, NULL, ?2, ?3, ?4, ?5, ?6)",
            params![
                crate::study::new_guid(),
                format!("Code {}", k + 1),
                crate::codebook::PALETTE[k % crate::codebook::PALETTE.len()],
                format!("Turns mentioning {}.", cues.join(", ")),
                k as i64,
                now
            ],
        )?;
        code_ids.push((tx.last_insert_rowid(), cues));
    }
    let mut codings = 0;
    {
        let mut ins_doc = tx.prepare(
            "INSERT INTO documents (guid, name, source_name, format, content_hash, char_count, imported_at, sort_order, text) VALUES (?1, ?2, ?3, 'text', ?4, ?5, ?6, ?7, ?8)",
        )?;
        let mut ins_turn = tx.prepare(
            "INSERT INTO turns (document_id, idx, speaker, start, \"end\") VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        let mut ins_coding = tx.prepare(
            "INSERT OR IGNORE INTO codings (guid, document_id, code_id, coder_id, start, \"end\", created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
        let width = opts.docs.to_string().len().max(2);
        for d in 0..opts.docs {
            let name = format!("PL{:0width$}", d + 1);
            let mut text = String::new();
            let mut chars = 0i64;
            let mut turns = Vec::new();
            let mut coded = Vec::new();
            for t in 0..opts.turns_per_doc {
                let label = format!("P{}", 1 + g.below(6));
                let prefix = format!("{label}: ");
                text.push_str(&prefix);
                chars += prefix.chars().count() as i64;
                let mut words = Vec::new();
                let n_words = 6 + g.below(25) as usize;
                filler(&mut g, n_words, &mut words);
                let about = (g.below(100) < 35).then(|| g.below(opts.codes as u64) as usize);
                if let Some(k) = about {
                    for _ in 0..1 + g.below(2) {
                        let cue = code_ids[k].1[g.below(3) as usize].clone();
                        let at = g.below(words.len() as u64 + 1) as usize;
                        words.insert(at, cue);
                    }
                } else if g.below(100) < 4 {
                    // A cue word where nobody saw the code.
                    let k = g.below(opts.codes as u64) as usize;
                    let at = g.below(words.len() as u64 + 1) as usize;
                    words.insert(at, code_ids[k].1[g.below(3) as usize].clone());
                }
                let mut sentence = words.join(" ");
                sentence.push('.');
                if let Some(first) = sentence.get(..1) {
                    let upper = first.to_uppercase();
                    sentence.replace_range(..1, &upper);
                }
                let len = sentence.chars().count() as i64;
                text.push_str(&sentence);
                turns.push((t, label, chars, chars + len));
                // The coder codes 90% of turns about a code, and 2% of others by mistake.
                let code = match about {
                    Some(k) if g.below(100) < 90 => Some(k),
                    None if g.below(100) < 2 => Some(g.below(opts.codes as u64) as usize),
                    _ => None,
                };
                if let Some(k) = code {
                    coded.push((k, chars, chars + len));
                }
                chars += len + 1;
                text.push('\n');
            }
            ins_doc.execute(params![
                crate::study::new_guid(),
                name,
                format!("{name}.txt"),
                content_hash(&text),
                chars,
                now,
                d as i64,
                text
            ])?;
            let doc = tx.last_insert_rowid();
            for (t, label, s, e) in &turns {
                ins_turn.execute(params![doc, *t as i64, label, s, e])?;
            }
            crate::study::search_index::index_document(&tx, doc)?;
            for (k, s, e) in coded {
                codings += ins_coding.execute(params![
                    crate::study::new_guid(),
                    doc,
                    code_ids[k].0,
                    coder,
                    s,
                    e,
                    now
                ])?;
            }
        }
    }
    tx.commit()?;
    Ok(codings)
}

/// `thematic gen-study OUT --planted-words`.
pub fn run(out: &Path, docs: usize, turns_per_doc: usize, codes: usize, seed: u64) -> Result<()> {
    let started = std::time::Instant::now();
    let codings = generate(
        out,
        &PlantedOptions {
            docs,
            turns_per_doc,
            codes,
            seed,
        },
    )?;
    println!(
        "wrote {}: {docs} documents × {turns_per_doc} turns, {codes} codes with planted cue words, {codings} codings by coder 'planted' in {:.2} s",
        out.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_distinct() {
        let words: std::collections::HashSet<String> = (0..FILLER + 300).map(word).collect();
        assert_eq!(words.len(), FILLER + 300);
        assert!(words.iter().all(|w| w.chars().count() >= 2));
    }
}
