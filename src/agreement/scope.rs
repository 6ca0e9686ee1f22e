//! Who and what is compared: the coders (named, or the default rule) and the documents (the
//! ones every compared coder marked done; failing that, every document any of them coded,
//! where a coder with no codings counts as having found nothing). Every choice is stated.

use crate::error::Result;
use crate::study::Coder;
use rusqlite::Connection;
use serde::Serialize;
use std::collections::{BTreeSet, HashMap};

/// Which documents a comparison covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DocRule {
    /// The documents every compared coder marked done.
    Done,
    /// Every document any compared coder coded (nobody marked documents done).
    Coded,
}

/// A document or coder the comparison left out, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LeftOut {
    pub name: String,
    pub reason: String,
}

/// The outcome of the rules, before any codings are read.
#[derive(Debug, Clone)]
pub struct Scope {
    pub coders: Vec<Coder>,
    /// How the coders were chosen, in words.
    pub coders_rule: String,
    pub excluded_coders: Vec<LeftOut>,
    pub rule: DocRule,
    /// How the documents were chosen, in words.
    pub documents_rule: String,
    /// Compared document ids, in study order.
    pub documents: Vec<i64>,
    pub left_out: Vec<LeftOut>,
}

/// Per coder: documents marked done, documents coded, and number of codings.
#[derive(Default)]
struct CoderDocs {
    done: BTreeSet<i64>,
    coded: BTreeSet<i64>,
    codings: u64,
}

/// Which coder coded which documents, and how much: gathered from the scan of the codings the
/// caller makes anyway (see [`super::units::Comparison::load`]), so choosing costs no query.
#[derive(Default)]
pub struct Usage(HashMap<i64, CoderDocs>);

impl Usage {
    /// Counts `n` codings of each coder in `document`: (coder id, n).
    pub fn add_counts(&mut self, document: i64, counts: &[(i64, u64)]) {
        for &(coder, n) in counts {
            let e = self.0.entry(coder).or_default();
            e.coded.insert(document);
            e.codings += n;
        }
    }

    /// From the study file (one grouped scan), for callers without codings at hand.
    pub fn read(conn: &Connection) -> Result<Usage> {
        let mut by: HashMap<i64, CoderDocs> = HashMap::new();
        let mut stmt = conn.prepare_cached(
            "SELECT coder_id, document_id, count(*) FROM codings GROUP BY coder_id, document_id",
        )?;
        for row in stmt.query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
            ))
        })? {
            let (coder, doc, n) = row?;
            let e = by.entry(coder).or_default();
            e.coded.insert(doc);
            e.codings += n as u64;
        }
        Ok(Usage(by))
    }
}

fn load_docs(conn: &Connection, usage: Usage) -> Result<HashMap<i64, CoderDocs>> {
    let mut by = usage.0;
    let mut stmt = conn.prepare_cached("SELECT coder_id, document_id FROM document_done")?;
    for row in stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))? {
        let (coder, doc) = row?;
        by.entry(coder).or_default().done.insert(doc);
    }
    Ok(by)
}

fn all_coders(conn: &Connection) -> Result<Vec<Coder>> {
    let mut stmt =
        conn.prepare_cached("SELECT id, name, is_consensus FROM coders ORDER BY name")?;
    let rows = stmt.query_map([], |r| {
        Ok(Coder {
            id: r.get(0)?,
            name: r.get(1)?,
            is_consensus: r.get(2)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The default coders: among independent (non-consensus) coders with codings or done marks,
/// the pair sharing the most documents (done ones when anyone marked documents done, else coded
/// ones; ties: more codings, then names), plus every other coder who shares all of those.
fn default_coders(
    candidates: &[Coder],
    docs: &HashMap<i64, CoderDocs>,
) -> Result<(Vec<Coder>, String, Vec<LeftOut>)> {
    let any_done = candidates
        .iter()
        .any(|c| docs.get(&c.id).is_some_and(|d| !d.done.is_empty()));
    let empty = BTreeSet::new();
    let set = |c: &Coder| -> &BTreeSet<i64> {
        docs.get(&c.id)
            .map(|d| if any_done { &d.done } else { &d.coded })
            .unwrap_or(&empty)
    };
    let codings = |c: &Coder| docs.get(&c.id).map_or(0, |d| d.codings);
    let kind = if any_done { "marked done" } else { "coded" };
    let mut best: Option<(usize, u64, usize, usize)> = None;
    for i in 0..candidates.len() {
        for j in i + 1..candidates.len() {
            let shared = set(&candidates[i])
                .intersection(set(&candidates[j]))
                .count();
            let total = codings(&candidates[i]) + codings(&candidates[j]);
            let better = match best {
                None => true,
                Some((s, t, _, _)) => shared > s || (shared == s && total > t),
            };
            if better {
                best = Some((shared, total, i, j));
            }
        }
    }
    let Some((shared, _, i, j)) = best.filter(|b| b.0 > 0) else {
        let names: Vec<&str> = candidates.iter().map(|c| c.name.as_str()).collect();
        return Err(crate::invalid!(
            "no two coders share a document they {kind} (coders: {}); name the coders with --coders, or mark documents done with `thematic done DOC`",
            if names.is_empty() {
                "none".into()
            } else {
                names.join(", ")
            }
        ));
    };
    let common: BTreeSet<i64> = set(&candidates[i])
        .intersection(set(&candidates[j]))
        .copied()
        .collect();
    let mut chosen = vec![candidates[i].clone(), candidates[j].clone()];
    let mut excluded = Vec::new();
    for (k, c) in candidates.iter().enumerate() {
        if k == i || k == j {
            continue;
        }
        if common.is_subset(set(c)) {
            chosen.push(c.clone());
        } else {
            let has = common.intersection(set(c)).count();
            excluded.push(LeftOut {
                name: c.name.clone(),
                reason: format!(
                    "{kind} {has} of the {} documents the others share ({} coding(s)); include with --coders",
                    common.len(),
                    codings(c)
                ),
            });
        }
    }
    chosen.sort_by(|a, b| a.name.cmp(&b.name));
    let rule = format!(
        "default: the independent coders who share the most documents they {kind} ({shared}); the consensus coder is never compared by default"
    );
    Ok((chosen, rule, excluded))
}

/// Applies the coder and document rules. `coders` and `documents` are the user's choice
/// (names; empty = default / all).
pub fn choose(conn: &Connection, coders: &[String], documents: &[i64]) -> Result<Scope> {
    choose_with(conn, coders, documents, Usage::read(conn)?)
}

/// [`choose`] with the coders' usage already gathered.
pub fn choose_with(
    conn: &Connection,
    coders: &[String],
    documents: &[i64],
    usage: Usage,
) -> Result<Scope> {
    let everyone = all_coders(conn)?;
    let docs = load_docs(conn, usage)?;
    let (chosen, coders_rule, excluded_coders) = if coders.is_empty() {
        let candidates: Vec<Coder> = everyone
            .iter()
            .filter(|c| !c.is_consensus && docs.contains_key(&c.id))
            .cloned()
            .collect();
        default_coders(&candidates, &docs)?
    } else {
        let mut chosen = Vec::new();
        for name in coders {
            let c = everyone
                .iter()
                .find(|c| &c.name == name)
                .cloned()
                .ok_or_else(|| {
                    crate::not_found!(
                        "coder '{name}' has no codings in this study (no coder of that name; coders: {})",
                        everyone
                            .iter()
                            .map(|c| c.name.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                })?;
            if !chosen.iter().any(|x: &Coder| x.id == c.id) {
                chosen.push(c);
            }
        }
        if chosen.len() < 2 {
            return Err(crate::invalid!(
                "agreement needs at least two different coders; --coders named {}",
                chosen.len()
            ));
        }
        let rule = if chosen.iter().any(|c| c.is_consensus) {
            "named with --coders (includes the consensus coder, which is derived from the others)"
        } else {
            "named with --coders"
        };
        (chosen, rule.to_string(), Vec::new())
    };
    let empty = CoderDocs::default();
    let of = |c: &Coder| docs.get(&c.id).unwrap_or(&empty);
    let names = |set: &[&Coder]| {
        set.iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let all_marked = chosen.iter().all(|c| !of(c).done.is_empty());
    let study_docs: Vec<(i64, String)> = conn
        .prepare_cached("SELECT id, name FROM documents ORDER BY sort_order, id")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let wanted = |id: i64| documents.is_empty() || documents.contains(&id);
    let mut compared = Vec::new();
    let mut left_out = Vec::new();
    let (rule, documents_rule) = if all_marked {
        for (id, name) in &study_docs {
            if !wanted(*id) {
                continue;
            }
            let done: Vec<&Coder> = chosen.iter().filter(|c| of(c).done.contains(id)).collect();
            if done.len() == chosen.len() {
                compared.push(*id);
                continue;
            }
            let coded = chosen.iter().any(|c| of(c).coded.contains(id));
            if done.is_empty() && !coded {
                continue;
            }
            let missing: Vec<&Coder> = chosen.iter().filter(|c| !of(c).done.contains(id)).collect();
            left_out.push(LeftOut {
                name: name.clone(),
                reason: if done.is_empty() {
                    format!("coded but not marked done by {}", names(&missing))
                } else {
                    format!(
                        "marked done by {} but not by {}",
                        names(&done),
                        names(&missing)
                    )
                },
            });
        }
        (
            DocRule::Done,
            "the documents every compared coder marked done; no coding there means the coder found nothing".to_string(),
        )
    } else {
        for (id, _) in &study_docs {
            if wanted(*id) && chosen.iter().any(|c| of(c).coded.contains(id)) {
                compared.push(*id);
            }
        }
        let unmarked: Vec<&Coder> = chosen.iter().filter(|c| of(c).done.is_empty()).collect();
        let why = if unmarked.len() == chosen.len() {
            "no compared coder marked a document done".to_string()
        } else {
            format!("{} marked no document done", names(&unmarked))
        };
        (
            DocRule::Coded,
            format!(
                "every document any compared coder coded ({why}); a coder with no codings in one of them counts as having found nothing there — mark documents done (`thematic done DOC`) to state it"
            ),
        )
    };
    if compared.is_empty() {
        return Err(crate::invalid!(
            "no document to compare for {}: {}{}",
            names(&chosen.iter().collect::<Vec<_>>()),
            documents_rule,
            if left_out.is_empty() {
                String::new()
            } else {
                format!(
                    " (left out: {})",
                    left_out
                        .iter()
                        .map(|l| format!("{}: {}", l.name, l.reason))
                        .collect::<Vec<_>>()
                        .join("; ")
                )
            }
        ));
    }
    Ok(Scope {
        coders: chosen,
        coders_rule,
        excluded_coders,
        rule,
        documents_rule,
        documents: compared,
        left_out,
    })
}
