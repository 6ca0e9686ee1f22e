//! The HTML report: one self-contained file (inline CSS and SVG; no scripts, fonts or links
//! to anything outside it), so it opens offline and can be archived with the study.

pub mod html;
pub mod svg;

use crate::error::Result;
use rusqlite::Connection;
use std::path::Path;

#[derive(Debug, Clone, Default)]
pub struct ReportOptions {
    /// One coder's codings; None pools all coders.
    pub coder: Option<i64>,
    /// The attribute theme frequencies are grouped by (default: see `html::default_grouping`).
    pub by: Option<String>,
    /// Coders compared in the agreement section (empty: the default rule of `agreement`).
    pub agreement_coders: Vec<String>,
}

/// Escapes text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' && c != '\t' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// The inter-coder agreement section's inner HTML: per-code agreement over speaker turns from
/// `crate::agreement` (turn units, uncoded turns counting as "absent", no bootstrap), with what
/// was compared and why, what a methods reviewer asks for, and the ICR rounds. None when the
/// study has fewer than two coders with codings; when the comparison cannot be made, the
/// section says why instead of vanishing.
pub fn agreement_section(conn: &Connection, coders: &[String]) -> Option<String> {
    use crate::agreement::report::{Options, Uncoded, compute};
    use crate::agreement::units::{Comparison, Selection, UnitKind};
    use std::fmt::Write;
    let independent: i64 = conn
        .query_row(
            "SELECT count(DISTINCT c.coder_id) FROM codings c JOIN coders k ON k.id = c.coder_id WHERE k.is_consensus = 0",
            [],
            |r| r.get(0),
        )
        .ok()?;
    if independent < 2 && coders.is_empty() {
        return None;
    }
    let result = Comparison::load(
        conn,
        &Selection {
            coders,
            documents: &[],
        },
    )
    .and_then(|cmp| {
        compute(
            conn,
            &cmp,
            &Options {
                unit: UnitKind::Turn,
                code_set: Vec::new(),
                uncoded: Uncoded::Absent,
                ci: None,
            },
        )
    });
    let r = match result {
        Ok(r) => r,
        Err(e) => {
            return Some(format!(
                r#"<p class="note">No agreement figures: {}</p>"#,
                escape(&e.to_string())
            ));
        }
    };
    let f = |v: Option<Option<f64>>| match v {
        None => String::new(),
        Some(None) => "undefined".into(),
        Some(Some(x)) => format!("{:.2}", if x.abs() < 0.005 { 0.0 } else { x }),
    };
    let m = &r.report;
    let d = &m.double_coded;
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<p class="note">Coders {} ({}) over {} speaker turns in {} document(s): {} ({}). Double-coded: {:.1}% of the study's turns, {} of {} documents. Each code judged present or absent in each turn. Krippendorff's α below 0.667 is usually read as unreliable, below 0.800 as tentative.</p>"#,
        escape(&r.coders.join(", ")),
        escape(&r.comparison.coders_rule),
        r.n_units,
        r.documents.len(),
        escape(&r.documents.join(", ")),
        escape(&r.comparison.documents_rule),
        100.0 * d.share_of_units,
        d.documents,
        d.documents_in_study
    );
    for l in &r.comparison.left_out_coders {
        let _ = write!(
            out,
            r#"<p class="note">Left out coder {}: {}</p>"#,
            escape(&l.name),
            escape(&l.reason)
        );
    }
    for l in &r.comparison.left_out_documents {
        let _ = write!(
            out,
            r#"<p class="note">Left out document {}: {}</p>"#,
            escape(&l.name),
            escape(&l.reason)
        );
    }
    out.push_str(r#"<table><tr><th>code</th><th class="num">% agreement</th><th class="num">Cohen's κ</th><th class="num">Krippendorff's α</th><th class="num">Gwet's AC1</th></tr>"#);
    for c in &r.codes {
        let k = &c.coefficients;
        let _ = write!(
            out,
            r#"<tr><td>{}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td></tr>"#,
            escape(&c.code),
            f(k.percent_agreement.map(|o| o.map(|x| x * 100.0))),
            f(k.cohen_kappa),
            f(k.krippendorff_alpha),
            f(k.gwet_ac1)
        );
    }
    out.push_str("</table><ul class=\"note\">");
    let _ = write!(out, "<li>κ: {}.</li>", escape(&m.cohen_kappa_is));
    for c in &m.coefficients {
        let _ = write!(out, "<li>{}: {}.</li>", escape(c.name), escape(&c.why));
    }
    out.push_str("<li>No confidence intervals here; `thematic agreement --ci` gives 95% percentile bootstrap intervals.</li></ul>");
    out.push_str(&icr_section(&m.rounds));
    Some(out)
}

/// The ICR rounds: each round's coders, sample, frozen figures and codebook changes.
fn icr_section(rounds: &[crate::agreement::icr::RoundBrief]) -> String {
    use std::fmt::Write;
    if rounds.is_empty() {
        return String::new();
    }
    let mut out = String::from(
        r#"<h3>Inter-coder reliability rounds</h3><table><tr><th>round</th><th>coders</th><th>sample</th><th class="num">units</th><th class="num">mean α</th><th>codebook changes since the previous round</th></tr>"#,
    );
    for b in rounds {
        let _ = write!(
            out,
            r#"<tr><td>{}{}</td><td>{}</td><td>{} by {} ({:.0}%, seed {})</td><td class="num">{}</td><td class="num">{}</td><td>{}</td></tr>"#,
            b.round,
            if b.ended_at.is_none() { " (open)" } else { "" },
            escape(&b.coders.join(", ")),
            if b.sample_by == "turn" {
                b.sampled_turns
            } else {
                b.sampled_documents
            },
            escape(&b.sample_by),
            100.0 * b.share,
            b.seed,
            b.units.map(|u| u.to_string()).unwrap_or_default(),
            b.mean_alpha.map(|a| format!("{a:.2}")).unwrap_or_default(),
            escape(&b.codebook_changes.join("; "))
        );
    }
    out.push_str("</table>");
    out
}

/// Writes the report readable by its owner only (it quotes confidential transcripts): to an
/// owner-only temporary file beside it, renamed into place, as every export is. Opening the
/// target itself with mode 0600 left an existing world-readable report world-readable (the
/// mode applies only on creation) and a half-written one after a kill.
pub fn write_private(path: &Path, html: &str) -> Result<()> {
    crate::exchange::write_private(path, html.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape("<script>alert('x') & \"y\"</script>"),
            "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;"
        );
    }

    /// Overwriting a report someone made world-readable leaves an owner-only file, and no
    /// temporary file beside it.
    #[cfg(unix)]
    #[test]
    fn an_existing_readable_report_becomes_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.html");
        std::fs::write(&path, "old").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        write_private(&path, "<p>new</p>").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "<p>new</p>");
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
