//! Renders the report: study summary, codebook, each theme's frequency by group, the
//! co-occurrence heat map, the saturation curve, agreement (when available) and exemplar
//! quotes. Every piece of study text goes through `escape`.

use super::svg;
use super::{ReportOptions, agreement_section, escape};
use crate::analysis::cooccurrence::{CoScope, CooccurrenceOptions, cooccurrence};
use crate::analysis::index::StudyIndex;
use crate::analysis::matrix::{Grouping, Matrix, MatrixOptions, Measure, read_codings, tally};
use crate::analysis::saturation::saturation;
use crate::analysis::{resolve_attribute, sort_values};
use crate::codebook::{self, Code};
use crate::error::Result;
use crate::study::participants::Scope;
use rusqlite::{Connection, params};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write;

const CSS: &str = r#"
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; margin: 2rem auto; max-width: 1100px; color: #1d1d1f; line-height: 1.45; padding: 0 1rem; }
h1 { font-size: 1.9rem; margin-bottom: .2rem; }
h2 { border-bottom: 2px solid #0072B2; padding-bottom: .2rem; margin-top: 2.5rem; }
h3 { margin-bottom: .3rem; }
.meta { color: #555; }
table { border-collapse: collapse; margin: .6rem 0 1rem; font-size: .92rem; }
th, td { border: 1px solid #d0d0d0; padding: .3rem .55rem; text-align: left; vertical-align: top; }
th { background: #f2f5f8; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.swatch { display: inline-block; width: .8rem; height: .8rem; border-radius: 2px; margin-right: .35rem; vertical-align: -1px; }
.depth1 { padding-left: 1.4rem; } .depth2 { padding-left: 2.6rem; } .depth3 { padding-left: 3.8rem; }
.chart text { font-family: inherit; font-size: 11px; fill: #222; }
.chart text.cell { font-size: 10px; } .chart text.light { fill: #fff; }
.chart text.value { fill: #444; font-size: 10px; }
blockquote { margin: .6rem 0; padding: .5rem .9rem; border-left: 4px solid #0072B2; background: #f7f9fb; }
blockquote footer { color: #555; font-size: .85rem; margin-top: .3rem; }
.note { color: #555; font-size: .9rem; }
.cards { display: flex; gap: 1rem; flex-wrap: wrap; }
.card { border: 1px solid #d0d0d0; border-radius: 6px; padding: .6rem 1rem; min-width: 8rem; }
.card b { display: block; font-size: 1.5rem; }
#codebook td { font-size: .84rem; }
#codebook td:first-child { min-width: 13rem; }
@media print { h2 { page-break-before: always; } }
"#;

/// The grouping theme frequencies are shown by when none is asked for: `composition`, else
/// the first document attribute, else the first participant attribute, else none.
pub fn default_grouping(conn: &Connection) -> Result<Grouping> {
    if let Ok(a) = resolve_attribute(conn, "document:composition") {
        return Ok(Grouping::Attribute(a));
    }
    for scope in [Scope::Document, Scope::Participant] {
        if let Some((name, _)) = crate::study::participants::attribute_names(conn, scope)?
            .into_iter()
            .next()
        {
            return Ok(Grouping::Attribute(resolve_attribute(
                conn,
                &format!("{}:{name}", scope.as_str()),
            )?));
        }
    }
    Ok(Grouping::None)
}

fn section(out: &mut String, id: &str, title: &str) {
    let _ = write!(out, r#"<section id="{id}"><h2>{}</h2>"#, escape(title));
}

pub fn render(conn: &Connection, opts: &ReportOptions) -> Result<String> {
    // The agreement statistics are the slowest part and independent of the rest: computed
    // in another thread on its own read-only connection while the rest is written.
    let path = conn.path().filter(|p| !p.is_empty()).map(str::to_string);
    let Some(path) = path else {
        let agreement = agreement_section(conn, &opts.agreement_coders);
        return render_with(conn, opts, agreement);
    };
    std::thread::scope(|s| {
        let coders = opts.agreement_coders.clone();
        let agreement = s.spawn(move || {
            crate::analysis::index::reader(&path)
                .ok()
                .and_then(|c| agreement_section(&c, &coders))
        });
        let mut pending = Some(agreement);
        let mut take = || pending.take().and_then(|h| h.join().ok().flatten());
        render_inner(conn, opts, &mut take)
    })
}

fn render_with(
    conn: &Connection,
    opts: &ReportOptions,
    agreement: Option<String>,
) -> Result<String> {
    let mut agreement = agreement;
    render_inner(conn, opts, &mut || agreement.take())
}

fn render_inner(
    conn: &Connection,
    opts: &ReportOptions,
    agreement: &mut dyn FnMut() -> Option<String>,
) -> Result<String> {
    let codes = codebook::all(conn)?;
    let (index, codings) = StudyIndex::load_alongside(conn, |c| read_codings(c, opts.coder))?;
    let grouping = match &opts.by {
        Some(by) => Grouping::parse(conn, by)?,
        None => default_grouping(conn)?,
    };
    let overall = tally(
        &index,
        &codes,
        &codings,
        &MatrixOptions {
            coder: opts.coder,
            by: Grouping::None,
            include_moderators: false,
        },
    );
    let grouped = tally(
        &index,
        &codes,
        &codings,
        &MatrixOptions {
            coder: opts.coder,
            by: grouping.clone(),
            include_moderators: false,
        },
    );
    let name: String = {
        use rusqlite::OptionalExtension;
        conn.query_row("SELECT value FROM meta WHERE key = 'name'", [], |r| {
            r.get(0)
        })
        .optional()?
        .unwrap_or_else(|| "study".into())
    };
    let coder_name = match opts.coder {
        Some(id) => Some(
            conn.query_row("SELECT name FROM coders WHERE id = ?1", [id], |r| {
                r.get::<_, String>(0)
            })?,
        ),
        None => None,
    };
    let mut out = String::with_capacity(64 * 1024);
    let _ = write!(
        out,
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex"><title>{} — thematic analysis report</title><style>{CSS}</style></head><body>"#,
        escape(&name)
    );
    let _ = write!(
        out,
        r#"<header><h1>{}</h1><p class="meta">Thematic analysis report · generated {} · {}</p><p class="note">Confidential: this report quotes transcripts. Counts: a code's figures include its subcodes; participants are the speakers of the turns a coding overlaps; moderators are not counted as participants.</p></header>"#,
        escape(&name),
        escape(&chrono::Utc::now().format("%Y-%m-%d %H:%M UTC").to_string()),
        escape(&match &coder_name {
            Some(n) => format!("codings by {n}"),
            None => "independent coders' codings pooled (consensus not included)".to_string(),
        })
    );
    summary(conn, &index, &overall, &mut out)?;
    codebook_section(&codes, &overall, &mut out);
    themes(&codes, &grouped, &mut out);
    cooccurrence_section(conn, opts, &codes, &mut out)?;
    saturation_section(conn, opts, &mut out)?;
    if let Some(inner) = agreement() {
        section(&mut out, "agreement", "Agreement between coders");
        out.push_str(&inner);
        out.push_str("</section>");
    }
    quotes(conn, &index, &codes, &grouping, opts, &mut out)?;
    // The researcher's memos (owned by the memo module; empty when there are none).
    out.push_str(&crate::memo::html_section(conn)?);
    out.push_str("</body></html>\n");
    Ok(out)
}

fn summary(conn: &Connection, index: &StudyIndex, m: &Matrix, out: &mut String) -> Result<()> {
    section(out, "summary", "Study summary");
    let turns: i64 = conn.query_row("SELECT count(*) FROM turns", [], |r| r.get(0))?;
    let codings: i64 = conn.query_row("SELECT count(*) FROM codings", [], |r| r.get(0))?;
    let moderators = index
        .apps
        .iter()
        .filter(|a| index.people[a.person as usize].moderator)
        .map(|a| a.person)
        .collect::<HashSet<_>>()
        .len();
    let _ = write!(
        out,
        r#"<div class="cards"><div class="card"><b>{}</b>documents</div><div class="card"><b>{}</b>speaker turns</div><div class="card"><b>{}</b>participants</div><div class="card"><b>{}</b>moderators</div><div class="card"><b>{}</b>codings</div></div>"#,
        index.docs.len(),
        turns,
        m.study.participants,
        moderators,
        codings
    );
    // Coders.
    out.push_str("<h3>Coders</h3><table><tr><th>coder</th><th class=\"num\">codings</th><th class=\"num\">documents</th></tr>");
    let mut stmt = conn.prepare(
        "SELECT k.name, k.is_consensus, count(c.id), count(DISTINCT c.document_id)
           FROM coders k LEFT JOIN codings c ON c.coder_id = k.id GROUP BY k.id ORDER BY k.name",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, bool>(1)?,
            r.get::<_, i64>(2)?,
            r.get::<_, i64>(3)?,
        ))
    })?;
    for row in rows {
        let (name, consensus, n, d) = row?;
        let _ = write!(
            out,
            r#"<tr><td>{}{}</td><td class="num">{n}</td><td class="num">{d}</td></tr>"#,
            escape(&name),
            if consensus { " (consensus)" } else { "" }
        );
    }
    out.push_str("</table>");
    // Participants by attribute (people who speak, moderators left out).
    let attrs: Vec<(i64, String)> = conn
        .prepare("SELECT id, name FROM attributes WHERE scope = 'participant' ORDER BY id")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let speaking: HashSet<u32> = index
        .apps
        .iter()
        .filter(|a| !index.people[a.person as usize].moderator)
        .map(|a| a.person)
        .collect();
    if !attrs.is_empty() {
        out.push_str("<h3>Participants by attribute</h3><table><tr><th>attribute</th><th>value</th><th class=\"num\">participants</th></tr>");
        for (id, name) in &attrs {
            let mut counts: BTreeMap<String, usize> = BTreeMap::new();
            for &p in &speaking {
                let v = index.people[p as usize]
                    .attrs
                    .get(id)
                    .cloned()
                    .unwrap_or_else(|| crate::analysis::NO_VALUE.into());
                *counts.entry(v).or_default() += 1;
            }
            let mut values: Vec<String> = counts.keys().cloned().collect();
            sort_values(&mut values);
            for (i, v) in values.iter().enumerate() {
                let _ = write!(
                    out,
                    r#"<tr><td>{}</td><td>{}</td><td class="num">{}</td></tr>"#,
                    if i == 0 { escape(name) } else { String::new() },
                    escape(v),
                    counts[v]
                );
            }
        }
        out.push_str("</table>");
    }
    // Documents.
    let dattrs: Vec<(i64, String)> = conn
        .prepare("SELECT id, name FROM attributes WHERE scope = 'document' ORDER BY id")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    out.push_str("<h3>Documents</h3><table><tr><th>document</th>");
    for (_, n) in &dattrs {
        let _ = write!(out, "<th>{}</th>", escape(n));
    }
    out.push_str("<th class=\"num\">turns</th><th class=\"num\">participants</th></tr>");
    const MAX_DOCS: usize = 200;
    for d in index.docs.iter().take(MAX_DOCS) {
        let _ = write!(out, "<tr><td>{}</td>", escape(&d.name));
        for (id, _) in &dattrs {
            let _ = write!(
                out,
                "<td>{}</td>",
                escape(d.attrs.get(id).map(String::as_str).unwrap_or(""))
            );
        }
        let people: HashSet<u32> = d
            .apps
            .iter()
            .map(|&a| index.apps[a as usize].person)
            .filter(|&p| !index.people[p as usize].moderator)
            .collect();
        let _ = write!(
            out,
            r#"<td class="num">{}</td><td class="num">{}</td></tr>"#,
            d.turns.len(),
            people.len()
        );
    }
    out.push_str("</table>");
    if index.docs.len() > MAX_DOCS {
        let _ = write!(
            out,
            r#"<p class="note">… and {} more documents (see <code>thematic docs</code>).</p>"#,
            index.docs.len() - MAX_DOCS
        );
    }
    out.push_str("</section>");
    Ok(())
}

fn codebook_section(codes: &[Code], m: &Matrix, out: &mut String) {
    section(out, "codebook", "Codebook");
    out.push_str(r#"<table><tr><th>code</th><th>definition</th><th>include when</th><th>exclude when</th><th>example</th><th class="num">codings</th><th class="num">documents</th><th class="num">participants</th></tr>"#);
    for (c, r) in codes.iter().zip(&m.rows) {
        let _ = write!(
            out,
            r#"<tr><td class="depth{}"><span class="swatch" style="background:{}"></span>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td></tr>"#,
            c.depth.min(3),
            escape(&c.colour),
            escape(&c.name),
            escape(&c.definition),
            escape(&c.inclusion),
            escape(&c.exclusion),
            escape(&c.example),
            r.total.codings,
            r.total.documents,
            r.total.participants
        );
    }
    out.push_str("</table></section>");
}

fn themes(codes: &[Code], m: &Matrix, out: &mut String) {
    section(out, "themes", "Themes by group");
    let (series, measure_note): (Vec<String>, String) = if m.columns.is_empty() {
        (
            vec!["all participants".into()],
            "% of all participants".into(),
        )
    } else {
        (
            m.columns
                .iter()
                .map(|c| format!("{} (n={})", c.label, c.participants))
                .collect(),
            format!("% of participants in each {} group", m.by),
        )
    };
    let _ = write!(
        out,
        r#"<p class="note">Bars: {} who spoke to the theme or code.</p>"#,
        escape(&measure_note)
    );
    for (i, theme) in codes.iter().enumerate() {
        if theme.parent_id.is_some() {
            continue;
        }
        let sub = codebook::subtree_ids(codes, theme.id);
        let rows: Vec<usize> = codes
            .iter()
            .enumerate()
            .filter(|(_, c)| sub.contains(&c.id))
            .map(|(k, _)| k)
            .collect();
        let t = &m.rows[i].total;
        let _ = write!(
            out,
            r#"<article class="theme"><h3><span class="swatch" style="background:{}"></span>{}</h3><p>{}</p><p class="meta">{} codings · {} documents · {} participants</p>"#,
            escape(&theme.colour),
            escape(&theme.name),
            escape(&theme.definition),
            t.codings,
            t.documents,
            t.participants
        );
        let categories: Vec<String> = rows
            .iter()
            .map(|&k| {
                let c = &codes[k];
                if k == i {
                    format!("{} (theme)", c.name)
                } else {
                    format!("{}{}", "  ".repeat(c.depth), c.name)
                }
            })
            .collect();
        let values: Vec<Vec<Option<f64>>> = rows
            .iter()
            .map(|&k| {
                let r = &m.rows[k];
                if m.columns.is_empty() {
                    vec![m.percent(&r.total, None, Measure::Participants)]
                } else {
                    (0..m.columns.len())
                        .map(|c| m.percent(&r.cells[c], Some(c), Measure::Participants))
                        .collect()
                }
            })
            .collect();
        out.push_str(&svg::bar_chart(
            &format!("{}: participants by group", theme.name),
            &categories,
            &series,
            &values,
            "%",
        ));
        out.push_str("</article>");
    }
    out.push_str("</section>");
}

fn cooccurrence_section(
    conn: &Connection,
    opts: &ReportOptions,
    codes: &[Code],
    out: &mut String,
) -> Result<()> {
    section(out, "cooccurrence", "Co-occurrence");
    let leaves = codes.len();
    let co = cooccurrence(
        conn,
        &CooccurrenceOptions {
            coder: opts.coder,
            scope: CoScope::Turn,
            themes: leaves > 40,
        },
    )?;
    let _ = write!(
        out,
        r#"<p class="note">Number of speaker turns in which a coder applied both {} (diagonal: turns with the code). Darker is more.</p>"#,
        if co.themes { "themes" } else { "codes" }
    );
    if co.codes.is_empty() {
        out.push_str("<p>No codings yet.</p>");
    } else {
        // Leaf names (a theme's codes are listed right after it), so labels stay distinct
        // when clipped.
        let labels: Vec<String> = co
            .codes
            .iter()
            .map(|c| match c.path.rsplit_once('/') {
                Some((_, leaf)) => format!("· {leaf}"),
                None => c.path.clone(),
            })
            .collect();
        out.push_str(&svg::heat_map(
            "Co-occurrence heat map",
            &labels,
            &co.counts,
        ));
    }
    out.push_str("</section>");
    Ok(())
}

fn saturation_section(conn: &Connection, opts: &ReportOptions, out: &mut String) -> Result<()> {
    section(out, "saturation", "Saturation");
    let s = saturation(conn, opts.coder, None)?;
    out.push_str(r#"<p class="note">Codes appearing for the first time in each transcript, in import order (bars), and the cumulative number of codes (line). A flattening line suggests no new codes were emerging.</p>"#);
    let points: Vec<(String, usize, usize)> = s
        .points
        .iter()
        .map(|p| (p.document.clone(), p.new_codes.len(), p.cumulative))
        .collect();
    out.push_str(&svg::saturation_chart("Saturation curve", &points));
    out.push_str("<table><tr><th>#</th><th>document</th><th class=\"num\">new</th><th class=\"num\">cumulative</th><th>new codes</th></tr>");
    for p in s.points.iter().filter(|p| !p.new_codes.is_empty()) {
        let _ = write!(
            out,
            r#"<tr><td class="num">{}</td><td>{}</td><td class="num">{}</td><td class="num">{}</td><td>{}</td></tr>"#,
            p.position,
            escape(&p.document),
            p.new_codes.len(),
            p.cumulative,
            escape(&p.new_codes.join("; "))
        );
    }
    out.push_str("</table></section>");
    Ok(())
}

/// Up to three quotes per theme, of readable length, from different groups and documents.
fn quotes(
    conn: &Connection,
    index: &StudyIndex,
    codes: &[Code],
    grouping: &Grouping,
    opts: &ReportOptions,
    out: &mut String,
) -> Result<()> {
    section(out, "quotes", "Exemplar quotes");
    let pos: HashMap<i64, usize> = codes.iter().enumerate().map(|(i, c)| (c.id, i)).collect();
    let mut stmt = conn.prepare_cached(
        "SELECT document_id, start, \"end\" FROM codings WHERE code_id = ?1 AND (?2 IS NULL OR coder_id = ?2)",
    )?;
    for theme in codes.iter().filter(|c| c.parent_id.is_none()) {
        let mut cands: Vec<(i64, i64, i64)> = Vec::new();
        for id in codebook::subtree_ids(codes, theme.id) {
            if !pos.contains_key(&id) {
                continue;
            }
            let rows = stmt.query_map(params![id, opts.coder], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?;
            for row in rows {
                cands.push(row?);
            }
        }
        cands.sort_unstable();
        cands.dedup();
        // Prefer 60–400 characters, close to 180.
        let score = |c: &(i64, i64, i64)| {
            let len = c.2 - c.1;
            let penalty = if (60..=400).contains(&len) { 0 } else { 1000 };
            penalty + (len - 180).abs()
        };
        cands.sort_by_key(|c| (score(c), c.0, c.1));
        let mut chosen: Vec<(i64, i64, i64, String)> = Vec::new();
        let mut groups_used: HashSet<String> = HashSet::new();
        let mut docs_used: HashSet<i64> = HashSet::new();
        for pass in 0..3 {
            for c in cands.iter().take(2000) {
                if chosen.len() >= 3 {
                    break;
                }
                if chosen.iter().any(|x| (x.0, x.1, x.2) == *c) {
                    continue;
                }
                let group = group_of(index, grouping, c.0, c.1, c.2);
                let fresh_group = !groups_used.contains(&group);
                let fresh_doc = !docs_used.contains(&c.0);
                let ok = match pass {
                    0 => fresh_group && fresh_doc,
                    1 => fresh_doc,
                    _ => true,
                };
                if ok {
                    groups_used.insert(group.clone());
                    docs_used.insert(c.0);
                    chosen.push((c.0, c.1, c.2, group));
                }
            }
        }
        let _ = write!(
            out,
            r#"<article class="quotes"><h3><span class="swatch" style="background:{}"></span>{}</h3>"#,
            escape(&theme.colour),
            escape(&theme.name)
        );
        if chosen.is_empty() {
            out.push_str("<p class=\"note\">No codings yet.</p>");
        }
        for (doc, start, end, group) in chosen {
            let text = crate::study::documents::excerpt(conn, doc, start, end)?;
            let d = index.doc_pos.get(&doc).map(|&p| &index.docs[p as usize]);
            let speaker = index
                .doc_pos
                .get(&doc)
                .and_then(|&p| index.overlapped(p, start, end).first().copied())
                .and_then(|t| (t.app != crate::analysis::index::NONE).then_some(t.app))
                .map(|a| {
                    let app = &index.apps[a as usize];
                    let person = &index.people[app.person as usize];
                    if person.id.is_some() && person.name != app.label {
                        format!("{} ({})", app.label, person.name)
                    } else {
                        app.label.clone()
                    }
                })
                .unwrap_or_else(|| "unknown speaker".into());
            let _ = write!(
                out,
                r#"<blockquote><p>{}</p><footer>— {}, {}{}</footer></blockquote>"#,
                escape(text.trim()).replace('\n', "<br>"),
                escape(&speaker),
                escape(d.map(|d| d.name.as_str()).unwrap_or("")),
                if group.is_empty() {
                    String::new()
                } else {
                    format!(" · {}", escape(&group))
                }
            );
        }
        out.push_str("</article>");
    }
    out.push_str("</section>");
    Ok(())
}

/// The group a passage belongs to under the report's grouping, as "attribute: value".
fn group_of(index: &StudyIndex, grouping: &Grouping, doc: i64, start: i64, end: i64) -> String {
    let Grouping::Attribute(attr) = grouping else {
        return String::new();
    };
    let Some(&d) = index.doc_pos.get(&doc) else {
        return String::new();
    };
    let value = match attr.scope {
        Scope::Document => index.docs[d as usize].attrs.get(&attr.id).cloned(),
        Scope::Participant => index
            .overlapped(d, start, end)
            .iter()
            .filter(|t| t.app != crate::analysis::index::NONE)
            .find_map(|t| {
                index.people[index.apps[t.app as usize].person as usize]
                    .attrs
                    .get(&attr.id)
                    .cloned()
            }),
    };
    format!(
        "{}: {}",
        attr.name,
        value.unwrap_or_else(|| crate::analysis::NO_VALUE.into())
    )
}

#[cfg(test)]
mod tests {
    use super::super::super::testutil::seed;
    use super::*;

    #[test]
    fn renders_every_section_escaped() {
        let (_dir, mut study, _) = seed();
        // A hostile code name must come out escaped.
        study
            .change(None, "codes.add", "add", |rec| {
                crate::codebook::edit::ensure_path(rec, "<script>alert(1)</script>")
            })
            .unwrap();
        let html = render(study.conn(), &ReportOptions::default()).unwrap();
        for id in [
            "summary",
            "codebook",
            "themes",
            "cooccurrence",
            "saturation",
            "quotes",
        ] {
            assert!(html.contains(&format!(r#"<section id="{id}">"#)), "{id}");
        }
        assert!(!html.contains("<script>"));
        assert!(html.contains("&lt;script&gt;"));
        assert!(
            !html.contains("http://")
                || html.matches("http://").count()
                    == html.matches("xmlns=\"http://www.w3.org/2000/svg\"").count()
        );
        // Grouped by composition by default; the quote for Access names its group.
        assert!(html.contains("composition: all-female"));
        // Access's longest passage (FG1 t2..t3, 84 characters) leads its quotes.
        assert!(html.contains("For me the clinic is far away, an hour by bus.<br>Yes and the bus fare costs money too."));
    }
}
