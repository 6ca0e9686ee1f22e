//! The agreement report: per code (present/absent per unit) and, for a code set treated as
//! mutually exclusive categories, overall — in the JSON shape scripts rely on.

use super::presence::{Patterns, Presence};
use super::report_meta::{self, ReportMeta};
use super::scope::{DocRule, LeftOut, Scope};
use super::units::{CompactCoding, Comparison, Unit, UnitKind};
use super::{
    CategoricalSummary, Interval, Ratings, Span, Value, all_categorical, binary_u_alpha,
    bootstrap_intervals, cu_alpha, u_alpha, union_u_alpha,
};
use crate::codebook::subtree_ids;
use crate::error::Result;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Uncoded {
    /// A unit a coder left without any code of the set counts as a "none" judgement.
    Absent,
    /// … or as not judged at all.
    Missing,
}

pub struct Options {
    pub unit: UnitKind,
    /// A code set (names or one parent code) to treat as mutually exclusive categories.
    pub code_set: Vec<String>,
    pub uncoded: Uncoded,
    /// Bootstrap iterations and seed for 95% intervals.
    pub ci: Option<(usize, u64)>,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Coefficients {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub n_units: Option<usize>,
    #[serde(skip_serializing_if = "is_absent")]
    pub percent_agreement: Option<Option<f64>>,
    #[serde(skip_serializing_if = "is_absent")]
    pub cohen_kappa: Option<Option<f64>>,
    #[serde(skip_serializing_if = "is_absent")]
    pub fleiss_kappa: Option<Option<f64>>,
    #[serde(skip_serializing_if = "is_absent")]
    pub krippendorff_alpha: Option<Option<f64>>,
    #[serde(skip_serializing_if = "is_absent")]
    pub gwet_ac1: Option<Option<f64>>,
    #[serde(skip_serializing_if = "is_absent")]
    pub u_alpha: Option<Option<f64>>,
    #[serde(skip_serializing_if = "is_absent")]
    pub binary_u_alpha: Option<Option<f64>>,
    #[serde(skip_serializing_if = "is_absent")]
    pub cu_alpha: Option<Option<f64>>,
    /// 95% bootstrap intervals (with --ci): outer None = not requested / not applicable,
    /// inner None = no interval (JSON null; the reason is in the notes).
    #[serde(skip_serializing_if = "is_absent_ci")]
    pub percent_agreement_ci: Option<Option<[f64; 2]>>,
    #[serde(skip_serializing_if = "is_absent_ci")]
    pub cohen_kappa_ci: Option<Option<[f64; 2]>>,
    #[serde(skip_serializing_if = "is_absent_ci")]
    pub fleiss_kappa_ci: Option<Option<[f64; 2]>>,
    #[serde(skip_serializing_if = "is_absent_ci")]
    pub krippendorff_alpha_ci: Option<Option<[f64; 2]>>,
    #[serde(skip_serializing_if = "is_absent_ci")]
    pub gwet_ac1_ci: Option<Option<[f64; 2]>>,
    #[serde(skip_serializing_if = "is_absent_ci")]
    pub u_alpha_ci: Option<Option<[f64; 2]>>,
    #[serde(skip_serializing_if = "is_absent_ci")]
    pub binary_u_alpha_ci: Option<Option<[f64; 2]>>,
    #[serde(skip_serializing_if = "is_absent_ci")]
    pub cu_alpha_ci: Option<Option<[f64; 2]>>,
}

fn is_absent_ci(v: &Option<Option<[f64; 2]>>) -> bool {
    v.is_none()
}

/// Outer None: the key does not apply to this unit; inner None: undefined (JSON null + note).
fn is_absent(v: &Option<Option<f64>>) -> bool {
    v.is_none()
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PairResult {
    pub coders: [String; 2],
    pub n_units: u64,
    pub percent_agreement: Option<f64>,
    pub cohen_kappa: Option<f64>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CodeResult {
    pub code: String,
    #[serde(flatten)]
    pub coefficients: Coefficients,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct AgreementReport {
    pub unit: &'static str,
    pub coders: Vec<String>,
    pub documents: Vec<String>,
    pub left_out: Vec<String>,
    /// How coders and documents were chosen; what was left out and why.
    pub comparison: ComparisonStatement,
    /// What a methods reviewer asks for (see [`super::report_meta`]).
    pub report: ReportMeta,
    pub n_units: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overall: Option<Coefficients>,
    pub pairs: Vec<PairResult>,
    pub codes: Vec<CodeResult>,
    pub notes: Vec<String>,
}

/// How a comparison's coders and documents were chosen, for the JSON and every display.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ComparisonStatement {
    /// `done` (documents every compared coder marked done) or `coded` (any of them coded).
    pub rule: DocRule,
    pub documents_rule: String,
    pub coders_rule: String,
    pub left_out_documents: Vec<LeftOut>,
    pub left_out_coders: Vec<LeftOut>,
}

impl ComparisonStatement {
    pub fn of(scope: &Scope) -> ComparisonStatement {
        ComparisonStatement {
            rule: scope.rule,
            documents_rule: scope.documents_rule.clone(),
            coders_rule: scope.coders_rule.clone(),
            left_out_documents: scope.left_out.clone(),
            left_out_coders: scope.excluded_coders.clone(),
        }
    }
}

/// Records why a value is undefined and turns it into an Option for the JSON.
pub(crate) struct Notes {
    pub(crate) list: Vec<String>,
    /// Coder names, so that reasons say "alex and sam", never "coders 0 and 1".
    names: Vec<String>,
}

impl Notes {
    fn named(&self, reason: &str) -> String {
        let mut out = reason.to_string();
        for (a, na) in self.names.iter().enumerate() {
            for (b, nb) in self.names.iter().enumerate() {
                out = out.replace(&format!("coders {a} and {b}"), &format!("{na} and {nb}"));
            }
        }
        out
    }

    fn take(&mut self, scope: &str, name: &str, v: &Value) -> Option<f64> {
        if let Some(reason) = v.reason() {
            let reason = self.named(reason);
            self.list
                .push(format!("{scope}: {name} undefined ({reason})"));
        }
        v.as_option()
    }

    fn take_ci(&mut self, scope: &str, name: &str, v: &Interval) -> Option<[f64; 2]> {
        match v {
            Interval::Undefined(reason) => self
                .list
                .push(format!("{scope}: no 95% interval for {name} ({reason})")),
            Interval::Defined(_, _, dropped) if *dropped > 0 => self.list.push(format!(
                "{scope}: {name} interval from the resamples where it is defined ({dropped} dropped)"
            )),
            Interval::Defined(..) => {}
        }
        v.as_option()
    }

    fn categorical(&mut self, scope: &str, s: &CategoricalSummary) -> Coefficients {
        Coefficients {
            n_units: Some(s.n_units),
            percent_agreement: Some(self.take(scope, "percent agreement", &s.percent_agreement)),
            cohen_kappa: Some(self.take(scope, "Cohen's kappa", &s.cohen_kappa_mean)),
            fleiss_kappa: Some(self.take(scope, "Fleiss' kappa", &s.fleiss_kappa)),
            krippendorff_alpha: Some(self.take(
                scope,
                "Krippendorff's alpha",
                &s.krippendorff_alpha,
            )),
            gwet_ac1: Some(self.take(scope, "Gwet's AC1", &s.gwet_ac1)),
            ..Default::default()
        }
    }
}

/// Units overlapping [start, end) within one document's slice of `units` (sorted, disjoint):
/// the plain binary search that [`coding_units`] must agree with.
#[cfg(test)]
fn overlapping(
    units: &[Unit],
    doc_range: (usize, usize),
    start: i64,
    end: i64,
) -> std::ops::Range<usize> {
    let slice = &units[doc_range.0..doc_range.1];
    let first = slice.partition_point(|u| u.end <= start);
    let last = slice.partition_point(|u| u.start < end);
    (doc_range.0 + first)..(doc_range.0 + last.max(first))
}

fn doc_ranges(units: &[Unit], n_docs: usize) -> Vec<(usize, usize)> {
    (0..n_docs)
        .map(|d| {
            let a = units.partition_point(|u| u.doc < d);
            let b = units.partition_point(|u| u.doc <= d);
            (a, b)
        })
        .collect()
}

/// The code indices in the set: named codes, or the descendants of a single parent code.
fn resolve_set(cmp: &Comparison, names: &[String]) -> Result<Vec<usize>> {
    let resolved: Vec<crate::codebook::Code> = names
        .iter()
        .map(|n| crate::codebook::resolve(&cmp.codes, n))
        .collect::<Result<_>>()?;
    let ids: Vec<i64> = if let [parent] = resolved.as_slice() {
        let below: Vec<i64> = subtree_ids(&cmp.codes, parent.id)
            .into_iter()
            .skip(1)
            .collect();
        if below.is_empty() {
            return Err(crate::invalid!(
                "'{}' has no subcodes; name two or more codes with --codes A,B",
                parent.path
            ));
        }
        below
    } else {
        resolved.iter().map(|c| c.id).collect()
    };
    Ok(ids
        .iter()
        .filter_map(|id| cmp.codes.iter().position(|c| c.id == *id))
        .collect())
}

/// Each coding's units (a range of indices into `units`), found once and shared by the
/// per-code and the code-set tables. Codings come grouped by document and mostly in text order
/// within a run (the analysis index orders them by code, coder and start), so each search starts
/// from the previous coding's units and gallops forward; a coding earlier in the text than the
/// previous one falls back to a binary search of its document.
fn coding_units(
    codings: &[CompactCoding],
    n_docs: usize,
    units: &[Unit],
) -> Vec<std::ops::Range<usize>> {
    let ranges = doc_ranges(units, n_docs);
    let mut out = Vec::with_capacity(codings.len());
    let mut prev: Option<(usize, i64, usize)> = None;
    for c in codings {
        let (lo, hi) = ranges[c.doc];
        let from = match prev {
            Some((doc, start, first)) if doc == c.doc && start <= c.start => first,
            _ => lo,
        };
        let first = gallop(units, from, hi, |u| u.end <= c.start);
        let last = gallop(units, first, hi, |u| u.start < c.end);
        prev = Some((c.doc, c.start, first));
        out.push(first..last.max(first));
    }
    out
}

/// The first index in `from..to` where `before` turns false (`before` is true then false over
/// the slice), searched with doubling steps from `from`: cheap when the answer is near.
fn gallop(units: &[Unit], from: usize, to: usize, before: impl Fn(&Unit) -> bool) -> usize {
    let mut lo = from;
    let mut step = 1;
    while lo < to && before(&units[lo]) {
        let probe = (lo + step).min(to);
        if probe == to || !before(&units[probe]) {
            return lo + 1 + units[lo + 1..probe].partition_point(&before);
        }
        lo = probe;
        step *= 2;
    }
    lo
}

/// The five categorical coefficients of one matrix, in the order of the interval fields.
fn five(s: &CategoricalSummary) -> [Value; 5] {
    [
        s.percent_agreement.clone(),
        s.cohen_kappa_mean.clone(),
        s.fleiss_kappa.clone(),
        s.krippendorff_alpha.clone(),
        s.gwet_ac1.clone(),
    ]
}

fn with_ci(
    notes: &mut Notes,
    scope: &str,
    coef: &mut Coefficients,
    r: &Ratings,
    s: &CategoricalSummary,
    ci: Option<(usize, u64)>,
) {
    let Some((iterations, seed)) = ci else { return };
    let estimates = five(s).map(|v| v.is_defined());
    let [pa, ck, fk, ka, ac] = bootstrap_intervals(
        r,
        |x| five(&all_categorical(x)),
        estimates,
        iterations,
        seed,
    );
    coef.percent_agreement_ci = Some(notes.take_ci(scope, "percent agreement", &pa));
    coef.cohen_kappa_ci = Some(notes.take_ci(scope, "Cohen's kappa", &ck));
    coef.fleiss_kappa_ci = Some(notes.take_ci(scope, "Fleiss' kappa", &fk));
    coef.krippendorff_alpha_ci = Some(notes.take_ci(scope, "Krippendorff's alpha", &ka));
    coef.gwet_ac1_ci = Some(notes.take_ci(scope, "Gwet's AC1", &ac));
}

/// Codes that any compared coder applied in the compared documents, in codebook order.
fn used_codes(cmp: &Comparison) -> Vec<usize> {
    let mut used = vec![false; cmp.codes.len()];
    for c in &cmp.codings {
        used[c.code] = true;
    }
    (0..cmp.codes.len()).filter(|&k| used[k]).collect()
}

pub fn compute(
    conn: &rusqlite::Connection,
    cmp: &Comparison,
    opts: &Options,
) -> Result<AgreementReport> {
    let coder_names: Vec<String> = cmp.coders.iter().map(|c| c.name.clone()).collect();
    let mut notes = Notes {
        list: Vec::new(),
        names: coder_names.clone(),
    };
    let set = if opts.code_set.is_empty() {
        Vec::new()
    } else {
        resolve_set(cmp, &opts.code_set)?
    };
    let used = used_codes(cmp);
    let mut report = AgreementReport {
        unit: opts.unit.name(),
        coders: coder_names.clone(),
        documents: cmp.documents.iter().map(|d| d.name.clone()).collect(),
        left_out: cmp.left_out.clone(),
        comparison: ComparisonStatement::of(&cmp.scope),
        report: ReportMeta::default(),
        n_units: 0,
        overall: None,
        pairs: Vec::new(),
        codes: Vec::new(),
        notes: Vec::new(),
    };
    for l in &cmp.scope.left_out {
        notes
            .list
            .push(format!("left out document {}: {}", l.name, l.reason));
    }
    for l in &cmp.scope.excluded_coders {
        notes
            .list
            .push(format!("left out coder {}: {}", l.name, l.reason));
    }
    if opts.unit == UnitKind::Span {
        unitized(cmp, &set, &used, &mut report, &mut notes, opts.ci.is_some());
        report.report = report_meta::build(conn, cmp, opts, &report, &set)?;
        report.notes = notes.list;
        return Ok(report);
    }
    let timer = super::units::Timer::start();
    let units = cmp.units(conn, opts.unit)?;
    report.n_units = units.len();
    timer.lap("units");
    // With a code set, only the set's codes are read and tabulated (the per-code rows of the
    // set and the overall row are what is printed).
    let per_code: Vec<usize> = if set.is_empty() {
        used.clone()
    } else {
        used.iter().copied().filter(|k| set.contains(k)).collect()
    };
    let wanted: Vec<usize> = per_code
        .iter()
        .copied()
        .chain(set.iter().copied())
        .collect();
    let at = coding_units(&cmp.codings, cmp.documents.len(), &units);
    let p = Presence::build(
        cmp.coders.len(),
        cmp.codes.len(),
        units.len(),
        &cmp.codings,
        &at,
        &wanted,
    );
    timer.lap("presence");
    // Without a code set, the pairs pool every (unit, code) judgement: the per-code tables laid
    // end to end (their row patterns summed, or the matrices themselves with many coders).
    let pool = set.is_empty();
    let mut pooled_patterns: Option<Patterns> = None;
    let mut pooled_values: Vec<u32> = Vec::new();
    for &k in &per_code {
        let table = p.table(k, opts.uncoded, opts.ci.is_some());
        let path = &cmp.codes[k].path;
        let mut coef = notes.categorical(path, &table.summary);
        if let Some(r) = &table.matrix {
            with_ci(&mut notes, path, &mut coef, r, &table.summary, opts.ci);
        }
        report
            .report
            .prevalence
            .push((path.clone(), table.prevalence));
        if pool {
            match (table.patterns, &mut pooled_patterns) {
                (Some(t), Some(all)) => all.add(&t),
                (Some(t), None) => pooled_patterns = Some(t),
                (None, _) => pooled_values.extend_from_slice(
                    table
                        .matrix
                        .as_ref()
                        .expect("kept without patterns")
                        .raw_values(),
                ),
            }
        }
        report.codes.push(CodeResult {
            code: path.clone(),
            coefficients: coef,
        });
    }
    timer.lap("per-code tables");
    let summary = if set.is_empty() {
        notes
            .list
            .push("pairs: pooled over every (unit, code) judgement".into());
        match pooled_patterns {
            Some(patterns) => patterns.summary(),
            None => {
                let n = cmp.coders.len();
                let r = Ratings::from_raw(n, 2, pooled_values).expect("binary values are in range");
                all_categorical(&r)
            }
        }
    } else {
        let r = set_ratings(cmp, &units, &at, &set, opts.uncoded, &mut notes);
        let summary = all_categorical(&r);
        let mut coef = notes.categorical("overall", &summary);
        with_ci(&mut notes, "overall", &mut coef, &r, &summary, opts.ci);
        report.overall = Some(coef);
        summary
    };
    for pair in &summary.pairs {
        let scope = format!("{} × {}", coder_names[pair.a], coder_names[pair.b]);
        report.pairs.push(PairResult {
            coders: [coder_names[pair.a].clone(), coder_names[pair.b].clone()],
            n_units: pair.n_units,
            percent_agreement: notes.take(&scope, "percent agreement", &pair.percent_agreement),
            cohen_kappa: notes.take(&scope, "Cohen's kappa", &pair.cohen_kappa),
        });
    }
    timer.lap("overall and pairs");
    let prevalence = std::mem::take(&mut report.report.prevalence);
    report.report = report_meta::build(conn, cmp, opts, &report, &set)?;
    report.report.prevalence = prevalence;
    report_meta::explain(&mut report.report, cmp.coders.len(), opts);
    timer.lap("report meta");
    report.notes = notes.list;
    Ok(report)
}

/// Categories: 0 = none of the set, i + 1 = the set's i-th code. A coder who applied several
/// codes of the set to one unit is taken at the code covering most of the unit, summed over
/// that code's codings (two 8-character codings of A beat one 10-character coding of B; noted).
fn set_ratings(
    cmp: &Comparison,
    units: &[Unit],
    at: &[std::ops::Range<usize>],
    set: &[usize],
    uncoded: Uncoded,
    notes: &mut Notes,
) -> Ratings {
    let n = cmp.coders.len();
    let mut best: Vec<(i64, u32)> = vec![(0, 0); units.len() * n];
    let mut several = vec![false; units.len() * n];
    // One category at a time: its coverage per (unit, coder) is summed in `sum`, and only the
    // slots it touched are compared with the best so far and reset (linear in the codings).
    let mut sum: Vec<i64> = vec![0; units.len() * n];
    let mut touched: Vec<usize> = Vec::new();
    // The set position of each code (u32::MAX: not in the set), then the set's codings by code.
    let mut in_set = vec![u32::MAX; cmp.codes.len()];
    for (i, &k) in set.iter().enumerate() {
        in_set[k] = i as u32;
    }
    let mut by_code: Vec<Vec<usize>> = vec![Vec::new(); set.len()];
    for (j, c) in cmp.codings.iter().enumerate() {
        if in_set[c.code] != u32::MAX {
            by_code[in_set[c.code] as usize].push(j);
        }
    }
    for (i, codings) in by_code.iter().enumerate() {
        let category = i as u32 + 1;
        for &j in codings {
            let c = &cmp.codings[j];
            for u in at[j].clone() {
                let overlap = c.end.min(units[u].end) - c.start.max(units[u].start);
                let slot = u * n + c.coder;
                if sum[slot] == 0 {
                    touched.push(slot);
                }
                sum[slot] += overlap;
            }
        }
        for &slot in &touched {
            let cover = sum[slot];
            sum[slot] = 0;
            let b = &mut best[slot];
            if b.1 != 0 {
                several[slot] = true;
            }
            // Categories are visited in set order, so ties go to the code named first and the
            // result never depends on the order codings were stored in.
            if cover > b.0 {
                *b = (cover, category);
            }
        }
        touched.clear();
    }
    let multi = several.iter().filter(|&&s| s).count();
    if multi > 0 {
        notes.list.push(format!(
            "overall: {multi} unit judgement(s) had several codes of the set; each was taken as the code covering most of the unit, summed over that code's codings (ties: the code named first)"
        ));
    }
    let values = best
        .iter()
        .map(|&(_, cat)| {
            if cat != 0 || uncoded == Uncoded::Absent {
                cat
            } else {
                super::MISSING
            }
        })
        .collect();
    Ratings::from_raw(n, set.len() as u32 + 1, values).expect("categories are the set's")
}

/// Spans on one continuum: the compared documents laid end to end.
fn spans(cmp: &Comparison, filter: impl Fn(&CompactCoding) -> Option<u32>) -> Vec<Vec<Span>> {
    let mut offsets = Vec::with_capacity(cmp.documents.len());
    let mut total = 0usize;
    for d in &cmp.documents {
        offsets.push(total);
        total += d.char_count as usize;
    }
    let mut out = vec![Vec::new(); cmp.coders.len()];
    for c in &cmp.codings {
        if let Some(cat) = filter(c) {
            let base = offsets[c.doc];
            out[c.coder].push(Span::new(
                base + c.start as usize,
                base + c.end as usize,
                cat,
            ));
        }
    }
    out
}

fn unitized(
    cmp: &Comparison,
    set: &[usize],
    used: &[usize],
    report: &mut AgreementReport,
    notes: &mut Notes,
    ci: bool,
) {
    const NO_CI: &str = "no bootstrap interval for span agreement: the characters of a continuum are not independent units, so resampling them would overstate precision; compare documents or rounds instead";
    let len: usize = cmp.documents.iter().map(|d| d.char_count as usize).sum();
    let n = cmp.coders.len();
    report.n_units = len;
    if ci {
        notes.list.push(format!("span: {NO_CI}"));
    }
    let no_ci = || ci.then_some(None);
    notes.list.push(format!(
        "span: one continuum of {len} characters over the compared documents"
    ));
    for &k in used {
        let s = spans(cmp, |c| (c.code == k).then_some(0));
        let v = binary_u_alpha(len, n, &s, 1, 0);
        let path = &cmp.codes[k].path;
        report.codes.push(CodeResult {
            code: path.clone(),
            coefficients: Coefficients {
                u_alpha: Some(notes.take(path, "uα", &v)),
                u_alpha_ci: no_ci(),
                ..Default::default()
            },
        });
    }
    if !set.is_empty() {
        let s = spans(cmp, |c| {
            set.iter().position(|&k| k == c.code).map(|i| i as u32)
        });
        let cats = set.len() as u32;
        report.overall = Some(Coefficients {
            u_alpha: Some(notes.take("overall", "uα", &u_alpha(len, n, &s, cats))),
            binary_u_alpha: Some(notes.take("overall", "|uα", &union_u_alpha(len, n, &s, cats))),
            cu_alpha: Some(notes.take("overall", "cuα", &cu_alpha(len, n, &s, cats))),
            u_alpha_ci: no_ci(),
            binary_u_alpha_ci: no_ci(),
            cu_alpha_ci: no_ci(),
            ..Default::default()
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agreement::SplitMix64;

    /// Galloping from the previous coding finds exactly the units a binary search finds, for
    /// codings grouped by document in random, text and reverse text order, including empty and out-of-text ones.
    #[test]
    fn coding_units_match_a_binary_search() {
        let mut g = SplitMix64::new(3);
        let mut units = Vec::new();
        for doc in 0..3 {
            let mut at = 0i64;
            for _ in 0..(5 + g.next_u64() % 40) {
                let gap = (g.next_u64() % 3) as i64;
                let len = 1 + (g.next_u64() % 9) as i64;
                units.push(Unit {
                    doc,
                    start: at + gap,
                    end: at + gap + len,
                });
                at += gap + len;
            }
        }
        for round in 0..3 {
            let mut codings: Vec<CompactCoding> = (0..400)
                .map(|_| {
                    let start = (g.next_u64() % 300) as i64 - 5;
                    CompactCoding {
                        doc: (g.next_u64() % 3) as usize,
                        code: 0,
                        coder: 0,
                        start,
                        end: start + (g.next_u64() % 30) as i64,
                    }
                })
                .collect();
            match round {
                0 => codings.sort_by_key(|c| c.doc),
                1 => codings.sort_by_key(|c| (c.doc, c.start)),
                _ => codings.sort_by_key(|c| (c.doc, std::cmp::Reverse(c.start))),
            }
            let ranges = doc_ranges(&units, 3);
            let got = coding_units(&codings, 3, &units);
            for (c, r) in codings.iter().zip(got) {
                assert_eq!(
                    r,
                    overlapping(&units, ranges[c.doc], c.start, c.end),
                    "{c:?}"
                );
            }
        }
    }
}
