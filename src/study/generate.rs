//! A synthetic study for benchmarks and stress tests (`thematic gen-study`): focus-group
//! transcripts with speaker turns, participants with attributes, a codebook of themes and codes,
//! and several coders' overlapping codings. Deterministic for a seed.
//!
//! It is a generator, not a user action: everything is bulk-inserted in one transaction with
//! prepared statements, and the history records a single change, "generated study", without
//! row images (there is nothing a researcher would want to undo row by row).

use crate::agreement::SplitMix64;
use crate::error::{Error, Result};
use crate::study::Study;
use crate::study::documents::content_hash;
use rusqlite::params;
use serde::Serialize;
use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GenOptions {
    pub docs: usize,
    pub turns_per_doc: usize,
    pub coders: usize,
    pub codings: usize,
    /// Leaf codes (spread over themes of up to five codes each).
    pub codes: usize,
    pub seed: u64,
}

impl Default for GenOptions {
    fn default() -> Self {
        GenOptions {
            docs: 10,
            turns_per_doc: 100,
            coders: 3,
            codings: 1_000,
            codes: 30,
            seed: 1,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct GenReport {
    pub documents: usize,
    pub turns: usize,
    pub characters: usize,
    pub participants: usize,
    pub codes: usize,
    pub coders: usize,
    pub codings: usize,
}

const WORDS: &[&str] = &[
    "the",
    "portal",
    "nurse",
    "message",
    "reply",
    "appointment",
    "treatment",
    "results",
    "doctor",
    "clinic",
    "I",
    "we",
    "they",
    "you",
    "it",
    "was",
    "felt",
    "really",
    "quite",
    "never",
    "always",
    "sometimes",
    "waiting",
    "scan",
    "chemo",
    "side",
    "effects",
    "family",
    "worried",
    "calm",
    "phone",
    "call",
    "letter",
    "online",
    "app",
    "password",
    "forgot",
    "helpful",
    "confusing",
    "because",
    "and",
    "but",
    "so",
    "then",
    "when",
    "after",
    "before",
    "my",
    "our",
    "their",
    "week",
    "day",
    "night",
    "morning",
    "time",
    "long",
    "short",
    "clear",
    "information",
    "about",
    "ask",
    "asked",
    "told",
    "explained",
    "understand",
    "didn't",
    "couldn't",
    "café",
    "naïve",
    "support",
    "group",
    "people",
    "talk",
    "listen",
    "hope",
    "fear",
    "tired",
    "energy",
    "food",
    "sleep",
    "work",
    "money",
    "travel",
    "parking",
    "hospital",
    "ward",
    "oncologist",
    "specialist",
    "GP",
    "referral",
    "follow-up",
    "blood",
    "test",
    "surgery",
    "recovery",
    "pain",
    "medication",
    "refill",
    "pharmacy",
    "insurance",
    "form",
    "online",
    "video",
    "visit",
    "face-to-face",
    "trust",
    "warm",
    "cold",
    "rushed",
    "kind",
    "listened",
    "name",
    "next",
    "step",
    "plan",
    "of",
    "to",
    "in",
    "on",
    "with",
    "for",
    "a",
    "very",
    "just",
    "like",
    "what",
    "how",
    "that",
];

const MODERATOR_PROMPTS: &[&str] = &[
    "How did you first hear about the portal?",
    "What makes a reply feel good?",
    "Can you tell me more about that?",
    "How did the waiting affect you?",
    "Who else was involved in those decisions?",
    "What would you change if you could?",
    "Does anyone see it differently?",
];

const THEMES: &[&str] = &[
    "Access",
    "Communication",
    "Emotions",
    "Family",
    "Practicalities",
    "Treatment",
    "Trust",
    "Technology",
    "Information",
    "Support",
];

const CODE_WORDS: &[&str] = &[
    "barriers",
    "facilitators",
    "tone",
    "timing",
    "clarity",
    "worry",
    "relief",
    "roles",
    "costs",
    "side effects",
    "confidence",
    "workarounds",
    "gaps",
    "peers",
    "continuity",
];

const GENDERS: &[&str] = &["woman", "man", "non-binary"];
const AGE_BANDS: &[&str] = &["18-29", "30-39", "40-49", "50-59", "60-69", "70+"];
const CANCERS: &[&str] = &[
    "breast",
    "prostate",
    "colorectal",
    "lung",
    "lymphoma",
    "melanoma",
    "ovarian",
];
const COMPOSITIONS: &[&str] = &["mixed", "women only", "men only", "same cancer type"];

fn pick<'a>(g: &mut SplitMix64, items: &[&'a str]) -> &'a str {
    items[g.below(items.len() as u64) as usize]
}

/// A spoken turn: one to six sentences of 4–18 words; sometimes a single word.
fn speech(g: &mut SplitMix64, out: &mut String) {
    if g.below(10) == 0 {
        out.push_str(pick(
            g,
            &["Yes.", "Exactly.", "Mm-hm.", "No.", "Same here."],
        ));
        return;
    }
    let sentences = 1 + g.below(6);
    for s in 0..sentences {
        if s > 0 {
            out.push(' ');
        }
        let words = 4 + g.below(15);
        for w in 0..words {
            let word = pick(g, WORDS);
            if w == 0 {
                let mut chars = word.chars();
                if let Some(first) = chars.next() {
                    out.extend(first.to_uppercase());
                    out.push_str(chars.as_str());
                }
            } else {
                out.push(' ');
                out.push_str(word);
            }
        }
        out.push(
            pick(g, &[".", ".", ".", "?", "!"])
                .chars()
                .next()
                .unwrap_or('.'),
        );
    }
}

struct GenTurn {
    start: i64,
    end: i64,
}

/// Writes a synthetic study to `path` (which must not exist).
pub fn generate(path: &Path, opts: &GenOptions) -> Result<GenReport> {
    if opts.docs == 0 || opts.turns_per_doc == 0 {
        return Err(Error::Invalid(
            "gen-study needs at least one document and one turn per document".into(),
        ));
    }
    if opts.coders == 0 && opts.codings > 0 {
        return Err(Error::Invalid("codings need at least one coder".into()));
    }
    let now = {
        let study = Study::create(path)?;
        study.now()
    };
    let mut g = SplitMix64::new(opts.seed);
    let mut report = GenReport::default();
    let mut conn = rusqlite::Connection::open(path)?;
    conn.execute_batch(
        "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -262144;",
    )?;
    let tx = conn.transaction()?;
    let guid = |g: &mut SplitMix64| {
        let (a, b) = (g.next_u64(), g.next_u64());
        format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            0x8000 | ((b >> 48) & 0x3fff),
            b & 0xffff_ffff_ffff
        )
    };
    tx.execute(
        "INSERT INTO changes (at, coder_id, kind, summary) VALUES (?1, NULL, 'generate', ?2)",
        params![
            now,
            format!(
                "generated study: {} documents × {} turns, {} coders, {} codings, seed {}",
                opts.docs, opts.turns_per_doc, opts.coders, opts.codings, opts.seed
            )
        ],
    )?;

    // Coders.
    let mut coder_ids = Vec::new();
    {
        let mut ins = tx.prepare(
            "INSERT INTO coders (name, guid, is_consensus, created_at) VALUES (?1, ?2, 0, ?3)",
        )?;
        for c in 0..opts.coders {
            ins.execute(params![format!("coder{}", c + 1), guid(&mut g), now])?;
            coder_ids.push(tx.last_insert_rowid());
        }
    }

    // Codebook: themes with up to five codes each.
    let mut codes: Vec<(i64, usize)> = Vec::new(); // (code id, theme index)
    {
        let mut ins = tx.prepare(
            "INSERT INTO codes (guid, parent_id, name, colour, definition, sort_order, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
        let themes = opts.codes.div_ceil(5).max(1);
        let mut theme_ids = Vec::new();
        for t in 0..themes {
            let name = match THEMES.get(t) {
                Some(n) => n.to_string(),
                None => format!("Theme {}", t + 1),
            };
            ins.execute(params![
                guid(&mut g),
                Option::<i64>::None,
                name,
                crate::codebook::PALETTE[t % crate::codebook::PALETTE.len()],
                format!("Everything about {}.", name.to_lowercase()),
                t as i64,
                now
            ])?;
            theme_ids.push(tx.last_insert_rowid());
        }
        for k in 0..opts.codes {
            let theme = k % themes;
            let word = CODE_WORDS[(k / themes) % CODE_WORDS.len()];
            let name = if k / themes < CODE_WORDS.len() {
                word.to_string()
            } else {
                format!("{word} {}", k / themes)
            };
            ins.execute(params![
                guid(&mut g),
                theme_ids[theme],
                name,
                crate::codebook::PALETTE[k % crate::codebook::PALETTE.len()],
                format!("Passages about {name}."),
                k as i64,
                now
            ])?;
            codes.push((tx.last_insert_rowid(), theme));
        }
        report.codes = themes + opts.codes;
    }

    // Attributes.
    let attr = |tx: &rusqlite::Transaction, g: &mut SplitMix64, scope: &str, name: &str| {
        tx.execute(
            "INSERT INTO attributes (scope, name, kind, guid) VALUES (?1, ?2, 'text', ?3)",
            params![scope, name, guid(g)],
        )
        .map(|_| tx.last_insert_rowid())
    };
    let a_gender = attr(&tx, &mut g, "participant", "gender")?;
    let a_age = attr(&tx, &mut g, "participant", "age band")?;
    let a_cancer = attr(&tx, &mut g, "participant", "cancer type")?;
    let a_group = attr(&tx, &mut g, "document", "focus_group")?;
    let a_comp = attr(&tx, &mut g, "document", "composition")?;

    // Moderators, shared across groups.
    let mut moderators = Vec::new();
    {
        let mut ins =
            tx.prepare("INSERT INTO participants (pid, role, guid) VALUES (?1, 'moderator', ?2)")?;
        for m in 0..3 {
            ins.execute(params![format!("M{}", m + 1), guid(&mut g)])?;
            moderators.push(tx.last_insert_rowid());
        }
        report.participants += moderators.len();
    }

    // Documents, turns, participants, speakers.
    let mut doc_turns: Vec<(i64, i64, Vec<GenTurn>)> = Vec::new(); // (doc id, chars, turns)
    {
        let mut ins_doc = tx.prepare(
            "INSERT INTO documents (guid, name, source_name, format, content_hash, char_count, imported_at, sort_order, text) VALUES (?1, ?2, ?3, 'text', ?4, ?5, ?6, ?7, ?8)",
        )?;
        let mut ins_turn = tx.prepare(
            "INSERT INTO turns (document_id, idx, speaker, start, \"end\", start_ms, end_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
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
        let width = opts.docs.to_string().len().max(3);
        for d in 0..opts.docs {
            let group = format!("FG{:0width$}", d + 1);
            let n_people = 4 + g.below(5) as usize;
            let labels: Vec<String> = (0..n_people).map(|p| format!("P{}", p + 1)).collect();
            let mut text = String::new();
            let mut chars: i64 = 0;
            let mut turns = Vec::with_capacity(opts.turns_per_doc);
            let mut rows = Vec::with_capacity(opts.turns_per_doc);
            let mut clock_ms: i64 = 5_000;
            for t in 0..opts.turns_per_doc {
                let moderator = t % 6 == 0;
                let label = if moderator {
                    "Moderator".to_string()
                } else {
                    labels[g.below(n_people as u64) as usize].clone()
                };
                let prefix = format!("{label}: ");
                text.push_str(&prefix);
                chars += prefix.chars().count() as i64;
                let before = text.len();
                if moderator {
                    text.push_str(pick(&mut g, MODERATOR_PROMPTS));
                } else {
                    speech(&mut g, &mut text);
                }
                let len = text[before..].chars().count() as i64;
                let (start, end) = (chars, chars + len);
                chars = end + 1;
                text.push('\n');
                let dur = 1_000 + len * 60;
                rows.push((label, start, end, clock_ms, clock_ms + dur));
                clock_ms += dur + g.below(1_500) as i64;
                turns.push(GenTurn { start, end });
            }
            ins_doc.execute(params![
                guid(&mut g),
                group,
                format!("{group}.txt"),
                content_hash(&text),
                chars,
                now,
                d as i64,
                text
            ])?;
            let doc = tx.last_insert_rowid();
            for (i, (label, start, end, s_ms, e_ms)) in rows.iter().enumerate() {
                ins_turn.execute(params![doc, i as i64, label, start, end, s_ms, e_ms])?;
            }
            crate::study::search_index::index_document(&tx, doc)?;
            report.turns += rows.len();
            report.characters += chars as usize;
            ins_dattr.execute(params![doc, a_group, group])?;
            ins_dattr.execute(params![doc, a_comp, pick(&mut g, COMPOSITIONS)])?;
            ins_speaker.execute(params![doc, "Moderator", moderators[d % moderators.len()]])?;
            for label in &labels {
                ins_part.execute(params![format!("{group}-{label}"), guid(&mut g)])?;
                let pid = tx.last_insert_rowid();
                ins_pattr.execute(params![pid, a_gender, pick(&mut g, GENDERS)])?;
                ins_pattr.execute(params![pid, a_age, pick(&mut g, AGE_BANDS)])?;
                ins_pattr.execute(params![pid, a_cancer, pick(&mut g, CANCERS)])?;
                ins_speaker.execute(params![doc, label, pid])?;
                report.participants += 1;
            }
            doc_turns.push((doc, chars, turns));
        }
        report.documents = opts.docs;
    }

    // Codings: passages shared by most coders, boundaries jittered, sometimes a sibling code.
    if opts.codings > 0 && !codes.is_empty() {
        let mut ins = tx.prepare(
            "INSERT OR IGNORE INTO codings (guid, document_id, code_id, coder_id, start, \"end\", created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
        let mut made = 0usize;
        let mut attempts = 0usize;
        while made < opts.codings && attempts < opts.codings * 20 + 100 {
            attempts += 1;
            let (doc, chars, turns) = &doc_turns[g.below(doc_turns.len() as u64) as usize];
            let first = g.below(turns.len() as u64) as usize;
            let span_turns = if g.below(5) == 0 { 1 + g.below(3) } else { 1 } as usize;
            let last = (first + span_turns - 1).min(turns.len() - 1);
            let (mut start, mut end) = (turns[first].start, turns[last].end);
            if g.below(3) == 0 && end - start > 20 {
                // A part of the turn, not all of it.
                let len = end - start;
                let a = g.below((len / 2) as u64) as i64;
                let b = g.below((len / 2) as u64) as i64;
                start += a;
                end -= b;
            }
            let (code, theme) = codes[g.below(codes.len() as u64) as usize];
            let siblings: Vec<i64> = codes
                .iter()
                .filter(|(_, t)| *t == theme)
                .map(|(id, _)| *id)
                .collect();
            for &coder in &coder_ids {
                if made >= opts.codings {
                    break;
                }
                if coder_ids.len() > 1 && g.below(100) >= 85 {
                    continue; // this coder skipped the passage
                }
                let jitter = |g: &mut SplitMix64| {
                    if g.below(2) == 0 {
                        0
                    } else {
                        g.below(13) as i64 - 6
                    }
                };
                let s = (start + jitter(&mut g)).clamp(0, chars - 1);
                let e = (end + jitter(&mut g)).clamp(s + 1, *chars);
                let k = if g.below(10) == 0 {
                    siblings[g.below(siblings.len() as u64) as usize]
                } else {
                    code
                };
                made += ins.execute(params![guid(&mut g), doc, k, coder, s, e, now])?;
            }
        }
        report.codings = made;
    }
    report.coders = coder_ids.len();
    tx.commit()?;
    conn.execute_batch("PRAGMA synchronous = FULL; PRAGMA optimize;")?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dump(path: &Path) -> (String, i64, i64) {
        let conn = rusqlite::Connection::open(path).unwrap();
        let text: String = conn
            .query_row(
                "SELECT group_concat(content_hash) FROM documents",
                [],
                |r| r.get(0),
            )
            .unwrap();
        let codings: i64 = conn
            .query_row(
                "SELECT sum(start * 7 + \"end\" + code_id * 13 + coder_id) FROM codings",
                [],
                |r| r.get(0),
            )
            .unwrap();
        let turns: i64 = conn
            .query_row("SELECT count(*) FROM turns", [], |r| r.get(0))
            .unwrap();
        (text, codings, turns)
    }

    #[test]
    fn deterministic_and_well_formed() {
        let dir = tempfile::tempdir().unwrap();
        let opts = GenOptions {
            docs: 4,
            turns_per_doc: 30,
            coders: 3,
            codings: 300,
            codes: 10,
            seed: 7,
        };
        let a = generate(&dir.path().join("a.thematic"), &opts).unwrap();
        let b = generate(&dir.path().join("b.thematic"), &opts).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.codings, 300);
        assert_eq!(a.turns, 120);
        assert_eq!(
            dump(&dir.path().join("a.thematic")),
            dump(&dir.path().join("b.thematic"))
        );
        // Turn offsets are code points and cover the speech after "Label: ".
        let study = Study::open(&dir.path().join("a.thematic")).unwrap();
        for d in crate::study::documents::list(study.conn()).unwrap() {
            let text = crate::study::documents::text(study.conn(), d.id).unwrap();
            assert_eq!(text.chars().count() as i64, d.char_count);
            for t in crate::study::documents::turns(study.conn(), d.id).unwrap() {
                let before = crate::text::slice_chars(&text, 0, t.start as usize);
                let label = t.speaker.clone().unwrap();
                assert!(before.ends_with(&format!("{label}: ")), "{before:?}");
                let said = crate::text::slice_chars(&text, t.start as usize, t.end as usize);
                assert!(!said.contains('\n') && !said.is_empty());
            }
        }
        let check: String = study
            .conn()
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(check, "ok");
    }
}
