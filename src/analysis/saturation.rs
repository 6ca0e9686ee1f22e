//! Saturation: how many codes appear for the first time in each successive transcript. The
//! cumulative curve flattening out is the usual argument that no new themes were emerging.

use crate::codebook;
use crate::error::Result;
use rusqlite::Connection;
use serde::Serialize;
use std::collections::{HashMap, HashSet};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SaturationPoint {
    /// 1-based position in the order.
    pub position: usize,
    pub document: String,
    /// Distinct codes applied in this document.
    pub codes: usize,
    /// Codes seen here for the first time (paths, codebook order).
    pub new_codes: Vec<String>,
    pub cumulative: usize,
    /// Top-level themes seen here for the first time.
    pub new_themes: Vec<String>,
    pub cumulative_themes: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Saturation {
    pub coder: Option<i64>,
    pub order: Vec<String>,
    pub points: Vec<SaturationPoint>,
}

/// `order`: document names (exact or unique prefixes); None = study (import) order. Only the
/// listed documents take part.
pub fn saturation(
    conn: &Connection,
    coder: Option<i64>,
    order: Option<&[String]>,
) -> Result<Saturation> {
    let docs: Vec<(i64, String)> = match order {
        None => crate::study::documents::list(conn)?
            .into_iter()
            .map(|d| (d.id, d.name))
            .collect(),
        Some(names) => {
            let mut v = Vec::new();
            let mut seen = HashSet::new();
            for n in names {
                let d = crate::study::documents::resolve(conn, n.trim())?;
                if !seen.insert(d.id) {
                    return Err(crate::invalid!("{} is listed twice in --order", d.name));
                }
                v.push((d.id, d.name));
            }
            v
        }
    };
    let codes = codebook::all(conn)?;
    let pos: HashMap<i64, usize> = codes.iter().enumerate().map(|(i, c)| (c.id, i)).collect();
    let by_id: HashMap<i64, &codebook::Code> = codes.iter().map(|c| (c.id, c)).collect();
    let theme_of = |id: i64| -> i64 {
        let mut c = by_id[&id];
        let mut guard = 0;
        while let Some(p) = c.parent_id.and_then(|p| by_id.get(&p)) {
            c = p;
            guard += 1;
            if guard > 64 {
                break;
            }
        }
        c.id
    };
    let mut per_doc: HashMap<i64, Vec<i64>> = HashMap::new();
    {
        let mut stmt = conn.prepare_cached(
            "SELECT document_id, code_id FROM codings INDEXED BY codings_analysis
              WHERE ?1 IS NULL OR coder_id = ?1 GROUP BY document_id, code_id",
        )?;
        let mut rows = stmt.query([coder])?;
        while let Some(r) = rows.next()? {
            let code: i64 = r.get(1)?;
            if pos.contains_key(&code) {
                per_doc.entry(r.get(0)?).or_default().push(code);
            }
        }
    }
    let mut seen_codes: HashSet<i64> = HashSet::new();
    let mut seen_themes: HashSet<i64> = HashSet::new();
    let mut points = Vec::new();
    for (i, (id, name)) in docs.iter().enumerate() {
        let mut applied = per_doc.remove(id).unwrap_or_default();
        applied.sort_by_key(|c| pos[c]);
        let mut new_codes = Vec::new();
        let mut new_themes = Vec::new();
        for &c in &applied {
            if seen_codes.insert(c) {
                new_codes.push(by_id[&c].path.clone());
            }
            let t = theme_of(c);
            if seen_themes.insert(t) {
                new_themes.push(by_id[&t].path.clone());
            }
        }
        points.push(SaturationPoint {
            position: i + 1,
            document: name.clone(),
            codes: applied.len(),
            new_codes,
            cumulative: seen_codes.len(),
            new_themes,
            cumulative_themes: seen_themes.len(),
        });
    }
    Ok(Saturation {
        coder,
        order: docs.into_iter().map(|(_, n)| n).collect(),
        points,
    })
}

#[cfg(test)]
mod tests {
    use super::super::testutil::seed;
    use super::*;

    #[test]
    fn first_appearances_in_order() {
        let (_dir, study, ids) = seed();
        let s = saturation(study.conn(), None, None).unwrap();
        // FG1: Cost, Distance, Trust, Worry all new (4); FG2: Cost, Trust → nothing new;
        // FG3: Distance, Worry → nothing new.
        let new: Vec<usize> = s.points.iter().map(|p| p.new_codes.len()).collect();
        assert_eq!(new, [4, 0, 0]);
        assert_eq!(s.points[0].new_themes, ["Access", "Trust", "Emotion"]);
        // FG3 first: Distance, Worry (2, themes Access, Emotion); then FG2: Cost, Trust (2);
        // then FG1: nothing new.
        let order = vec!["FG3".to_string(), "FG2".into(), "FG1".into()];
        let s = saturation(study.conn(), None, Some(&order)).unwrap();
        let cum: Vec<usize> = s.points.iter().map(|p| p.cumulative).collect();
        assert_eq!(cum, [2, 4, 4]);
        assert_eq!(s.points[1].new_codes, ["Access/Cost", "Trust"]);
        // sam coded only Cost in FG1.
        let sam = saturation(study.conn(), Some(ids.sam), None).unwrap();
        assert_eq!(sam.points[0].new_codes, ["Access/Cost"]);
    }
}
