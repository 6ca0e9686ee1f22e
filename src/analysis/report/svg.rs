//! Charts drawn as inline SVG from the data: grouped bar charts, a heat map and a line chart.
//! All labels are escaped; sizes are fixed so the report prints predictably.

use super::escape;
use std::fmt::Write;

/// Colours for groups (colour-blind-safe Okabe–Ito order).
pub const GROUP_COLOURS: &[&str] = &[
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000",
];

fn text(out: &mut String, x: f64, y: f64, anchor: &str, class: &str, s: &str) {
    let _ = write!(
        out,
        r#"<text x="{x:.1}" y="{y:.1}" text-anchor="{anchor}" class="{class}">{}</text>"#,
        escape(s)
    );
}

fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max - 1).collect();
        t.push('…');
        t
    }
}

/// Horizontal grouped bars: one band per category, one bar per series. `values[i][j]` is
/// category i, series j; None draws no bar. Values are shown as `{v:.0}{unit}`.
pub fn bar_chart(
    title: &str,
    categories: &[String],
    series: &[String],
    values: &[Vec<Option<f64>>],
    unit: &str,
) -> String {
    let label_w = 230.0;
    let chart_w = 560.0;
    let bar_h = 14.0;
    let gap = 10.0;
    let band = bar_h * series.len().max(1) as f64 + gap;
    let legend_h = 24.0;
    let height = legend_h + band * categories.len() as f64 + 24.0;
    let width = label_w + chart_w + 60.0;
    let max = values
        .iter()
        .flatten()
        .flatten()
        .fold(0.0f64, |m, &v| m.max(v))
        .max(if unit == "%" { 100.0 } else { 1.0 });
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart bar-chart" width="{width:.0}" height="{height:.0}" viewBox="0 0 {width:.0} {height:.0}" role="img" aria-label="{}"><title>{}</title>"#,
        escape(title),
        escape(title)
    );
    // Legend.
    let mut lx = label_w;
    for (j, s) in series.iter().enumerate() {
        let colour = GROUP_COLOURS[j % GROUP_COLOURS.len()];
        let _ = write!(
            out,
            r#"<rect x="{lx:.1}" y="4" width="12" height="12" fill="{colour}"/>"#
        );
        let label = clip(s, 28);
        text(&mut out, lx + 16.0, 14.5, "start", "legend", &label);
        lx += 30.0 + 7.0 * label.chars().count() as f64;
    }
    for (i, cat) in categories.iter().enumerate() {
        let y0 = legend_h + band * i as f64;
        text(
            &mut out,
            label_w - 8.0,
            y0 + band / 2.0,
            "end",
            "axis",
            &clip(cat, 34),
        );
        for (j, _) in series.iter().enumerate() {
            let Some(v) = values.get(i).and_then(|r| r.get(j)).copied().flatten() else {
                continue;
            };
            let colour = GROUP_COLOURS[j % GROUP_COLOURS.len()];
            let w = (v / max * chart_w).max(if v > 0.0 { 1.0 } else { 0.0 });
            let y = y0 + bar_h * j as f64;
            let _ = write!(
                out,
                r#"<rect x="{label_w:.1}" y="{y:.1}" width="{w:.1}" height="{:.1}" fill="{colour}"><title>{}: {v:.1}{}</title></rect>"#,
                bar_h - 2.0,
                escape(&series[j]),
                escape(unit)
            );
            text(
                &mut out,
                label_w + w + 4.0,
                y + bar_h - 4.0,
                "start",
                "value",
                &format!("{v:.0}{unit}"),
            );
        }
    }
    let axis_y = legend_h + band * categories.len() as f64;
    let _ = write!(
        out,
        r##"<line x1="{label_w:.1}" y1="{legend_h:.1}" x2="{label_w:.1}" y2="{axis_y:.1}" stroke="#444"/>"##
    );
    out.push_str("</svg>");
    out
}

/// A square heat map of symmetric counts with labels; darker = more.
pub fn heat_map(title: &str, labels: &[String], counts: &[Vec<u64>]) -> String {
    let n = labels.len();
    let cell = if n > 24 { 16.0 } else { 28.0 };
    let left = 240.0;
    let top = 150.0;
    let width = left + cell * n as f64 + 110.0;
    let height = top + cell * n as f64 + 20.0;
    let max = counts
        .iter()
        .enumerate()
        .flat_map(|(i, r)| r.iter().enumerate().filter(move |(j, _)| *j != i))
        .map(|(_, &v)| v)
        .max()
        .unwrap_or(0)
        .max(1);
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart heat-map" width="{width:.0}" height="{height:.0}" viewBox="0 0 {width:.0} {height:.0}" role="img" aria-label="{}"><title>{}</title>"#,
        escape(title),
        escape(title)
    );
    for (i, l) in labels.iter().enumerate() {
        let y = top + cell * i as f64 + cell / 2.0 + 4.0;
        text(&mut out, left - 6.0, y, "end", "axis", &clip(l, 34));
        let x = left + cell * i as f64 + cell / 2.0;
        let _ = write!(
            out,
            r#"<text x="{x:.1}" y="{:.1}" transform="rotate(-55 {x:.1} {:.1})" text-anchor="start" class="axis">{}</text>"#,
            top - 6.0,
            top - 6.0,
            escape(&clip(l, 24))
        );
    }
    for i in 0..n {
        for j in 0..n {
            let v = counts[i][j];
            let x = left + cell * j as f64;
            let y = top + cell * i as f64;
            let fill = if i == j {
                "#DDDDDD".to_string()
            } else {
                // White → deep blue.
                let t = v as f64 / max as f64;
                let r = (255.0 - t * (255.0 - 8.0)) as u8;
                let g = (255.0 - t * (255.0 - 48.0)) as u8;
                let b = (255.0 - t * (255.0 - 107.0)) as u8;
                format!("#{r:02X}{g:02X}{b:02X}")
            };
            let _ = write!(
                out,
                r##"<rect x="{x:.1}" y="{y:.1}" width="{cell:.1}" height="{cell:.1}" fill="{fill}" stroke="#FFFFFF"><title>{} × {}: {v}</title></rect>"##,
                escape(&labels[i]),
                escape(&labels[j])
            );
            if v > 0 && cell >= 24.0 {
                let dark = i != j && v as f64 / max as f64 > 0.55;
                let _ = write!(
                    out,
                    r#"<text x="{:.1}" y="{:.1}" text-anchor="middle" class="cell{}">{v}</text>"#,
                    x + cell / 2.0,
                    y + cell / 2.0 + 4.0,
                    if dark { " light" } else { "" }
                );
            }
        }
    }
    out.push_str("</svg>");
    out
}

/// The saturation curve: cumulative codes as a line, new codes per document as bars.
pub fn saturation_chart(title: &str, points: &[(String, usize, usize)]) -> String {
    let left = 50.0;
    let bottom = 70.0;
    let top = 20.0;
    let plot_h = 220.0;
    let step = (700.0 / points.len().max(1) as f64).clamp(14.0, 90.0);
    let width = left + step * points.len() as f64 + 30.0;
    let height = top + plot_h + bottom;
    // Whole-number ticks: four steps of a round size.
    let top_value = points.iter().map(|p| p.2).max().unwrap_or(0).max(1);
    let tick = top_value.div_ceil(4).max(1);
    let max = (tick * 4) as f64;
    let y_of = |v: f64| top + plot_h - v / max * plot_h;
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart saturation" width="{width:.0}" height="{height:.0}" viewBox="0 0 {width:.0} {height:.0}" role="img" aria-label="{}"><title>{}</title>"#,
        escape(title),
        escape(title)
    );
    for k in 0..=4 {
        let v = (tick * k) as f64;
        let y = y_of(v);
        let _ = write!(
            out,
            r##"<line x1="{left:.1}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#E5E5E5"/>"##,
            width - 20.0
        );
        text(
            &mut out,
            left - 6.0,
            y + 4.0,
            "end",
            "axis",
            &format!("{v:.0}"),
        );
    }
    let mut path = String::new();
    for (i, (label, new, cum)) in points.iter().enumerate() {
        let x = left + step * i as f64 + step / 2.0;
        let bw = (step * 0.5).min(30.0);
        let yb = y_of(*new as f64);
        let _ = write!(
            out,
            r##"<rect x="{:.1}" y="{yb:.1}" width="{bw:.1}" height="{:.1}" fill="#E69F00" opacity="0.8"><title>{}: {new} new</title></rect>"##,
            x - bw / 2.0,
            top + plot_h - yb,
            escape(label)
        );
        let yc = y_of(*cum as f64);
        let _ = write!(path, "{}{x:.1},{yc:.1}", if i == 0 { "M" } else { " L" });
        let _ = write!(
            out,
            r##"<circle cx="{x:.1}" cy="{yc:.1}" r="3.5" fill="#0072B2"><title>{}: {cum} codes so far</title></circle>"##,
            escape(label)
        );
        if points.len() <= 40 || i % (points.len() / 40 + 1) == 0 {
            let ly = top + plot_h + 12.0;
            let _ = write!(
                out,
                r#"<text x="{x:.1}" y="{ly:.1}" transform="rotate(45 {x:.1} {ly:.1})" text-anchor="start" class="axis">{}</text>"#,
                escape(&clip(label, 14))
            );
        }
    }
    let _ = write!(
        out,
        r##"<path d="{path}" fill="none" stroke="#0072B2" stroke-width="2"/>"##
    );
    let _ = write!(
        out,
        r##"<line x1="{left:.1}" y1="{top:.1}" x2="{left:.1}" y2="{:.1}" stroke="#444"/><line x1="{left:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="#444"/>"##,
        top + plot_h,
        top + plot_h,
        width - 20.0,
        top + plot_h
    );
    out.push_str("</svg>");
    out
}
