//! Pseudonymisation: speaker labels become participant IDs (P01…), and the names of people who
//! speak anywhere in the study (every speaker label of every document, as a whole word,
//! case-insensitively) become `[P01]` wherever they occur in text, so quotes can leave the
//! secure machine without naming anyone.
//!
//! Labels with no participant get a stable stand-in (`S01`, `S02`… by label). Labels of a single
//! character ("A", "Q") are used as speaker stand-ins but not searched for inside text, where
//! they would be ordinary words.

use crate::error::Result;
use rusqlite::Connection;
use std::collections::{BTreeSet, HashMap};

#[derive(Debug, Clone)]
struct Name {
    /// The label folded to lower case, as chars.
    folded: Vec<char>,
    /// Replacement when no document-specific mapping applies.
    id: String,
}

/// Replaces names with participant IDs. Build once per export with [`Pseudonymizer::new`].
#[derive(Debug, Clone, Default)]
pub struct Pseudonymizer {
    /// Longest first, so "Mary Ann" wins over "Mary".
    names: Vec<Name>,
    /// (document id, folded label) → participant ID.
    by_document: HashMap<(i64, String), String>,
    /// folded label → participant ID (the first document's mapping).
    global: HashMap<String, String>,
    /// First folded word (or first character, when a label starts with a non-word character)
    /// → indices into `names`, longest first. Keyed by the whole first word, so the names tried
    /// at a word stay few however many people a study has (by first letter, every position of
    /// a long text tried hundreds of names in a 1,000-transcript study).
    by_first: HashMap<Vec<char>, Vec<usize>>,
}

/// Where replacements happened, to move character offsets from the original text to the
/// pseudonymised one: (old start, old end, new start, new end), in order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OffsetMap(Vec<(usize, usize, usize, usize)>);

impl OffsetMap {
    /// The shift of `pos` by the replacements ending at or before it, or the replaced name
    /// `pos` falls inside. Replacements are in order and disjoint, so a binary search finds
    /// them: a scan per selection made pseudonymised exports cost selections × names.
    fn shift_before(&self, pos: usize) -> (i64, Option<(usize, usize)>) {
        let k = self.0.partition_point(|&(_, oe, _, _)| oe <= pos);
        if let Some(&(os, _, ns, ne)) = self.0.get(k)
            && os < pos
        {
            return (0, Some((ns, ne)));
        }
        let delta = k
            .checked_sub(1)
            .map_or(0, |k| self.0[k].3 as i64 - self.0[k].1 as i64);
        (delta, None)
    }

    /// New position of a range start; a start inside a replaced name moves to its start.
    pub fn start(&self, pos: usize) -> usize {
        match self.shift_before(pos) {
            (_, Some((ns, _))) => ns,
            (d, None) => (pos as i64 + d) as usize,
        }
    }

    /// New position of a range end; an end inside a replaced name moves to its end.
    pub fn end(&self, pos: usize) -> usize {
        match self.shift_before(pos) {
            (_, Some((_, ne))) => ne,
            (d, None) => (pos as i64 + d) as usize,
        }
    }
}

fn fold(c: char) -> char {
    c.to_lowercase().next().unwrap_or(c)
}

fn fold_str(s: &str) -> String {
    s.chars().map(fold).collect()
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The leading word of `folded` (its run of word characters, judged by `original(k)`), or its
/// first character alone when that is not a word character. Empty only for an empty slice.
fn first_word(folded: &[char], original: impl Fn(usize) -> char) -> &[char] {
    if folded.is_empty() {
        return folded;
    }
    if !is_word(original(0)) {
        return &folded[..1];
    }
    let end = (0..folded.len())
        .find(|&k| !is_word(original(k)))
        .unwrap_or(folded.len());
    &folded[..end]
}

impl Pseudonymizer {
    /// Reads every speaker label and its participant from the study.
    pub fn new(conn: &Connection) -> Result<Pseudonymizer> {
        let mut stmt = conn.prepare(
            "SELECT s.document_id, s.label, p.pid FROM speakers s
               LEFT JOIN participants p ON p.id = s.participant_id
               JOIN documents d ON d.id = s.document_id
              UNION
             SELECT DISTINCT t.document_id, t.speaker, NULL FROM turns t
              WHERE t.speaker IS NOT NULL AND NOT EXISTS
                    (SELECT 1 FROM speakers s WHERE s.document_id = t.document_id AND s.label = t.speaker)",
        )?;
        let rows: Vec<(i64, String, Option<String>)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<Result<_, _>>()?;
        let mut rows = rows;
        rows.sort();
        let unmapped: BTreeSet<String> = rows
            .iter()
            .filter(|r| r.2.is_none())
            .map(|r| fold_str(r.1.trim()))
            .collect();
        let stand_in: HashMap<String, String> = unmapped
            .iter()
            .enumerate()
            .map(|(i, l)| (l.clone(), format!("S{:02}", i + 1)))
            .collect();
        let mut out = Pseudonymizer::default();
        for (doc, label, pid) in &rows {
            let folded = fold_str(label.trim());
            if folded.is_empty() {
                continue;
            }
            let id = pid
                .clone()
                .unwrap_or_else(|| stand_in.get(&folded).cloned().unwrap_or_default());
            out.by_document.insert((*doc, folded.clone()), id.clone());
            out.global.entry(folded).or_insert(id);
        }
        let mut names: Vec<Name> = out
            .global
            .iter()
            .filter(|(label, id)| label.chars().count() > 1 && **label != fold_str(id))
            .map(|(label, id)| Name {
                folded: label.chars().collect(),
                id: id.clone(),
            })
            .collect();
        names.sort_by(|a, b| {
            b.folded
                .len()
                .cmp(&a.folded.len())
                .then(a.folded.cmp(&b.folded))
        });
        out.names = names;
        out.index();
        Ok(out)
    }

    fn index(&mut self) {
        self.by_first.clear();
        for (i, n) in self.names.iter().enumerate() {
            if n.folded.is_empty() {
                continue;
            }
            let key = first_word(&n.folded, |k| n.folded[k]);
            self.by_first.entry(key.to_vec()).or_default().push(i);
        }
    }

    /// The participant ID standing in for a speaker label (in `document` when known).
    pub fn speaker(&self, document: Option<i64>, label: &str) -> String {
        let folded = fold_str(label.trim());
        document
            .and_then(|d| self.by_document.get(&(d, folded.clone())))
            .or_else(|| self.global.get(&folded))
            .cloned()
            .unwrap_or_else(|| "[speaker]".into())
    }

    /// `text` with every name replaced by `[ID]`.
    pub fn text(&self, document: Option<i64>, text: &str) -> String {
        self.text_with_map(document, text).0
    }

    /// `text` with names replaced, and the map that moves offsets into the new text.
    pub fn text_with_map(&self, document: Option<i64>, text: &str) -> (String, OffsetMap) {
        let chars: Vec<char> = text.chars().collect();
        let folded: Vec<char> = chars.iter().map(|&c| fold(c)).collect();
        let mut out = String::with_capacity(text.len());
        let mut map = Vec::new();
        let (mut i, mut written) = (0usize, 0usize);
        while i < chars.len() {
            let at_boundary = i == 0 || !is_word(chars[i - 1]);
            let hit = at_boundary
                .then(|| {
                    let key = first_word(&folded[i..], |k| chars[i + k]);
                    self.by_first.get(key)
                })
                .flatten()
                .and_then(|candidates| {
                    candidates.iter().map(|&k| &self.names[k]).find(|n| {
                        let end = i + n.folded.len();
                        end <= chars.len()
                            && folded[i..end] == n.folded[..]
                            && (end == chars.len() || !is_word(chars[end]))
                    })
                });
            match hit {
                Some(name) => {
                    let label: String = name.folded.iter().collect();
                    let id = document
                        .and_then(|d| self.by_document.get(&(d, label)))
                        .unwrap_or(&name.id);
                    let replacement = format!("[{id}]");
                    let n = replacement.chars().count();
                    map.push((i, i + name.folded.len(), written, written + n));
                    out.push_str(&replacement);
                    written += n;
                    i += name.folded.len();
                }
                None => {
                    out.push(chars[i]);
                    written += 1;
                    i += 1;
                }
            }
        }
        (out, OffsetMap(map))
    }

    /// True when no label is known (nothing to replace).
    pub fn is_empty(&self) -> bool {
        self.global.is_empty()
    }
}

/// `text` with every participant's name replaced by `[ID]`. For callers (the report) that have
/// one piece of text at a time; build a [`Pseudonymizer`] once when there are many. If the study
/// cannot be read, the text is withheld rather than returned unchanged.
pub fn pseudonymize_text(conn: &Connection, text: &str) -> String {
    match Pseudonymizer::new(conn) {
        Ok(p) => p.text(None, text),
        Err(_) => "[text withheld: the study could not be read to pseudonymise it]".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Pseudonymizer {
        let mut p = Pseudonymizer::default();
        for (doc, label, id) in [
            (1, "linda", "P01"),
            (1, "mary ann", "P02"),
            (2, "linda", "P07"),
        ] {
            p.by_document.insert((doc, label.into()), id.into());
            p.global.entry(label.into()).or_insert(id.into());
        }
        p.names = vec![
            Name {
                folded: "mary ann".chars().collect(),
                id: "P02".into(),
            },
            Name {
                folded: "linda".chars().collect(),
                id: "P01".into(),
            },
        ];
        p.index();
        p
    }

    #[test]
    fn names_are_replaced_as_whole_words() {
        let p = sample();
        assert_eq!(
            p.text(Some(1), "LINDA said Mary Ann, not Lindas."),
            "[P01] said [P02], not Lindas."
        );
        assert_eq!(p.text(Some(2), "linda!"), "[P07]!");
        assert_eq!(p.speaker(Some(2), "Linda"), "P07");
        assert_eq!(p.speaker(None, "Nobody"), "[speaker]");
    }

    #[test]
    fn offsets_follow_replacements() {
        let p = sample();
        let text = "Hi Linda, bye.";
        let (new, map) = p.text_with_map(Some(1), text);
        assert_eq!(new, "Hi [P01], bye.");
        // "bye" is 10..13 in the old text, 10..13 + 0 in the new (5 chars → 5 chars)
        assert_eq!((map.start(10), map.end(13)), (10, 13));
        let (new, map) = p.text_with_map(Some(1), "Mary Ann: ok");
        assert_eq!(new, "[P02]: ok");
        assert_eq!((map.start(10), map.end(12)), (7, 9));
        // A range starting inside a name widens to the whole replacement.
        assert_eq!((map.start(2), map.end(4)), (0, 5));
    }

    /// Names sharing a first letter or a first word: the longest whole-word match wins, and a
    /// name inside a longer word is left alone; labels starting with a non-word character work.
    #[test]
    fn names_sharing_a_first_word_are_told_apart() {
        let mut p = Pseudonymizer::default();
        for (label, id) in [
            ("mary ann", "P02"),
            ("mary", "P03"),
            ("mark", "P04"),
            ("#7", "P05"),
        ] {
            p.global.insert(label.into(), id.into());
            p.names.push(Name {
                folded: label.chars().collect(),
                id: id.into(),
            });
        }
        p.names.sort_by(|a, b| {
            b.folded
                .len()
                .cmp(&a.folded.len())
                .then(a.folded.cmp(&b.folded))
        });
        p.index();
        assert_eq!(
            p.text(
                None,
                "Mary Ann and Mary and MARK, not Marybeth or Mary-Ann; #7 spoke."
            ),
            "[P02] and [P03] and [P04], not Marybeth or [P03]-Ann; [P05] spoke."
        );
    }

    /// The binary search moves every position exactly as walking the replacements in order
    /// (the definition) does, before, inside, between and after many replacements.
    #[test]
    fn offset_map_lookup_matches_a_walk() {
        let p = sample();
        let text = "Linda and Mary Ann; linda, mary ann. LINDA? x ".repeat(5);
        let (new, map) = p.text_with_map(Some(1), &text);
        assert_eq!(new.matches("[P0").count(), 25);
        let walk = |pos: usize, end: bool| {
            let mut delta = 0i64;
            for &(os, oe, ns, ne) in &map.0 {
                if oe <= pos {
                    delta = ne as i64 - oe as i64;
                } else if os < pos {
                    return if end { ne } else { ns };
                } else {
                    break;
                }
            }
            (pos as i64 + delta) as usize
        };
        for pos in 0..=text.chars().count() {
            assert_eq!(map.start(pos), walk(pos, false), "start {pos}");
            assert_eq!(map.end(pos), walk(pos, true), "end {pos}");
        }
    }
}
