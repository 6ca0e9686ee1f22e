//! The consensus coder as the final dataset: every unit the compared coders agreed on is
//! carried into it automatically (clipped to the unit, overlapping spans merged), next to the
//! codings review decisions wrote. Carried codings are re-derived on every sync, so they follow
//! the coders' later changes; review-made codings (those overlapping a reviewed unit) are never
//! touched by a sync. The coders' own codings are never changed.

use super::review::CONSENSUS_CODER;
use super::units::{Comparison, UnitKind};
use crate::error::Result;
use crate::study::ensure_coder_in;
use crate::study::history::Recorder;
use rusqlite::params;
use serde::Serialize;
use std::collections::{BTreeSet, HashMap};

/// Per coder: spans (start, end).
type PerCoder = Vec<Vec<(i64, i64)>>;

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct SyncResult {
    /// Units (of any code) where every compared coder applied the code.
    pub agreed_units: usize,
    pub added: usize,
    pub removed: usize,
    /// Consensus codings in the compared documents after the sync (carried + reviewed).
    pub consensus_codings: usize,
}

/// Merges sorted, possibly overlapping or touching intervals.
fn merge(mut v: Vec<(i64, i64)>) -> Vec<(i64, i64)> {
    v.sort_unstable();
    let mut out: Vec<(i64, i64)> = Vec::with_capacity(v.len());
    for (s, e) in v {
        match out.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => out.push((s, e)),
        }
    }
    out
}

/// Brings the consensus coder's carried codings in line with the agreed units of `cmp` at
/// `unit` (turn or sentence; other kinds use turns). Runs inside the caller's action.
pub fn sync(rec: &mut Recorder, cmp: &Comparison, unit: UnitKind) -> Result<SyncResult> {
    let unit = if unit == UnitKind::Sentence {
        UnitKind::Sentence
    } else {
        UnitKind::Turn
    };
    if cmp.coders.iter().any(|c| c.is_consensus) {
        return Err(crate::invalid!(
            "the consensus coder cannot be one of the coders its agreed units are carried from"
        ));
    }
    let consensus = ensure_coder_in(rec, CONSENSUS_CODER, true)?;
    let units = cmp.units(&rec.tx, unit)?;
    let n = cmp.coders.len();
    let ranges: Vec<(usize, usize)> = (0..cmp.documents.len())
        .map(|d| {
            (
                units.partition_point(|u| u.doc < d),
                units.partition_point(|u| u.doc <= d),
            )
        })
        .collect();
    // (unit, code) → per-coder spans clipped to the unit.
    let mut cover: HashMap<(usize, usize), PerCoder> = HashMap::new();
    for c in &cmp.codings {
        let (a, b) = ranges[c.doc];
        let slice = &units[a..b];
        let first = slice.partition_point(|u| u.end <= c.start);
        let last = slice.partition_point(|u| u.start < c.end);
        for (u, x) in units
            .iter()
            .enumerate()
            .take(a + last.max(first))
            .skip(a + first)
        {
            cover
                .entry((u, c.code))
                .or_insert_with(|| vec![Vec::new(); n])[c.coder]
                .push((c.start.max(x.start), c.end.min(x.end)));
        }
    }
    let mut reviewed: HashMap<(i64, i64), Vec<(i64, i64)>> = HashMap::new();
    {
        let mut stmt = rec
            .tx
            .prepare_cached("SELECT code_id, start, \"end\" FROM reviews WHERE document_id = ?1")?;
        for d in &cmp.documents {
            for row in
                stmt.query_map([d.id], |r| Ok((r.get::<_, i64>(0)?, r.get(1)?, r.get(2)?)))?
            {
                let (k, s, e) = row?;
                reviewed.entry((d.id, k)).or_default().push((s, e));
            }
        }
    }
    let overlaps_review = |doc: i64, code: i64, s: i64, e: i64| {
        reviewed
            .get(&(doc, code))
            .is_some_and(|v| v.iter().any(|r| r.0 < e && s < r.1))
    };
    let mut result = SyncResult::default();
    // Desired carried codings per (doc id, code id).
    let mut desired: HashMap<(i64, i64), Vec<(i64, i64)>> = HashMap::new();
    for ((u, k), spans) in cover {
        if spans.iter().any(Vec::is_empty) {
            continue;
        }
        let x = units[u];
        let (doc, code) = (cmp.documents[x.doc].id, cmp.codes[k].id);
        if overlaps_review(doc, code, x.start, x.end) {
            continue;
        }
        result.agreed_units += 1;
        desired
            .entry((doc, code))
            .or_default()
            .extend(spans.into_iter().flatten());
    }
    let desired: BTreeSet<(i64, i64, i64, i64)> = desired
        .into_iter()
        .flat_map(|((d, k), v)| merge(v).into_iter().map(move |(s, e)| (d, k, s, e)))
        .collect();
    let mut existing: Vec<(i64, i64, i64, i64, i64)> = Vec::new();
    {
        let mut stmt = rec.tx.prepare_cached(
            "SELECT id, code_id, start, \"end\" FROM codings WHERE coder_id = ?1 AND document_id = ?2",
        )?;
        for d in &cmp.documents {
            for row in stmt.query_map(params![consensus.id, d.id], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get(2)?,
                    r.get(3)?,
                ))
            })? {
                let (id, k, s, e) = row?;
                existing.push((id, d.id, k, s, e));
            }
        }
    }
    let mut have: BTreeSet<(i64, i64, i64, i64)> = BTreeSet::new();
    for &(id, d, k, s, e) in &existing {
        let key = (d, k, s, e);
        if overlaps_review(d, k, s, e) || desired.contains(&key) {
            have.insert(key);
            continue;
        }
        // A carried coding no longer agreed on (a coder changed theirs): removed.
        crate::coding::delete_coding(rec, id)?;
        result.removed += 1;
    }
    for &(d, k, s, e) in &desired {
        if !have.contains(&(d, k, s, e)) {
            crate::coding::add(rec, d, k, consensus.id, s, e)?;
            result.added += 1;
        }
    }
    result.consensus_codings = existing.len() - result.removed + result.added;
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::merge;

    #[test]
    fn merges_overlapping_and_touching() {
        assert_eq!(
            merge(vec![(5, 9), (0, 3), (3, 4), (8, 12), (20, 21)]),
            vec![(0, 4), (5, 12), (20, 21)]
        );
    }
}
