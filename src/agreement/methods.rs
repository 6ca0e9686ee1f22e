//! `thematic agreement --methods-text`: the paragraph a team writes by hand for a
//! manuscript's methods section, from the figures just computed.

use super::report::{AgreementReport, Coefficients};
use crate::error::Result;

fn list(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

fn range(values: &[f64]) -> Option<(f64, f64, f64)> {
    if values.is_empty() {
        return None;
    }
    let min = values.iter().copied().fold(f64::INFINITY, f64::min);
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    let median = if sorted.len().is_multiple_of(2) {
        (sorted[mid - 1] + sorted[mid]) / 2.0
    } else {
        sorted[mid]
    };
    Some((min, median, max))
}

fn ci_text(ci: Option<Option<[f64; 2]>>) -> String {
    match ci {
        Some(Some([a, b])) => format!(", 95% CI [{a:.2}, {b:.2}]"),
        _ => String::new(),
    }
}

/// How many codings the consensus coder has in the named documents: the methods text
/// claims disagreements were resolved only when a consensus coding exists there.
pub fn consensus_codings(conn: &rusqlite::Connection, documents: &[String]) -> Result<usize> {
    let mut stmt = conn.prepare_cached(
        "SELECT COUNT(*) FROM codings c JOIN coders k ON k.id = c.coder_id
           JOIN documents d ON d.id = c.document_id
          WHERE k.is_consensus = 1 AND d.name = ?1",
    )?;
    let mut n = 0usize;
    for name in documents {
        n += stmt.query_row([name], |r| r.get::<_, i64>(0))? as usize;
    }
    Ok(n)
}

/// The paragraph. `thresholds` are the team's (low, high) alpha thresholds;
/// `consensus_codings` is what [`consensus_codings`] counts in the compared documents.
pub fn paragraph(r: &AgreementReport, thresholds: &[f64], consensus_codings: usize) -> String {
    let m = &r.report;
    let d = &m.double_coded;
    let (low, high) = (
        thresholds.first().copied().unwrap_or(0.667),
        thresholds.get(1).copied().unwrap_or(0.8),
    );
    let unit = match r.unit {
        "turn" => "speaker turn",
        "sentence" => "sentence",
        "char" => "character",
        _ => "coded span",
    };
    let mut out = String::new();
    out.push_str(&format!(
        "Inter-coder reliability was assessed on a double-coded subset: {} coders ({}) independently coded {} of {} transcripts ({:.0}%), comprising {} of {} {}s ({:.0}% of the data). ",
        r.coders.len(),
        list(&r.coders),
        d.documents,
        d.documents_in_study,
        100.0 * d.share_of_documents,
        d.units,
        d.units_in_study,
        unit,
        100.0 * d.share_of_units,
    ));
    // One round has no "between rounds": say only what happened.
    match m.rounds.len() {
        0 => {}
        1 => out.push_str(
            "Double-coding was done in one round, drawn as a sample of the data (O'Connor & Joffe, 2020). ",
        ),
        n => out.push_str(&format!(
            "Coding proceeded in {n} rounds of double-coding, with the codebook refined between rounds (O'Connor & Joffe, 2020). "
        )),
    }
    if r.unit == "span" {
        let alphas: Vec<f64> = r
            .codes
            .iter()
            .filter_map(|c| c.coefficients.u_alpha.flatten())
            .collect();
        if let Some((a, med, b)) = range(&alphas) {
            out.push_str(&format!(
                "Agreement on where codes were applied was measured with Krippendorff's unitizing alpha (uα; Krippendorff, 1995; Krippendorff et al., 2016) over the text as one continuum; across {} codes uα ranged from {a:.2} to {b:.2} (median {med:.2}). ",
                alphas.len()
            ));
        }
    } else {
        let alpha_of = |c: &Coefficients| c.krippendorff_alpha.flatten();
        let alphas: Vec<f64> = r
            .codes
            .iter()
            .filter_map(|c| alpha_of(&c.coefficients))
            .collect();
        let kappas: Vec<f64> = r
            .codes
            .iter()
            .filter_map(|c| c.coefficients.cohen_kappa.flatten())
            .collect();
        let ac1: Vec<f64> = r
            .codes
            .iter()
            .filter_map(|c| c.coefficients.gwet_ac1.flatten())
            .collect();
        out.push_str(&format!(
            "Each code was judged present or absent in each {unit}, and agreement was computed per code with Krippendorff's alpha (nominal; Krippendorff, 2004), Cohen's kappa (Cohen, 1960{}) and Gwet's AC1 (Gwet, 2008), which is robust to the skewed prevalence of rarely applied codes. ",
            if r.coders.len() > 2 { "; averaged over coder pairs, Light, 1971" } else { "" }
        ));
        if let Some(o) = &r.overall
            && let Some(a) = alpha_of(o)
        {
            out.push_str(&format!(
                "Treating the code set as mutually exclusive categories, alpha was {a:.2}{}. ",
                ci_text(o.krippendorff_alpha_ci)
            ));
        }
        if let Some((a, med, b)) = range(&alphas) {
            out.push_str(&format!(
                "Across {} codes, alpha ranged from {a:.2} to {b:.2} (median {med:.2})",
                alphas.len()
            ));
            if let Some((ka, kmed, kb)) = range(&kappas) {
                out.push_str(&format!(
                    "; kappa from {ka:.2} to {kb:.2} (median {kmed:.2})"
                ));
            }
            if let Some((ga, gmed, gb)) = range(&ac1) {
                out.push_str(&format!("; AC1 from {ga:.2} to {gb:.2} (median {gmed:.2})"));
            }
            out.push_str(". ");
            let reliable = alphas.iter().filter(|&&a| a >= high).count();
            let tentative = alphas.iter().filter(|&&a| a >= low && a < high).count();
            let unreliable = alphas.len() - reliable - tentative;
            out.push_str(&format!(
                "Following Krippendorff (2004), {reliable} code(s) reached α ≥ {high:.3} (reliable), {tentative} reached α ≥ {low:.3} (tentative conclusions only) and {unreliable} fell below {low:.3}. "
            ));
        }
    }
    if let Some(ci) = &m.ci {
        out.push_str(&format!(
            "Confidence intervals are 95% percentile bootstrap intervals from {} resamples of {}s (seed {}). ",
            ci.iterations, unit, ci.seed
        ));
    }
    // Only claim a consensus when one exists: a methods section must not say more than was done.
    out.push_str(if consensus_codings > 0 {
        "Disagreements were discussed and resolved into a consensus coding used for the analysis."
    } else {
        "Disagreements between the coders have not yet been resolved into a consensus coding."
    });
    out.push_str("\n\nReferences: Cohen, J. (1960). A coefficient of agreement for nominal scales. Educational and Psychological Measurement, 20(1), 37–46. Gwet, K. L. (2008). Computing inter-rater reliability and its variance in the presence of high agreement. British Journal of Mathematical and Statistical Psychology, 61(1), 29–48. Krippendorff, K. (2004). Content analysis: An introduction to its methodology (2nd ed.). Sage.");
    if r.coders.len() > 2 {
        out.push_str(" Light, R. J. (1971). Measures of response agreement for qualitative data. Psychological Bulletin, 76(5), 365–377.");
    }
    if r.unit == "span" {
        out.push_str(" Krippendorff, K. (1995). On the reliability of unitizing continuous data. Sociological Methodology, 25, 47–76. Krippendorff, K., Mathet, Y., Bouvry, S., & Widlöcher, A. (2016). On the reliability of unitizing textual continua. Quality & Quantity, 50, 2347–2364.");
    }
    if !m.rounds.is_empty() {
        out.push_str(" O'Connor, C., & Joffe, H. (2020). Intercoder reliability in qualitative research: Debates and practical guidelines. International Journal of Qualitative Methods, 19, 1–13.");
    }
    out
}
