//! Test and benchmark studies, built with the core API (no transcript parser needed): a small
//! transcript in the `[hh:mm:ss] Speaker: text` form, or generated studies of any size.

use crate::Result;
use crate::import::{Format, ParsedTranscript, ParsedTurn};
use crate::study::Study;
use std::path::Path;

/// Parses `[hh:mm:ss] Speaker: text` lines (continuation lines join the turn) — only for
/// building fixtures; the real parsers live in `import`.
pub fn parse_simple(src: &str) -> ParsedTranscript {
    let mut text = String::new();
    let mut turns: Vec<ParsedTurn> = Vec::new();
    let mut len = 0usize;
    for line in src.lines() {
        let head = line
            .strip_prefix('[')
            .and_then(|l| l.split_once("] "))
            .and_then(|(ts, rest)| rest.split_once(": ").map(|(sp, body)| (ts, sp, body)));
        let push = |text: &mut String, len: &mut usize, s: &str| {
            text.push_str(s);
            *len += s.chars().count();
        };
        match head {
            Some((ts, speaker, body)) if speaker.chars().count() <= 40 => {
                if !text.is_empty() {
                    push(&mut text, &mut len, "\n\n");
                }
                let ms = ts
                    .split(':')
                    .try_fold(0i64, |acc, p| p.parse::<i64>().map(|v| acc * 60 + v))
                    .ok()
                    .map(|s| s * 1000);
                push(&mut text, &mut len, &line[..line.len() - body.len()]);
                let start = len;
                push(&mut text, &mut len, body);
                turns.push(ParsedTurn {
                    speaker: Some(speaker.to_string()),
                    start,
                    end: len,
                    start_ms: ms,
                    end_ms: None,
                });
            }
            _ if line.trim().is_empty() => {}
            _ => {
                if let Some(t) = turns.last_mut() {
                    push(&mut text, &mut len, "\n");
                    push(&mut text, &mut len, line);
                    t.end = len;
                }
            }
        }
    }
    turns.retain(|t| t.start < t.end);
    ParsedTranscript {
        format: Format::Text,
        text,
        turns,
        notes: Vec::new(),
    }
}

pub fn add_document(study: &mut Study, name: &str, parsed: &ParsedTranscript) -> Result<i64> {
    study.change(None, "import", &format!("import {name}"), |rec| {
        crate::import::study::insert_transcript(rec, name, &format!("{name}.txt"), parsed)?
            .map_err(|e| crate::invalid!("{e}"))?;
        Ok(rec
            .tx
            .query_row("SELECT id FROM documents WHERE name = ?1", [name], |r| {
                r.get(0)
            })?)
    })
}

/// A fixed clock, so snapshots and history are stable.
pub fn fixed_clock() -> crate::study::Clock {
    std::sync::Arc::new(|| "2026-01-01T00:00:00.000Z".to_string())
}

pub const SMALL: &str = "[00:00:03] Moderator: Thank you all for coming. Today we talk about messaging your care team through the portal. There are no right or wrong answers.
[00:00:46] Linda: I'll start. I use it every week. It's become a habit, honestly. 漢字 and 👋 work too.
[00:01:02] Rosa: I message them a lot. Like, a lot. My nurse probably knows my name by heart.
[00:01:15] Linda: Sometimes the answer takes days, though. That worries me.
Then I call instead.
[00:01:23] Priya: Maybe once a month? Usually for refills.";

/// A small study: two documents with attributes and participants, a codebook, and codings by
/// alex and sam. Clock fixed.
pub fn small_study(path: &Path) -> Result<Study> {
    use crate::study::participants::{self, Scope};
    let mut study = Study::create(path)?;
    study.set_clock(fixed_clock());
    let d1 = add_document(&mut study, "FG1", &parse_simple(SMALL))?;
    let d2 = add_document(
        &mut study,
        "FG2",
        &parse_simple(
            "[00:00:01] Moderator: Second group. Welcome.\n[00:00:09] Zoë: Hello! I am here.",
        ),
    )?;
    study.change(None, "attributes", "attributes", |rec| {
        let g = participants::ensure_attribute(rec, Scope::Document, "group", "text")?;
        let c = participants::ensure_attribute(rec, Scope::Document, "composition", "text")?;
        participants::set_document_value(rec, d1, g, "survivors")?;
        participants::set_document_value(rec, d1, c, "mixed")?;
        participants::set_document_value(rec, d2, g, "in treatment")?;
        let age = participants::ensure_attribute(rec, Scope::Participant, "age", "text")?;
        for (pid, label, a) in [("P01", "Linda", "50-59"), ("P02", "Rosa", "40-49")] {
            let p = participants::ensure_participant(rec, pid, None)?;
            participants::set_participant_value(rec, p, age, a)?;
            participants::map_speaker(rec, d1, label, p)?;
        }
        Ok(())
    })?;
    let alex = study.ensure_coder("alex")?;
    let sam = study.ensure_coder("sam")?;
    study.change(Some(alex.id), "codebook", "codebook", |rec| {
        let fields = crate::codebook::CodeFields {
            definition: Some("Talk about how quickly the team answers.".into()),
            inclusion: Some("Waiting, delays, same-day replies.".into()),
            exclusion: Some("Phone waits.".into()),
            example: Some("\"the answer takes days\"".into()),
            ..Default::default()
        };
        crate::codebook::edit::add(rec, "Access/Response time", &fields)?;
        crate::codebook::edit::add(rec, "Access/Habit", &Default::default())?;
        crate::codebook::edit::add(rec, "Trust/Worry", &Default::default())?;
        Ok(())
    })?;
    let codes = crate::codebook::all(study.conn())?;
    let id = |p: &str| {
        codes
            .iter()
            .find(|c| c.path == p)
            .map(|c| c.id)
            .expect("code")
    };
    let text: Vec<char> = crate::study::documents::text(study.conn(), d1)?
        .chars()
        .collect();
    let find = |needle: &str| {
        let n: Vec<char> = needle.chars().collect();
        let at = text
            .windows(n.len())
            .position(|w| w == n.as_slice())
            .expect("needle");
        (at as i64, (at + n.len()) as i64)
    };
    let (habit_s, habit_e) = find("It's become a habit");
    let (days_s, days_e) = find("Sometimes the answer takes days");
    let (worry_s, worry_e) = find("That worries me.");
    study.change(Some(alex.id), "code", "alex codes", |rec| {
        crate::coding::add(rec, d1, id("Access/Habit"), alex.id, habit_s, habit_e)?;
        crate::coding::add(rec, d1, id("Access/Response time"), alex.id, days_s, days_e)?;
        Ok(())
    })?;
    study.change(Some(sam.id), "code", "sam codes", |rec| {
        crate::coding::add(rec, d1, id("Trust/Worry"), sam.id, worry_s, worry_e)?;
        Ok(())
    })?;
    Ok(study)
}

/// A generated study: `docs` documents, of which the first is about `big_bytes` long (the rest
/// small), with `codings` codings spread over the big one. For the benchmark.
pub fn generated_study(
    path: &Path,
    docs: usize,
    big_bytes: usize,
    codings: usize,
) -> Result<Study> {
    let mut study = Study::create(path)?;
    study.set_clock(fixed_clock());
    let speakers = ["Moderator", "Linda", "Rosa", "Zoë", "Priya", "Denise"];
    let words = [
        "the", "portal", "message", "nurse", "answer", "days", "worry", "refill", "chemo", "scan",
        "called", "honestly", "habit", "weekly",
    ];
    let mut seed = 42u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut transcript = |target: usize, tag: usize| {
        let mut src = String::new();
        let mut sec = 0;
        let mut i = 0;
        while src.len() < target {
            let sp = speakers[i % speakers.len()];
            let n = 20 + (next() % 120) as usize;
            let mut body = String::new();
            for k in 0..n {
                body.push_str(words[(next() % words.len() as u64) as usize]);
                body.push(if k % 11 == 10 { '.' } else { ' ' });
                if k % 11 == 10 {
                    body.push(' ');
                }
            }
            src.push_str(&format!(
                "[{:02}:{:02}:{:02}] {sp}: doc{tag} turn{i} {body}\n",
                sec / 3600,
                (sec / 60) % 60,
                sec % 60
            ));
            sec += 7;
            i += 1;
        }
        parse_simple(&src)
    };
    let big = transcript(big_bytes, 0);
    let mut smalls = Vec::new();
    for d in 1..docs {
        smalls.push(transcript(600, d));
    }
    study.change(None, "import", "import generated", |rec| {
        crate::import::study::insert_transcript(rec, "D0000", "D0000.txt", &big)?
            .map_err(|e| crate::invalid!("{e}"))?;
        for (i, t) in smalls.iter().enumerate() {
            let name = format!("D{:04}", i + 1);
            crate::import::study::insert_transcript(rec, &name, &format!("{name}.txt"), t)?
                .map_err(|e| crate::invalid!("{e}"))?;
        }
        Ok(())
    })?;
    let coder = study.ensure_coder("alex")?;
    let total = big.text.chars().count() as i64;
    study.change(Some(coder.id), "codebook", "codebook", |rec| {
        for t in 0..4 {
            for c in 0..6 {
                crate::codebook::edit::ensure_path(rec, &format!("Theme {t}/Code {c}"))?;
            }
        }
        Ok(())
    })?;
    let code_ids: Vec<i64> = crate::codebook::all(study.conn())?
        .iter()
        .filter(|c| c.depth == 1)
        .map(|c| c.id)
        .collect();
    let doc0: i64 =
        study
            .conn()
            .query_row("SELECT id FROM documents WHERE name = 'D0000'", [], |r| {
                r.get(0)
            })?;
    study.change(Some(coder.id), "code", "generated codings", |rec| {
        let step = (total / codings.max(1) as i64).max(1);
        for i in 0..codings as i64 {
            let start = (i * step) % (total - 200).max(1);
            let len = 20 + (i * 37) % 160;
            let code = code_ids[(i as usize) % code_ids.len()];
            crate::coding::add(rec, doc0, code, coder.id, start, (start + len).min(total))?;
        }
        Ok(())
    })?;
    Ok(study)
}
